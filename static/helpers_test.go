package static

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/examples/hello"
	"github.com/gwsgi/gwsgi/httpparse"
	"github.com/gwsgi/gwsgi/wsgi"
)

// modTime is the modification time every file of the test tree gets.
var modTime = time.Date(2024, time.March, 5, 6, 7, 8, 123456789, time.UTC)

const helloText = "hello, static\n"

// tree is a test directory: root is what is mounted, out is beside it,
// not under it.
type tree struct {
	root, out string
	big       []byte // big.bin's bytes
	jsGzip    []byte // app.js.gz's bytes
}

// makeTree builds the files the tests serve.
func makeTree(t testing.TB) *tree {
	t.Helper()
	base := t.TempDir()
	tr := &tree{root: filepath.Join(base, "root"), out: filepath.Join(base, "outside")}
	for _, d := range []string{tr.root, tr.out, filepath.Join(tr.root, "sub"), filepath.Join(tr.root, "emptydir"), filepath.Join(tr.root, "dir.gz")} {
		must(t, os.MkdirAll(d, 0o755))
	}
	tr.big = make([]byte, 200<<10+17)
	for i := range tr.big {
		tr.big[i] = byte(i*7 + i>>9)
	}
	js := []byte(strings.Repeat("console.log('static');\n", 40))
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(js)
	zw.Close()
	tr.jsGzip = zb.Bytes()
	files := map[string][]byte{
		"hello.txt":        []byte(helloText),
		"index.html":       []byte("<!doctype html><title>x</title>\n"),
		"empty.txt":        nil,
		"big.bin":          tr.big,
		"small.bin":        bytes.Repeat([]byte("0123456789abcdef"), 640), // 10 KiB
		"sub/inner.txt":    []byte("inner\n"),
		"app.js":           js,
		"app.js.gz":        tr.jsGzip,
		"app.js.br":        []byte("BROTLI-BYTES"),
		"app.js.zst":       []byte("ZSTD-BYTES!"),
		"style.css":        []byte("body{color:red}\n"),
		"style.css.gz":     []byte("GZIP-CSS"),
		"noext":            []byte("no extension\n"),
		"logo.png":         []byte("PNG"),
		"logo.png.gz":      []byte("GZIPPED-PNG"),
		"café.txt":         []byte("accent\n"),
		"a b.txt":          []byte("space\n"),
		"...":              []byte("three dots\n"),
		".hidden":          []byte("dotfile\n"),
		"mostly.txt":       []byte("mostly\n"),
		"mostly.txt.br":    []byte("BR"),
		"noperm.txt":       []byte("secret\n"),
		"../outside/s.txt": []byte("outside secret\n"),
	}
	for name, data := range files {
		p := filepath.Join(tr.root, name)
		must(t, os.WriteFile(p, data, 0o644))
		must(t, os.Chtimes(p, modTime, modTime))
	}
	must(t, os.Mkdir(filepath.Join(tr.root, "mostly.txt.gz"), 0o755)) // a directory is no sibling
	must(t, os.Chmod(filepath.Join(tr.root, "noperm.txt"), 0))
	must(t, os.Symlink("hello.txt", filepath.Join(tr.root, "link-inside")))
	must(t, os.Symlink("sub/../hello.txt", filepath.Join(tr.root, "link-dotdot-inside")))
	must(t, os.Symlink("../outside/s.txt", filepath.Join(tr.root, "link-outside")))
	must(t, os.Symlink("../outside", filepath.Join(tr.root, "linkdir-outside")))
	must(t, os.Symlink("sub", filepath.Join(tr.root, "linkdir-inside")))
	must(t, os.Symlink(filepath.Join(tr.root, "hello.txt"), filepath.Join(tr.root, "abs-link-inside")))
	must(t, os.Symlink("/etc/passwd", filepath.Join(tr.root, "abs-link-outside")))
	must(t, os.Symlink("loop-b", filepath.Join(tr.root, "loop-a")))
	must(t, os.Symlink("loop-a", filepath.Join(tr.root, "loop-b")))
	must(t, unix.Mkfifo(filepath.Join(tr.root, "fifo"), 0o644))
	return tr
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newHandler serves tr.root at /static, and tr.root/sub at /static/s2
// and /other.
func newHandler(t testing.TB, tr *tree, maxAge int) *Handler {
	t.Helper()
	h, err := New(Options{MaxAge: maxAge, Mounts: []Mount{
		{Prefix: "/static", Dir: tr.root},
		{Prefix: "/other/", Dir: filepath.Join(tr.root, "sub")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// newEnv parses a raw request head (lines joined with CRLF, then an
// empty line) into a pooled Environ, released when the test ends.
func newEnv(t testing.TB, lines ...string) *environ.Environ {
	t.Helper()
	raw := strings.Join(lines, "\r\n") + "\r\n\r\n"
	var p httpparse.Parser
	var req httpparse.Request
	if _, err := p.Parse([]byte(raw), &req); err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	env := environ.Acquire()
	if err := env.Fill(&req, nil, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { environ.Release(env) })
	return env
}

// request builds an Environ for method and target with extra header
// lines ("Name: value").
func request(t testing.TB, method, target string, headers ...string) *environ.Environ {
	t.Helper()
	return newEnv(t, append([]string{method + " " + target + " HTTP/1.1", "Host: example.com"}, headers...)...)
}

// fileCall is one SendFile the sink saw.
type fileCall struct {
	fd            int
	offset, count int64
}

// recSink is a wsgi.Sink and wsgi.FileSink that records the bytes the
// gateway sends; SendFile copies the file's bytes with pread.
type recSink struct {
	out      bytes.Buffer
	files    []fileCall
	finished bool
	aborted  bool
	keep     bool
}

func (s *recSink) Flush(vec [][]byte) error {
	for _, b := range vec {
		s.out.Write(b)
	}
	return nil
}

func (s *recSink) Finish(vec [][]byte, keep bool) {
	s.Flush(vec)
	s.finished, s.keep = true, keep
}

func (s *recSink) Abort() { s.aborted = true }

func (s *recSink) SendsFiles() bool { return true }

func (s *recSink) SendFile(fd int, offset, count int64) error {
	s.files = append(s.files, fileCall{fd, offset, count})
	var buf [8192]byte
	for count > 0 {
		n, err := unix.Pread(fd, buf[:min(int64(len(buf)), count)], offset)
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrUnexpectedEOF
		}
		s.out.Write(buf[:n])
		offset += int64(n)
		count -= int64(n)
	}
	return nil
}

func (s *recSink) reset() {
	s.out.Reset()
	s.files = s.files[:0]
	s.finished, s.aborted, s.keep = false, false, false
}

// plainSink is a recSink without sendfile: the gateway iterates the body.
type plainSink struct{ r *recSink }

func (s plainSink) Flush(vec [][]byte) error       { return s.r.Flush(vec) }
func (s plainSink) Finish(vec [][]byte, keep bool) { s.r.Finish(vec, keep) }
func (s plainSink) Abort()                         { s.r.Abort() }

// result is one response as a client reads it.
type result struct {
	*http.Response
	body  string
	files []fileCall // the SendFile calls made
}

// serve runs app for env through the real gateway (wsgi.Serve) into a
// recording sink, with sendfile or without, and parses what was sent.
func serve(t testing.TB, app wsgi.App, env *environ.Environ, sendfile bool) result {
	t.Helper()
	rec := &recSink{}
	var sink wsgi.Sink = rec
	if !sendfile {
		sink = plainSink{rec}
	}
	var resp wsgi.Response
	resp.Reset(sink, env, nil)
	wsgi.Serve(app, env, &resp)
	if !rec.finished || rec.aborted {
		t.Fatalf("response not finished (aborted %v): %q", rec.aborted, rec.out.String())
	}
	return parseResponse(t, rec.out.Bytes(), string(env.Method), rec.files)
}

func parseResponse(t testing.TB, raw []byte, method string, files []fileCall) result {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(raw))
	r, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("read response %q: %v", raw, err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("read body of %q: %v", raw, err)
	}
	if rest, _ := io.ReadAll(br); len(rest) > 0 {
		t.Fatalf("%d bytes after the response: %q", len(rest), rest)
	}
	return result{Response: r, body: string(body), files: files}
}

// get serves one request through h.Middleware(hello.App{}) with sendfile.
func get(t testing.TB, h *Handler, method, target string, headers ...string) result {
	t.Helper()
	return serve(t, h.Middleware(hello.App{}), request(t, method, target, headers...), true)
}

// bothModes runs f with openat2 and with the fallback for old kernels.
func bothModes(t *testing.T, f func(t *testing.T)) {
	for _, fb := range []bool{false, true} {
		name := "openat2"
		if fb {
			name = "fallback"
		}
		t.Run(name, func(t *testing.T) {
			old := forceFallback
			forceFallback = fb
			t.Cleanup(func() { forceFallback = old })
			f(t)
		})
	}
}

// The app behind the handler in the tests is hello.App, whose 404 says
// helloNotFound; the handler's own 404 says ownNotFound.
const (
	helloNotFound = "Not Found\n"
	ownNotFound   = "404 Not Found\n"
)
