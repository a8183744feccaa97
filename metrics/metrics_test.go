package metrics

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/sys/unix"
)

// newTestRegion returns a fresh region closed at the end of the test.
func newTestRegion(t testing.TB) *Region {
	t.Helper()
	r, _, err := NewRegion()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// loaded returns r's statistics as they are now.
func loaded(r *Region) *snapshot {
	var s snapshot
	r.load(&s)
	return &s
}

// fdOpen reports whether fd is an open descriptor.
func fdOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

func TestRegionSharedBetweenMappings(t *testing.T) {
	a, f, err := NewRegion()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	dup, err := unix.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenRegion(uintptr(dup))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if fdOpen(dup) {
		t.Errorf("OpenRegion left descriptor %d open", dup)
	}

	a.Request(200, time.Millisecond)
	a.AddInflight(3)
	b.Request(404, 2*time.Second)
	b.AddConns(5)
	b.AddQueued(-2)
	b.GILWait(time.Microsecond)

	for name, r := range map[string]*Region{"creator": a, "opener": b} {
		s := loaded(r)
		if s.codes[codeSlot(200)] != 1 || s.codes[codeSlot(404)] != 1 {
			t.Errorf("%s: codes 200=%d 404=%d, want 1 and 1", name,
				s.codes[codeSlot(200)], s.codes[codeSlot(404)])
		}
		if s.inflight != 3 || s.conns != 5 || s.queued != -2 {
			t.Errorf("%s: gauges inflight=%d conns=%d queued=%d, want 3 5 -2",
				name, s.inflight, s.conns, s.queued)
		}
		if s.duration.sumNs != uint64(time.Millisecond+2*time.Second) {
			t.Errorf("%s: duration sum %dns", name, s.duration.sumNs)
		}
		if s.gilWait.counts[0] != 1 {
			t.Errorf("%s: GIL wait first bucket %d, want 1", name, s.gilWait.counts[0])
		}
	}
}

// childEnv makes the test binary act as a worker writing to descriptor 3.
const childEnv = "GWSGI_METRICS_TEST_CHILD"

// childRequests is how many requests the child process records.
const childRequests = 1000

// TestChildProcess is the worker side of TestRegionAcrossProcesses; it does
// nothing in a normal run.
func TestChildProcess(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("worker side of TestRegionAcrossProcesses")
	}
	r, err := OpenRegion(3)
	if err != nil {
		t.Fatal(err)
	}
	for range childRequests {
		r.Request(201, time.Millisecond)
	}
	r.AddConns(7)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRegionAcrossProcesses(t *testing.T) {
	r, f, err := NewRegion()
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector()
	c.Add(0, r)
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.ExtraFiles = []*os.File{f}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("worker: %v\n%s", err, out)
	}
	if got := loaded(r).codes[codeSlot(201)]; got != childRequests {
		t.Fatalf("master sees %d requests, want %d", got, childRequests)
	}
	c.Retire(r)
	want := fmt.Sprintf(`
# HELP gwsgi_http_requests_total HTTP requests served, by status code.
# TYPE gwsgi_http_requests_total counter
gwsgi_http_requests_total{code="201"} %d
# HELP gwsgi_connections Open client connections.
# TYPE gwsgi_connections gauge
gwsgi_connections 0
`, childRequests)
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"gwsgi_http_requests_total", "gwsgi_connections"); err != nil {
		t.Error(err)
	}
}

func TestOpenRegionRejects(t *testing.T) {
	memfd := func(size int64) int {
		fd, err := unix.MemfdCreate("test", unix.MFD_CLOEXEC)
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.Ftruncate(fd, size); err != nil {
			t.Fatal(err)
		}
		return fd
	}
	t.Run("too small", func(t *testing.T) {
		fd := memfd(8)
		if _, err := OpenRegion(uintptr(fd)); err == nil {
			t.Error("OpenRegion accepted an 8-byte file")
		}
		if fdOpen(fd) {
			t.Error("descriptor left open")
		}
	})
	t.Run("no magic", func(t *testing.T) {
		fd := memfd(int64(regionBytes()))
		if _, err := OpenRegion(uintptr(fd)); err == nil || !strings.Contains(err.Error(), "magic") {
			t.Errorf("err = %v, want a magic mismatch", err)
		}
	})
	t.Run("other version", func(t *testing.T) {
		r, f, err := NewRegion()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		r.l.version.Store(regionVersion + 1)
		dup, _ := unix.Dup(int(f.Fd()))
		if _, err := OpenRegion(uintptr(dup)); err == nil || !strings.Contains(err.Error(), "version") {
			t.Errorf("err = %v, want a version mismatch", err)
		}
	})
	t.Run("bad descriptor", func(t *testing.T) {
		if _, err := OpenRegion(1 << 20); err == nil {
			t.Error("OpenRegion accepted a closed descriptor")
		}
	})
}

