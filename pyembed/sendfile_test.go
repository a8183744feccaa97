package pyembed

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSendfile serves wsgi.file_wrapper over a regular file through the
// real server: the bytes come from sendfile(2), with a Content-Length, and
// the file object is closed.
func TestSendfile(t *testing.T) {
	data := make([]byte, 3<<20+7)
	for i := range data {
		data[i] = byte(i * 7)
	}
	path := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, lb := serve(t, raw, 2)
	url := "http://" + srv.Addr().String() + "/sendfile?" + path

	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(body, data[10:]) {
		t.Fatalf("got %d bytes (%v), want %d", len(body), err, len(data)-10)
	}
	if resp.ContentLength != int64(len(data)-10) {
		t.Fatalf("Content-Length %d", resp.ContentLength)
	}

	// HEAD: the length, no body; then the connection serves a GET.
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "HEAD /sendfile?"+path+" HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	head, err := http.ReadResponse(br, &http.Request{Method: "HEAD"})
	if err != nil || head.ContentLength != int64(len(data)-10) {
		t.Fatalf("HEAD: %v, length %d", err, head.ContentLength)
	}
	next, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(next.Body); string(b) != "Hello, World!" {
		t.Fatalf("after HEAD: %q", b)
	}
	if lb.String() != "" {
		t.Fatalf("log: %s", lb.String())
	}
}
