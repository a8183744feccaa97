package loop

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// clientLogRate is how many lines about clients a second, and in a burst,
// the log gets.
const clientLogRate = 50

// clientLog writes the lines about clients (requests rejected, heads or
// bodies that time out, clients that take no response) off the event
// loops and at most clientLogRate a second: a flood of bad clients costs
// the loops neither blocking writes nor the log its readability. Lines
// over the rate, or that find the queue full, are counted, and the count
// is logged once a second.
type clientLog struct {
	log     Logger
	lines   chan string
	dropped atomic.Int64
	done    chan struct{} // closed by stop
	ended   chan struct{} // closed when run has written what was queued

	mu     sync.Mutex // guards the token bucket; only lines about clients take it
	tokens float64
	last   time.Time
}

func newClientLog(l Logger) *clientLog {
	return &clientLog{log: l, lines: make(chan string, 256), done: make(chan struct{}), ended: make(chan struct{}), tokens: clientLogRate}
}

// printf queues one line, or counts it when over the rate. It never
// blocks: it runs on the event loops.
func (c *clientLog) printf(format string, args ...any) {
	if !c.allow(time.Now()) {
		c.dropped.Add(1)
		return
	}
	select {
	case c.lines <- fmt.Sprintf(format, args...):
	default:
		c.dropped.Add(1)
	}
}

// allow takes a token from the bucket, which refills at clientLogRate a
// second up to clientLogRate.
func (c *clientLog) allow(now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.last.IsZero() {
		c.tokens = min(clientLogRate, c.tokens+now.Sub(c.last).Seconds()*clientLogRate)
	}
	c.last = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

// run writes the queued lines until stop, and the count of those left out
// once a second.
func (c *clientLog) run() {
	defer close(c.ended)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case line := <-c.lines:
			c.log.Printf("%s", line)
		case <-tick.C:
			c.flushDropped()
		case <-c.done:
			for {
				select {
				case line := <-c.lines:
					c.log.Printf("%s", line)
				default:
					c.flushDropped()
					return
				}
			}
		}
	}
}

func (c *clientLog) flushDropped() {
	if n := c.dropped.Swap(0); n > 0 {
		c.log.Printf("gwsgi: %d lines about clients not logged (more than %d a second)", n, clientLogRate)
	}
}

// stop ends run after it has written what is queued.
func (c *clientLog) stop() {
	close(c.done)
	<-c.ended
}
