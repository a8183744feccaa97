package static

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gwsgi/gwsgi/examples/hello"
	"github.com/gwsgi/gwsgi/wsgi"
)

func TestServeTree(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	tests := []struct {
		target string
		status int    // 0: the request reaches the app (hello's 404)
		body   string // for 200
		ctype  string
	}{
		{"/static/hello.txt", 200, helloText, "text/plain; charset=utf-8"},
		{"/static/hello.txt?v=123", 200, helloText, "text/plain; charset=utf-8"},
		{"http://example.com/static/hello.txt", 200, helloText, "text/plain; charset=utf-8"},
		{"/static/index.html", 200, "<!doctype html><title>x</title>\n", "text/html; charset=utf-8"},
		{"/static/sub/inner.txt", 200, "inner\n", "text/plain; charset=utf-8"},
		{"/other/inner.txt", 200, "inner\n", "text/plain; charset=utf-8"},
		{"/static/caf%C3%A9.txt", 200, "accent\n", "text/plain; charset=utf-8"},
		{"/static/a%20b.txt", 200, "space\n", "text/plain; charset=utf-8"},
		{"/static/...", 200, "three dots\n", octetStream},
		{"/static/.hidden", 200, "dotfile\n", octetStream},
		{"/static/noext", 200, "no extension\n", octetStream},
		{"/static/empty.txt", 200, "", "text/plain; charset=utf-8"},
		{"/static/link-inside", 200, helloText, octetStream},
		{"/static/link-dotdot-inside", 200, helloText, octetStream},
		{"/static/linkdir-inside/inner.txt", 200, "inner\n", "text/plain; charset=utf-8"},
		{"/static/link-outside", 404, "", ""},
		{"/static/linkdir-outside/s.txt", 404, "", ""},
		{"/static/abs-link-outside", 404, "", ""},
		{"/static/abs-link-inside", 404, helloText, octetStream}, // see below
		{"/static/loop-a", 404, "", ""},
		{"/static", 0, "", ""},
		{"/static/", 0, "", ""},
		{"/static/sub", 0, "", ""},
		{"/static/sub/", 0, "", ""},
		{"/static/emptydir", 0, "", ""},
		{"/static/fifo", 0, "", ""},
		{"/static/missing.txt", 0, "", ""},
		{"/static/sub/missing/deeper.txt", 0, "", ""},
		{"/static/hello.txt/more", 0, "", ""}, // ENOTDIR
		{"/static/dir.gz", 0, "", ""},
		{"/static/" + strings.Repeat("x", 300), 0, "", ""}, // ENAMETOOLONG
		{"/static/" + strings.Repeat("x/", 2100), 0, "", ""},
		{"/elsewhere/hello.txt", 0, "", ""},
	}
	bothModes(t, func(t *testing.T) {
		// RESOLVE_BENEATH refuses absolute links, even to a file inside;
		// the fallback resolves links itself and serves that file.
		for i := range tests {
			if tests[i].target == "/static/abs-link-inside" {
				tests[i].status = 404
				if forceFallback {
					tests[i].status = 200
				}
			}
		}
		for _, tt := range tests {
			for _, sendfile := range []bool{true, false} {
				r := serve(t, h.Middleware(hello.App{}), request(t, "GET", tt.target), sendfile)
				switch {
				case tt.status == 0:
					if r.StatusCode != 404 || r.body != helloNotFound {
						t.Errorf("GET %s: %d %q, want the app's 404", tt.target, r.StatusCode, r.body)
					}
				case tt.status != r.StatusCode:
					t.Errorf("GET %s: status %d %q, want %d", tt.target, r.StatusCode, r.body, tt.status)
				case tt.status == 404 && r.body != ownNotFound:
					t.Errorf("GET %s: body %q, want the handler's 404", tt.target, r.body)
				case tt.status == 200:
					if r.body != tt.body || r.Header.Get("Content-Type") != tt.ctype {
						t.Errorf("GET %s: %q %q, want %q %q", tt.target, r.Header.Get("Content-Type"), r.body, tt.ctype, tt.body)
					}
					if r.ContentLength != int64(len(tt.body)) {
						t.Errorf("GET %s: Content-Length %d, want %d", tt.target, r.ContentLength, len(tt.body))
					}
					if sendfile != (len(r.files) == 1) && len(tt.body) > 0 {
						t.Errorf("GET %s: sendfile %v, %d SendFile calls", tt.target, sendfile, len(r.files))
					}
				}
			}
		}
	})
}

