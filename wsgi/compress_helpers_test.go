package wsgi

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/gwsgi/gwsgi/environ"
)

// compressEnv is a GET request with the given Accept-Encoding ("" for
// none) and extra header variables, name and value in turn.
func compressEnv(accept string, kv ...string) *environ.Environ {
	env := &environ.Environ{KeepAlive: true, ProtoMinor: 1, Method: []byte("GET"), PathInfo: []byte("/")}
	if accept != "" {
		env.Headers = append(env.Headers, environ.Var{Name: []byte("HTTP_ACCEPT_ENCODING"), Value: []byte(accept)})
	}
	for i := 0; i+1 < len(kv); i += 2 {
		env.Headers = append(env.Headers, environ.Var{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return env
}

// compressApp wraps app in Compress(o).
func compressApp(t testing.TB, o CompressOptions, app AppFunc) AppFunc {
	t.Helper()
	mw, err := Compress(o)
	if err != nil {
		t.Fatal(err)
	}
	return Chain(app, mw).Call
}

// respond is an app that starts with status and headers and returns body.
func respond(status string, headers []Header, body func() Iterable) AppFunc {
	return func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		if _, err := start.StartResponse(status, headers, nil); err != nil {
			return nil, err
		}
		return body(), nil
	}
}

// headerOf returns the value of the header name in head, the status line
// and header lines of a response.
func headerOf(head, name string) (string, bool) {
	for _, line := range strings.Split(head, "\r\n")[1:] {
		n, v, ok := strings.Cut(line, ": ")
		if ok && strings.EqualFold(n, name) {
			return v, true
		}
	}
	return "", false
}

// countHeader counts the header lines called name.
func countHeader(head, name string) int {
	n := 0
	for _, line := range strings.Split(head, "\r\n")[1:] {
		if k, _, ok := strings.Cut(line, ": "); ok && strings.EqualFold(k, name) {
			n++
		}
	}
	return n
}

// dechunk decodes a chunked body made of complete chunks (the last one
// may be missing).
func dechunk(t testing.TB, b string) []byte {
	t.Helper()
	var out []byte
	for b != "" {
		line, rest, ok := strings.Cut(b, "\r\n")
		if !ok {
			t.Fatalf("chunk size line missing in %q", b)
		}
		n, err := strconv.ParseInt(line, 16, 64)
		if err != nil || int64(len(rest)) < n+2 {
			t.Fatalf("bad chunk %q", b)
		}
		if n == 0 {
			break
		}
		out = append(out, rest[:n]...)
		b = rest[n+2:]
	}
	return out
}

// payload is the response body as the client's decoder sees it: framing
// undone, coding not.
func payload(t testing.TB, head, body string) []byte {
	t.Helper()
	if v, _ := headerOf(head, "Transfer-Encoding"); v == "chunked" {
		return dechunk(t, body)
	}
	if v, ok := headerOf(head, "Content-Length"); ok && v != strconv.Itoa(len(body)) {
		t.Fatalf("Content-Length %s for %d bytes", v, len(body))
	}
	return []byte(body)
}

// decode undoes the content coding.
func decode(t testing.TB, coding string, p []byte) []byte {
	t.Helper()
	switch coding {
	case "":
		return p
	case "gzip":
		r, err := stdgzip.NewReader(bytes.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return out
	case "zstd":
		d, err := zstd.NewReader(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		out, err := d.DecodeAll(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Fatalf("unknown coding %q", coding)
	return nil
}

// identityOf checks the response's framing and returns its decoded body
// and its Content-Encoding.
func identityOf(t testing.TB, res result) ([]byte, string) {
	t.Helper()
	coding, _ := headerOf(res.head, "Content-Encoding")
	return decode(t, coding, payload(t, res.head, res.body)), coding
}

var jsonType = []Header{{"Content-Type", "application/json"}}

// stepIter is a generator: before handing out chunk i it calls check(i),
// when chunks 0..i-1 have been sent.
type stepIter struct {
	chunks [][]byte
	i      int
	check  func(i int)
	closed int
}

func (s *stepIter) Next() ([]byte, error) {
	s.check(s.i)
	if s.i == len(s.chunks) {
		return nil, io.EOF
	}
	s.i++
	return s.chunks[s.i-1], nil
}

func (s *stepIter) Close() error { s.closed++; return nil }

// streamReader opens a streaming decoder over the bytes sent so far.
func streamReader(t *testing.T, coding string, p []byte) io.Reader {
	t.Helper()
	switch coding {
	case "gzip":
		r, err := stdgzip.NewReader(bytes.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		return r
	default:
		r, err := zstd.NewReader(bytes.NewReader(p), zstd.WithDecoderConcurrency(1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Close)
		return r
	}
}

// checkSentSoFar checks that the body bytes out holds decode, with a
// streaming reader, to exactly want.
func checkSentSoFar(t *testing.T, coding string, out []byte, want []byte) {
	t.Helper()
	head, body, ok := strings.Cut(string(out), "\r\n\r\n")
	if !ok {
		t.Fatalf("no head sent yet, %d bytes, want %d decoded", len(out), len(want))
	}
	if !strings.Contains(head, "Transfer-Encoding: chunked") {
		t.Fatalf("a stream must be chunked: %q", head)
	}
	r := streamReader(t, coding, dechunk(t, body))
	got := make([]byte, len(want)+1)
	n, err := io.ReadAtLeast(r, got, len(want))
	if err != nil && n < len(want) {
		t.Fatalf("decoded %d of %d bytes sent so far: %v", n, len(want), err)
	}
	if n != len(want) || !bytes.Equal(got[:n], want) {
		t.Fatalf("decoded %d bytes %.40q, want %d %.40q", n, got[:n], len(want), want)
	}
}

// serveRecorded runs app against s, reporting what it sent through out.
func serveRecorded(env *environ.Environ, s Sink, app App) {
	var r Response
	r.Reset(s, env, nil)
	Serve(app, env, &r)
}

func mustCompress(t testing.TB, o CompressOptions) Middleware {
	t.Helper()
	mw, err := Compress(o)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

// recordingStart is a StartResponse that keeps a copy of what it got.
type recordingStart struct {
	status  string
	headers []Header
	calls   int
	buf     bytes.Buffer
}

func (r *recordingStart) StartResponse(status string, headers []Header, _ error) (Writer, error) {
	r.status, r.headers = status, append([]Header(nil), headers...)
	r.calls++
	return &r.buf, nil
}

// fileIter is a FileBody over data, which fileSink sends.
type fileIter struct {
	data   []byte
	next   bool
	closed int
}

func (f *fileIter) File() (int, int64, int64, bool) { return 7, 0, int64(len(f.data)), true }

// notFileIter is a generator of a type that implements FileBody for its
// file kind only, as pyembed's iterable does: File says no.
type notFileIter struct{ iter }

func (*notFileIter) File() (int, int64, int64, bool) { return 0, 0, 0, false }
func (f *fileIter) Next() ([]byte, error) {
	if f.next {
		return nil, io.EOF
	}
	f.next = true
	return f.data, nil
}
func (f *fileIter) Close() error { f.closed++; return nil }

// fileSink is a sink that can sendfile fileIter's data.
type fileSink struct {
	sink
	data  []byte
	sends int
}

func (f *fileSink) SendsFiles() bool { return true }

func (f *fileSink) SendFile(fd int, offset, count int64) error {
	if fd != 7 {
		return ErrNoSendfile
	}
	f.sends++
	f.out.Write(f.data[offset : offset+count])
	return nil
}

// relSink counts the Release and Reacquire calls the gateway forwards.
type relSink struct {
	sink
	releases, reacquires int
	held                 bool // the lock is let go of
	t                    *testing.T
}

func (r *relSink) Release() {
	if r.held {
		r.t.Fatal("Release twice")
	}
	r.held = true
	r.releases++
}

func (r *relSink) Reacquire() {
	if !r.held {
		r.t.Fatal("Reacquire without Release")
	}
	r.held = false
	r.reacquires++
}
