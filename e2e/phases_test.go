package e2e

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// With --pprof, /debug/gwsgi/phases shows the phase times of the Flask
// requests served, and the process runs under SCHED_BATCH (the default
// --cpu-sched).
func TestPhasesEndpoint(t *testing.T) {
	pprof := "127.0.0.1:" + freePort(t)
	s := startServer(t, nil, "--pprof", pprof, "--chdir", "examples/flaskapp", "app:app")
	for range 20 {
		resp, body := s.get(t, "/json")
		if resp.StatusCode != 200 || !strings.Contains(string(body), "hello") {
			t.Fatalf("GET /json: %d %q", resp.StatusCode, body)
		}
	}
	// A request's times are recorded once its response is handed to the
	// socket, which may be just after the client has read it.
	var text string
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(text, "requests timed: 20"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("phases:\n%s", text)
		}
		resp, err := http.Get("http://" + pprof + "/debug/gwsgi/phases")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		text = string(b)
	}
	for _, phase := range []string{"queue", "gil", "app", "write", "total"} {
		if !strings.Contains(text, "\n"+phase+" ") {
			t.Errorf("phases lacks %s:\n%s", phase, text)
		}
	}
	policy := schedPolicy(t, s.workerPid(t))
	if policy != "3" { // SCHED_BATCH
		t.Errorf("scheduling policy %s, want 3 (SCHED_BATCH)", policy)
	}
}

// schedPolicy returns the policy field of /proc/PID/stat (the 41st).
func schedPolicy(t *testing.T, pid int) string {
	t.Helper()
	fields := procStat(pid)
	if len(fields) < 41-2 {
		t.Fatalf("/proc/%d/stat: %q", pid, fields)
	}
	return fields[41-3] // fields after the command start at the 3rd
}

// procStat returns the fields of /proc/PID/stat after the command name
// (which may hold spaces), from the state on; nil if pid is gone.
func procStat(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}
