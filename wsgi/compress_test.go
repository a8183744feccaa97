package wsgi

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/gwsgi/gwsgi/environ"
)

func TestCompressBytesJSON(t *testing.T) {
	body := testJSON100KiB()
	for _, coding := range []string{"gzip", "zstd"} {
		for _, withLength := range []bool{false, true} {
			headers := jsonType
			if withLength {
				headers = []Header{{"Content-Type", "application/json"}, {"Content-Length", strconv.Itoa(len(body))}}
			}
			app := compressApp(t, CompressOptions{}, respond("200 OK", headers, func() Iterable { return Bytes(body) }))
			res := run(t, compressEnv(coding), app)
			got, enc := identityOf(t, res)
			if enc != coding || !bytes.Equal(got, body) {
				t.Fatalf("%s length %v: coding %q, body equal %v", coding, withLength, enc, bytes.Equal(got, body))
			}
			// payload checked a Content-Length against the bytes sent:
			// the app's is gone, the gateway frames the compressed body.
			// A whole body compressed is sent with its length, however big.
			if countHeader(res.head, "Content-Length") != 1 || countHeader(res.head, "Transfer-Encoding") != 0 {
				t.Fatalf("%s: head %q", coding, res.head)
			}
			if v, _ := headerOf(res.head, "Vary"); v != "Accept-Encoding" {
				t.Fatalf("%s: Vary %q", coding, v)
			}
			if len(res.body) > len(body)/3 {
				t.Fatalf("%s: %d bytes compressed to %d", coding, len(body), len(res.body))
			}
		}
	}
}

func TestCompressListOfChunks(t *testing.T) {
	body := testJSON(40 << 10)
	var parts []string
	for p := body; len(p) > 0; {
		n := min(len(p), 3000)
		parts = append(parts, string(p[:n]))
		p = p[n:]
	}
	for _, coding := range []string{"gzip", "zstd"} {
		it := &iter{chunks: chunks(parts...), buffered: true}
		app := compressApp(t, CompressOptions{}, respond("200 OK", jsonType, func() Iterable { return it }))
		res := run(t, compressEnv(coding), app)
		got, enc := identityOf(t, res)
		if enc != coding || !bytes.Equal(got, body) || it.closed != 1 {
			t.Fatalf("%s: coding %q, equal %v, closed %d", coding, enc, bytes.Equal(got, body), it.closed)
		}
		if _, ok := headerOf(res.head, "Content-Length"); !ok || res.sink.flushes > 1 {
			t.Fatalf("%s: a list is gathered and gets a Content-Length in one write: flushes %d head %q", coding, res.sink.flushes, res.head)
		}
	}
}

func TestCompressGeneratorFlushesEachChunk(t *testing.T) {
	events := chunks("data: one\n\n", "data: "+strings.Repeat("two ", 500)+"\n\n", "", "data: three\n\n", string(testJSON(70<<10)))
	for _, coding := range []string{"gzip", "zstd"} {
		s := &sink{}
		it := &stepIter{chunks: events}
		it.check = func(i int) {
			if i > 0 && s.flushes != i-b2i(i > 2) { // the empty chunk sends nothing
				t.Fatalf("%s: %d flushes after %d chunks", coding, s.flushes, i)
			}
			if i > 0 {
				checkSentSoFar(t, coding, s.out.Bytes(), bytes.Join(events[:i], nil))
			}
		}
		app := Chain(respond("200 OK", []Header{{"Content-Type", "text/event-stream"}}, func() Iterable { return it }), mustCompress(t, CompressOptions{}))
		serveRecorded(compressEnv(coding), s, app)
		head, body, _ := strings.Cut(s.out.String(), "\r\n\r\n")
		got := decode(t, coding, payload(t, head, body))
		if !bytes.Equal(got, bytes.Join(events, nil)) || it.closed != 1 || !s.finished {
			t.Fatalf("%s: body equal %v closed %d finished %v", coding, bytes.Equal(got, bytes.Join(events, nil)), it.closed, s.finished)
		}
		if v, _ := headerOf(head, "Content-Encoding"); v != coding {
			t.Fatalf("%s: head %q", coding, head)
		}
	}
}

