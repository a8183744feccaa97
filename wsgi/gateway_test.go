package wsgi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/gwsgi/gwsgi/environ"
)

// sink records what the gateway sends.
type sink struct {
	out      bytes.Buffer
	flushes  int
	finished bool
	keep     bool
	aborted  bool
	failWith error
}

func (s *sink) Flush(vec [][]byte) error {
	if s.failWith != nil {
		return s.failWith
	}
	s.flushes++
	for _, b := range vec {
		s.out.Write(b)
	}
	return nil
}

func (s *sink) Finish(vec [][]byte, keep bool) {
	for _, b := range vec {
		s.out.Write(b)
	}
	s.finished, s.keep = true, keep
}

func (s *sink) Abort() { s.aborted = true }

type logBuf struct{ strings.Builder }

func (l *logBuf) Printf(f string, a ...any) { fmt.Fprintf(&l.Builder, f+"\n", a...) }

// iter is a test iterable that records Close.
type iter struct {
	chunks   [][]byte
	buffered bool
	err      error // returned after the chunks
	closed   int
	panicAt  int // panic on this call to Next (1-based), 0 never
	calls    int
}

func (it *iter) Next() ([]byte, error) {
	it.calls++
	if it.panicAt == it.calls {
		panic("boom in Next")
	}
	if len(it.chunks) == 0 {
		if it.err != nil {
			return nil, it.err
		}
		return nil, io.EOF
	}
	p := it.chunks[0]
	it.chunks = it.chunks[1:]
	return p, nil
}
func (it *iter) Close() error   { it.closed++; return nil }
func (it *iter) Buffered() bool { return it.buffered }

func chunks(s ...string) [][]byte {
	var out [][]byte
	for _, c := range s {
		out = append(out, []byte(c))
	}
	return out
}

type result struct {
	sink *sink
	log  string
	head string
	body string
}

func run(t *testing.T, env *environ.Environ, app AppFunc) result {
	t.Helper()
	if env == nil {
		env = &environ.Environ{KeepAlive: true, ProtoMinor: 1, Method: []byte("GET"), PathInfo: []byte("/")}
	}
	s := &sink{}
	l := &logBuf{}
	var r Response
	r.Reset(s, env, l)
	Serve(app, env, &r)
	if n := b2i(s.finished) + b2i(s.aborted); n != 1 {
		t.Fatalf("Finish/Abort called %d times, want exactly once", n)
	}
	head, body, _ := strings.Cut(s.out.String(), "\r\n\r\n")
	return result{s, l.String(), head, body}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func hdr(name, value string) []Header { return []Header{{name, value}} }

func TestBufferedBodyGetsContentLength(t *testing.T) {
	it := &iter{chunks: chunks("Hello, ", "World!"), buffered: true}
	res := run(t, nil, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		_, err := start.StartResponse("200 OK", hdr("Content-Type", "text/plain"), nil)
		return it, err
	})
	if !strings.HasPrefix(res.head, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: ") {
		t.Fatalf("head %q", res.head)
	}
	for _, want := range []string{"Server: gwsgi", "Content-Length: 13"} {
		if !strings.Contains(res.head, want) {
			t.Errorf("head lacks %q: %q", want, res.head)
		}
	}
	if res.body != "Hello, World!" || !res.sink.keep || res.sink.flushes != 0 || it.closed != 1 {
		t.Fatalf("body %q keep %v flushes %d closed %d", res.body, res.sink.keep, res.sink.flushes, it.closed)
	}
}

func TestGeneratorIsChunkedAndFlushedPerChunk(t *testing.T) {
	it := &iter{chunks: chunks("ab", "", "cde")}
	res := run(t, nil, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		_, err := start.StartResponse("200 OK", nil, nil)
		return it, err
	})
	if !strings.Contains(res.head, "Transfer-Encoding: chunked") || strings.Contains(res.head, "Content-Length") {
		t.Fatalf("head %q", res.head)
	}
	if res.body != "2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n" || res.sink.flushes != 2 || !res.sink.keep {
		t.Fatalf("body %q flushes %d keep %v", res.body, res.sink.flushes, res.sink.keep)
	}
}

func TestHTTP10StreamIsCloseDelimited(t *testing.T) {
	env := &environ.Environ{KeepAlive: true, ProtoMinor: 0}
	res := run(t, env, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		_, err := start.StartResponse("200 OK", nil, nil)
		return &iter{chunks: chunks("x", "y")}, err
	})
	if !strings.Contains(res.head, "Connection: close") || res.body != "xy" || res.sink.keep {
		t.Fatalf("head %q body %q keep %v", res.head, res.body, res.sink.keep)
	}
}

