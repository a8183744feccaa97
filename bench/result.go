package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// A run's status.
const (
	statusOK          = "ok"
	statusErrors      = "ok with errors" // wrk counted socket errors or non-2xx answers
	statusNA          = "not applicable"
	statusUnavailable = "unavailable"
	statusNoStart     = "failed to start"
	statusWrkFailed   = "wrk failed"
	statusLoopFailed  = "loop failed" // the in-process loop gave no report
)

// runResult is one server under one workload: a table row and a JSON
// object.
type runResult struct {
	Workload      string            `json:"workload"`
	Server        string            `json:"server"`
	Label         string            `json:"label"`
	Reference     bool              `json:"reference"`
	Budget        string            `json:"budget"`
	Status        string            `json:"status"`
	Note          string            `json:"note,omitempty"`
	Notes         []string          `json:"-"`
	Dir           string            `json:"dir"`
	ServerCommand string            `json:"server_command,omitempty"`
	ServerFiles   map[string]string `json:"server_files,omitempty"` // written before the server started: path -> content
	WarmupCommand string            `json:"warmup_command,omitempty"`
	WrkCommand    string            `json:"wrk_command,omitempty"`
	Check         string            `json:"check,omitempty"`
	Wrk           *wrkResult        `json:"wrk,omitempty"`
	InProc        *inprocResult     `json:"inproc,omitempty"`            // the in-process loop's report, in place of wrk's
	VsInproc      *float64          `json:"vs_inproc,omitempty"`         // req/s over the in-process ceiling's, same workload
	VsGoalRef     *float64          `json:"vs_goal_reference,omitempty"` // req/s over the workload's goal reference's
	CPUSeconds    float64           `json:"server_cpu_seconds"`
	WrkCPUSeconds float64           `json:"wrk_cpu_seconds"`
	OtherCPU      float64           `json:"other_cpu_seconds"` // used by the rest of the machine during the run
	QuietWaitS    float64           `json:"quiet_wait_seconds"`
	LoadBefore    float64           `json:"load_before_cpus"` // machine's CPU use just before the run
	PeakRSSMB     float64           `json:"server_peak_rss_mb"`
	Processes     int               `json:"server_processes"`
	Stop          string            `json:"stopped_by,omitempty"`
	Attempts      int               `json:"attempts"`
	RoundsRPS     []float64         `json:"rounds_rps,omitempty"` // a lead row's req/s in each round; the row is the median's run
	WrkOutput     string            `json:"wrk_output,omitempty"`
	ServerLog     string            `json:"server_log_tail,omitempty"`

	durationS float64
}

// newResult is sv's row for w before it runs.
func newResult(s *settings, sv server, w workload) runResult {
	return runResult{Workload: w.Name, Server: sv.Name, Label: sv.Label, Reference: sv.Reference,
		Budget: sv.Budget(s), Dir: filepath.Join(s.root, w.appFor(sv.Name).Dir), Attempts: 1}
}

// waitQuiet waits for an idle machine and notes how idle it became.
func (r *runResult) waitQuiet(pc *pacer) {
	waited, load := pc.waitQuiet()
	r.QuietWaitS, r.LoadBefore = waited.Seconds(), load
	if load >= quietBusy {
		r.Notes = append(r.Notes, fmt.Sprintf("machine not idle before the run (%.2f CPUs busy)", load))
	}
}

// measured says the run produced requests per second: wrk's report or the
// in-process loop's.
func (r *runResult) measured() bool { return r.Wrk != nil || r.InProc != nil }

// rps is the run's requests per second, 0 if it has none.
func (r *runResult) rps() float64 {
	switch {
	case r.Wrk != nil:
		return r.Wrk.RPS
	case r.InProc != nil:
		return r.InProc.RPS
	}
	return 0
}

// disturbed says other processes took a noticeable share of the machine
// during the measured run.
func (r *runResult) disturbed() bool {
	return r.measured() && r.OtherCPU > busyShare*r.durationS
}

// busyShare is how much of a run's duration, in CPU seconds, other
// processes may use before the row says the machine was busy.
const busyShare = 0.1

