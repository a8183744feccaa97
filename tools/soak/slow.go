package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// earlySlack is how much sooner than --header-timeout (as the client
// measures it, from its connect or last byte) a timeout may come: the
// server's clock starts when it opens the connection, which may be a
// little before the client's.
const earlySlack = 500 * time.Millisecond

// result is the outcome of reading a connection's answer: the final
// response or the error that ended the read, and when, from the start of
// the exchange.
type result struct {
	resp *response
	err  error
	at   time.Duration
}

// watched is a connection whose answer a goroutine of its own reads
// while the client writes to it.
type watched struct {
	c     *clientConn
	start time.Time
	got   chan result
}

// watch starts reading c's answer to a request with method method; the
// read gives up after timeout.
func watch(c *clientConn, method string, timeout time.Duration) *watched {
	w := &watched{c: c, start: time.Now(), got: make(chan result, 1)}
	_ = c.SetReadDeadline(w.start.Add(timeout))
	go func() {
		resp, err := c.final(method)
		w.got <- result{resp, err, time.Since(w.start)}
	}()
	return w
}

// trickle writes pieces one every interval, the first at once, and then
// waits for the answer; it stops writing when the answer comes or a
// write fails (the answer, or the end of the connection, says why). The
// time of the last write is in last. ok is false when ctx ended first.
func (w *watched) trickle(ctx context.Context, pieces [][]byte, interval time.Duration) (r result, last time.Time, ok bool) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i, p := range pieces {
		if i > 0 {
			select {
			case r = <-w.got:
				return r, last, ctx.Err() == nil
			case <-ctx.Done():
				return r, last, false
			case <-tick.C:
			}
		}
		_ = w.c.SetWriteDeadline(time.Now().Add(interval + 5*time.Second))
		if _, err := w.c.Write(p); err != nil {
			break
		}
		last = time.Now()
	}
	select {
	case r = <-w.got:
		return r, last, ctx.Err() == nil
	case <-ctx.Done():
		return r, last, false
	}
}

// slowHeadClient opens connections that send their heads slowly, until
// ctx is done: heads that never end (a byte every 200 to 600 ms), which
// must get a 408 or be closed once --header-timeout has passed; silent
// connections, which must be closed then; and complete requests
// trickled in within half the timeout, which must be served.
func (s *soak) slowHeadClient(ctx context.Context, id int) {
	rng := s.rng(kindSeedSlowHead, id)
	for seq := 0; ctx.Err() == nil; seq++ {
		tag := "sh" + strconv.Itoa(id) + "-" + strconv.Itoa(seq)
		switch p := rng.IntN(10); {
		case p < 4:
			n := int((s.cfg.HeaderTimeout+s.grace())/(200*time.Millisecond)) + 2
			pieces := append([][]byte{[]byte("GET /?tag=" + tag + " HTTP/1.1\r\nHost: soak\r\nX-Slow: ")}, bytes.Split(bytes.Repeat([]byte("a"), n), nil)...)
			s.expectTimeout(ctx, "slow-head", pieces, time.Duration(200+rng.IntN(401))*time.Millisecond, false)
		case p < 6:
			s.expectTimeout(ctx, "slow-head", nil, time.Second, false)
		default:
			req := getHello(tag)
			s.expectServed(ctx, "slow-head-ok", req, split(rng, req.wire(), 5+rng.IntN(6)), s.cfg.HeaderTimeout/2)
		}
	}
}