func TestRegionSealed(t *testing.T) {
	r, f, err := NewRegion()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := unix.Ftruncate(int(f.Fd()), 0); err == nil {
		t.Error("a region could be shrunk")
	}
	fl, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0)
	if err != nil || fl&unix.FD_CLOEXEC == 0 {
		t.Errorf("region descriptor is not close-on-exec (flags %#x, %v)", fl, err)
	}
}

func TestCloseClosesFile(t *testing.T) {
	r, f, err := NewRegion()
	if err != nil {
		t.Fatal(err)
	}
	fd := int(f.Fd())
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if fdOpen(fd) {
		t.Error("Close left the memfd open")
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	// The caller may close the file first, once the worker has it.
	r, f, err = NewRegion()
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	r.Request(200, 0)
	if err := r.Close(); err != nil {
		t.Errorf("Close after the file was closed: %v", err)
	}
}

func TestCollectorOutput(t *testing.T) {
	c := NewCollector()
	a, b := newTestRegion(t), newTestRegion(t)
	c.Add(0, a)
	c.Add(1, b)
	a.Request(200, time.Millisecond)
	a.Request(200, time.Millisecond)
	b.Request(200, time.Millisecond)
	b.Request(503, time.Millisecond)
	b.Request(99, time.Millisecond)
	b.Request(1000, time.Millisecond)
	a.AddInflight(2)
	b.AddInflight(1)
	a.AddQueued(4)
	b.AddConns(10)
	a.AddConns(-1)
	c.Restarted()
	c.Restarted()

	want := `
# HELP gwsgi_http_requests_total HTTP requests served, by status code.
# TYPE gwsgi_http_requests_total counter
gwsgi_http_requests_total{code="200"} 3
gwsgi_http_requests_total{code="503"} 1
gwsgi_http_requests_total{code="other"} 2
# HELP gwsgi_inflight_requests Requests being served.
# TYPE gwsgi_inflight_requests gauge
gwsgi_inflight_requests 3
# HELP gwsgi_queue_depth Requests waiting for a thread.
# TYPE gwsgi_queue_depth gauge
gwsgi_queue_depth 4
# HELP gwsgi_connections Open client connections.
# TYPE gwsgi_connections gauge
gwsgi_connections 9
# HELP gwsgi_worker_restarts_total Worker processes replaced after boot, for any reason.
# TYPE gwsgi_worker_restarts_total counter
gwsgi_worker_restarts_total 2
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"gwsgi_http_requests_total", "gwsgi_inflight_requests", "gwsgi_queue_depth",
		"gwsgi_connections", "gwsgi_worker_restarts_total"); err != nil {
		t.Error(err)
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err == nil {
		t.Error("the histograms are missing from the output")
	}
	if n := testutil.CollectAndCount(c); n != 3+2+3+1 {
		t.Errorf("%d series, want 9", n)
	}
}

func TestEmptyCollector(t *testing.T) {
	c := NewCollector()
	// No request yet: no requests_total series, everything else at zero.
	if n := testutil.CollectAndCount(c, "gwsgi_http_requests_total"); n != 0 {
		t.Errorf("%d request series before any request", n)
	}
	if n := testutil.CollectAndCount(c); n != 6 {
		t.Errorf("%d series, want 6", n)
	}
}

func TestDurationHistogram(t *testing.T) {
	c := NewCollector()
	r := newTestRegion(t)
	c.Add(0, r)
	for _, d := range []time.Duration{
		-time.Second,           // counts as 0: first bucket
		0,                      // first bucket
		5 * time.Millisecond,   // exactly on le=0.005
		5*time.Millisecond + 1, // just above: le=0.01
		30 * time.Millisecond,  // le=0.05
		time.Second,            // le=1
		10 * time.Second,       // le=10
		time.Minute,            // +Inf
	} {
		r.Request(200, d)
	}
	want := `
# HELP gwsgi_http_request_duration_seconds Time from a request's arrival to the end of its response.
# TYPE gwsgi_http_request_duration_seconds histogram
gwsgi_http_request_duration_seconds_bucket{le="0.005"} 3
gwsgi_http_request_duration_seconds_bucket{le="0.01"} 4
gwsgi_http_request_duration_seconds_bucket{le="0.025"} 4
gwsgi_http_request_duration_seconds_bucket{le="0.05"} 5
gwsgi_http_request_duration_seconds_bucket{le="0.1"} 5
gwsgi_http_request_duration_seconds_bucket{le="0.25"} 5
gwsgi_http_request_duration_seconds_bucket{le="0.5"} 5
gwsgi_http_request_duration_seconds_bucket{le="1"} 6
gwsgi_http_request_duration_seconds_bucket{le="2.5"} 6
gwsgi_http_request_duration_seconds_bucket{le="5"} 6
gwsgi_http_request_duration_seconds_bucket{le="10"} 7
gwsgi_http_request_duration_seconds_bucket{le="+Inf"} 8
gwsgi_http_request_duration_seconds_sum 71.040000001
gwsgi_http_request_duration_seconds_count 8
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"gwsgi_http_request_duration_seconds"); err != nil {
		t.Error(err)
	}
}