func TestHTTP10KeepAliveWithLength(t *testing.T) {
	env := &environ.Environ{KeepAlive: true, ProtoMinor: 0}
	res := run(t, env, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		_, err := start.StartResponse("200 OK", nil, nil)
		return Bytes([]byte("ok")), err
	})
	if !strings.Contains(res.head, "Connection: keep-alive") || !strings.Contains(res.head, "Content-Length: 2") || !res.sink.keep {
		t.Fatalf("head %q keep %v", res.head, res.sink.keep)
	}
}

func TestHeadSendsNoBody(t *testing.T) {
	env := &environ.Environ{KeepAlive: true, ProtoMinor: 1, Head: true}
	res := run(t, env, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		_, err := start.StartResponse("200 OK", nil, nil)
		return &iter{chunks: chunks("hello")}, err
	})
	if res.body != "" || !strings.Contains(res.head, "Content-Length: 5") || !res.sink.keep {
		t.Fatalf("head %q body %q", res.head, res.body)
	}
}

func TestNoBodyStatuses(t *testing.T) {
	for _, status := range []string{"204 No Content", "304 Not Modified"} {
		res := run(t, nil, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
			_, err := start.StartResponse(status, nil, nil)
			return &iter{chunks: chunks("ignored")}, err
		})
		if res.body != "" || strings.Contains(res.head, "Content-Length") || strings.Contains(res.head, "chunked") {
			t.Fatalf("%s: head %q body %q", status, res.head, res.body)
		}
	}
}

// TestNoBodyFraming: whatever the app sets, a 204 has no Content-Length
// (RFC 9110 §8.6) and no body, and neither it nor a 304 is chunked; a 304
// keeps the app's Content-Length, the length a 200 would have had (RFC
// 9110 §8.6), as HEAD does; the connection stays open for the next
// request.
func TestNoBodyFraming(t *testing.T) {
	for _, c := range []struct{ status, want string }{
		{"204 No Content", ""},
		{"304 Not Modified", "Content-Length: 5\r\n"},
	} {
		res := run(t, nil, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
			_, err := start.StartResponse(c.status, []Header{{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}, nil)
			return &iter{chunks: chunks("hello")}, err
		})
		hasCL := strings.Contains(strings.ToLower(res.head), "content-length")
		if res.body != "" || strings.Contains(res.head, "chunked") || hasCL != (c.want != "") ||
			(c.want != "" && !strings.Contains(res.head, c.want)) || !res.sink.keep {
			t.Errorf("%s: head %q body %q keep %v", c.status, res.head, res.body, res.sink.keep)
		}
	}
}

func TestAppContentLengthTruncatesAndShortCloses(t *testing.T) {
	res := run(t, nil, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		_, err := start.StartResponse("200 OK", hdr("Content-Length", "3"), nil)
		return &iter{chunks: chunks("ab", "cd")}, err
	})
	if res.body != "abc" || !res.sink.keep || !strings.Contains(res.log, "truncated") {
		t.Fatalf("body %q keep %v log %q", res.body, res.sink.keep, res.log)
	}
	res = run(t, nil, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		_, err := start.StartResponse("200 OK", hdr("Content-Length", "10"), nil)
		return Bytes([]byte("short")), err
	})
	if res.body != "short" || res.sink.keep {
		t.Fatalf("short body must close: body %q keep %v", res.body, res.sink.keep)
	}
}

func TestWriteCallableFlushesImmediately(t *testing.T) {
	res := run(t, nil, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		w, err := start.StartResponse("200 OK", nil, nil)
		if err != nil {
			return nil, err
		}
		for _, s := range []string{"one", "two"} {
			if _, err := w.Write([]byte(s)); err != nil {
				return nil, err
			}
		}
		return Bytes([]byte("three")), nil
	})
	if res.sink.flushes != 2 || res.body != "3\r\none\r\n3\r\ntwo\r\n5\r\nthree\r\n0\r\n\r\n" {
		t.Fatalf("flushes %d body %q", res.sink.flushes, res.body)
	}
}

