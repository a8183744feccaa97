package static

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRequestPath(t *testing.T) {
	tests := []struct {
		target, want string
		ok           bool
	}{
		{"/static/a.css", "/static/a.css", true},
		{"/static/a.css?v=1", "/static/a.css", true},
		{"/?x", "/", true},
		{"http://example.com/static/a.css?x", "/static/a.css", true},
		{"HTTPS://example.com:8443/static/a.css", "/static/a.css", true},
		{"http://example.com", "/", true},
		{"http://example.com?x=/static/a", "/", true},
		{"*", "", false},
		{"example.com:443", "", false},
		{"ftp://example.com/static/a", "", false},
		{"http:/static", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := requestPath([]byte(tt.target))
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("requestPath(%q) = %q, %v; want %q, %v", tt.target, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUnderPrefix(t *testing.T) {
	tests := []struct {
		path, prefix, rest string
		ok                 bool
	}{
		{"/static", "/static", "", true},
		{"/static/", "/static", "/", true},
		{"/static/a/b", "/static", "/a/b", true},
		{"/staticx", "/static", "", false},
		{"/stati", "/static", "", false},
		{"/Static/a", "/static", "", false},
		{"/st%61tic/a", "/static", "", false}, // prefixes compare with the raw path
		{"/anything", "/", "/anything", true},
		{"/", "/", "/", true},
	}
	for _, tt := range tests {
		rest, ok := underPrefix([]byte(tt.path), tt.prefix)
		if ok != tt.ok || (ok && string(rest) != tt.rest) {
			t.Errorf("underPrefix(%q, %q) = %q, %v; want %q, %v", tt.path, tt.prefix, rest, ok, tt.rest, tt.ok)
		}
	}
}

func TestDecodeRel(t *testing.T) {
	long := make([]byte, maxRel+1)
	for i := range long {
		long[i] = 'a'
	}
	tests := []struct {
		rest string
		v    verdict
		want string
	}{
		{"", relDir, ""},
		{"/", relDir, ""},
		{"/a.css", relFile, "a.css"},
		{"/sub/inner.txt", relFile, "sub/inner.txt"},
		{"/caf%C3%A9.txt", relFile, "caf\xc3\xa9.txt"},
		{"/a%20b.txt", relFile, "a b.txt"},
		{"/a+b", relFile, "a+b"},
		{"/...", relFile, "..."},
		{"/.hidden", relFile, ".hidden"},
		{"/a..b", relFile, "a..b"},
		{"/%2e%2e%2e", relFile, "..."},
		{"/sub/", relDir, ""},
		{"/sub/deeper/", relDir, ""},
		{"/" + string(long), relLong, ""},

		{"/..%2fsecret", relRefused, ""},
		{"/..%2Fsecret", relRefused, ""},
		{"/a%2fb", relRefused, ""},
		{"/a%5cb", relRefused, ""},
		{"/a%5Cb", relRefused, ""},
		{"/a\\b", relRefused, ""},
		{"/..\\secret", relRefused, ""},
		{"/%2e%2e/secret", relRefused, ""},
		{"/%2E%2E/secret", relRefused, ""},
		{"/.%2e/secret", relRefused, ""},
		{"/%2e/a", relRefused, ""},
		{"/../secret", relRefused, ""},
		{"/./a", relRefused, ""},
		{"/a/.", relRefused, ""},
		{"/a/..", relRefused, ""},
		{"/a/../", relRefused, ""},
		{"/a/./", relRefused, ""},
		{"/a%00b", relRefused, ""},
		{"/a\x00b", relRefused, ""},
		{"/a%", relRefused, ""},
		{"/a%4", relRefused, ""},
		{"/a%zz", relRefused, ""},
		{"/a%4g", relRefused, ""},
		{"//a", relRefused, ""},
		{"/a//b", relRefused, ""},
		{"/a//", relRefused, ""},
		{"//", relRefused, ""},
	}
	var buf relBuf
	for _, tt := range tests {
		rel, v, why := decodeRel(&buf, []byte(tt.rest))
		if v != tt.v || string(rel) != tt.want {
			t.Errorf("decodeRel(%q) = %q, %d (%s); want %q, %d", tt.rest, rel, v, why, tt.want, tt.v)
			continue
		}
		if v == relRefused && why == "" {
			t.Errorf("decodeRel(%q): refused without a reason", tt.rest)
		}
		if v == relFile && buf[len(rel)] != 0 {
			t.Errorf("decodeRel(%q): no NUL after the path", tt.rest)
		}
	}
}

// Traversal attempts and malformed paths through Serve: each is answered
// with the handler's own 404, never the app's and never a file.
func TestServeRefusesPaths(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	targets := []string{
		"/static/..%2fsecret",
		"/static/..%2f..%2foutside%2fs.txt",
		"/static/%2e%2e/outside/s.txt",
		"/static/%2E%2E/outside/s.txt",
		"/static/../outside/s.txt",
		"/static/sub/../hello.txt",
		"/static/./hello.txt",
		"/static/sub/%2e/inner.txt",
		"/static/a%00b",
		"/static/hello.txt%00.png",
		"/static/sub%5cinner.txt",
		"/static/sub%2finner.txt",
		"/static/bad%zzescape",
		"/static//hello.txt",
		"/static/sub//inner.txt",
		"http://example.com/static/../outside/s.txt",
		"http://example.com/static/%2e%2e/outside/s.txt",
		"/other/../hello.txt",
	}
	bothModes(t, func(t *testing.T) {
		for _, target := range targets {
			r := get(t, h, "GET", target)
			if r.StatusCode != 404 || r.body != ownNotFound {
				t.Errorf("GET %s: %d %q, want the handler's 404", target, r.StatusCode, r.body)
			}
		}
		// The parser turns raw NULs and backslashes away, so set the
		// target by hand for those.
		for _, raw := range []string{"/static/a\\b", "/static/..\\outside\\s.txt", "/static/a\x00b"} {
			env := request(t, "GET", "/static/x")
			env.RawURI = []byte(raw)
			r := serve(t, h.Middleware(nil), env, true)
			if r.StatusCode != 404 || r.body != ownNotFound {
				t.Errorf("GET %q: %d %q, want the handler's 404", raw, r.StatusCode, r.body)
			}
		}
	})
}

func TestParseMount(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	must(t, os.WriteFile(file, nil, 0o644))
	t.Chdir(dir)
	tests := []struct {
		in         string
		prefix, to string
		err        error
	}{
		{"/static=" + dir, "/static", dir, nil},
		{"/static/=" + dir, "/static", dir, nil},
		{"/static//=" + dir, "/static", dir, nil},
		{"/=" + dir, "/", dir, nil},
		{"//=" + dir, "/", dir, nil},
		{"/a/b-c_d.e~f@g:h=" + dir, "/a/b-c_d.e~f@g:h", dir, nil},
		{"/rel=.", "/rel", dir, nil},
		{"/x=" + dir + "/", "/x", dir, nil},
		{"/x=a=b", "", "", ErrNotDir}, // the directory "a=b" does not exist
		{"static=" + dir, "", "", ErrPrefix},
		{"/a/../b=" + dir, "", "", ErrPrefix},
		{"/a/./b=" + dir, "", "", ErrPrefix},
		{"/a//b=" + dir, "", "", ErrPrefix},
		{"/a b=" + dir, "", "", ErrPrefix},
		{"/a%20b=" + dir, "", "", ErrPrefix},
		{"/a?b=" + dir, "", "", ErrPrefix},
		{"/caf\xc3\xa9=" + dir, "", "", ErrPrefix},
		{"/x=", "", "", ErrMountSyntax},
		{"=" + dir, "", "", ErrMountSyntax},
		{"/x", "", "", ErrMountSyntax},
		{"/x=" + dir + "/nope", "", "", ErrNotDir},
		{"/x=" + file, "", "", ErrNotDir},
	}
	for _, tt := range tests {
		m, err := ParseMount(tt.in)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("ParseMount(%q) = %+v, %v; want %v", tt.in, m, err, tt.err)
			}
			continue
		}
		if err != nil || m.Prefix != tt.prefix || m.Dir != tt.to {
			t.Errorf("ParseMount(%q) = %+v, %v; want {%s %s}", tt.in, m, err, tt.prefix, tt.to)
		}
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Options{}); !errors.Is(err, ErrNoMounts) {
		t.Errorf("New without mounts: %v", err)
	}
	if _, err := New(Options{Mounts: []Mount{{Prefix: "static", Dir: t.TempDir()}}}); !errors.Is(err, ErrPrefix) {
		t.Errorf("New with a bad prefix: %v", err)
	}
	if _, err := New(Options{Mounts: []Mount{{Prefix: "/s", Dir: t.TempDir()}, {Prefix: "/t", Dir: "/nonexistent/dir"}}}); !errors.Is(err, ErrNotDir) {
		t.Errorf("New with a missing dir: %v", err)
	}
}

func TestMatch(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	tests := []struct {
		method, target string
		want           bool
	}{
		{"GET", "/static", true},
		{"GET", "/static/", true},
		{"GET", "/static/hello.txt", true},
		{"GET", "/static/hello.txt?v=3", true},
		{"GET", "/static?x", true},
		{"HEAD", "/static/hello.txt", true},
		{"GET", "/other", true},
		{"GET", "/other/inner.txt", true},
		{"GET", "/static/../etc/passwd", true}, // refused by Serve
		{"GET", "http://example.com/static/hello.txt", true},
		{"GET", "https://example.com/static", true},
		{"POST", "/static/hello.txt", false},
		{"PUT", "/static/hello.txt", false},
		{"OPTIONS", "*", false},
		{"GET", "/staticx", false},
		{"GET", "/stat", false},
		{"GET", "/", false},
		{"GET", "/hello.txt", false},
		{"GET", "/otherwise", false},
		{"GET", "http://example.com", false},
		{"GET", "http://example.com/elsewhere/static", false},
	}
	for _, tt := range tests {
		env := request(t, tt.method, tt.target)
		if got := h.Match(env); got != tt.want {
			t.Errorf("Match(%s %s) = %v, want %v", tt.method, tt.target, got, tt.want)
		}
	}
	root, err := New(Options{Mounts: []Mount{{Prefix: "/", Dir: tr.root}}})
	must(t, err)
	defer root.Close()
	for _, target := range []string{"/", "/x", "http://h", "http://h/a?b"} {
		if !root.Match(request(t, "GET", target)) {
			t.Errorf("prefix / does not match %s", target)
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	hit := request(t, "GET", "http://example.com/other/inner.txt?q=1")
	miss := request(t, "HEAD", "/nowhere/at/all")
	if allocs := testing.AllocsPerRun(1000, func() {
		if !h.Match(hit) || h.Match(miss) {
			t.Fatal("wrong match")
		}
	}); allocs != 0 {
		t.Fatalf("Match: %v allocations, want 0", allocs)
	}
}
