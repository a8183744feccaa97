package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// dialTimeout bounds a connect; the server's accept queue is long, so a
// slow connect is a finding too.
const dialTimeout = 10 * time.Second

// clientConn is a keep-alive client connection.
type clientConn struct {
	net.Conn
	br       *bufio.Reader
	lastUse  time.Time // when the last response ended
	received int64     // response bytes read on it so far
}

// dial connects to addr.
func dial(addr string) (*clientConn, error) {
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		return nil, err
	}
	cc := &clientConn{Conn: c, lastUse: time.Now()}
	cc.br = bufio.NewReaderSize(countingReader{c, &cc.received}, 64<<10)
	return cc, nil
}

// dropConn closes *c, if there is one, and forgets it: the next request
// dials anew.
func dropConn(c **clientConn) {
	if *c != nil {
		(*c).Close()
		*c = nil
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// do sends r and reads its final response, within timeout. A 100
// Continue is awaited before the body when r asks for it; other interim
// responses are skipped.
func (c *clientConn) do(r *request, timeout time.Duration) (*response, error) {
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	if r.Expect100 {
		if _, err := c.Write(r.head()); err != nil {
			return nil, err
		}
		resp, err := readResponse(c.br, r.Method)
		if err != nil {
			return nil, err
		}
		if resp.Status != 100 {
			return resp, nil // answered without the body: check says how it differs
		}
		if _, err := c.Write(r.body()); err != nil {
			return nil, err
		}
	} else if _, err := c.Write(r.wire()); err != nil {
		return nil, err
	}
	return c.final(r.Method)
}

// final reads responses up to the first final (non-1xx) one.
func (c *clientConn) final(method string) (*response, error) {
	for {
		resp, err := readResponse(c.br, method)
		if err != nil {
			return nil, err
		}
		if resp.Status == 101 {
			return nil, fmt.Errorf("%w: 101 Switching Protocols to a request that asked for no upgrade", errFraming)
		}
		if resp.Status >= 200 {
			c.lastUse = time.Now()
			return resp, nil
		}
	}
}

// idleClosed reports whether err, met by a request on a reused
// connection before any byte of its response, is the server closing a
// connection left idle for over half its keep-alive time: a race any
// keep-alive client must retry, not a failure. The client sends its next
// request as soon as it has read a response, so this happens only when
// the client itself stalled.
func (c *clientConn) idleClosed(err error, before int64, keepAlive time.Duration) bool {
	if c.received != before || time.Since(c.lastUse) < keepAlive/2 {
		return false
	}
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// closeAfter closes c once ctx is done, which ends any read or write in
// progress; the returned stop undoes that.
func closeAfter(ctx context.Context, c net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() { c.Close() })
}

// readEnd waits, within timeout, for the server to end c after a final
// response: nil when it closes c, the reset when it resets it, an
// outcomeError when more bytes come, the deadline's error when c stays
// open.
func readEnd(br *bufio.Reader, c net.Conn, timeout time.Duration) error {
	if err := c.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, br)
	if n > 0 {
		return &outcomeError{"data-after-answer", fmt.Sprintf("%d more bytes after the answer that ends the connection", n)}
	}
	return err
}

// isReset reports whether err is the server resetting the connection.
func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

// sleepCtx sleeps for d or until ctx is done, and reports whether the
// sleep ran its full length.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// isTimeout reports whether err is a deadline passing.
func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