func TestCompressWriteCallsFlushAtOnce(t *testing.T) {
	parts := chunks(strings.Repeat("<p>first</p>", 100), "<p>second</p>", strings.Repeat("<li>third</li>", 2000))
	for _, coding := range []string{"gzip", "zstd"} {
		s := &sink{}
		app := Chain(AppFunc(func(_ *environ.Environ, start StartResponse) (Iterable, error) {
			w, err := start.StartResponse("200 OK", []Header{{"Content-Type", "text/html; charset=utf-8"}}, nil)
			if err != nil {
				return nil, err
			}
			for i, p := range parts {
				if n, err := w.Write(p); err != nil || n != len(p) {
					t.Fatalf("write: %d, %v", n, err)
				}
				if s.flushes != i+1 {
					t.Fatalf("%s: %d flushes after %d writes", coding, s.flushes, i+1)
				}
				checkSentSoFar(t, coding, s.out.Bytes(), bytes.Join(parts[:i+1], nil))
			}
			return Bytes([]byte("<p>tail</p>")), nil
		}), mustCompress(t, CompressOptions{}))
		serveRecorded(compressEnv(coding), s, app)
		head, body, _ := strings.Cut(s.out.String(), "\r\n\r\n")
		want := append(bytes.Join(parts, nil), "<p>tail</p>"...)
		if got := decode(t, coding, payload(t, head, body)); !bytes.Equal(got, want) {
			t.Fatalf("%s: body %d bytes, want %d", coding, len(got), len(want))
		}
	}
}

func TestCompressExcInfoReplacesHeaders(t *testing.T) {
	appErr := errors.New("view failed")
	page := bytes.Repeat([]byte("<p>error</p>"), 300)
	cases := []struct {
		name        string
		first, then []Header
		want        string // Content-Encoding
	}{
		{"to compressible", []Header{{"Content-Type", "image/png"}}, []Header{{"Content-Type", "text/html"}}, "gzip"},
		{"to no-transform", []Header{{"Content-Type", "text/html"}}, []Header{{"Content-Type", "text/html"}, {"Cache-Control", "no-transform"}}, ""},
		{"to small", []Header{{"Content-Type", "text/html"}}, []Header{{"Content-Type", "text/html"}, {"Content-Length", "10"}}, ""},
	}
	for _, c := range cases {
		// exc_info before the app returns: nothing was passed on yet.
		app := compressApp(t, CompressOptions{}, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
			if _, err := start.StartResponse("200 OK", c.first, nil); err != nil {
				return nil, err
			}
			if _, err := start.StartResponse("500 Internal Server Error", c.then, appErr); err != nil {
				return nil, err
			}
			if c.name == "to small" {
				return Bytes(page[:10]), nil
			}
			return Bytes(page), nil
		})
		res := run(t, compressEnv("gzip"), app)
		got, coding := identityOf(t, res)
		if !strings.HasPrefix(res.head, "HTTP/1.1 500 ") || coding != c.want || !bytes.HasPrefix(page, got) {
			t.Errorf("%s: head %q", c.name, res.head)
		}
		if ct, _ := headerOf(res.head, "Content-Type"); ct != "text/html" {
			t.Errorf("%s: the first headers were kept: %q", c.name, res.head)
		}
	}
}