func TestGILWaitHistogram(t *testing.T) {
	c := NewCollector()
	r := newTestRegion(t)
	c.Add(0, r)
	for _, d := range []time.Duration{
		500 * time.Nanosecond, // le=1e-06
		time.Microsecond,      // le=1e-06
		3 * time.Microsecond,  // le=4e-06
		time.Millisecond,      // le=0.001024
		time.Second,           // le=1.048576
		2 * time.Second,       // +Inf
	} {
		r.GILWait(d)
	}
	want := `
# HELP gwsgi_gil_wait_seconds Time spent waiting to acquire the Python GIL.
# TYPE gwsgi_gil_wait_seconds histogram
gwsgi_gil_wait_seconds_bucket{le="1e-06"} 2
gwsgi_gil_wait_seconds_bucket{le="4e-06"} 3
gwsgi_gil_wait_seconds_bucket{le="1.6e-05"} 3
gwsgi_gil_wait_seconds_bucket{le="6.4e-05"} 3
gwsgi_gil_wait_seconds_bucket{le="0.000256"} 3
gwsgi_gil_wait_seconds_bucket{le="0.001024"} 4
gwsgi_gil_wait_seconds_bucket{le="0.004096"} 4
gwsgi_gil_wait_seconds_bucket{le="0.016384"} 4
gwsgi_gil_wait_seconds_bucket{le="0.065536"} 4
gwsgi_gil_wait_seconds_bucket{le="0.262144"} 4
gwsgi_gil_wait_seconds_bucket{le="1.048576"} 5
gwsgi_gil_wait_seconds_bucket{le="+Inf"} 6
gwsgi_gil_wait_seconds_sum 3.0010045
gwsgi_gil_wait_seconds_count 6
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"gwsgi_gil_wait_seconds"); err != nil {
		t.Error(err)
	}
}

func TestRetireKeepsCountersDropsGauges(t *testing.T) {
	c := NewCollector()
	a := newTestRegion(t)
	c.Add(0, a)
	a.Request(200, time.Second)
	a.Request(500, time.Second)
	a.GILWait(time.Millisecond)
	a.AddInflight(4)
	a.AddQueued(2)
	a.AddConns(6)

	c.Retire(a)
	if a.l != nil {
		t.Error("Retire did not close the region")
	}
	c.Retire(a) // a second Retire finds nothing left to fold
	c.Restarted()

	b := newTestRegion(t)
	c.Add(0, b)
	b.Request(200, time.Second)
	b.AddInflight(1)

	want := `
# HELP gwsgi_http_requests_total HTTP requests served, by status code.
# TYPE gwsgi_http_requests_total counter
gwsgi_http_requests_total{code="200"} 2
gwsgi_http_requests_total{code="500"} 1
# HELP gwsgi_inflight_requests Requests being served.
# TYPE gwsgi_inflight_requests gauge
gwsgi_inflight_requests 1
# HELP gwsgi_queue_depth Requests waiting for a thread.
# TYPE gwsgi_queue_depth gauge
gwsgi_queue_depth 0
# HELP gwsgi_connections Open client connections.
# TYPE gwsgi_connections gauge
gwsgi_connections 0
# HELP gwsgi_worker_restarts_total Worker processes replaced after boot, for any reason.
# TYPE gwsgi_worker_restarts_total counter
gwsgi_worker_restarts_total 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"gwsgi_http_requests_total", "gwsgi_inflight_requests", "gwsgi_queue_depth",
		"gwsgi_connections", "gwsgi_worker_restarts_total"); err != nil {
		t.Error(err)
	}
	fams := gather(t, Handler(c))
	if h := fams["gwsgi_http_request_duration_seconds"].GetMetric()[0].GetHistogram(); h.GetSampleCount() != 3 || h.GetSampleSum() != 3 {
		t.Errorf("duration histogram count=%d sum=%g, want 3 and 3", h.GetSampleCount(), h.GetSampleSum())
	}
	if h := fams["gwsgi_gil_wait_seconds"].GetMetric()[0].GetHistogram(); h.GetSampleCount() != 1 {
		t.Errorf("GIL wait histogram count=%d, want 1", h.GetSampleCount())
	}
}