// slowBodyClient sends request bodies slowly, until ctx is done: small
// bodies that stall (a byte every 300 to 600 ms), which must get a 408 or
// be closed once --header-timeout has passed; large bodies that stop
// midway, whose app must get an error it may answer, or a close, after
// the timeout; and bodies trickled in time (small ones within half the
// timeout, large ones with pauses of a fifth of it, chunked ones cut at
// their framing), which must be served.
func (s *soak) slowBodyClient(ctx context.Context, id int) {
	rng := s.rng(kindSeedSlowBody, id)
	for seq := 0; ctx.Err() == nil; seq++ {
		tag := "sb" + strconv.Itoa(id) + "-" + strconv.Itoa(seq)
		switch p := rng.IntN(10); {
		case p < 3:
			size := 1000 + rng.IntN(3001)
			req := postEcho(tag, s.body(rng, size), nil)
			n := min(size-1, int((s.cfg.HeaderTimeout+s.grace())/(300*time.Millisecond))+2) // never the whole body
			pieces := append([][]byte{req.head()}, split(rng, req.Body[:n], n)...)
			s.expectTimeout(ctx, "slow-body", pieces, time.Duration(300+rng.IntN(301))*time.Millisecond, false)
		case p < 5:
			size := min(s.cfg.MaxBody, 256<<10+rng.IntN(768<<10+1))
			req := postEcho(tag, s.body(rng, size), nil)
			sent := min(size/2, 64<<10+rng.IntN(128<<10))
			s.expectTimeout(ctx, "slow-body", [][]byte{append(req.head(), req.Body[:sent]...)}, time.Second, true)
		case p < 7:
			req := postEcho(tag, s.body(rng, 1+rng.IntN(4000)), nil)
			if rng.IntN(2) == 0 {
				req.Chunks = chunkSizes(rng, len(req.Body))
			}
			s.expectServed(ctx, "slow-body-ok", req, split(rng, req.wire(), 5+rng.IntN(6)), s.cfg.HeaderTimeout/2)
		case p < 9:
			size := min(s.cfg.MaxBody, 256<<10+rng.IntN(768<<10+1))
			req := postEcho(tag, s.body(rng, size), nil)
			k := 6 + rng.IntN(7)
			s.expectServed(ctx, "slow-body-ok", req, split(rng, req.wire(), k), time.Duration(k-1)*s.cfg.HeaderTimeout/5)
		default:
			size := min(s.cfg.MaxBody, 128<<10+rng.IntN(896<<10+1))
			req := postEcho(tag, s.body(rng, size), chunkSizes(rng, size))
			req.ChunkExt = rng.IntN(2) == 0
			pieces := framingSplit(rng, req)
			s.expectServed(ctx, "slow-body-ok", req, pieces, time.Duration(len(pieces)-1)*s.cfg.HeaderTimeout/40)
		}
	}
}

// grace is how long after --header-timeout a timeout may come late on a
// busy machine.
func (s *soak) grace() time.Duration { return max(5*time.Second, s.cfg.HeaderTimeout) }

// expectTimeout sends pieces slowly on a new connection and expects the
// server to give up on it after --header-timeout: with a 408 and a close,
// or a close alone. fromLast says the timeout counts from the last piece
// (a streamed body the app waits for, which the app may also answer with
// an error status of its own) rather than from the connect.
func (s *soak) expectTimeout(ctx context.Context, kind string, pieces [][]byte, interval time.Duration, fromLast bool) {
	c, err := dial(s.addr)
	if err != nil {
		s.stats.fail(kind, err)
		return
	}
	defer c.Close()
	defer closeAfter(ctx, c)()
	w := watch(c, "POST", s.cfg.HeaderTimeout+s.grace())
	r, last, ok := w.trickle(ctx, pieces, interval)
	if !ok {
		return
	}
	ref := w.start
	if fromLast && !last.IsZero() {
		ref = last
	}
	waited := w.start.Add(r.at).Sub(ref)
	early := waited < s.cfg.HeaderTimeout-earlySlack
	switch {
	case r.resp != nil:
		s.stats.status(kind, r.resp.Status)
		switch {
		case r.resp.Status != 408 && !(fromLast && r.resp.Status >= 400):
			s.stats.fail(kind, &outcomeError{"unexpected-status", fmt.Sprintf("%d to a request still arriving after %v", r.resp.Status, waited.Round(time.Millisecond))})
		case early:
			s.stats.fail(kind, &outcomeError{"early-timeout", fmt.Sprintf("%d after %v, before --header-timeout %v", r.resp.Status, waited.Round(time.Millisecond), s.cfg.HeaderTimeout)})
		default:
			s.endAfterAnswer(kind, c)
		}
	case isTimeout(r.err):
		s.stats.fail(kind, &outcomeError{"not-timed-out", fmt.Sprintf("neither answered nor closed %v after --header-timeout %v", s.grace(), s.cfg.HeaderTimeout)})
	case cause(r.err) == "eof" || isReset(r.err):
		if early {
			s.stats.fail(kind, &outcomeError{"early-close", fmt.Sprintf("closed after %v, before --header-timeout %v", waited.Round(time.Millisecond), s.cfg.HeaderTimeout)})
			return
		}
		s.stats.closed(kind, r.err)
		s.stats.ok(kind)
	default:
		s.stats.fail(kind, r.err)
	}
}

