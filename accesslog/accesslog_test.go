package accesslog

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/httpparse"
)

// fill parses a raw request head into a pooled Environ.
func fill(t testing.TB, raw string) *environ.Environ {
	t.Helper()
	var p httpparse.Parser
	var req httpparse.Request
	if _, err := p.Parse([]byte(raw), &req); err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	e := environ.Acquire()
	ci := &environ.ConnInfo{RemoteAddr: "10.1.2.3", RemotePort: "5555", LocalAddr: "127.0.0.1", LocalPort: "8000"}
	if err := e.Fill(&req, ci, &environ.Config{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { environ.Release(e) })
	return e
}

func line(t *testing.T, format string, r *Record) string {
	t.Helper()
	f, err := Compile(format)
	if err != nil {
		t.Fatal(err)
	}
	return string(f.Append(nil, r, NewClock()))
}

const head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Multi: one\r\nx-multi: two\r\n"

func TestAtoms(t *testing.T) {
	e := fill(t, "GET /caf%C3%A9/x?a=1&b=%22 HTTP/1.1\r\nHost: h\r\nUser-Agent: curl \"quoted\"\r\n"+
		"Referer: http://r/\r\nAuthorization: Basic dXNlcjpwYXNz\r\nX-Test: t1\r\nContent-Type: text/x\r\n\r\n")
	r := &Record{Env: e, Status: 404, Sent: 1234, Head: []byte(head), Duration: 2*time.Second + 3456789*time.Nanosecond}
	cases := []struct{ format, want string }{
		{DefaultFormat, `10.1.2.3 - user [` + "*" + `] "GET /caf%C3%A9/x?a=1&b=%22 HTTP/1.1" 404 1234 "http://r/" "curl \"quoted\""`},
		{"%(m)s|%(U)s|%(q)s|%(H)s", "GET|/cafÃ©/x|a=1&b=%22|HTTP/1.1"} /* PATH_INFO is latin-1 */, {"%(U)s", "/cafÃ©/x"},
		{"%(T)s %(D)s %(M)s %(L)s", "2 2003456 2003 2.003456"},
		{"%(B)s %(b)s %(s)s %(l)s", "1234 1234 404 -"},
		{"%({x-test}i)s %({X-TEST}i)s %({content-type}i)s %({nope}i)s", "t1 t1 text/x -"},
		{"%({content-type}o)s %({x-multi}o)s %({server}o)s", "text/plain two -"},
		{"%({remote_addr}e)s %({HTTP_HOST}e)s %({wsgi.url_scheme}e)s %({raw_uri}e)s %({nope}e)s", "10.1.2.3 h http /caf%C3%A9/x?a=1&b=%22 -"},
		{"%(zz)s 100%% %(x)s", "- 100% -"},
	}
	for _, c := range cases {
		got := line(t, c.format, r)
		if strings.Contains(c.want, "[*]") {
			re := regexp.MustCompile(`\[\d\d/[A-Z][a-z][a-z]/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]`)
			got = re.ReplaceAllString(got, "[*]")
		}
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.format, got, c.want)
		}
	}
	if got := line(t, "%(p)s", r); got != "<"+strconv.Itoa(os.Getpid())+">" {
		t.Errorf("pid: %s", got)
	}
}

func TestLatin1AndUsers(t *testing.T) {
	e := fill(t, "GET /%E9 HTTP/1.1\r\nHost: h\r\nX-L: \xff\r\nAuthorization: basic  bm86Y29sb24= \r\n\r\n")
	r := &Record{Env: e, Status: 200}
	if got, want := line(t, "%(r)s %(U)s %({x-l}i)s %(u)s", r), "GET /%E9 HTTP/1.1 /é ÿ no"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, auth := range []string{"Bearer x", "Basic", "Basic !!!", "Basic bm9jb2xvbg=="} {
		e := fill(t, "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: "+auth+"\r\n\r\n")
		if got := line(t, "%(u)s", &Record{Env: e}); got != "-" {
			t.Errorf("%q: user %q, want -", auth, got)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, f := range []string{"%s", "%(h)d", "%(h", "100%", "%(h)"} {
		if _, err := Compile(f); !errors.Is(err, ErrFormat) {
			t.Errorf("Compile(%q): %v", f, err)
		}
	}
}

func TestLoggerWritesReopensCloses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	f, _ := Compile("%(m)s %(U)s")
	var problems []string
	l, err := Open(path, f, func(format string, args ...any) { problems = append(problems, format) })
	if err != nil {
		t.Fatal(err)
	}
	e := fill(t, "GET /one HTTP/1.1\r\nHost: h\r\n\r\n")
	l.Log(&Record{Env: e})
	waitFor(t, path, "GET /one\n")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	l.Log(&Record{Env: e})
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	e2 := fill(t, "POST /two HTTP/1.1\r\nHost: h\r\n\r\n")
	l.Log(&Record{Env: e2})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l.Log(&Record{Env: e2}) // after Close: dropped, no panic
	waitFor(t, path+".1", "GET /one\nGET /one\n")
	waitFor(t, path, "POST /two\n")
	if len(problems) != 0 {
		t.Errorf("problems: %q", problems)
	}
}

func waitFor(t *testing.T, path, want string) {
	t.Helper()
	var got []byte
	for i := 0; i < 200; i++ {
		got, _ = os.ReadFile(path)
		if string(got) == want {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s: %q, want %q", path, got, want)
}

func TestPipeWritesKeepLines(t *testing.T) {
	b := []byte(strings.Repeat("0123456789\n", 1000))
	for n := 0; n < len(b); {
		m := len(b) - n
		if m > pipeAtomic {
			m = lastLineEnd(b[n : n+pipeAtomic])
		}
		if m > pipeAtomic || b[n+m-1] != '\n' {
			t.Fatalf("piece of %d at %d", m, n)
		}
		n += m
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	e := fill(t, "GET /x?y=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: ua\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\n")
	f, _ := Compile(DefaultFormat + ` %({x-test}i)s %({content-type}o)s %(L)s %(p)s`)
	r := &Record{Env: e, Status: 200, Sent: 5, Head: []byte(head), Duration: time.Millisecond}
	c := NewClock()
	buf := make([]byte, 0, 4096)
	c.Now()
	if n := testing.AllocsPerRun(100, func() { buf = f.Append(buf[:0], r, c) }); n != 0 {
		t.Errorf("Append allocates %v times", n)
	}
}

func BenchmarkAppendDefault(b *testing.B) {
	e := fill(b, "GET /x?y=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: wrk\r\nReferer: http://r/\r\n\r\n")
	f, _ := Compile(DefaultFormat)
	r := &Record{Env: e, Status: 200, Sent: 5, Head: []byte(head)}
	c := NewClock()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], r, c)
	}
}
