package environ

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gwsgi/gwsgi/httpparse"
)

// newRequest builds a Request by hand, the way the parser would, from a
// target and "Name: value" header lines.
func newRequest(method, target string, headers ...string) *httpparse.Request {
	r := &httpparse.Request{
		Method:        []byte(method),
		Target:        []byte(target),
		Proto:         []byte("HTTP/1.1"),
		ProtoMinor:    1,
		ContentLength: -1,
		KeepAlive:     true,
	}
	path, query, hasQuery := strings.Cut(target, "?")
	r.Path = []byte(path)
	if hasQuery {
		r.Query = []byte(query)
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		value = strings.TrimSpace(value)
		r.Headers = append(r.Headers, httpparse.Header{Name: []byte(name), Value: []byte(value)})
		if strings.EqualFold(name, "host") && r.Host == nil {
			r.Host = []byte(value)
		}
	}
	return r
}

var testConn = &ConnInfo{
	RemoteAddr: "10.0.0.7",
	RemotePort: "53422",
	LocalAddr:  "0.0.0.0",
	LocalPort:  "8000",
}

func TestFillVariables(t *testing.T) {
	tests := []struct {
		name   string
		req    *httpparse.Request
		ci     *ConnInfo
		script string
		err    error
		want   map[string]string // CGI name → value; "!" means absent
	}{
		{
			name: "simple",
			req:  newRequest("GET", "/hello?a=1&b=2", "Host: example.com"),
			want: map[string]string{
				"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/hello",
				"QUERY_STRING": "a=1&b=2", "SERVER_NAME": "example.com", "SERVER_PORT": "80",
				"SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.7", "REMOTE_PORT": "53422",
				"wsgi.url_scheme": "http", "HTTP_HOST": "example.com",
				"CONTENT_TYPE": "!", "CONTENT_LENGTH": "!",
			},
		},
		{
			name: "no query",
			req:  newRequest("GET", "/", "Host: h"),
			want: map[string]string{"QUERY_STRING": "", "PATH_INFO": "/"},
		},
		{
			name: "empty query",
			req:  newRequest("GET", "/x?", "Host: h"),
			want: map[string]string{"QUERY_STRING": "", "PATH_INFO": "/x"},
		},
		{
			name: "query kept raw",
			req:  newRequest("GET", "/x?q=a%20b+c&z=%zz", "Host: h"),
			want: map[string]string{"QUERY_STRING": "q=a%20b+c&z=%zz"},
		},
		{
			name: "path decoding",
			req:  newRequest("GET", "/a%20b/%E2%82%AC/%2Fslash/c+d", "Host: h"),
			want: map[string]string{"PATH_INFO": "/a b/\xe2\x82\xac//slash/c+d"},
		},
		{
			name: "path invalid escapes kept",
			req:  newRequest("GET", "/100%/%zz/%4/%4g/%", "Host: h"),
			want: map[string]string{"PATH_INFO": "/100%/%zz/%4/%4g/%"},
		},
		{
			name: "path latin-1 bytes raw",
			req:  newRequest("GET", "/caf%E9%ff%00", "Host: h"),
			want: map[string]string{"PATH_INFO": "/caf\xe9\xff\x00"},
		},
		{
			name:   "script name prefix",
			req:    newRequest("GET", "/app/users/1", "Host: h"),
			script: "/app",
			want:   map[string]string{"SCRIPT_NAME": "/app", "PATH_INFO": "/users/1"},
		},
		{
			name:   "script name exact",
			req:    newRequest("GET", "/app", "Host: h"),
			script: "/app",
			want:   map[string]string{"SCRIPT_NAME": "/app", "PATH_INFO": ""},
		},
		{
			name:   "script name trailing slash in config",
			req:    newRequest("GET", "/app/", "Host: h"),
			script: "/app/",
			want:   map[string]string{"SCRIPT_NAME": "/app", "PATH_INFO": "/"},
		},
		{
			name:   "script name root",
			req:    newRequest("GET", "/x", "Host: h"),
			script: "/",
			want:   map[string]string{"SCRIPT_NAME": "", "PATH_INFO": "/x"},
		},
		{
			name:   "script name matched after decoding",
			req:    newRequest("GET", "/%61pp/x", "Host: h"),
			script: "/app",
			want:   map[string]string{"SCRIPT_NAME": "/app", "PATH_INFO": "/x"},
		},
		{
			name:   "script name not a segment prefix",
			req:    newRequest("GET", "/application/x", "Host: h"),
			script: "/app",
			err:    ErrNotMounted,
			want:   map[string]string{"SCRIPT_NAME": "", "PATH_INFO": "/application/x"},
		},
		{
			name:   "script name elsewhere",
			req:    newRequest("GET", "/other", "Host: h"),
			script: "/app",
			err:    ErrNotMounted,
			want:   map[string]string{"SCRIPT_NAME": "", "PATH_INFO": "/other"},
		},
		{
			name:   "asterisk",
			req:    newRequest("OPTIONS", "*", "Host: h"),
			script: "/app",
			want:   map[string]string{"SCRIPT_NAME": "/app", "PATH_INFO": "*"},
		},
		{
			name: "host with port",
			req:  newRequest("GET", "/", "Host: example.com:8080"),
			want: map[string]string{"SERVER_NAME": "example.com", "SERVER_PORT": "8080", "HTTP_HOST": "example.com:8080"},
		},
		{
			name: "host empty port",
			req:  newRequest("GET", "/", "Host: example.com:"),
			want: map[string]string{"SERVER_NAME": "example.com", "SERVER_PORT": "80"},
		},
		{
			name: "host https default port",
			req:  newRequest("GET", "/", "Host: example.com"),
			ci:   &ConnInfo{URLScheme: "https"},
			want: map[string]string{"SERVER_NAME": "example.com", "SERVER_PORT": "443", "wsgi.url_scheme": "https"},
		},
		{
			name: "host IPv6 with port",
			req:  newRequest("GET", "/", "Host: [::1]:8443"),
			want: map[string]string{"SERVER_NAME": "::1", "SERVER_PORT": "8443", "HTTP_HOST": "[::1]:8443"},
		},
		{
			name: "host IPv6 without port",
			req:  newRequest("GET", "/", "Host: [fe80::1]"),
			want: map[string]string{"SERVER_NAME": "fe80::1", "SERVER_PORT": "80"},
		},
		{
			name: "host IPv4 with port",
			req:  newRequest("GET", "/", "Host: 192.168.1.1:81"),
			want: map[string]string{"SERVER_NAME": "192.168.1.1", "SERVER_PORT": "81"},
		},
		{
			name: "missing host uses listener",
			req:  newRequest("GET", "/"),
			want: map[string]string{"SERVER_NAME": "0.0.0.0", "SERVER_PORT": "8000", "HTTP_HOST": "!"},
		},
		{
			name: "missing host IPv6 listener",
			req:  newRequest("GET", "/"),
			ci:   &ConnInfo{LocalAddr: "[::]", URLScheme: "https"},
			want: map[string]string{"SERVER_NAME": "::", "SERVER_PORT": "443"},
		},
		{
			name: "host from headers when Request.Host unset",
			req: func() *httpparse.Request {
				r := newRequest("GET", "/", "Host: a.example:9")
				r.Host = nil
				return r
			}(),
			want: map[string]string{"SERVER_NAME": "a.example", "SERVER_PORT": "9"},
		},
		{
			name: "nil conn info",
			req:  newRequest("GET", "/", "Host: h"),
			ci:   &ConnInfo{},
			want: map[string]string{"REMOTE_ADDR": "", "REMOTE_PORT": "", "wsgi.url_scheme": "http"},
		},
		{
			name: "HTTP/1.0",
			req: func() *httpparse.Request {
				r := newRequest("GET", "/")
				r.Proto, r.ProtoMinor = []byte("HTTP/1.0"), 0
				return r
			}(),
			want: map[string]string{"SERVER_PROTOCOL": "HTTP/1.0"},
		},
		{
			name: "content type and length",
			req: func() *httpparse.Request {
				r := newRequest("POST", "/form", "Host: h", "Content-Type: application/json", "Content-Length: 42")
				r.ContentLength = 42
				return r
			}(),
			want: map[string]string{
				"CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "42",
				"HTTP_CONTENT_TYPE": "!", "HTTP_CONTENT_LENGTH": "!",
			},
		},
		{
			name: "content length zero",
			req: func() *httpparse.Request {
				r := newRequest("POST", "/", "Content-Length: 0")
				r.ContentLength = 0
				return r
			}(),
			want: map[string]string{"CONTENT_LENGTH": "0"},
		},
		{
			name: "chunked has no content length",
			req: func() *httpparse.Request {
				r := newRequest("POST", "/", "Transfer-Encoding: chunked", "Content-Type: text/plain")
				r.Chunked = true
				return r
			}(),
			want: map[string]string{"CONTENT_LENGTH": "!", "CONTENT_TYPE": "text/plain", "HTTP_TRANSFER_ENCODING": "chunked"},
		},
		{
			name: "empty content type is present",
			req:  newRequest("POST", "/", "Content-Type:"),
			want: map[string]string{"CONTENT_TYPE": ""},
		},
		{
			name: "header names",
			req:  newRequest("GET", "/", "User-Agent: curl/8", "x-request-id: abc", "ACCEPT: */*"),
			want: map[string]string{"HTTP_USER_AGENT": "curl/8", "HTTP_X_REQUEST_ID": "abc", "HTTP_ACCEPT": "*/*"},
		},
		{
			name: "repeated headers joined",
			req:  newRequest("GET", "/", "Accept: a", "X-Forwarded-For: 1.1.1.1", "accept: b", "ACCEPT: c"),
			want: map[string]string{"HTTP_ACCEPT": "a, b, c", "HTTP_X_FORWARDED_FOR": "1.1.1.1"},
		},
		{
			name: "cookies joined with semicolon",
			req:  newRequest("GET", "/", "Cookie: a=1", "Accept: x", "cookie: b=2; c=3"),
			want: map[string]string{"HTTP_COOKIE": "a=1; b=2; c=3"},
		},
		{
			name: "underscore headers dropped",
			req:  newRequest("GET", "/", "X-Forwarded-For: real", "X_Forwarded_For: spoof", "Weird_: x"),
			want: map[string]string{"HTTP_X_FORWARDED_FOR": "real", "HTTP_WEIRD_": "!"},
		},
		{
			name: "proxy dropped",
			req:  newRequest("GET", "/", "Proxy: http://evil:8080", "proxy: x", "Proxy-Authorization: Basic x"),
			want: map[string]string{"HTTP_PROXY": "!", "HTTP_PROXY_AUTHORIZATION": "Basic x"},
		},
		{
			name: "unknown names",
			req:  newRequest("GET", "/", "Host: h"),
			want: map[string]string{"HTTP_": "!", "HTTP": "!", "NOPE": "!", "": "!"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Acquire()
			defer Release(e)
			ci := tt.ci
			if ci == nil {
				ci = testConn
			}
			err := e.Fill(tt.req, ci, &Config{ScriptName: tt.script})
			if !errors.Is(err, tt.err) {
				t.Fatalf("Fill error = %v, want %v", err, tt.err)
			}
			// Fill must have copied everything: scribble over the request.
			scribble(tt.req)
			for name, want := range tt.want {
				got, ok := e.Get(name)
				if want == "!" {
					if ok {
						t.Errorf("%s = %q, want absent", name, got)
					}
					continue
				}
				if !ok || string(got) != want {
					t.Errorf("%s = %q (present %v), want %q", name, got, ok, want)
				}
			}
		})
	}
}