// endAfterAnswer expects the server to close c after an answer that ends
// the connection, and counts the outcome.
func (s *soak) endAfterAnswer(kind string, c *clientConn) {
	err := readEnd(c.br, c, s.grace())
	if err != nil && !isReset(err) {
		if isTimeout(err) {
			err = &outcomeError{"not-closed", fmt.Sprintf("connection still open %v after an error answer", s.grace())}
		}
		s.stats.fail(kind, err)
		return
	}
	s.stats.closed(kind, err)
	s.stats.ok(kind)
}

// expectServed sends req as pieces spread evenly over span on a new
// connection and expects it to be served.
func (s *soak) expectServed(ctx context.Context, kind string, req *request, pieces [][]byte, span time.Duration) {
	c, err := dial(s.addr)
	if err != nil {
		s.stats.fail(kind, err)
		return
	}
	defer c.Close()
	defer closeAfter(ctx, c)()
	interval := span / time.Duration(max(1, len(pieces)-1))
	w := watch(c, req.Method, span+s.cfg.RequestTimeout)
	r, _, ok := w.trickle(ctx, pieces, max(interval, time.Millisecond))
	if !ok {
		return
	}
	err = r.err
	if err == nil {
		s.stats.status(kind, r.resp.Status)
		err = req.check(r.resp)
	}
	if err != nil {
		s.stats.fail(kind, fmt.Errorf("sent in %d pieces over %v: %w", len(pieces), span.Round(time.Millisecond), err))
		return
	}
	s.stats.ok(kind)
}

// framingSplit cuts a chunked request into pieces at its framing: at the
// start of the body, and around each chunk-size line (before the CR or
// the LF that ends the chunk before it, at the line, or one byte into
// it), so that the server meets each part of the framing at the end of
// its input.
func framingSplit(rng *rand.Rand, r *request) [][]byte {
	head := r.head()
	body, lines := r.framedBody()
	wire := append(head, body...)
	cuts := []int{len(head)}
	for _, l := range lines {
		if c := len(head) + l - 2 + rng.IntN(4); c > 0 && c < len(wire) {
			cuts = append(cuts, c)
		}
	}
	return cutAt(wire, cuts)
}

// split cuts b into at most n pieces of random sizes.
func split(rng *rand.Rand, b []byte, n int) [][]byte {
	if n <= 1 || len(b) <= 1 {
		return [][]byte{b}
	}
	cuts := make([]int, n-1)
	for i := range cuts {
		cuts[i] = 1 + rng.IntN(len(b)-1)
	}
	return cutAt(b, cuts)
}

// cutAt cuts b at the offsets cuts (each in 1..len(b)-1, in any order,
// repeats allowed) into pieces that share b's memory.
func cutAt(b []byte, cuts []int) [][]byte {
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	pieces := make([][]byte, 0, len(cuts)+1)
	prev := 0
	for _, c := range cuts {
		pieces = append(pieces, b[prev:c])
		prev = c
	}
	return append(pieces, b[prev:])
}