// TestCompressExcInfoAfterCommit: the decision was passed on (the app
// returned a generator), no bytes were sent, and the generator replaces
// the headers: the decision is taken again and the gateway replaces them.
func TestCompressExcInfoAfterCommit(t *testing.T) {
	page := bytes.Repeat([]byte("<p>error</p>"), 300)
	appErr := errors.New("generator failed")
	app := compressApp(t, CompressOptions{}, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		if _, err := start.StartResponse("200 OK", []Header{{"Content-Type", "image/png"}}, nil); err != nil {
			return nil, err
		}
		it := &stepIter{chunks: [][]byte{page}}
		it.check = func(i int) {
			if i == 0 {
				if _, err := start.StartResponse("500 Oops", []Header{{"Content-Type", "text/html"}}, appErr); err != nil {
					t.Fatalf("replacing headers before anything was sent: %v", err)
				}
			}
		}
		return it, nil
	})
	res := run(t, compressEnv("zstd"), app)
	got, coding := identityOf(t, res)
	if !strings.HasPrefix(res.head, "HTTP/1.1 500 Oops") || coding != "zstd" || !bytes.Equal(got, page) {
		t.Fatalf("head %q", res.head)
	}
}

func TestCompressExcInfoAfterSendReraises(t *testing.T) {
	appErr := errors.New("failed mid-stream")
	var got error
	app := compressApp(t, CompressOptions{}, func(_ *environ.Environ, start StartResponse) (Iterable, error) {
		w, err := start.StartResponse("200 OK", []Header{{"Content-Type", "text/plain"}}, nil)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte("partial output")); err != nil {
			return nil, err
		}
		_, got = start.StartResponse("500 Oops", []Header{{"Content-Type", "text/plain"}}, appErr)
		return nil, got
	})
	res := run(t, compressEnv("gzip"), app)
	if got != appErr || !res.sink.aborted || !strings.Contains(res.log, appErr.Error()) {
		t.Fatalf("got %v aborted %v log %q", got, res.sink.aborted, res.log)
	}
}

func TestCompressMinSize(t *testing.T) {
	small, large := strings.Repeat("s", 1023), strings.Repeat("l", 1024)
	cases := []struct {
		name    string
		opts    CompressOptions
		length  bool // the app sets Content-Length
		body    Iterable
		want    string // Content-Encoding
		vary    bool
		content string
	}{
		{"length below", CompressOptions{}, true, Bytes([]byte(small)), "", false, small},
		{"length at", CompressOptions{}, true, Bytes([]byte(large)), "gzip", true, large},
		{"whole body below", CompressOptions{}, false, &iter{chunks: chunks(small[:500], small[500:]), buffered: true}, "", false, small},
		{"whole body at", CompressOptions{}, false, &iter{chunks: chunks(large[:500], large[500:]), buffered: true}, "gzip", true, large},
		{"stream below", CompressOptions{}, false, &iter{chunks: chunks(small)}, "gzip", true, small},
		{"MinSize 10", CompressOptions{MinSize: 10}, false, Bytes([]byte("0123456789")), "gzip", true, "0123456789"},
		{"MinSize 10 below", CompressOptions{MinSize: 10}, false, Bytes([]byte("012345678")), "", false, "012345678"},
		{"no minimum", CompressOptions{MinSize: -1}, true, Bytes([]byte("x")), "gzip", true, "x"},
		{"no minimum, empty", CompressOptions{MinSize: -1}, false, Empty(), "gzip", true, ""},
	}
	for _, c := range cases {
		headers := []Header{{"Content-Type", "text/plain"}}
		if c.length {
			headers = append(headers, Header{"Content-Length", strconv.Itoa(len(c.content))})
		}
		app := compressApp(t, c.opts, respond("200 OK", headers, func() Iterable { return c.body }))
		res := run(t, compressEnv("gzip"), app)
		got, coding := identityOf(t, res)
		_, vary := headerOf(res.head, "Vary")
		if coding != c.want || vary != c.vary || string(got) != c.content {
			t.Errorf("%s: coding %q vary %v body %d bytes: %q", c.name, coding, vary, len(got), res.head)
		}
	}
}

