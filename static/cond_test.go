package static

import (
	"math"
	"mime"
	"net/http"
	"testing"
	"time"
)

func TestConditionals(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 600)
	etag := get(t, h, "GET", "/static/hello.txt").Header.Get("ETag")
	lm := "Tue, 05 Mar 2024 06:07:08 GMT"
	before := "Tue, 05 Mar 2024 06:07:07 GMT"
	after := "Tue, 05 Mar 2024 06:07:09 GMT"
	tests := []struct {
		name    string
		method  string
		headers []string
		status  int
	}{
		{"INM exact", "GET", []string{"If-None-Match: " + etag}, 304},
		{"INM HEAD", "HEAD", []string{"If-None-Match: " + etag}, 304},
		{"INM weak compares weakly", "GET", []string{"If-None-Match: W/" + etag}, 304},
		{"INM star", "GET", []string{"If-None-Match: *"}, 304},
		{"INM in list", "GET", []string{`If-None-Match: "a", W/"b",` + etag}, 304},
		{"INM other", "GET", []string{`If-None-Match: "other"`}, 200},
		{"INM malformed", "GET", []string{`If-None-Match: other`}, 200},
		{"IMS equal", "GET", []string{"If-Modified-Since: " + lm}, 304},
		{"IMS later", "GET", []string{"If-Modified-Since: " + after}, 304},
		{"IMS earlier", "GET", []string{"If-Modified-Since: " + before}, 200},
		{"IMS RFC 850", "GET", []string{"If-Modified-Since: Tuesday, 05-Mar-24 06:07:08 GMT"}, 304},
		{"IMS asctime", "GET", []string{"If-Modified-Since: Tue Mar  5 06:07:08 2024"}, 304},
		{"IMS garbage", "GET", []string{"If-Modified-Since: yesterday"}, 200},
		{"IMS ignored with INM", "GET", []string{`If-None-Match: "other"`, "If-Modified-Since: " + lm}, 200},
		{"IM match", "GET", []string{"If-Match: " + etag}, 200},
		{"IM star", "GET", []string{"If-Match: *"}, 200},
		{"IM list", "GET", []string{`If-Match: "x", ` + etag}, 200},
		{"IM other", "GET", []string{`If-Match: "other"`}, 412},
		{"IM weak fails strong comparison", "GET", []string{"If-Match: W/" + etag}, 412},
		{"IM fails before INM", "GET", []string{`If-Match: "other"`, "If-None-Match: " + etag}, 412},
		{"IM then INM", "GET", []string{"If-Match: " + etag, "If-None-Match: " + etag}, 304},
		{"IUS earlier", "GET", []string{"If-Unmodified-Since: " + before}, 412},
		{"IUS equal", "GET", []string{"If-Unmodified-Since: " + lm}, 200},
		{"IUS ignored with IM", "GET", []string{"If-Match: " + etag, "If-Unmodified-Since: " + before}, 200},
		{"IUS garbage", "GET", []string{"If-Unmodified-Since: nope"}, 200},
	}
	for _, tt := range tests {
		r := get(t, h, tt.method, "/static/hello.txt", tt.headers...)
		if r.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.name, r.StatusCode, tt.status)
			continue
		}
		if tt.status != 304 {
			continue
		}
		if r.body != "" || r.Header.Get("Content-Length") != "" || r.Header.Get("Content-Type") != "" {
			t.Errorf("%s: 304 with body %q, headers %v", tt.name, r.body, r.Header)
		}
		if r.Header.Get("ETag") != etag || r.Header.Get("Last-Modified") != lm || r.Header.Get("Cache-Control") != "public, max-age=600" {
			t.Errorf("%s: 304 headers %v", tt.name, r.Header)
		}
	}
}