// TestServeHandledFalse calls Serve directly: what is not a file here is
// handed back without a call to start.
func TestServeHandledFalse(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	for _, tc := range []struct{ method, target string }{
		{"POST", "/static/hello.txt"},
		{"DELETE", "/static/hello.txt"},
		{"GET", "/static/missing"},
		{"GET", "/static/sub"},
		{"GET", "/static/fifo"},
		{"GET", "/nowhere"},
		{"OPTIONS", "*"},
	} {
		st := &noStart{}
		it, handled, err := h.Serve(request(t, tc.method, tc.target), st)
		if handled || it != nil || err != nil || st.called {
			t.Errorf("%s %s: %v %v %v (start called %v), want not handled", tc.method, tc.target, it, handled, err, st.called)
		}
	}
}

type noStart struct{ called bool }

func (s *noStart) StartResponse(string, []wsgi.Header, error) (wsgi.Writer, error) {
	s.called = true
	return nil, nil
}

// Unreadable files and directories answer 403. Root reads anything, so
// as root the test runs on an OS thread of its own that has given up
// CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (capabilities are per thread;
// the thread ends with the goroutine).
func TestServeForbidden(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	must(t, os.Mkdir(filepath.Join(tr.root, "closed"), 0))
	must(t, os.WriteFile(filepath.Join(tr.root, "closed", "x.txt"), []byte("x"), 0o644))
	bothModes(t, func(t *testing.T) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			if os.Geteuid() == 0 {
				if err := dropDAC(); err != nil {
					t.Errorf("cannot drop the DAC capabilities: %v", err)
					return
				}
			}
			for _, target := range []string{"/static/noperm.txt", "/static/closed/x.txt"} {
				r := get(t, h, "GET", target)
				if r.StatusCode != 403 || r.body != "403 Forbidden\n" {
					t.Errorf("GET %s: %d %q, want 403", target, r.StatusCode, r.body)
				}
			}
		}()
		<-done
	})
}

// dropDAC removes CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
// calling thread's effective capabilities.
func dropDAC() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err
	}
	data[0].Effective &^= 1<<unix.CAP_DAC_OVERRIDE | 1<<unix.CAP_DAC_READ_SEARCH
	return unix.Capset(&hdr, &data[0])
}

func TestClassify(t *testing.T) {
	for e, want := range map[unix.Errno]outcome{
		unix.ENOENT: absent, unix.ENOTDIR: absent, unix.ENAMETOOLONG: absent,
		unix.EXDEV: outside, unix.ELOOP: outside,
		unix.EACCES: denied, unix.EPERM: denied,
		unix.EMFILE: failed, unix.EIO: failed,
	} {
		if got := classify(e); got != want {
			t.Errorf("classify(%v) = %d, want %d", e, got, want)
		}
	}
}

func TestServeHeaders(t *testing.T) {
	tr := makeTree(t)
	for _, maxAge := range []int{0, -1, 3600} {
		h := newHandler(t, tr, maxAge)
		r := get(t, h, "GET", "/static/hello.txt")
		want := map[string]string{
			"Content-Type":   "text/plain; charset=utf-8",
			"Content-Length": strconv.Itoa(len(helloText)),
			"Last-Modified":  "Tue, 05 Mar 2024 06:07:08 GMT",
			"ETag":           `"` + strconv.FormatInt(modTime.UnixNano(), 16) + `-e"`,
			"Accept-Ranges":  "bytes",
		}
		if maxAge > 0 {
			want["Cache-Control"] = "public, max-age=3600"
		}
		for name, v := range want {
			if got := r.Header.Get(name); got != v {
				t.Errorf("MaxAge %d: %s = %q, want %q", maxAge, name, got, v)
			}
		}
		for _, name := range []string{"Vary", "Content-Encoding", "Content-Range"} {
			if _, ok := r.Header[name]; ok {
				t.Errorf("MaxAge %d: unexpected %s: %q", maxAge, name, r.Header.Get(name))
			}
		}
		if _, ok := r.Header["Cache-Control"]; ok && maxAge <= 0 {
			t.Errorf("MaxAge %d: Cache-Control %q", maxAge, r.Header.Get("Cache-Control"))
		}
	}
}

