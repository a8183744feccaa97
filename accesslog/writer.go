package accesslog

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

const (
	// flushDelay is how long lines wait for company before a write: one
	// write per batch, not per request.
	flushDelay = 10 * time.Millisecond
	// maxPending bounds the lines waiting for the file; beyond it new
	// lines are dropped and counted.
	maxPending = 8 << 20
	// pipeAtomic is the largest write a pipe keeps whole (PIPE_BUF): on a
	// pipe shared by several workers, writes are cut at lines to fit.
	pipeAtomic = 4096
)

// Logger writes access-log lines in a Format to a file, in batches, from a
// goroutine of its own.
type Logger struct {
	format *Format
	clock  *Clock
	path   string // "-" is standard output
	errLog func(format string, args ...any)

	mu      sync.Mutex
	pending []byte // lines not handed to the writer yet
	dropped int    // lines dropped since the last report
	closed  bool

	out     *os.File // owned by the writer goroutine once running
	pipe    bool     // out is not a regular file: keep writes within PIPE_BUF
	kick    chan struct{}
	reopen  chan chan error
	stopped chan struct{}
}

// Open starts a Logger writing f's lines to path ("-": standard output),
// appending. errLog receives the Logger's own problems (a failed write,
// dropped lines).
func Open(path string, f *Format, errLog func(format string, args ...any)) (*Logger, error) {
	l := &Logger{format: f, clock: NewClock(), path: path, errLog: errLog,
		kick: make(chan struct{}, 1), reopen: make(chan chan error), stopped: make(chan struct{})}
	if err := l.open(); err != nil {
		return nil, err
	}
	go l.run()
	return l, nil
}

// open opens (or reopens) the file.
func (l *Logger) open() error {
	out := os.Stdout
	if l.path != "-" {
		f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("access log: %w", err)
		}
		out = f
	}
	st, err := out.Stat()
	l.pipe = err != nil || !st.Mode().IsRegular()
	if l.out != nil && l.out != os.Stdout {
		_ = l.out.Close()
	}
	l.out = out
	return nil
}

// Log formats r's line into the buffer. It never waits for the file.
func (l *Logger) Log(r *Record) {
	l.mu.Lock()
	if l.closed || len(l.pending) > maxPending {
		l.dropped++
		l.mu.Unlock()
		return
	}
	if len(l.pending) == 0 {
		select { // under mu: Close cannot have closed kick
		case l.kick <- struct{}{}:
		default:
		}
	}
	l.pending = l.format.Append(l.pending, r, l.clock)
	l.pending = append(l.pending, '\n')
	l.mu.Unlock()
}

// Reopen closes and reopens the file (after a log rotation), once the
// lines already logged are written to the old one.
func (l *Logger) Reopen() error {
	done := make(chan error)
	select {
	case l.reopen <- done:
		return <-done
	case <-l.stopped:
		return nil
	}
}

// Close writes what is buffered and stops the Logger.
func (l *Logger) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	close(l.kick)
	<-l.stopped
	if l.out != os.Stdout {
		return l.out.Close()
	}
	return nil
}

// run is the writer goroutine: each kick, after flushDelay, writes what
// has accumulated.
func (l *Logger) run() {
	defer close(l.stopped)
	var spare []byte
	for {
		select {
		case _, ok := <-l.kick:
			if ok {
				time.Sleep(flushDelay)
			}
			spare = l.flush(spare)
			if !ok {
				return
			}
		case done := <-l.reopen:
			spare = l.flush(spare)
			done <- l.open()
		}
	}
}

// flush swaps the buffer for spare, writes it, and returns it emptied
// for the next swap.
func (l *Logger) flush(spare []byte) []byte {
	l.mu.Lock()
	batch := l.pending
	l.pending = spare[:0]
	dropped := l.dropped
	l.dropped = 0
	l.mu.Unlock()
	if dropped > 0 && l.errLog != nil {
		l.errLog("gwsgi: access log: %d lines dropped: %s does not take them as fast as requests come", dropped, l.path)
	}
	if err := l.write(batch); err != nil && l.errLog != nil {
		l.errLog("gwsgi: access log: %v", err)
	}
	if cap(batch) > maxPending {
		return nil
	}
	return batch[:0]
}

// write writes whole lines, cut to PIPE_BUF pieces on a pipe.
func (l *Logger) write(b []byte) error {
	for len(b) > 0 {
		n := len(b)
		if l.pipe && n > pipeAtomic {
			n = lastLineEnd(b[:pipeAtomic])
		}
		if _, err := l.out.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// lastLineEnd is the length of b's whole lines, or len(b) when a single
// line is longer than b.
func lastLineEnd(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			return i + 1
		}
	}
	return len(b)
}

var _ io.Closer = (*Logger)(nil)