func TestRanges(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	etag := get(t, h, "GET", "/static/hello.txt").Header.Get("ETag")
	lm := "Tue, 05 Mar 2024 06:07:08 GMT"
	n := len(helloText) // 14
	tests := []struct {
		headers []string
		status  int
		from    int // for 206: the part's bytes
		to      int
		cr      string // Content-Range for 206 and 416
	}{
		{[]string{"Range: bytes=0-4"}, 206, 0, 5, "bytes 0-4/14"},
		{[]string{"Range: bytes=7-"}, 206, 7, n, "bytes 7-13/14"},
		{[]string{"Range: bytes=-3"}, 206, n - 3, n, "bytes 11-13/14"},
		{[]string{"Range: bytes=-100"}, 206, 0, n, "bytes 0-13/14"},
		{[]string{"Range: bytes=5-1000"}, 206, 5, n, "bytes 5-13/14"},
		{[]string{"Range: bytes=13-13"}, 206, 13, n, "bytes 13-13/14"},
		{[]string{"Range: BYTES = 0-0 "}, 206, 0, 1, "bytes 0-0/14"},
		{[]string{"Range: bytes=0-99999999999999999999999"}, 206, 0, n, "bytes 0-13/14"},
		{[]string{"Range: bytes=14-"}, 416, 0, 0, "bytes */14"},
		{[]string{"Range: bytes=100-200"}, 416, 0, 0, "bytes */14"},
		{[]string{"Range: bytes=99999999999999999999999-"}, 416, 0, 0, "bytes */14"},
		{[]string{"Range: bytes=-0"}, 416, 0, 0, "bytes */14"},
		{[]string{"Range: bytes=0-1,3-4"}, 200, 0, n, ""},
		{[]string{"Range: bytes=0-1", "Range: bytes=3-4"}, 200, 0, n, ""},
		{[]string{"Range: items=0-1"}, 200, 0, n, ""},
		{[]string{"Range: bytes=abc"}, 200, 0, n, ""},
		{[]string{"Range: bytes=5-1"}, 200, 0, n, ""},
		{[]string{"Range: bytes=-"}, 200, 0, n, ""},
		{[]string{"Range: bytes=1-2-3"}, 200, 0, n, ""},
		{[]string{"Range: bytes 0-1"}, 200, 0, n, ""},
		{[]string{"Range: bytes=0-4", "If-Range: " + etag}, 206, 0, 5, "bytes 0-4/14"},
		{[]string{"Range: bytes=0-4", `If-Range: "old"`}, 200, 0, n, ""},
		{[]string{"Range: bytes=0-4", "If-Range: W/" + etag}, 200, 0, n, ""},
		{[]string{"Range: bytes=0-4", "If-Range: " + lm}, 206, 0, 5, "bytes 0-4/14"},
		{[]string{"Range: bytes=0-4", "If-Range: Wed, 06 Mar 2024 06:07:08 GMT"}, 200, 0, n, ""},
		{[]string{"Range: bytes=99-", `If-Range: "old"`}, 200, 0, n, ""},
		{[]string{"If-Range: " + etag}, 200, 0, n, ""},
	}
	for _, tt := range tests {
		r := get(t, h, "GET", "/static/hello.txt", tt.headers...)
		if r.StatusCode != tt.status || r.Header.Get("Content-Range") != tt.cr {
			t.Errorf("%q: %d %q, want %d %q", tt.headers, r.StatusCode, r.Header.Get("Content-Range"), tt.status, tt.cr)
			continue
		}
		if tt.status == 416 {
			continue
		}
		if want := helloText[tt.from:tt.to]; r.body != want || r.ContentLength != int64(len(want)) {
			t.Errorf("%q: body %q (Content-Length %d), want %q", tt.headers, r.body, r.ContentLength, want)
		}
	}
	// An empty file ignores ranges.
	if r := get(t, h, "GET", "/static/empty.txt", "Range: bytes=0-"); r.StatusCode != 200 || r.ContentLength != 0 {
		t.Errorf("empty file with Range: %d, %d bytes", r.StatusCode, r.ContentLength)
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		v        string
		size     int64
		start, n int64
		res      rangeResult
	}{
		{"bytes=0-0", 1, 0, 1, rangePartial},
		{"bytes=0-", 10, 0, 10, rangePartial},
		{"bytes=-10", 10, 0, 10, rangePartial},
		{"bytes=9-", 10, 9, 1, rangePartial},
		{"bytes=10-", 10, 0, 0, rangeUnsatisfiable},
		{"bytes=0-", 0, 0, 0, rangeNone},
		{"bytes=-5", 0, 0, 0, rangeNone},
		{"bytes=", 10, 0, 0, rangeNone},
		{"=0-1", 10, 0, 0, rangeNone},
		{"bytes=0-1,", 10, 0, 0, rangeNone},
		{"bytes=+1-2", 10, 0, 0, rangeNone},
		{"bytes=0x1-2", 10, 0, 0, rangeNone},
		{"bytes=-9223372036854775808", 10, 0, 10, rangePartial},
	}
	for _, tt := range tests {
		s, n, res := parseRange([]byte(tt.v), tt.size)
		if res != tt.res || (res == rangePartial && (s != tt.start || n != tt.n)) {
			t.Errorf("parseRange(%q, %d) = %d, %d, %d; want %d, %d, %d", tt.v, tt.size, s, n, res, tt.start, tt.n, tt.res)
		}
	}
	if number([]byte("99999999999999999999")) != math.MaxInt64 {
		t.Error("number does not saturate")
	}
}

