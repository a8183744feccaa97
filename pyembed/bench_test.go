package pyembed

import (
	"testing"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/httpparse"
	"github.com/gwsgi/gwsgi/wsgi"
)

// nullSink discards the response.
type nullSink struct{ n int }

func (s *nullSink) Flush(vec [][]byte) error {
	for _, b := range vec {
		s.n += len(b)
	}
	return nil
}
func (s *nullSink) Finish(vec [][]byte, _ bool) { _ = s.Flush(vec) }
func (s *nullSink) Abort()                      {}

// server is one request's worth of server state, reused.
type server struct {
	hreq httpparse.Request
	ci   environ.ConnInfo
	env  *environ.Environ
	sink nullSink
	resp wsgi.Response
}

func newServer(path string) *server {
	s := &server{ci: environ.ConnInfo{RemoteAddr: "127.0.0.1", RemotePort: "40000"}, env: environ.Acquire()}
	var p httpparse.Parser
	buf := []byte("GET " + path + " HTTP/1.1\r\nHost: localhost:8000\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	if _, err := p.Parse(buf, &s.hreq); err != nil {
		panic(err)
	}
	return s
}

// serve serves the request n times with the raw app on the calling thread.
func (s *server) serve(n int) {
	for i := 0; i < n; i++ {
		if err := s.env.Fill(&s.hreq, &s.ci, nil); err != nil {
			panic(err)
		}
		s.resp.Reset(&s.sink, s.env, nil)
		wsgi.Serve(raw, s.env, &s.resp)
	}
}

// The Go side of a request allocates nothing once warm.
func TestCallDoesNotAllocate(t *testing.T) {
	for _, path := range []string{"/", "/gen"} {
		var allocs float64
		s := newServer(path)
		main0.do(func() {
			s.serve(10)
			allocs = testing.AllocsPerRun(200, func() { s.serve(1) })
		})
		if allocs > 0 {
			t.Errorf("%s: %v Go allocations per request", path, allocs)
		}
	}
	noProblems(t)
}

func BenchmarkHello(b *testing.B) {
	b.ReportAllocs()
	s := newServer("/")
	main0.do(func() {
		s.serve(10)
		b.ResetTimer()
		s.serve(b.N)
	})
}

func BenchmarkGenerator(b *testing.B) {
	b.ReportAllocs()
	s := newServer("/gen")
	main0.do(func() {
		s.serve(10)
		b.ResetTimer()
		s.serve(b.N)
	})
}