// finish folds what the run saw into Note.
func (r *runResult) finish() {
	var notes []string
	if r.Check != "" && !strings.HasPrefix(r.Check, "2") {
		notes = append(notes, "first answer: "+r.Check)
	}
	if w := r.Wrk; w != nil {
		if w.SocketErrors() > 0 {
			notes = append(notes, fmt.Sprintf("socket errors: connect %d, read %d, write %d, timeout %d",
				w.Connect, w.Read, w.Write, w.Timeout))
		}
		if w.allTimedOut() {
			notes = append(notes, "no latency figures: every answer came after wrk's 2 s timeout")
		}
		if w.Non2xx > 0 {
			notes = append(notes, fmt.Sprintf("%d non-2xx/3xx answers", w.Non2xx))
		}
	}
	if r.disturbed() {
		notes = append(notes, fmt.Sprintf("machine busy: other processes used %.1f CPU-s during the run", r.OtherCPU))
	}
	if strings.HasPrefix(r.Stop, "SIGKILL") {
		notes = append(notes, "ignored SIGTERM for "+stopGrace.String())
	}
	notes = append(notes, r.Notes...)
	r.Note = strings.Join(notes, "; ")
}

// summary is the progress line.
func (r *runResult) summary() string {
	if r.InProc != nil {
		return fmt.Sprintf("%9.0f req/s  %.2f µs/call  cpu %.1fs  rss %.0f MB", r.InProc.RPS, r.InProc.UsPerCall, r.CPUSeconds, r.PeakRSSMB)
	}
	if r.Wrk == nil {
		return r.Status + ": " + r.Note
	}
	p99 := fmtMs(r.Wrk.P99Ms)
	if r.Wrk.allTimedOut() {
		p99 = "—"
	}
	s := fmt.Sprintf("%9.0f req/s  p99 %s  cpu %.1fs  rss %.0f MB", r.Wrk.RPS, p99, r.CPUSeconds, r.PeakRSSMB)
	if r.Note != "" {
		s += "  (" + r.Note + ")"
	}
	return s
}

// checkOnce makes one request the way wrk will and says what came back:
// "200, 13 bytes", or the error. A workload with a verifier has its answer
// verified too: "200, 21297 bytes, Content-Encoding gzip: decodes to ...",
// or "wrong answer: 200, ...: why", which the row's note shows.
func checkOnce(addr string, w workload, path string) string {
	a, err := fetchOnce(addr, w, path, w.Headers)
	if err != nil {
		return err.Error()
	}
	s := describe(a)
	if w.Verify == nil || a.Status/100 != 2 {
		return s
	}
	ok, err := w.Verify(a, func(h []string) (answer, error) { return fetchOnce(addr, w, path, h) })
	if err != nil {
		return "wrong answer: " + s + ": " + err.Error()
	}
	return s + ": " + ok
}

// fetchOnce makes one request of w with headers, on a connection of its
// own, and reads the answer. The client adds no Accept-Encoding of its own
// and decodes nothing, as wrk.
func fetchOnce(addr string, w workload, path string, headers []string) (answer, error) {
	var body io.Reader
	if w.Body > 0 {
		body = bytes.NewReader(bytes.Repeat([]byte("x"), w.Body))
	}
	req, err := http.NewRequest(w.Method, "http://"+addr+path, body)
	if err != nil {
		return answer{}, err
	}
	if w.Body > 0 {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	for _, kv := range headerPairs(headers) {
		req.Header.Set(kv[0], kv[1])
	}
	c := &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true}}
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, errors.New("error: " + err.Error())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxCheckBody))
	if err != nil {
		return answer{}, fmt.Errorf("%d, body error after %d bytes: %v", resp.StatusCode, len(b), err)
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// runWrk runs wrk from the repository root (its -s scripts are relative)
// and returns its report and the CPU seconds it used; it is killed after
// limit.
func runWrk(root string, argv []string, limit time.Duration) (string, float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	var cpu float64
	if ps := cmd.ProcessState; ps != nil {
		cpu = (ps.UserTime() + ps.SystemTime()).Seconds()
	}
	if ctx.Err() != nil {
		return string(out), cpu, fmt.Errorf("wrk killed after %v", limit)
	}
	if err != nil {
		return string(out), cpu, fmt.Errorf("wrk: %v", err)
	}
	return string(out), cpu, nil
}