func TestBigChunkIsSentWithoutCopy(t *testing.T) {
	big := bytes.Repeat([]byte("z"), bigChunk)
	res := run(t, nil, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		_, err := start.StartResponse("200 OK", nil, nil)
		return &iter{chunks: [][]byte{big}, buffered: true}, err
	})
	if res.sink.flushes != 1 || !strings.HasPrefix(res.body, "4000\r\nzzz") {
		t.Fatalf("flushes %d body prefix %q", res.sink.flushes, res.body[:10])
	}
}

// lastIter returns its one chunk with io.EOF, as an iterable that knows
// it is the last may.
type lastIter struct{ iter }

func (it *lastIter) Next() ([]byte, error) {
	p, err := it.iter.Next()
	if err == nil && len(it.chunks) == 0 {
		err = io.EOF
	}
	return p, err
}

func TestBigLastChunkGetsContentLength(t *testing.T) {
	big := bytes.Repeat([]byte("z"), 4*bigChunk)
	for _, method := range []string{"GET", "HEAD"} {
		res := run(t, &environ.Environ{Method: []byte(method), Head: method == "HEAD", KeepAlive: true, ProtoMinor: 1}, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
			_, err := start.StartResponse("200 OK", nil, nil)
			return &lastIter{iter{chunks: chunks("head ", string(big)), buffered: true}}, err
		})
		if !strings.Contains(res.head, "Content-Length: 65541") || strings.Contains(res.head, "chunked") {
			t.Fatalf("%s: head %q", method, res.head)
		}
		if want := "head " + string(big); method == "GET" && res.body != want {
			t.Fatalf("body of %d bytes, want %d", len(res.body), len(want))
		}
		if method == "HEAD" && res.body != "" {
			t.Fatalf("HEAD body %d bytes", len(res.body))
		}
	}
}

func TestExcInfoReplacesHeadersBeforeSend(t *testing.T) {
	appErr := errors.New("app failed")
	res := run(t, nil, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		if _, err := start.StartResponse("200 OK", hdr("X-First", "1"), nil); err != nil {
			return nil, err
		}
		if _, err := start.StartResponse("500 Oops", hdr("X-Second", "2"), appErr); err != nil {
			return nil, err
		}
		return Bytes([]byte("recovered")), nil
	})
	if !strings.HasPrefix(res.head, "HTTP/1.1 500 Oops") || strings.Contains(res.head, "X-First") || res.body != "recovered" {
		t.Fatalf("head %q body %q", res.head, res.body)
	}
}

func TestExcInfoAfterSendReraises(t *testing.T) {
	appErr := errors.New("app failed late")
	var got error
	res := run(t, nil, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		w, _ := start.StartResponse("200 OK", nil, nil)
		if _, err := w.Write([]byte("partial")); err != nil {
			return nil, err
		}
		_, got = start.StartResponse("500 Oops", nil, appErr)
		return nil, got
	})
	if got != appErr || !res.sink.aborted || !strings.Contains(res.log, "app failed late") {
		t.Fatalf("got %v aborted %v log %q", got, res.sink.aborted, res.log)
	}
}

func TestMisbehavingAppsGet500(t *testing.T) {
	cases := []struct {
		name string
		app  AppFunc
		log  string
	}{
		{"start twice", func(_ *environ.Environ, s StartResponse) (Iterable, error) {
			s.StartResponse("200 OK", nil, nil)
			_, err := s.StartResponse("200 OK", nil, nil)
			return nil, err
		}, "second time"},
		{"no start_response", func(*environ.Environ, StartResponse) (Iterable, error) {
			return &iter{}, nil
		}, "without calling start_response"},
		{"body before start", func(*environ.Environ, StartResponse) (Iterable, error) {
			return &iter{chunks: chunks("x")}, nil
		}, "before start_response"},
		{"nil iterable", func(_ *environ.Environ, s StartResponse) (Iterable, error) {
			s.StartResponse("200 OK", nil, nil)
			return nil, nil
		}, "no iterable"},
		{"CRLF in value", func(_ *environ.Environ, s StartResponse) (Iterable, error) {
			_, err := s.StartResponse("200 OK", hdr("X-A", "a\r\nSet-Cookie: x"), nil)
			return nil, err
		}, "control character"},
		{"bad name", func(_ *environ.Environ, s StartResponse) (Iterable, error) {
			_, err := s.StartResponse("200 OK", hdr("Bad Name", "v"), nil)
			return nil, err
		}, "invalid response header name"},
		{"bad status", func(_ *environ.Environ, s StartResponse) (Iterable, error) {
			_, err := s.StartResponse("OK", nil, nil)
			return nil, err
		}, "3-digit code"},
		{"informational status", func(_ *environ.Environ, s StartResponse) (Iterable, error) {
			_, err := s.StartResponse("100 Continue", nil, nil)
			return nil, err
		}, "3-digit code"},
		{"bad length", func(_ *environ.Environ, s StartResponse) (Iterable, error) {
			_, err := s.StartResponse("200 OK", hdr("Content-Length", "-1"), nil)
			return nil, err
		}, "Content-Length"},
		{"panic", func(*environ.Environ, StartResponse) (Iterable, error) {
			panic("kaboom")
		}, "kaboom"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, nil, tc.app)
			if !strings.HasPrefix(res.head, "HTTP/1.1 500 Internal Server Error") || !res.sink.finished {
				t.Fatalf("head %q", res.head)
			}
			if !strings.Contains(res.log, tc.log) {
				t.Fatalf("log %q lacks %q", res.log, tc.log)
			}
		})
	}
}

