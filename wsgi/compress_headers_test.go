package wsgi

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/gwsgi/gwsgi/environ"
)

// TestCompressLeftAlone: each rule that keeps a response as the app made
// it, headers and body, Vary included.
func TestCompressLeftAlone(t *testing.T) {
	big := strings.Repeat("compressible text ", 200)
	plain := func(extra ...Header) []Header {
		return append([]Header{{"Content-Type", "text/plain"}}, extra...)
	}
	cases := []struct {
		name    string
		env     *environ.Environ
		status  string
		headers []Header
		opts    CompressOptions
	}{
		{"HEAD", func() *environ.Environ { e := compressEnv("gzip"); e.Head = true; return e }(), "200 OK", plain(), CompressOptions{}},
		{"Range", compressEnv("gzip", "HTTP_RANGE", "bytes=0-10"), "200 OK", plain(), CompressOptions{}},
		{"204", compressEnv("gzip"), "204 No Content", plain(), CompressOptions{}},
		{"205", compressEnv("gzip"), "205 Reset Content", plain(), CompressOptions{}},
		{"206", compressEnv("gzip"), "206 Partial Content", plain(Header{"Content-Range", "bytes 0-3599/9000"}), CompressOptions{}},
		{"304", compressEnv("gzip"), "304 Not Modified", plain(), CompressOptions{}},
		{"Content-Encoding", compressEnv("gzip"), "200 OK", plain(Header{"Content-Encoding", "br"}), CompressOptions{}},
		{"Content-Encoding identity", compressEnv("gzip"), "200 OK", plain(Header{"Content-Encoding", "identity"}), CompressOptions{}},
		{"no-transform", compressEnv("gzip"), "200 OK", plain(Header{"Cache-Control", "public, No-Transform"}), CompressOptions{}},
		{"type", compressEnv("gzip"), "200 OK", []Header{{"Content-Type", "image/png"}}, CompressOptions{}},
		{"no type", compressEnv("gzip"), "200 OK", nil, CompressOptions{}},
		{"type not in Types", compressEnv("gzip"), "200 OK", plain(), CompressOptions{Types: []string{"application/json"}}},
		{"Content-Length below MinSize", compressEnv("gzip"), "200 OK", plain(Header{"Content-Length", strconv.Itoa(len(big))}), CompressOptions{MinSize: int64(len(big)) + 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			it := &iter{chunks: chunks(big[:1000], big[1000:])}
			app := compressApp(t, c.opts, respond(c.status, c.headers, func() Iterable { return it }))
			res := run(t, c.env, app)
			want := big
			if c.env.Head || c.status[:3] == "204" || c.status[:3] == "304" {
				want = ""
			}
			if v, ok := headerOf(res.head, "Content-Encoding"); ok && !strings.Contains(c.name, "Content-Encoding") ||
				countHeader(res.head, "Content-Encoding") > 1 || v == "gzip" {
				t.Fatalf("compressed: %q", res.head)
			}
			got := res.body
			if want != "" {
				got = string(payload(t, res.head, res.body))
			}
			if got != want {
				t.Fatalf("body %.40q, want %.40q", got, want)
			}
			if _, ok := headerOf(res.head, "Vary"); ok {
				t.Fatalf("Vary on a response that is never compressed: %q", res.head)
			}
			if it.closed != 1 {
				t.Fatalf("closed %d", it.closed)
			}
		})
	}
}