func TestAddReplacesSlot(t *testing.T) {
	c := NewCollector()
	a, b := newTestRegion(t), newTestRegion(t)
	c.Add(3, a)
	a.Request(200, 0)
	a.AddConns(1)
	c.Add(3, b) // a is retired: its count stays, its gauge goes
	b.Request(200, 0)
	if a.l != nil {
		t.Error("the replaced region was not closed")
	}
	if got := testutil.CollectAndCount(c, "gwsgi_http_requests_total"); got != 1 {
		t.Fatalf("%d request series, want 1", got)
	}
	fams := gather(t, Handler(c))
	if v := fams["gwsgi_http_requests_total"].GetMetric()[0].GetCounter().GetValue(); v != 2 {
		t.Errorf("requests %g, want 2", v)
	}
	if v := fams["gwsgi_connections"].GetMetric()[0].GetGauge().GetValue(); v != 0 {
		t.Errorf("connections %g, want 0", v)
	}
}

func TestNilRegion(t *testing.T) {
	var r *Region
	r.Request(200, time.Second)
	r.AddInflight(1)
	r.AddQueued(1)
	r.AddConns(1)
	r.GILWait(time.Second)
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	c := NewCollector()
	c.Add(0, r)
	c.Retire(r)
	if n := testutil.CollectAndCount(c); n != 6 {
		t.Errorf("%d series, want 6", n)
	}
}

func TestNilCollector(t *testing.T) {
	var c *Collector
	r := newTestRegion(t)
	c.Add(0, r)
	c.Restarted()
	c.Retire(r)
	if r.l != nil {
		t.Error("Retire on a nil Collector did not close the region")
	}
}

func TestRecordingDoesNotAllocate(t *testing.T) {
	r := newTestRegion(t)
	var nilRegion *Region
	for name, f := range map[string]func(){
		"Request":         func() { r.Request(200, 3*time.Millisecond) },
		"Request(other)":  func() { r.Request(42, time.Hour) },
		"AddInflight":     func() { r.AddInflight(1) },
		"AddQueued":       func() { r.AddQueued(1) },
		"AddConns":        func() { r.AddConns(1) },
		"GILWait":         func() { r.GILWait(20 * time.Microsecond) },
		"nil Request":     func() { nilRegion.Request(200, time.Millisecond) },
		"nil AddInflight": func() { nilRegion.AddInflight(1) },
		"nil GILWait":     func() { nilRegion.GILWait(time.Millisecond) },
	} {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s: %v allocations per call", name, n)
		}
	}
}

