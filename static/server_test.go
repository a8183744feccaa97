package static

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/examples/hello"
	"github.com/gwsgi/gwsgi/loop"
	"github.com/gwsgi/gwsgi/loop/looptest"
)

// startServer serves cfg on a free port with two loops and stops it when
// the test ends; it returns the address.
func startServer(t *testing.T, cfg loop.Config) string {
	t.Helper()
	srv, _ := looptest.Start(t, cfg)
	return srv.Addr().String()
}

// TestOverHTTP serves a tree through the real server, in front of hello
// as middleware and as the server's Static, to Go's HTTP client and to
// raw connections.
func TestOverHTTP(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 60)
	for _, mode := range []struct {
		name string
		cfg  loop.Config
	}{
		{"middleware", loop.Config{App: h.Middleware(hello.App{})}},
		{"static", loop.Config{App: hello.App{}, Static: h}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			addr := startServer(t, mode.cfg)
			client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
			t.Cleanup(client.CloseIdleConnections)
			do := func(method, path string, hdr ...string) (*http.Response, []byte) {
				t.Helper()
				req, err := http.NewRequest(method, "http://"+addr+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i+1 < len(hdr); i += 2 {
					req.Header.Set(hdr[i], hdr[i+1])
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				return resp, body
			}

			resp, body := do("GET", "/static/big.bin")
			if resp.StatusCode != 200 || !bytes.Equal(body, tr.big) || resp.ContentLength != int64(len(tr.big)) {
				t.Fatalf("GET big.bin: %d, %d bytes", resp.StatusCode, len(body))
			}
			etag := resp.Header.Get("ETag")
			if resp.Header.Get("Cache-Control") != "public, max-age=60" || etag == "" {
				t.Errorf("GET big.bin headers: %v", resp.Header)
			}
			resp, body = do("HEAD", "/static/big.bin")
			if resp.StatusCode != 200 || len(body) != 0 || resp.ContentLength != int64(len(tr.big)) {
				t.Errorf("HEAD: %d, Content-Length %d, %d body bytes", resp.StatusCode, resp.ContentLength, len(body))
			}
			resp, body = do("GET", "/static/big.bin", "If-None-Match", etag)
			if resp.StatusCode != 304 || len(body) != 0 || resp.Header.Get("ETag") != etag {
				t.Errorf("If-None-Match: %d %v", resp.StatusCode, resp.Header)
			}
			resp, body = do("GET", "/static/big.bin", "Range", "bytes=100000-100099")
			if resp.StatusCode != 206 || !bytes.Equal(body, tr.big[100000:100100]) ||
				resp.Header.Get("Content-Range") != "bytes 100000-100099/204817" {
				t.Errorf("Range: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Range"), len(body))
			}
			resp, _ = do("GET", "/static/big.bin", "Range", "bytes=300000-")
			if resp.StatusCode != 416 || resp.Header.Get("Content-Range") != "bytes */204817" {
				t.Errorf("unsatisfiable Range: %d %v", resp.StatusCode, resp.Header)
			}
			resp, body = do("GET", "/static/app.js", "Accept-Encoding", "gzip")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("gzip: %d %v", resp.StatusCode, resp.Header)
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			_, want := do("GET", "/static/app.js")
			if !bytes.Equal(plain, want) {
				t.Errorf("gunzipped app.js.gz differs from app.js")
			}
			for _, path := range []string{"/static/missing.txt", "/static/sub/", "/static"} {
				if resp, body := do("GET", path); resp.StatusCode != 404 || string(body) != helloNotFound {
					t.Errorf("GET %s: %d %q, want hello's 404", path, resp.StatusCode, body)
				}
			}
			if resp, body := do("POST", "/static/hello.txt"); resp.StatusCode != 404 || string(body) != helloNotFound {
				t.Errorf("POST: %d %q, want hello's 404", resp.StatusCode, body)
			}
			if _, body := do("GET", "/"); string(body) != string(hello.Greeting) {
				t.Errorf("GET /: %q", body)
			}

			// Go's client cleans paths: traversal attempts go raw.
			for _, target := range []string{
				"/static/../outside/s.txt",
				"/static/..%2f..%2foutside%2fs.txt",
				"/static/%2e%2e/outside/s.txt",
				"/static/a%00b",
				"/static/link-outside",
				"/static/linkdir-outside/s.txt",
				"http://x/static/%2e%2e/outside/s.txt",
			} {
				resp, body := rawGet(t, addr, target)
				if resp.StatusCode != 404 || body != ownNotFound {
					t.Errorf("raw GET %s: %d %q, want the handler's 404", target, resp.StatusCode, body)
				}
			}
		})
	}
}