func TestMatchETags(t *testing.T) {
	const e = `"abc-1"`
	tests := []struct {
		list         string
		strong, weak bool
	}{
		{`"abc-1"`, true, true},
		{` "abc-1" `, true, true},
		{`W/"abc-1"`, false, true},
		{`*`, true, true},
		{` * `, true, true},
		{`"x", "abc-1"`, true, true},
		{`"x",W/"abc-1"`, false, true},
		{`"x"`, false, false},
		{`abc-1`, false, false},
		{`"abc-1`, false, false},
		{`"x", bad, "abc-1"`, false, false},
		{`"abc-1", bad`, true, true},
		{``, false, false},
		{`,,`, false, false},
		{`"*"`, false, false},
	}
	for _, tt := range tests {
		if got := matchETags([]byte(tt.list), e, true); got != tt.strong {
			t.Errorf("strong %q: %v", tt.list, got)
		}
		if got := matchETags([]byte(tt.list), e, false); got != tt.weak {
			t.Errorf("weak %q: %v", tt.list, got)
		}
	}
}

func TestHTTPDate(t *testing.T) {
	for _, sec := range []int64{0, 1, 784111777, 951782400, 1709618828, 4102444800, 253402300799, 1234567890} {
		want := time.Unix(sec, 0).UTC().Format(http.TimeFormat)
		got := string(appendHTTPDate(nil, sec))
		if got != want {
			t.Errorf("appendHTTPDate(%d) = %q, want %q", sec, got, want)
		}
		if back, ok := parseHTTPDate([]byte(got)); !ok || back != sec {
			t.Errorf("parseHTTPDate(%q) = %d, %v; want %d", got, back, ok, sec)
		}
	}
	for day := int64(-1000); day < 80000; day += 37 {
		sec := day*86400 + 3723
		want := time.Unix(max(sec, 0), 0).UTC().Format(http.TimeFormat)
		if got := string(appendHTTPDate(nil, sec)); got != want {
			t.Fatalf("appendHTTPDate(%d) = %q, want %q", sec, got, want)
		}
	}
	for _, bad := range []string{"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 06 Nov 19x4 08:49:37 GMT", "Sun,  6 Nov 1994 08:49:37 GMT"} {
		if _, ok := parseHTTPDate([]byte(bad)); ok {
			t.Errorf("parseHTTPDate(%q) accepted", bad)
		}
	}
	for _, obs := range []string{"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"} {
		if v, ok := parseHTTPDate([]byte(obs)); !ok || v != 784111777 {
			t.Errorf("parseHTTPDate(%q) = %d, %v", obs, v, ok)
		}
	}
}

func TestContentType(t *testing.T) {
	tests := map[string]string{
		"a.html":                       "text/html; charset=utf-8",
		"dir/A.HTM":                    "text/html; charset=utf-8",
		"x.css":                        "text/css; charset=utf-8",
		"x.js":                         "text/javascript; charset=utf-8",
		"x.mjs":                        "text/javascript; charset=utf-8",
		"x.json":                       "application/json; charset=utf-8",
		"x.js.map":                     "application/json; charset=utf-8",
		"x.txt":                        "text/plain; charset=utf-8",
		"x.xml":                        "application/xml; charset=utf-8",
		"x.svg":                        "image/svg+xml; charset=utf-8",
		"x.csv":                        "text/csv; charset=utf-8",
		"x.png":                        "image/png",
		"x.jpg":                        "image/jpeg",
		"x.JPEG":                       "image/jpeg",
		"x.gif":                        "image/gif",
		"x.webp":                       "image/webp",
		"x.avif":                       "image/avif",
		"x.ico":                        "image/x-icon",
		"x.woff":                       "font/woff",
		"x.woff2":                      "font/woff2",
		"x.ttf":                        "font/ttf",
		"x.otf":                        "font/otf",
		"x.eot":                        "application/vnd.ms-fontobject",
		"x.pdf":                        "application/pdf",
		"x.wasm":                       "application/wasm",
		"x.mp4":                        "video/mp4",
		"x.webm":                       "video/webm",
		"x.mp3":                        "audio/mpeg",
		"x.ogg":                        "audio/ogg",
		"x.zip":                        "application/zip",
		"x.tar.gz":                     "application/gzip",
		"x.gwsgi-test-ext":             "application/x-gwsgi-test",
		"x.unknownextzz":               octetStream,
		"noext":                        octetStream,
		"dir.d/noext":                  octetStream,
		"trailingdot.":                 octetStream,
		"x.averyveryverylongextension": octetStream,
	}
	must(t, mime.AddExtensionType(".gwsgi-test-ext", "application/x-gwsgi-test"))
	for name, want := range tests {
		for range 2 { // the second lookup of an extension comes from the cache
			if got := contentType([]byte(name)); got != want {
				t.Errorf("contentType(%q) = %q, want %q", name, got, want)
			}
		}
	}
}
