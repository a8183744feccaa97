package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// load is a keep-alive client load, like wrk's: conns connections each
// sending GET path again as soon as the previous answer is in, and
// reconnecting when the server says Connection: close. Every failure is
// counted by kind: a connection that ends without the answer to a request
// it sent is what wrk counts as a read error.
type load struct {
	addr, path string
	stop       chan struct{}
	wg         sync.WaitGroup

	mu     sync.Mutex
	ok     int
	non2xx int
	errs   map[string]int
}

func startLoad(addr, path string, conns int) *load {
	l := &load{addr: addr, path: path, stop: make(chan struct{}), errs: map[string]int{}}
	for i := 0; i < conns; i++ {
		l.wg.Add(1)
		go l.conn()
	}
	return l
}

func (l *load) conn() {
	defer l.wg.Done()
	req := "GET " + l.path + " HTTP/1.1\r\nHost: gwsgi\r\n\r\n"
	var c net.Conn
	var br *bufio.Reader
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	for {
		select {
		case <-l.stop:
			return
		default:
		}
		if c == nil {
			var err error
			if c, err = net.DialTimeout("tcp", l.addr, 5*time.Second); err != nil {
				l.fail("connect: " + err.Error())
				time.Sleep(10 * time.Millisecond)
				continue
			}
			br = bufio.NewReader(c)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		status, closing, err := roundTrip(c, br, req)
		if err != nil {
			l.fail(err.Error())
			c.Close()
			c = nil
			continue
		}
		l.mu.Lock()
		if status/100 == 2 {
			l.ok++
		} else {
			l.non2xx++
		}
		l.mu.Unlock()
		if closing {
			c.Close()
			c = nil
		}
	}
}

// roundTrip sends req and reads the whole answer.
func roundTrip(c net.Conn, br *bufio.Reader, req string) (status int, closing bool, err error) {
	if _, err := io.WriteString(c, req); err != nil {
		return 0, false, fmt.Errorf("write: %w", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, false, fmt.Errorf("read: %w", err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, false, fmt.Errorf("read body: %w", err)
	}
	return resp.StatusCode, resp.Close, nil
}

func (l *load) fail(kind string) {
	l.mu.Lock()
	l.errs[kind]++
	l.mu.Unlock()
}

// served returns how many 2xx answers came so far.
func (l *load) served() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ok
}

// finish stops the load and checks that it saw no error and no non-2xx
// answer, and some answers.
func (l *load) finish(t *testing.T) {
	t.Helper()
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	var kinds []string
	for k, n := range l.errs {
		kinds = append(kinds, fmt.Sprintf("%d × %s", n, k))
	}
	sort.Strings(kinds)
	t.Logf("load on %s: %d answered 2xx, %d non-2xx, errors: %v", l.path, l.ok, l.non2xx, kinds)
	if len(kinds) > 0 || l.non2xx > 0 || l.ok == 0 {
		t.Errorf("load: %d 2xx, %d non-2xx, errors:\n%s", l.ok, l.non2xx, strings.Join(kinds, "\n"))
	}
}

// waitCount waits up to timeout for the server log to hold sub at least
// n times.
func (s *server) waitCount(t *testing.T, sub string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for strings.Count(s.log.String(), sub) < n {
		if time.Now().After(deadline) {
			t.Fatalf("server log holds %q %d times, want %d:\n%s", sub, strings.Count(s.log.String(), sub), n, s.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