// rawGet sends one request with target as written.
func rawGet(t *testing.T, addr, target string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: "GET"})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// TestPipelinedOverHTTP sends many requests in one write, small files
// (answered on the event loop), the app's, a large file (sent with
// sendfile from a goroutine) and a 304 among them: the answers come back
// whole and in order.
func TestPipelinedOverHTTP(t *testing.T) {
	tr := makeTree(t)
	addr := startServer(t, loop.Config{App: hello.App{}, Static: newHandler(t, tr, 0)})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	type want struct {
		method, target, extra string
		status                int
		body                  string
	}
	one := []want{
		{"GET", "/static/hello.txt", "", 200, helloText},
		{"GET", "/", "", 200, string(hello.Greeting)},
		{"HEAD", "/static/hello.txt", "", 200, ""},
		{"GET", "/static/big.bin", "", 200, string(tr.big)},
		{"GET", "/static/hello.txt", "Range: bytes=1-3\r\n", 206, helloText[1:4]},
		{"GET", "/static/missing.txt", "", 404, helloNotFound},
	}
	var reqs []want
	for i := 0; i < 200; i++ {
		reqs = append(reqs, one...)
	}
	var b strings.Builder
	for _, r := range reqs {
		b.WriteString(r.method + " " + r.target + " HTTP/1.1\r\nHost: x\r\n" + r.extra + "\r\n")
	}
	go func() { _, _ = io.WriteString(c, b.String()) }()
	br := bufio.NewReader(c)
	for i, r := range reqs {
		resp, err := http.ReadResponse(br, &http.Request{Method: r.method})
		if err != nil {
			t.Fatalf("answer %d (%s %s): %v", i, r.method, r.target, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != r.status || string(body) != r.body {
			t.Fatalf("answer %d (%s %s): %d, %d bytes (%v); want %d, %d bytes", i, r.method, r.target, resp.StatusCode, len(body), err, r.status, len(r.body))
		}
	}
}

// TestPipelinedToAReaderThatWaits pipelines 3,000 requests for a 60 KiB
// file (175 MiB of answers) and reads nothing for a while: the server
// holds about its high-water mark of them, not all (answers the loop
// sends itself stop once the client lags), then sends them all in order.
func TestPipelinedToAReaderThatWaits(t *testing.T) {
	dir := t.TempDir()
	file := bytes.Repeat([]byte("0123456789abcdef"), 60<<10/16)
	must(t, os.WriteFile(filepath.Join(dir, "f.bin"), file, 0o644))
	h, err := New(Options{Mounts: []Mount{{Prefix: "/s", Dir: dir}}})
	must(t, err)
	t.Cleanup(func() { h.Close() })
	addr := startServer(t, loop.Config{App: hello.App{}, Static: h})
	c, err := net.Dial("tcp", addr)
	must(t, err)
	defer c.Close()
	_ = c.(*net.TCPConn).SetReadBuffer(64 << 10)
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	const n = 3000
	go func() { _, _ = io.WriteString(c, strings.Repeat("GET /s/f.bin HTTP/1.1\r\nHost: x\r\n\r\n", n)) }()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	time.Sleep(1500 * time.Millisecond) // the server writes until the client's window is full
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 32<<20 {
		t.Errorf("the heap grew %d MiB holding answers the client does not read", grew>>20)
	}
	br := bufio.NewReader(c)
	for i := 0; i < n; i++ {
		resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
		must(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(body, file) {
			t.Fatalf("answer %d: %d, %d bytes (%v)", i, resp.StatusCode, len(body), err)
		}
	}
}
