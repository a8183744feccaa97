package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// scrape fetches /metrics and returns the value of each sample line
// "name{labels} value" by "name{labels}".
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[string]float64{}
	for _, m := range regexp.MustCompile(`(?m)^(gwsgi_[a-z_]+(?:\{[^}]*\})?) (\S+)$`).FindAllStringSubmatch(string(body), -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatalf("%q: %v", m[0], err)
		}
		out[m[1]] = v
	}
	return out
}

// TestMetricsCountEveryRequest: the master's /metrics counts every request
// two workers answered under load, across a reload that replaces both, and
// its gauges fall back to zero when the load ends.
func TestMetricsCountEveryRequest(t *testing.T) {
	maddr := "127.0.0.1:" + freePort(t)
	s := startServer(t, nil, "-w", "2", "--metrics-bind", maddr, "--chdir", "examples", "app")
	s.waitLog(t, "every worker accepts (2 workers)")
	l := startLoad(s.addr, "/", 16)
	waitServed(t, l, 3000)
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	s.waitCount(t, "the one it replaces drains", 2, 30*time.Second)
	waitServed(t, l, 3000)
	l.finish(t)
	s.get(t, "/nowhere")
	s.client.CloseIdleConnections()

	var m map[string]float64
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		m = scrape(t, maddr)
		if m["gwsgi_connections"] == 0 || time.Now().After(deadline) {
			break
		}
	}
	want := float64(l.served())
	if got := m[`gwsgi_http_requests_total{code="200"}`]; got != want {
		t.Errorf("requests_total{code=200} = %v, want %v (every answer of the load)", got, want)
	}
	if got := m[`gwsgi_http_requests_total{code="404"}`]; got != 1 {
		t.Errorf("requests_total{code=404} = %v, want 1", got)
	}
	if got := m["gwsgi_http_request_duration_seconds_count"]; got != want+1 {
		t.Errorf("duration histogram count %v, want %v", got, want+1)
	}
	if got := m[`gwsgi_http_request_duration_seconds_bucket{le="+Inf"}`]; got != want+1 {
		t.Errorf("+Inf bucket %v, want %v", got, want+1)
	}
	if got := m["gwsgi_gil_wait_seconds_count"]; got != want+1 {
		t.Errorf("GIL wait count %v, want %v", got, want+1)
	}
	if m["gwsgi_worker_restarts_total"] != 2 {
		t.Errorf("worker_restarts_total %v, want 2", m["gwsgi_worker_restarts_total"])
	}
	for _, g := range []string{"gwsgi_inflight_requests", "gwsgi_queue_depth", "gwsgi_connections"} {
		if v, ok := m[g]; !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want 0 after the load", g, v, ok)
		}
	}
}

// TestMetricsWithoutMaster: a single process serves its own /metrics.
func TestMetricsWithoutMaster(t *testing.T) {
	maddr := "127.0.0.1:" + freePort(t)
	s := startServer(t, nil, "--no-master", "--metrics-bind", maddr, "--chdir", "examples", "app")
	for i := 0; i < 25; i++ {
		s.get(t, "/")
	}
	// A request is counted as its last bytes are handed over, which may be
	// just after the client has them: the count gets there, and stays.
	var got float64
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got = scrape(t, maddr)[`gwsgi_http_requests_total{code="200"}`]
		if got >= 25 || time.Now().After(deadline) {
			break
		}
	}
	time.Sleep(100 * time.Millisecond)
	if again := scrape(t, maddr)[`gwsgi_http_requests_total{code="200"}`]; got != 25 || again != 25 {
		t.Errorf("requests_total{code=200} = %v then %v, want 25", got, again)
	}
}