// scribble overwrites every byte the request points to, as the reuse of
// the network buffer would.
func scribble(r *httpparse.Request) {
	for _, b := range [][]byte{r.Method, r.Target, r.Path, r.Query, r.Proto, r.Host} {
		for i := range b {
			b[i] = '#'
		}
	}
	for _, h := range r.Headers {
		for i := range h.Name {
			h.Name[i] = '#'
		}
		for i := range h.Value {
			h.Value[i] = '#'
		}
	}
}

func TestFillBookkeeping(t *testing.T) {
	r := newRequest("HEAD", "/", "Host: h", "Expect: 100-continue")
	r.Expect100 = true
	r.KeepAlive = false
	r.ContentLength = 10
	e := Acquire()
	defer Release(e)
	if err := e.Fill(r, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !e.Head || !e.Expect100 || e.KeepAlive || e.Chunked || e.ProtoMinor != 1 || e.BodyLength != 10 {
		t.Errorf("bookkeeping = head %v expect %v keepalive %v chunked %v minor %d length %d",
			e.Head, e.Expect100, e.KeepAlive, e.Chunked, e.ProtoMinor, e.BodyLength)
	}

	e.Reset()
	r = newRequest("POST", "/")
	r.Chunked = true
	r.ContentLength = -1
	if err := e.Fill(r, nil, nil); err != nil {
		t.Fatal(err)
	}
	if e.Head || !e.Chunked || e.BodyLength != -1 || !e.KeepAlive {
		t.Errorf("chunked: head %v chunked %v length %d keepalive %v", e.Head, e.Chunked, e.BodyLength, e.KeepAlive)
	}
	if string(e.URLScheme) != "http" || string(e.ServerPort) != "80" {
		t.Errorf("nil ConnInfo: scheme %q port %q", e.URLScheme, e.ServerPort)
	}
}

func TestFillNilRequest(t *testing.T) {
	e := Acquire()
	defer Release(e)
	if err := e.Fill(nil, nil, nil); err != ErrNilRequest {
		t.Fatalf("err = %v", err)
	}
}

func TestHeadersOrderAndEach(t *testing.T) {
	r := newRequest("POST", "/p?x=1", "Host: h:1", "B: 1", "Content-Type: t", "A: 2", "b: 3", "Cookie: c=1", "Content-Length: 1")
	r.ContentLength = 1
	e := Acquire()
	defer Release(e)
	if err := e.Fill(r, testConn, nil); err != nil {
		t.Fatal(err)
	}
	var got []string
	e.Each(func(name, value []byte) {
		got = append(got, string(name)+"="+string(value))
	})
	want := []string{
		"REQUEST_METHOD=POST", "SCRIPT_NAME=", "PATH_INFO=/p", "QUERY_STRING=x=1",
		"CONTENT_TYPE=t", "CONTENT_LENGTH=1", "SERVER_NAME=h", "SERVER_PORT=1",
		"SERVER_PROTOCOL=HTTP/1.1", "REMOTE_ADDR=10.0.0.7", "REMOTE_PORT=53422",
		"HTTP_HOST=h:1", "HTTP_B=1, 3", "HTTP_A=2", "HTTP_COOKIE=c=1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Each:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSlicesCapped checks that an append to one variable cannot overwrite
// the next one in the arena.
func TestSlicesCapped(t *testing.T) {
	r := newRequest("GET", "/a?b", "Host: h", "X: 1", "Y: 2")
	e := Acquire()
	defer Release(e)
	if err := e.Fill(r, testConn, nil); err != nil {
		t.Fatal(err)
	}
	_ = append(e.Method, "XXXXXXXX"...)
	_ = append(e.PathInfo, "XXXXXXXX"...)
	_ = append(e.Headers[1].Value, "XXXXXXXX"...)
	_ = append(e.Headers[1].Name, "XXXXXXXX"...)
	if string(e.PathInfo) != "/a" || string(e.QueryString) != "b" || string(e.Headers[2].Name) != "HTTP_Y" || string(e.Headers[2].Value) != "2" {
		t.Errorf("neighbours overwritten: %q %q %q=%q", e.PathInfo, e.QueryString, e.Headers[2].Name, e.Headers[2].Value)
	}
}

// TestArenaGrowth fills a warm Environ with a request larger than its
// arena and checks that every slice holds its own bytes.
func TestArenaGrowth(t *testing.T) {
	e := Acquire()
	defer Release(e)
	if err := e.Fill(newRequest("GET", "/"), nil, nil); err != nil {
		t.Fatal(err)
	}
	e.Reset()
	long := strings.Repeat("v", 10000)
	var hs []string
	for i := 0; i < 100; i++ {
		hs = append(hs, "X-H"+strings.Repeat("h", i%7)+": "+long[:i*37])
	}
	r := newRequest("GET", "/"+long+"?"+long, hs...)
	if err := e.Fill(r, testConn, nil); err != nil {
		t.Fatal(err)
	}
	scribble(r)
	if string(e.PathInfo) != "/"+long || string(e.QueryString) != long {
		t.Fatal("path or query corrupted")
	}
	if len(e.Headers) != 7 {
		t.Fatalf("%d header vars, want 7", len(e.Headers))
	}
	for k, v := range e.Headers {
		var want []string
		for i := k; i < 100; i += 7 {
			want = append(want, long[:i*37])
		}
		if string(v.Value) != strings.Join(want, ", ") {
			t.Errorf("%s corrupted", v.Name)
		}
	}
}

func TestReleaseCapsRetention(t *testing.T) {
	e := new(Environ)
	big := strings.Repeat("x", MaxPooledArena+1)
	if err := e.Fill(newRequest("GET", "/"+big), nil, nil); err != nil {
		t.Fatal(err)
	}
	e.Body.SetBody([]byte(big))
	e.reset(MaxPooledArena, MaxPooledHeaders, MaxPooledBody)
	if e.arena != nil || e.Body.buf != nil {
		t.Errorf("kept arena %d, body %d bytes", cap(e.arena), cap(e.Body.buf))
	}
	if e.Method != nil || e.PathInfo != nil || len(e.Headers) != 0 || e.BodyLength != -1 {
		t.Error("not reset")
	}
}

// A released Environ keeps no streamed body's buffer: it goes to ringPool,
// so that pooled Environs do not each pin one; a small buffered body's
// buffer stays with its Environ, and Reset keeps either.
func TestReleaseDropsStreamBuffer(t *testing.T) {
	e := new(Environ)
	e.Body.Stream(DefaultStreamBuffer, nil)
	e.Body.Feed([]byte("abc"))
	e.Body.Finish(nil)
	e.Reset()
	if cap(e.Body.buf) < DefaultStreamBuffer {
		t.Fatalf("Reset dropped the stream buffer (cap %d)", cap(e.Body.buf))
	}
	e.Body.Stream(DefaultStreamBuffer, nil)
	e.reset(MaxPooledArena, MaxPooledHeaders, MaxPooledBody)
	if e.Body.buf != nil || e.Body.ring != nil {
		t.Fatalf("released Environ kept a stream buffer of %d bytes", cap(e.Body.buf))
	}

	e.Body.SetBody([]byte("small body"))
	e.reset(MaxPooledArena, MaxPooledHeaders, MaxPooledBody)
	if cap(e.Body.buf) == 0 {
		t.Error("released Environ dropped a small buffered body's buffer")
	}

	// The next streamed body runs on a buffer of the capacity it asks for,
	// from the pool or new.
	e.Body.Stream(1000, nil)
	if len(e.Body.buf) != 1000 {
		t.Errorf("stream buffer of %d bytes, want 1000", len(e.Body.buf))
	}
}

// Streaming a body and releasing its Environ, over and over, reuses the
// pooled buffer and its holder: nothing is allocated once warm.
func TestStreamReleaseZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	e := new(Environ)
	run := func() {
		e.Body.Stream(DefaultStreamBuffer, nil)
		e.reset(MaxPooledArena, MaxPooledHeaders, MaxPooledBody)
	}
	run()
	if n := testing.AllocsPerRun(1000, run); n != 0 {
		t.Fatalf("Stream+release: %v allocs, want 0", n)
	}
}

func TestSplitHostPort(t *testing.T) {
	tests := []struct{ in, name, port string }{
		{"example.com", "example.com", ""},
		{"example.com:80", "example.com", "80"},
		{"[::1]:8080", "::1", "8080"},
		{"[::1]", "::1", ""},
		{"[::1", "[::1", ""},
		{"::1", "::1", ""},
		{"[::1]x", "::1", ""},
		{":80", "", "80"},
	}
	for _, tt := range tests {
		name, port := splitHostPort([]byte(tt.in))
		if string(name) != tt.name || string(port) != tt.port {
			t.Errorf("splitHostPort(%q) = %q, %q; want %q, %q", tt.in, name, port, tt.name, tt.port)
		}
	}
}

func TestFillZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	r := newRequest("POST", "/app/api/v1/items%2F42?page=2&sort=asc",
		"Host: example.com:8080",
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64)",
		"Accept: text/html", "Accept: application/json",
		"Accept-Encoding: gzip, br",
		"Cookie: session=abc", "Cookie: theme=dark",
		"Content-Type: application/json",
		"Content-Length: 17",
		"X_Spoof: 1", "Proxy: x",
	)
	r.ContentLength = 17
	cfg := &Config{ScriptName: "/app"}
	body := []byte(`{"name":"gwsgi"}` + "\n")
	buf := make([]byte, 8)
	run := func() {
		e := Acquire()
		if err := e.Fill(r, testConn, cfg); err != nil {
			t.Fatal(err)
		}
		e.Body.SetBody(body)
		for {
			if _, err := e.Body.Read(buf); err != nil {
				break
			}
		}
		if v, ok := e.Get("HTTP_COOKIE"); !ok || string(v) != "session=abc; theme=dark" {
			t.Fatalf("HTTP_COOKIE = %q", v)
		}
		Release(e)
	}
	run()
	if n := testing.AllocsPerRun(1000, run); n != 0 {
		t.Fatalf("Acquire+Fill+SetBody+Read+Release: %v allocs, want 0", n)
	}
}