// ETags change when the file does, in size or in time.
func TestETagChanges(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	p := filepath.Join(tr.root, "hello.txt")
	etag := func() string { return get(t, h, "GET", "/static/hello.txt").Header.Get("ETag") }
	first := etag()
	must(t, os.WriteFile(p, []byte("HELLO, STATIC\n"), 0o644)) // same size, new time
	second := etag()
	must(t, os.Chtimes(p, modTime, modTime)) // same time as at first, same size: same tag
	if third := etag(); first == second || third != first {
		t.Errorf("etags %s %s %s: want a change, then the first again", first, second, third)
	}
	must(t, os.WriteFile(p, []byte("longer hello, static\n"), 0o644))
	must(t, os.Chtimes(p, modTime, modTime))
	if fourth := etag(); fourth == first {
		t.Errorf("etag %s unchanged by a new size", fourth)
	}
}

func TestServeHead(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 60)
	for _, target := range []string{"/static/hello.txt", "/static/big.bin", "/static/app.js"} {
		for _, hdr := range [][]string{nil, {"Accept-Encoding: gzip"}, {"Range: bytes=0-3"}} {
			g := get(t, h, "GET", target, hdr...)
			hd := get(t, h, "HEAD", target, hdr...)
			if hd.body != "" || len(hd.files) != 0 {
				t.Errorf("HEAD %s: a body of %d bytes, %d SendFile calls", target, len(hd.body), len(hd.files))
			}
			if hdr != nil && strings.HasPrefix(hdr[0], "Range") {
				// Range is for GET only: HEAD answers as for a whole GET.
				if hd.StatusCode != 200 || hd.Header.Get("Content-Length") != get(t, h, "GET", target).Header.Get("Content-Length") {
					t.Errorf("HEAD %s with Range: %d, Content-Length %s", target, hd.StatusCode, hd.Header.Get("Content-Length"))
				}
				continue
			}
			g.Header.Del("Date")
			hd.Header.Del("Date")
			if g.StatusCode != hd.StatusCode || !equalHeaders(g.Header, hd.Header) {
				t.Errorf("HEAD %s %v:\n%v\nGET:\n%v", target, hdr, hd.Header, g.Header)
			}
			if hd.Header.Get("Content-Length") != strconv.Itoa(len(g.body)) {
				t.Errorf("HEAD %s: Content-Length %s, GET body %d", target, hd.Header.Get("Content-Length"), len(g.body))
			}
		}
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\n") != strings.Join(b[k], "\n") {
			return false
		}
	}
	return true
}

// The body is sent with sendfile on the file's own descriptor, from the
// right offset, and the descriptor is closed once the gateway is done.
func TestServeSendfileAndClose(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	r := get(t, h, "GET", "/static/big.bin", "Range: bytes=1000-70999")
	if r.StatusCode != 206 || len(r.files) != 1 {
		t.Fatalf("%d, SendFile calls %v", r.StatusCode, r.files)
	}
	f := r.files[0]
	if f.offset != 1000 || f.count != 70000 || r.body != string(tr.big[1000:71000]) {
		t.Errorf("SendFile(%d, %d, %d), body of %d bytes", f.fd, f.offset, f.count, len(r.body))
	}
	if _, err := unix.FcntlInt(uintptr(f.fd), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("fd %d still open after the response: %v", f.fd, err)
	}
}

// Without sendfile the gateway iterates the body: pread into 64 KiB
// pieces, the same bytes.
func TestServeIterated(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	for _, tc := range []struct {
		rng        string
		start, end int
	}{
		{"", 0, len(tr.big)},
		{"Range: bytes=100-150000", 100, 150001},
		{"Range: bytes=-70000", len(tr.big) - 70000, len(tr.big)},
	} {
		var hdr []string
		if tc.rng != "" {
			hdr = append(hdr, tc.rng)
		}
		r := serve(t, h.Middleware(hello.App{}), request(t, "GET", "/static/big.bin", hdr...), false)
		if r.body != string(tr.big[tc.start:tc.end]) || r.ContentLength != int64(tc.end-tc.start) {
			t.Errorf("%q: %d bytes, Content-Length %d; want bytes %d-%d", tc.rng, len(r.body), r.ContentLength, tc.start, tc.end)
		}
	}
}