func TestCompressFileBody(t *testing.T) {
	big, small := testJSON(50<<10), []byte(`{"small": true}`)
	for _, c := range []struct {
		accept, ctype string
		data          []byte
		length        bool // the app sets Content-Length
		want          string
	}{
		{"gzip", "application/json", big, true, "gzip"},
		{"zstd", "application/json", big, true, "zstd"},
		{"gzip", "application/json", big, false, "gzip"},
		{"", "application/json", big, true, ""},
		{"gzip", "application/octet-stream", big, true, ""},
		{"gzip", "application/json", small, false, ""}, // the file's size is below MinSize
	} {
		data := c.data
		s := &fileSink{data: data}
		f := &fileIter{data: data}
		headers := []Header{{"Content-Type", c.ctype}}
		if c.length {
			headers = append(headers, Header{"Content-Length", strconv.Itoa(len(data))})
		}
		app := Chain(respond("200 OK", headers, func() Iterable { return f }), mustCompress(t, CompressOptions{}))
		serveRecorded(compressEnv(c.accept), s, app)
		head, body, _ := strings.Cut(s.out.String(), "\r\n\r\n")
		coding, _ := headerOf(head, "Content-Encoding")
		got := decode(t, coding, payload(t, head, body))
		if coding != c.want || !bytes.Equal(got, data) || f.closed != 1 {
			t.Fatalf("%+v: coding %q equal %v closed %d", c, coding, bytes.Equal(got, data), f.closed)
		}
		if wantSends := b2i(c.want == ""); s.sends != wantSends {
			t.Fatalf("%+v: %d sendfiles, want %d", c, s.sends, wantSends)
		}
	}
}

// TestCompressGeneratorWithFileMethodStreams: an iterable whose File says
// it is no file is a stream like any other, compressed chunk by chunk.
func TestCompressGeneratorWithFileMethodStreams(t *testing.T) {
	it := &notFileIter{iter{chunks: chunks("data: 1\n\n", "data: 2\n\n")}}
	res := run(t, compressEnv("gzip"), compressApp(t, CompressOptions{}, respond("200 OK", []Header{{"Content-Type", "text/event-stream"}}, func() Iterable { return it })))
	got, coding := identityOf(t, res)
	// One flush per event, and one for the stream's trailer.
	if coding != "gzip" || string(got) != "data: 1\n\ndata: 2\n\n" || res.sink.flushes != 3 || it.closed != 1 {
		t.Fatalf("coding %q body %q flushes %d closed %d", coding, got, res.sink.flushes, it.closed)
	}
}

func TestCompressLetsTheLockGo(t *testing.T) {
	big := testJSON(100 << 10)
	small := testJSON(8 << 10)
	cases := []struct {
		name     string
		accept   string
		body     func() Iterable
		releases int
	}{
		{"whole big zstd", "zstd", func() Iterable { return Bytes(big) }, 1},
		{"whole big gzip", "gzip", func() Iterable { return Bytes(big) }, 1},
		{"whole small", "gzip", func() Iterable { return Bytes(small) }, 0},
		{"list of small chunks", "gzip", func() Iterable {
			return &iter{chunks: [][]byte{big[:30000], big[30000:60000], big[60000:]}, buffered: true}
		}, 1},
		{"stream", "zstd", func() Iterable { return &iter{chunks: [][]byte{big[:40000], small, big[40000:]}} }, 2},
		{"identity", "", func() Iterable { return Bytes(big) }, 0},
	}
	for _, c := range cases {
		s := &relSink{t: t}
		app := Chain(respond("200 OK", jsonType, c.body), mustCompress(t, CompressOptions{}))
		serveRecorded(compressEnv(c.accept), s, app)
		if s.releases != c.releases || s.reacquires != c.releases || s.held {
			t.Errorf("%s: %d releases, %d reacquires, want %d", c.name, s.releases, s.reacquires, c.releases)
		}
		head, body, _ := strings.Cut(s.out.String(), "\r\n\r\n")
		coding, _ := headerOf(head, "Content-Encoding")
		want := big
		if c.name == "whole small" {
			want = small
		} else if c.name == "stream" {
			want = append(append(append([]byte(nil), big[:40000]...), small...), big[40000:]...)
		}
		if got := decode(t, coding, payload(t, head, body)); coding != c.accept || !bytes.Equal(got, want) {
			t.Errorf("%s: coding %q, body equal %v", c.name, coding, bytes.Equal(got, want))
		}
	}
}

