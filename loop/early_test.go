package loop

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/wsgi"
)

// refuseApp answers 413 at once, without reading the body.
var refuseApp = wsgi.AppFunc(func(_ *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
	body := []byte(strings.Repeat("too large; not read\n", 200))
	_, err := start.StartResponse("413 Content Too Large", []wsgi.Header{{Name: "Content-Type", Value: "text/plain"}}, nil)
	return wsgi.Bytes(body), err
})

// TestEarlyAnswerArrives: an app that answers a large upload without
// reading it gets its answer to a client that keeps sending at full
// speed (the connection lingers rather than resetting under it), and the
// connection then ends.
func TestEarlyAnswerArrives(t *testing.T) {
	ts := start(t, Config{App: refuseApp, HeaderTimeout: 2 * time.Second})
	for i := 0; i < 20; i++ {
		c := ts.dial(t)
		_, _ = io.WriteString(c, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n")
		done := make(chan struct{})
		go func() { // the upload, at full speed, until the server ends it
			defer close(done)
			chunk := bytes.Repeat([]byte("u"), 64<<10)
			for {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}()
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("upload %d: reading the answer: %v", i, err)
		}
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode != 413 || err != nil || len(body) != 4000 || !resp.Close {
			t.Fatalf("upload %d: status %d, %d body bytes (%v), close %v", i, resp.StatusCode, len(body), err, resp.Close)
		}
		if _, err := br.ReadByte(); err != io.EOF {
			t.Fatalf("upload %d: after the answer: %v, want EOF (the write side shut)", i, err)
		}
		c.Close()
		<-done
	}
	ts.get(t, "/", 413) // the server serves on
}
