// Package syncbuf is a log destination for tests: the goroutines of a
// server under test write it while the test reads it. It imports nothing
// of gwsgi's, so the tests of any package, loop's own included, can use it.
package syncbuf

import (
	"bytes"
	"fmt"
	"sync"
)

// Buffer is a bytes.Buffer safe for concurrent writers and readers. The
// zero value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Printf writes one formatted line.
func (s *Buffer) Printf(f string, a ...any) { fmt.Fprintf(s, f+"\n", a...) }
