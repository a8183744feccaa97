package accesslog

import (
	"os"
	"sync/atomic"
	"time"
)

// Clock renders %(t)s, [10/Oct/2000:13:55:36 -0700] in local time, once
// per second, and knows the pid for %(p)s.
type Clock struct {
	pid  int
	last atomic.Pointer[stamp]
}

// stamp is one second's rendering; immutable once published.
type stamp struct {
	sec  int64
	text []byte
}

// NewClock returns a Clock for this process.
func NewClock() *Clock { return &Clock{pid: os.Getpid()} }

// Now returns the current second's rendering; callers must not modify it.
func (c *Clock) Now() []byte {
	t := time.Now()
	if s := c.last.Load(); s != nil && s.sec == t.Unix() {
		return s.text
	}
	s := &stamp{sec: t.Unix(), text: t.AppendFormat(nil, "[02/Jan/2006:15:04:05 -0700]")}
	c.last.Store(s)
	return s.text
}