func TestIterableClosedOnErrors(t *testing.T) {
	for _, it := range []*iter{
		{chunks: chunks("a"), err: errors.New("mid-body failure")},
		{chunks: chunks("a", "b"), panicAt: 2},
		{chunks: chunks("a"), buffered: true, err: errors.New("failure before send")},
	} {
		res := run(t, nil, func(_ *environ.Environ, s StartResponse) (Iterable, error) {
			_, err := s.StartResponse("200 OK", nil, nil)
			return it, err
		})
		if it.closed != 1 {
			t.Fatalf("close called %d times", it.closed)
		}
		if it.buffered && !strings.HasPrefix(res.head, "HTTP/1.1 500") {
			t.Fatalf("error before headers sent must give 500, head %q", res.head)
		}
		if !it.buffered && !res.sink.aborted {
			t.Fatal("error after headers sent must drop the connection")
		}
	}
}

func TestLostConnectionStopsTheApp(t *testing.T) {
	s := &sink{failWith: errors.New("broken pipe")}
	env := &environ.Environ{KeepAlive: true, ProtoMinor: 1}
	var r Response
	r.Reset(s, env, nil)
	it := &iter{chunks: chunks("a", "b", "c")}
	Serve(AppFunc(func(_ *environ.Environ, st StartResponse) (Iterable, error) {
		_, err := st.StartResponse("200 OK", nil, nil)
		return it, err
	}), env, &r)
	if !s.aborted || it.closed != 1 || it.calls != 1 {
		t.Fatalf("aborted %v closed %d calls %d", s.aborted, it.closed, it.calls)
	}
}

func TestChainOrder(t *testing.T) {
	var order []string
	mw := func(name string) Middleware {
		return func(next App) App {
			return AppFunc(func(env *environ.Environ, s StartResponse) (Iterable, error) {
				order = append(order, name)
				return next.Call(env, s)
			})
		}
	}
	app := Chain(AppFunc(func(_ *environ.Environ, s StartResponse) (Iterable, error) {
		order = append(order, "app")
		_, err := s.StartResponse("200 OK", nil, nil)
		return Empty(), err
	}), mw("outer"), mw("inner"))
	run(t, nil, app.Call)
	if strings.Join(order, ",") != "outer,inner,app" {
		t.Fatalf("order %v", order)
	}
}

func TestServeDoesNotAllocate(t *testing.T) {
	env := &environ.Environ{KeepAlive: true, ProtoMinor: 1}
	s := &sink{}
	headers := hdr("Content-Type", "text/plain")
	body := []byte("Hello, World!")
	app := AppFunc(func(_ *environ.Environ, st StartResponse) (Iterable, error) {
		_, err := st.StartResponse("200 OK", headers, nil)
		return Bytes(body), err
	})
	var r Response
	allocs := testing.AllocsPerRun(200, func() {
		s.out.Reset()
		r.Reset(s, env, nil)
		Serve(app, env, &r)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per request", allocs)
	}
}

func BenchmarkServeHello(b *testing.B) {
	env := &environ.Environ{KeepAlive: true, ProtoMinor: 1}
	s := &sink{}
	headers := hdr("Content-Type", "text/plain")
	body := []byte("Hello, World!")
	app := AppFunc(func(_ *environ.Environ, st StartResponse) (Iterable, error) {
		_, err := st.StartResponse("200 OK", headers, nil)
		return Bytes(body), err
	})
	var r Response
	b.ReportAllocs()
	for b.Loop() {
		s.out.Reset()
		r.Reset(s, env, nil)
		Serve(app, env, &r)
	}
}