// gather scrapes h and parses the text it serves.
func gather(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

func TestHandler(t *testing.T) {
	c := NewCollector()
	r := newTestRegion(t)
	c.Add(0, r)
	r.Request(200, time.Millisecond)
	fams := gather(t, Handler(c))
	for _, name := range []string{
		"gwsgi_http_requests_total", "gwsgi_http_request_duration_seconds",
		"gwsgi_inflight_requests", "gwsgi_queue_depth", "gwsgi_connections",
		"gwsgi_gil_wait_seconds", "gwsgi_worker_restarts_total",
		"go_goroutines", "process_cpu_seconds_total",
	} {
		if fams[name] == nil {
			t.Errorf("%s missing", name)
		}
	}
	if typ := fams["gwsgi_http_request_duration_seconds"].GetType(); typ != dto.MetricType_HISTOGRAM {
		t.Errorf("duration is a %v", typ)
	}
}

// TestExactCountAcrossRetire records from many goroutines into two regions,
// scraping all the while, retires one region while the other is still being
// written, and expects every request to be counted exactly once.
func TestExactCountAcrossRetire(t *testing.T) {
	const goroutines, perGoroutine = 8, 20000
	c := NewCollector()
	h := Handler(c)
	regions := []*Region{newTestRegion(t), newTestRegion(t)}
	for i, r := range regions {
		c.Add(i, r)
	}

	stop := make(chan struct{})
	scraped := make(chan struct{})
	go func() { // scrape while recording, watching the counter never fall
		defer close(scraped)
		var last float64
		for {
			select {
			case <-stop:
				return
			default:
			}
			v := requestsOf(t, h, "200")
			if v < last {
				t.Errorf("requests went from %g down to %g", last, v)
			}
			last = v
		}
	}()

	var first, second sync.WaitGroup
	for g := range goroutines {
		wg := &first
		if g%2 == 1 {
			wg = &second
		}
		r := regions[g%2]
		wg.Go(func() {
			for i := range perGoroutine {
				r.AddInflight(1)
				r.Request(200, time.Duration(i)*time.Microsecond)
				r.AddInflight(-1)
			}
		})
	}
	first.Wait()
	c.Retire(regions[0]) // region 1 is still being written
	second.Wait()
	close(stop)
	<-scraped

	fams := gather(t, h)
	want := float64(goroutines * perGoroutine)
	if v := fams["gwsgi_http_requests_total"].GetMetric()[0].GetCounter().GetValue(); v != want {
		t.Errorf("requests_total = %g, want %g", v, want)
	}
	hist := fams["gwsgi_http_request_duration_seconds"].GetMetric()[0].GetHistogram()
	if got := hist.GetSampleCount(); got != uint64(want) {
		t.Errorf("duration count = %d, want %g", got, want)
	}
	if v := fams["gwsgi_inflight_requests"].GetMetric()[0].GetGauge().GetValue(); v != 0 {
		t.Errorf("inflight = %g, want 0", v)
	}
}

// requestsOf scrapes h and returns gwsgi_http_requests_total{code}.
func requestsOf(t *testing.T, h http.Handler, code string) float64 {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Error(err)
		return 0
	}
	for _, m := range fams["gwsgi_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "code" && l.GetValue() == code {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func BenchmarkRequest(b *testing.B) {
	r := newTestRegion(b)
	b.ReportAllocs()
	for b.Loop() {
		r.Request(200, 3*time.Millisecond)
	}
}

func BenchmarkRequestParallel(b *testing.B) {
	r := newTestRegion(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Request(200, 3*time.Millisecond)
		}
	})
}

func BenchmarkGILWaitParallel(b *testing.B) {
	r := newTestRegion(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.GILWait(20 * time.Microsecond)
		}
	})
}

func BenchmarkCollect(b *testing.B) {
	c := NewCollector()
	for i := range 16 {
		r := newTestRegion(b)
		r.Request(200, time.Millisecond)
		c.Add(i, r)
	}
	b.ReportAllocs()
	for b.Loop() {
		testutil.CollectAndCount(c)
	}
}