func TestGetEachZeroAllocs(t *testing.T) {
	r := newRequest("GET", "/", "Host: h", "User-Agent: x", "X-A: 1")
	e := new(Environ)
	if err := e.Fill(r, testConn, nil); err != nil {
		t.Fatal(err)
	}
	total := 0
	fn := func(name, value []byte) { total += len(name) + len(value) }
	n := testing.AllocsPerRun(1000, func() {
		if _, ok := e.Get("HTTP_X_A"); !ok {
			t.Fatal("HTTP_X_A missing")
		}
		if _, ok := e.Get("SERVER_PORT"); !ok {
			t.Fatal("SERVER_PORT missing")
		}
		e.Each(fn)
	})
	if n != 0 {
		t.Fatalf("Get+Each: %v allocs, want 0", n)
	}
}

// TestManyHeaders covers the grouping of fields past the joined bitmap.
func TestManyHeaders(t *testing.T) {
	var hs []string
	for i := 0; i < 300; i++ {
		hs = append(hs, fmt.Sprintf("X-%d: %d", i%3, i))
	}
	e := Acquire()
	defer Release(e)
	if err := e.Fill(newRequest("GET", "/", hs...), nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(e.Headers) != 3 {
		t.Fatalf("%d vars, want 3", len(e.Headers))
	}
	for k, v := range e.Headers {
		var want []string
		for i := k; i < 300; i += 3 {
			want = append(want, strconv.Itoa(i))
		}
		if string(v.Name) != fmt.Sprintf("HTTP_X_%d", k) || string(v.Value) != strings.Join(want, ", ") {
			t.Errorf("%s = %.40q...", v.Name, v.Value)
		}
	}
}