// TestCompressClosesAppBodyOnce: whatever happens, the app's iterable is
// closed exactly once.
func TestCompressClosesAppBodyOnce(t *testing.T) {
	text := []Header{{"Content-Type", "text/plain"}}
	cases := []struct {
		name string
		it   *iter
		app  func(it *iter) AppFunc
	}{
		{"normal", &iter{chunks: chunks("a", "b")}, func(it *iter) AppFunc {
			return respond("200 OK", text, func() Iterable { return it })
		}},
		{"error with a body", &iter{}, func(it *iter) AppFunc {
			return func(_ *environ.Environ, start StartResponse) (Iterable, error) {
				start.StartResponse("200 OK", text, nil)
				return it, errors.New("raised")
			}
		}},
		{"never started", &iter{chunks: chunks("a")}, func(it *iter) AppFunc {
			return func(*environ.Environ, StartResponse) (Iterable, error) { return it, nil }
		}},
		{"never started, no body", &iter{}, func(it *iter) AppFunc {
			return func(*environ.Environ, StartResponse) (Iterable, error) { return it, nil }
		}},
		{"bad header", &iter{chunks: chunks("a")}, func(it *iter) AppFunc {
			return respond("200 OK", []Header{{"Bad Name", "x"}}, func() Iterable { return it })
		}},
		{"error mid-body", &iter{chunks: chunks("a", "b"), err: errors.New("mid-body")}, func(it *iter) AppFunc {
			return respond("200 OK", text, func() Iterable { return it })
		}},
		{"whole body error", &iter{chunks: chunks("a"), buffered: true, err: errors.New("early")}, func(it *iter) AppFunc {
			return respond("200 OK", text, func() Iterable { return it })
		}},
		{"panic in Next", &iter{chunks: chunks("a", "b"), panicAt: 2}, func(it *iter) AppFunc {
			return respond("200 OK", text, func() Iterable { return it })
		}},
		{"started twice", &iter{}, func(it *iter) AppFunc {
			return func(_ *environ.Environ, start StartResponse) (Iterable, error) {
				start.StartResponse("200 OK", text, nil)
				if _, err := start.StartResponse("200 OK", text, nil); !errors.Is(err, ErrStartedTwice) {
					t.Errorf("second start_response: %v", err)
				}
				return it, nil
			}
		}},
	}
	for _, c := range cases {
		for _, accept := range []string{"gzip", ""} {
			it := *c.it
			run(t, compressEnv(accept), compressApp(t, CompressOptions{}, c.app(&it)))
			if it.closed != 1 {
				t.Errorf("%s, accept %q: closed %d times", c.name, accept, it.closed)
			}
		}
	}
}

// TestCompressAllocs: a compressed response, steady state, allocates
// nothing.
func TestCompressAllocs(t *testing.T) {
	if compressRace {
		t.Skip("sync.Pool drops items under the race detector")
	}
	body := testJSON(20 << 10)
	for _, accept := range []string{"gzip", "zstd", ""} {
		app := compressApp(t, CompressOptions{}, respond("200 OK", jsonType, func() Iterable { return Bytes(body) }))
		env := compressEnv(accept)
		s := &discardSink{}
		var r Response
		allocs := testing.AllocsPerRun(100, func() {
			r.Reset(s, env, nil)
			Serve(app, env, &r)
		})
		if allocs > 0 {
			t.Errorf("accept %q: %v allocations per request", accept, allocs)
		}
	}
}
