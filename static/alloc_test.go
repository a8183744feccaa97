package static

import (
	"testing"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/examples/hello"
	"github.com/gwsgi/gwsgi/wsgi"
)

// serveAllocs counts allocations per request of a full answer through
// the gateway into a recording sink (sendfile), the pools warm.
func serveAllocs(t *testing.T, h *Handler, env *environ.Environ) float64 {
	app := h.Middleware(hello.App{})
	sink := &recSink{}
	var resp wsgi.Response
	run := func() {
		sink.reset()
		resp.Reset(sink, env, nil)
		wsgi.Serve(app, env, &resp)
		if !sink.finished {
			t.Fatal("not finished")
		}
	}
	for range 100 {
		run()
	}
	return testing.AllocsPerRun(1000, run)
}

func TestServeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	tr := makeTree(t)
	h := newHandler(t, tr, 3600)
	for _, tc := range []struct {
		name string
		env  *environ.Environ
	}{
		{"200", request(t, "GET", "/static/small.bin")},
		{"200 with siblings", request(t, "GET", "/static/app.js", "Accept-Encoding: gzip, deflate, br, zstd")},
		{"206", request(t, "GET", "/static/small.bin", "Range: bytes=10-99", "If-Range: Tue, 05 Mar 2024 06:07:08 GMT")},
		{"304", request(t, "GET", "/static/small.bin", "If-Modified-Since: Tue, 05 Mar 2024 06:07:08 GMT")},
		{"HEAD", request(t, "HEAD", "/static/small.bin")},
		{"refused", request(t, "GET", "/static/%2e%2e/x")},
	} {
		allocs := serveAllocs(t, h, tc.env)
		t.Logf("%s: %v allocations per request", tc.name, allocs)
		if allocs != 0 {
			t.Errorf("%s: %v allocations per request, want 0", tc.name, allocs)
		}
	}
	// A missing file, handed back for the app.
	missing := request(t, "GET", "/static/sub/missing.css")
	st := &noStart{}
	if allocs := testing.AllocsPerRun(1000, func() {
		if _, handled, _ := h.Serve(missing, st); handled {
			t.Fatal("handled")
		}
	}); allocs != 0 {
		t.Errorf("missing file: %v allocations, want 0", allocs)
	}
}

// BenchmarkServeSmallFile serves a 10 KiB file through the gateway into
// a sink whose sendfile reads the bytes with pread.
func BenchmarkServeSmallFile(b *testing.B) {
	tr := makeTree(b)
	h := newHandler(b, tr, 3600)
	env := request(b, "GET", "/static/small.bin", "Accept-Encoding: gzip, br")
	app := h.Middleware(hello.App{})
	sink := &recSink{}
	var resp wsgi.Response
	b.ReportAllocs()
	b.SetBytes(10 << 10)
	for b.Loop() {
		sink.reset()
		resp.Reset(sink, env, nil)
		wsgi.Serve(app, env, &resp)
	}
	if sink.out.Len() < 10<<10 {
		b.Fatalf("%d bytes sent", sink.out.Len())
	}
}

func BenchmarkMatch(b *testing.B) {
	tr := makeTree(b)
	h := newHandler(b, tr, 0)
	env := request(b, "GET", "/static/css/site.css?v=3")
	b.ReportAllocs()
	for b.Loop() {
		if !h.Match(env) {
			b.Fatal("no match")
		}
	}
}