// TestCompressInformationalStatus: 1xx is left alone too; the gateway
// itself refuses it, so the middleware is checked with a StartResponse
// that records what it is given.
func TestCompressInformationalStatus(t *testing.T) {
	app := compressApp(t, CompressOptions{}, respond("103 Early Hints", []Header{{"Content-Type", "text/plain"}}, Empty))
	rec := &recordingStart{}
	it, err := app(compressEnv("gzip"), rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if rec.status != "103 Early Hints" || len(rec.headers) != 1 || rec.headers[0] != (Header{"Content-Type", "text/plain"}) {
		t.Fatalf("got %q %v", rec.status, rec.headers)
	}
}

// TestCompressVaryWhenClientTakesNoCoding: a response that would have
// been compressed gets Vary: Accept-Encoding even when this client takes
// no coding, so that a cache does not hand it to one that does.
func TestCompressVaryWhenClientTakesNoCoding(t *testing.T) {
	body := strings.Repeat("x", 2000)
	for _, accept := range []string{"", "identity", "gzip;q=0, zstd;q=0", "br", "*;q=0"} {
		app := compressApp(t, CompressOptions{}, respond("200 OK", []Header{{"Content-Type", "text/css"}}, func() Iterable { return Bytes([]byte(body)) }))
		res := run(t, compressEnv(accept), app)
		if v, _ := headerOf(res.head, "Vary"); v != "Accept-Encoding" || res.body != body {
			t.Fatalf("%q: head %q", accept, res.head)
		}
		if _, ok := headerOf(res.head, "Content-Encoding"); ok {
			t.Fatalf("%q: compressed: %q", accept, res.head)
		}
	}
}

func TestCompressVaryMerge(t *testing.T) {
	for _, c := range []struct {
		vary []string
		want []string
	}{
		{nil, []string{"Accept-Encoding"}},
		{[]string{"Cookie"}, []string{"Cookie, Accept-Encoding"}},
		{[]string{"Cookie, Origin"}, []string{"Cookie, Origin, Accept-Encoding"}},
		{[]string{"accept-encoding"}, []string{"accept-encoding"}},
		{[]string{"Origin,Accept-Encoding"}, []string{"Origin,Accept-Encoding"}},
		{[]string{"*"}, []string{"*"}},
		{[]string{" "}, []string{"Accept-Encoding"}},
		{[]string{"Cookie", "Origin"}, []string{"Cookie", "Origin, Accept-Encoding"}},
		{[]string{"Accept-Encoding", "Origin"}, []string{"Accept-Encoding", "Origin"}},
	} {
		for _, accept := range []string{"gzip", ""} {
			headers := []Header{{"Content-Type", "text/html"}}
			for _, v := range c.vary {
				headers = append(headers, Header{"Vary", v})
			}
			app := compressApp(t, CompressOptions{}, respond("200 OK", headers, func() Iterable { return Bytes(bytes.Repeat([]byte("a"), 5000)) }))
			res := run(t, compressEnv(accept), app)
			var got []string
			for _, line := range strings.Split(res.head, "\r\n") {
				if v, ok := strings.CutPrefix(line, "Vary: "); ok {
					got = append(got, v)
				}
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("Vary %q, accept %q: got %q, want %q", c.vary, accept, got, c.want)
			}
		}
	}
}

func TestCompressWeakensETag(t *testing.T) {
	for _, c := range []struct{ accept, etag, want string }{
		{"gzip", `"v1"`, `W/"v1"`},
		{"zstd", `W/"v1"`, `W/"v1"`},
		{"", `"v1"`, `"v1"`},
	} {
		app := compressApp(t, CompressOptions{}, respond("200 OK", []Header{{"Content-Type", "text/html"}, {"ETag", c.etag}}, func() Iterable { return Bytes(bytes.Repeat([]byte("a"), 5000)) }))
		res := run(t, compressEnv(c.accept), app)
		if v, _ := headerOf(res.head, "ETag"); v != c.want || countHeader(res.head, "ETag") != 1 {
			t.Errorf("accept %q ETag %s: got %q", c.accept, c.etag, v)
		}
	}
}

func TestCompressNegotiation(t *testing.T) {
	body := bytes.Repeat([]byte(`{"k":"v"},`), 500)
	for _, c := range []struct {
		accept    string
		encodings []string
		want      string
	}{
		{"gzip, deflate, br, zstd", nil, "zstd"},
		{"gzip", nil, "gzip"},
		{"x-gzip", nil, "gzip"},
		{"zstd;q=0.5, gzip", nil, "gzip"},
		{"gzip;q=0.8, zstd;q=0.9", nil, "zstd"},
		{"zstd;q=0, *", nil, "gzip"},
		{"*", nil, "zstd"},
		{"*", []string{"gzip", "zstd"}, "gzip"},
		{"zstd, gzip", []string{"gzip"}, "gzip"},
		{"zstd", []string{"gzip"}, ""},
		{"br, deflate", nil, ""},
		{"identity", nil, ""},
	} {
		app := compressApp(t, CompressOptions{Encodings: c.encodings}, respond("200 OK", jsonType, func() Iterable { return Bytes(body) }))
		res := run(t, compressEnv(c.accept), app)
		got, coding := identityOf(t, res)
		if coding != c.want || !bytes.Equal(got, body) {
			t.Errorf("Accept-Encoding %q offering %q: coding %q, body equal %v", c.accept, c.encodings, coding, bytes.Equal(got, body))
		}
	}
}

func TestCompressOptions(t *testing.T) {
	for _, c := range []struct {
		o    CompressOptions
		want error
	}{
		{CompressOptions{}, nil},
		{CompressOptions{Encodings: []string{"GZIP", " zstd "}, GzipLevel: 9, ZstdLevel: 4, Types: []string{"text/*", "+json", "*/*"}}, nil},
		{CompressOptions{Encodings: []string{"br"}}, ErrCompressCoding},
		{CompressOptions{Encodings: []string{"deflate"}}, ErrCompressCoding},
		{CompressOptions{GzipLevel: 10}, ErrCompressLevel},
		{CompressOptions{GzipLevel: -1}, ErrCompressLevel},
		{CompressOptions{ZstdLevel: 5}, ErrCompressLevel},
		{CompressOptions{Types: []string{"text"}}, ErrCompressType},
		{CompressOptions{Types: []string{"text/html; charset=utf-8"}}, ErrCompressType},
		{CompressOptions{Types: []string{"*/json"}}, ErrCompressType},
	} {
		if _, err := Compress(c.o); !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Errorf("%+v: %v, want %v", c.o, err, c.want)
		}
	}
}

func TestCompressTypeMatch(t *testing.T) {
	mw := mustCompress(t, CompressOptions{})
	c := mw(nil).(*compressor)
	for ct, want := range map[string]bool{
		"text/html":                         true,
		"TEXT/HTML; charset=UTF-8":          true,
		" text/css ":                        true,
		"application/json":                  true,
		"application/json;charset=utf-8":    true,
		"application/vnd.api+json":          true,
		"application/problem+XML":           true,
		"image/svg+xml":                     true,
		"application/javascript":            true,
		"application/octet-stream":          false,
		"image/png":                         false,
		"text":                              false,
		"":                                  false,
		"; charset=utf-8":                   false,
		"application/jsonp":                 false,
		"+json":                             false,
		"application/x-www-form-urlencoded": false,
	} {
		if got := c.matchType(ct); got != want {
			t.Errorf("%q: %v, want %v", ct, got, want)
		}
	}
	all := mustCompress(t, CompressOptions{Types: []string{"*/*"}})(nil).(*compressor)
	if !all.matchType("application/octet-stream") || all.matchType("") {
		t.Error("*/* must match every type")
	}
}
