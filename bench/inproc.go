package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The in-process ceiling: bench/inproc.py imports a workload's app and
// calls it in a loop, one call at a time, without sockets or HTTP. Its
// calls per second are the most the app can do on one CPU, which every
// server's requests per second are divided by (the vs ceiling column).

// inprocWhy says, per workload the loop does not measure, why not.
var inprocWhy = map[string]string{
	"10k":   "the app returns a constant 10 KiB: the work is sending it, which a loop without sockets does not do",
	"echo":  "the work is reading and sending 10 KiB bodies, which a loop without sockets does not do",
	"sleep": "calls in a loop run one at a time (100 a second): the workload measures concurrency, which a loop does not have",
}

// inprocArgv is the loop's command line for w, run by Debian's python3 in
// the app's directory; addr is not used.
func inprocArgv(s *settings, w workload, addr string) ([]string, string) {
	return loopArgv(python, s, w)
}

// embeddedArgv is the same loop run by bin/pystatic, a python3 command line
// on the interpreter build gwsgi embeds (profiles/pystatic).
func embeddedArgv(s *settings, w workload, addr string) ([]string, string) {
	return loopArgv(filepath.Join(s.root, "bin", "pystatic"), s, w)
}

// loopArgv is inproc.py's command line for w, run by the interpreter py.
func loopArgv(py string, s *settings, w workload) ([]string, string) {
	if w.Name != "hello" && w.Name != "flask" {
		why := inprocWhy[w.Name]
		if why == "" {
			why = "measured for the hello and flask workloads only"
		}
		return nil, why
	}
	return []string{py, filepath.Join(s.root, "bench", "inproc.py"), filepath.Join(s.root, w.App.Dir),
		w.App.Spec(), w.Path, seconds(s.Duration), seconds(s.Warmup)}, ""
}

// seconds prints d as inproc.py takes it: 6, 1.5.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

// inprocResult is the JSON line inproc.py prints, and what the harness saw
// of its process.
type inprocResult struct {
	Requests           int64   `json:"requests"`
	Seconds            float64 `json:"seconds"`
	RPS                float64 `json:"req_per_s"`
	UsPerCall          float64 `json:"us_per_call"`
	ThreadCPUUsPerCall float64 `json:"thread_cpu_us_per_call"`
	// The whole process: interpreter start, import, warm-up and loop.
	ProcessCPUSeconds  float64 `json:"process_cpu_seconds"`
	ProcessWallSeconds float64 `json:"process_wall_seconds"`
}

// inprocFirstCall starts the line inproc.py writes to stderr about its
// first call: "200 OK, 13 bytes".
const inprocFirstCall = "inproc: first call: "

// runInProcess runs sv's loop for w pinned to the server CPU, after waiting
// for a quiet machine, and reads its report. The process's wall time is the
// window its disturbance is judged over.
func runInProcess(s *settings, pc *pacer, sv server, w workload) runResult {
	r := newResult(s, sv, w)
	argv, why := command(sv, s, w, "")
	if argv == nil {
		r.Status, r.Note = statusNA, why
		return r
	}
	argv = pinned(s.ServerCPU, argv)
	r.ServerCommand = "cd " + shellQuote(r.Dir) + " && " + shellJoin(argv)
	r.waitQuiet(pc)

	limit := startTimeout + s.Warmup + s.Duration + runSlack
	began, busy0 := time.Now(), busySeconds()
	out, ps, err := runLoop(r.Dir, argv, limit)
	wall, busy1 := time.Since(began), busySeconds()
	r.ServerLog = out.log
	r.Check = firstCall(out.log)
	res := inprocResult{ProcessWallSeconds: wall.Seconds()}
	var peakKiB int64
	if ps != nil {
		res.ProcessCPUSeconds = (ps.UserTime() + ps.SystemTime()).Seconds()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			peakKiB = ru.Maxrss // KiB on Linux
		}
	}
	r.OtherCPU = max(0, busy1-busy0-res.ProcessCPUSeconds)
	r.durationS = wall.Seconds()
	if err != nil {
		r.Status, r.Notes = statusNoStart, append([]string{err.Error() + lastLine(out.log)}, r.Notes...)
		if errors.Is(err, errLoopTimeout) {
			r.Status = statusLoopFailed
		}
		r.finish()
		return r
	}
	if perr := parseInproc(out.stdout, &res); perr != nil {
		r.Status = statusLoopFailed
		r.Notes = append(r.Notes, perr.Error())
		r.finish()
		return r
	}
	r.InProc = &res
	r.Processes, r.PeakRSSMB = 1, float64(peakKiB)/1024
	r.CPUSeconds = res.ThreadCPUUsPerCall * float64(res.Requests) / 1e6
	r.Notes = append(r.Notes, fmt.Sprintf("%s calls in %.1f s, one at a time, no sockets: "+
		"%.2f µs per call (%.2f µs of CPU); no latency or error figures; CPU s is the loop's thread time",
		thousands(float64(res.Requests)), res.Seconds, res.UsPerCall, res.ThreadCPUUsPerCall))
	r.Status = statusOK
	r.finish()
	return r
}

// loopOutput is what the loop printed: its stdout, and a tail of stdout
// and stderr together.
type loopOutput struct{ stdout, log string }

// errLoopTimeout is the error of a loop killed after its limit.
var errLoopTimeout = errors.New("loop killed after its time limit")

// runLoop runs argv in dir to completion, killing it after limit.
func runLoop(dir string, argv []string, limit time.Duration) (loopOutput, *os.ProcessState, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	var stdout bytes.Buffer
	log := &tail{max: 16 << 10}
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&stdout, log), log
	err := cmd.Run()
	out := loopOutput{stdout: stdout.String(), log: log.String()}
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (%v)", errLoopTimeout, limit)
	}
	return out, cmd.ProcessState, err
}

// parseInproc reads the last non-empty line of the loop's stdout into res.
func parseInproc(stdout string, res *inprocResult) error {
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last == "" {
		return errors.New("inproc.py printed no report")
	}
	if err := json.Unmarshal([]byte(last), res); err != nil {
		return fmt.Errorf("inproc.py report %q: %v", last, err)
	}
	if res.Requests <= 0 || res.RPS <= 0 {
		return fmt.Errorf("inproc.py report %q: no calls", last)
	}
	return nil
}

// firstCall is what inproc.py said of its first call, "200 OK, 13 bytes",
// or "".
func firstCall(log string) string {
	for _, line := range strings.Split(log, "\n") {
		if v, ok := strings.CutPrefix(line, inprocFirstCall); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