func TestFileBody(t *testing.T) {
	tr := makeTree(t)
	p := filepath.Join(tr.root, "big.bin")
	fd, err := unix.Open(p, unix.O_RDONLY, 0)
	must(t, err)
	b := newFileBody(fd, 10, int64(len(tr.big))-20)
	if gfd, off, n, ok := b.File(); gfd != fd || off != 10 || n != int64(len(tr.big))-20 || !ok {
		t.Errorf("File() = %d, %d, %d, %v", gfd, off, n, ok)
	}
	var got []byte
	for {
		p, err := b.Next()
		if len(p) > chunkSize {
			t.Fatalf("chunk of %d bytes", len(p))
		}
		got = append(got, p...)
		if err == io.EOF {
			break // the last piece comes with io.EOF
		}
		must(t, err)
	}
	if string(got) != string(tr.big[10:len(tr.big)-10]) {
		t.Errorf("read %d bytes, not the file's", len(got))
	}
	if _, _, n, _ := b.File(); n != 0 {
		t.Errorf("File() after the end: %d bytes left", n)
	}
	must(t, b.Close())
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("fd still open after Close: %v", err)
	}

	// A file that shrinks under the body ends it with an error.
	fd, err = unix.Open(p, unix.O_RDWR, 0)
	must(t, err)
	b = newFileBody(fd, 0, int64(len(tr.big)))
	must(t, unix.Ftruncate(fd, 100))
	if p, err := b.Next(); len(p) != 100 || err != nil {
		t.Fatalf("first Next: %d bytes, %v", len(p), err)
	}
	if _, err := b.Next(); err != io.ErrUnexpectedEOF {
		t.Errorf("Next after the file shrank: %v", err)
	}
	must(t, b.Close())
}

func TestErrorPages(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	for _, tc := range []struct {
		target string
		hdr    string
		status int
	}{
		{"/static/%2e%2e/x", "", 404},
		{"/static/hello.txt", "If-Match: \"nope\"", 412},
		{"/static/hello.txt", "Range: bytes=99-", 416},
	} {
		for _, method := range []string{"GET", "HEAD"} {
			if method == "HEAD" && tc.status == 416 {
				continue // Range is for GET only
			}
			var hdr []string
			if tc.hdr != "" {
				hdr = []string{tc.hdr}
			}
			r := get(t, h, method, tc.target, hdr...)
			want := strconv.Itoa(tc.status) + " " + http.StatusText(tc.status) + "\n"
			if tc.status == 416 {
				want = "416 Range Not Satisfiable\n"
			}
			if r.StatusCode != tc.status || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
				r.Header.Get("Content-Length") != strconv.Itoa(len(want)) {
				t.Errorf("%s %s %s: %d %v", method, tc.target, tc.hdr, r.StatusCode, r.Header)
			}
			if method == "GET" && r.body != want || method == "HEAD" && r.body != "" {
				t.Errorf("%s %s %s: body %q", method, tc.target, tc.hdr, r.body)
			}
		}
	}
}

// Serve after Close answers an error for paths under a prefix.
func TestServeAfterClose(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	must(t, h.Close())
	must(t, h.Close())
	if _, handled, err := h.Serve(request(t, "GET", "/static/hello.txt"), &noStart{}); !handled || err != ErrClosed {
		t.Errorf("Serve after Close: %v %v", handled, err)
	}
	if _, handled, err := h.Serve(request(t, "GET", "/elsewhere"), &noStart{}); handled || err != nil {
		t.Errorf("Serve after Close, no prefix: %v %v", handled, err)
	}
}

// debugLog records debug lines.
type debugLog struct{ lines []string }

func (d *debugLog) Printf(string, ...any) {}
func (d *debugLog) Debugf(f string, a ...any) {
	d.lines = append(d.lines, f)
}

func TestRefusedAreLogged(t *testing.T) {
	tr := makeTree(t)
	dl := &debugLog{}
	h, err := New(Options{Mounts: []Mount{{Prefix: "/static", Dir: tr.root}}, Log: dl})
	must(t, err)
	defer h.Close()
	get(t, h, "GET", "/static/%2e%2e/x")
	get(t, h, "GET", "/static/link-outside")
	get(t, h, "GET", "/static/missing")
	if len(dl.lines) != 2 {
		t.Errorf("%d debug lines, want 2: %q", len(dl.lines), dl.lines)
	}
}

// Concurrent requests share the Handler and its pools.
func TestServeConcurrent(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	targets := []struct {
		target, hdr string
		status      int
	}{
		{"/static/hello.txt", "", 200},
		{"/static/app.js", "Accept-Encoding: gzip", 200},
		{"/static/big.bin", "Range: bytes=5-9", 206},
		{"/static/%2e%2e/x", "", 404},
		{"/static/missing", "", 404},
	}
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 50 {
				tc := targets[(g+i)%len(targets)]
				var hdr []string
				if tc.hdr != "" {
					hdr = []string{tc.hdr}
				}
				if r := get(t, h, "GET", tc.target, hdr...); r.StatusCode != tc.status {
					t.Errorf("%s: %d, want %d", tc.target, r.StatusCode, tc.status)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}
