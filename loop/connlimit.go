package loop

// slots caps the connections a server holds open (Config.MaxConns): a
// counting semaphore whose tokens are the buffered channel's elements. An
// accept loop takes a slot before it accepts, so that at the cap new
// connections stay in the kernel's queue, for the other processes sharing
// the socket, until one closes. The slot then belongs to the accepted
// connection: OnClose gives it back, or the accept loop does when no event
// loop took the connection. A nil slots is no cap: every method then does
// nothing, or succeeds at once.
//
// It is touched once when a connection is accepted and once when it
// closes, never per request.
type slots chan struct{}

// newSlots returns a cap of n connections, nil (none) when n is 0 or less.
func newSlots(n int) slots {
	if n <= 0 {
		return nil
	}
	return make(slots, n)
}

// take waits for a free slot and takes it; false when stop closed first.
func (s slots) take(stop <-chan struct{}) bool {
	if s == nil {
		return true
	}
	select {
	case s <- struct{}{}:
		return true
	case <-stop:
		return false
	}
}

// tryTake takes a free slot if there is one, without waiting.
func (s slots) tryTake() bool {
	if s == nil {
		return true
	}
	select {
	case s <- struct{}{}:
		return true
	default:
		return false
	}
}

// give returns a slot taken by take or tryTake.
func (s slots) give() {
	if s != nil {
		<-s
	}
}

// enrollment is what an accept loop passes to gnet with each connection it
// enrolls: OnOpen marks it, so the loop learns whether an event loop took
// the connection, and with it the connection's slot. One per accept loop,
// reused: gnet's EnrollContext returns only once the event loop has
// registered the connection (OnOpen included) or failed to.
type enrollment struct{ opened bool }
