package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	startTimeout = 30 * time.Second // from exec to an open port
	stopGrace    = 5 * time.Second  // SIGTERM to SIGKILL
	runSlack     = 30 * time.Second // wrk beyond its -d before it is killed
	perRunCost   = 2 * time.Second  // start, check and stop, for the estimate
	spareShare   = 0.4              // of the estimate, for waiting out a busy machine
	maxAttempts  = 2                // runs of one server and workload, at most
)

// plan is what one invocation runs.
type plan struct {
	servers   []server
	workloads []workload
}

func run(s *settings) error {
	began := time.Now()
	cleanup, err := prepare(s, peerPackages)
	if err != nil {
		return err
	}
	defer cleanup()
	p, err := makePlan(s)
	if err != nil {
		return err
	}
	n := 0
	for _, w := range p.workloads {
		order, lead := runOrder(w, p.servers)
		for i, k := range order {
			sv := p.servers[k]
			if argv, _ := command(sv, s, w, "x"); argv != nil {
				// a server that is not installed runs once (once)
				n += s.roundsOf(i < lead && (sv.Check == nil || sv.Check() == nil))
			}
		}
	}
	est := time.Duration(n) * (s.Warmup + s.Duration + perRunCost)
	fmt.Printf("bench: %s mode, %d runs × (%v warm-up + %v + ~%v start/stop) ≈ %v\n",
		s.Mode, n, s.Warmup, s.Duration, perRunCost, est.Round(time.Second))

	rep := &report{Settings: s, Machine: describeMachine(), RepoRoot: s.root,
		Started: began.UTC().Format(time.RFC3339), EstimateS: est.Seconds(), Workloads: p.workloads}
	for _, sv := range p.servers {
		rep.Servers = append(rep.Servers, serverRow{sv.Name, sv.Label, sv.Budget(s), sv.About, sv.Reference})
	}
	rn := &runner{s: s, pc: &pacer{spare: time.Duration(float64(est) * spareShare)}, port: s.BasePort, total: n}
	for _, w := range p.workloads {
		rep.Runs = append(rep.Runs, rn.workload(w, p.servers)...) // in the servers' order
	}
	rep.WallS = time.Since(began).Seconds()
	rep.Finished = time.Now().UTC().Format(time.RFC3339)
	if err := rep.write(s.out); err != nil {
		return err
	}
	fmt.Printf("bench: %s wall time\n", time.Since(began).Round(time.Second))
	fmt.Printf("bench: wrote %s (results.md, results.json, results.svg) in %v\n",
		s.out, time.Since(began).Round(time.Second))
	return nil
}

// prepare installs the packages in pkgs that are missing, builds gwsgi
// and the references, gives s a scratch directory (s.tmp), which cleanup
// removes, raises the open-file limit, and pins servers to CPU 1 and wrk
// to CPU 0 where there are two.
func prepare(s *settings, pkgs []string) (cleanup func(), err error) {
	if err := installMissing(pkgs); err != nil {
		return nil, err
	}
	if err := build(s.root); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "gwsgi-bench-")
	if err != nil {
		return nil, err
	}
	s.tmp = tmp
	raiseNoFile()
	if runtime.NumCPU() >= 2 {
		s.ServerCPU, s.WrkCPU = "1", "0"
	}
	return func() { os.RemoveAll(tmp) }, nil
}

// leadRows are run first under every workload, in this order, before the
// other servers in theirs: the ceilings that rows are compared with, then
// gwsgi and its budgets. A workload's goal row and its reference go before
// them.
var leadRows = []string{"inproc", "inproc-embedded", "ceiling", "gwsgi", "gwsgi-8", "gwsgi-256"}

// runOrder is the order to run servers in under w, as indices into
// servers: leadRows first, then the rest in their own order; lead is how
// many of order are lead rows. The speed of a shared machine drifts over
// minutes (other tenants of its host), and a ratio of two runs made
// seconds apart moves less with it than one of runs made minutes apart;
// so each ratio a goal is stated in is taken of neighbouring runs. The
// report keeps the servers' order.
func runOrder(w workload, servers []server) (order []int, lead int) {
	names := leadRows
	if w.Goal != nil {
		names = append([]string{w.Goal.Reference, w.Goal.Row}, leadRows...)
	}
	taken := make([]bool, len(servers))
	for _, name := range names {
		for k, sv := range servers {
			if sv.Name == name && !taken[k] {
				order, taken[k] = append(order, k), true
			}
		}
	}
	lead = len(order)
	for k := range servers {
		if !taken[k] {
			order = append(order, k)
		}
	}
	return order, lead
}

func makePlan(s *settings) (plan, error) {
	wantS, wantW := s.servers, s.workload
	if s.Mode == "quick" {
		if len(wantS) == 0 {
			wantS = quickServers
		}
		if len(wantW) == 0 {
			wantW = quickWorkloads
		}
	}
	var p plan
	for _, sv := range servers {
		if len(wantS) == 0 || contains(wantS, sv.Name) {
			p.servers = append(p.servers, sv)
		}
	}
	for _, w := range workloads {
		if len(wantW) == 0 || contains(wantW, w.Name) {
			p.workloads = append(p.workloads, w)
		}
	}
	if len(p.servers) == 0 || len(p.workloads) == 0 {
		return p, fmt.Errorf("nothing to run: servers %q, workloads %q", wantS, wantW)
	}
	return p, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// raiseNoFile lifts the open-files limit the servers and wrk inherit: 512
// connections need more than a default soft limit of 1024 leaves.
func raiseNoFile() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// pinned prefixes argv with taskset when cpu is set.
func pinned(cpu string, argv []string) []string {
	if cpu == "" {
		return argv
	}
	return append([]string{"taskset", "-c", cpu}, argv...)
}

// runOne starts sv for w on port, measures it and stops it; an in-process
// loop has no port and runs to completion instead.
func runOne(s *settings, pc *pacer, sv server, w workload, port int) runResult {
	if sv.InProcess {
		return runInProcess(s, pc, sv, w)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	r := newResult(s, sv, w)
	argv, why := command(sv, s, w, addr)
	if argv == nil {
		r.Status, r.Note = statusNA, why
		return r
	}
	if a, ok := w.Apps[sv.Name]; ok {
		r.Notes = append(r.Notes, "serves "+a.Spec())
	}
	argv = pinned(s.ServerCPU, argv)
	r.ServerCommand = "cd " + shellQuote(r.Dir) + " && " + shellJoin(argv)
	url := "http://" + addr + pathFor(sv, w)
	r.WrkCommand = shellJoin(wrkArgv(s, w, url, s.Duration))
	r.WarmupCommand = shellJoin(wrkArgv(s, w, url, s.Warmup))
	if sv.Check != nil {
		if err := sv.Check(); err != nil {
			r.Status, r.Note = statusUnavailable, err.Error()
			return r
		}
	}
	if sv.Files != nil {
		r.ServerFiles = sv.Files(s, w, addr)
		if err := writeFiles(r.ServerFiles); err != nil {
			r.Status, r.Notes = statusNoStart, append([]string{err.Error()}, r.Notes...)
			r.finish()
			return r
		}
	}

	r.waitQuiet(pc)
	r.durationS = s.DurationS

	p, err := start(r.Dir, argv)
	if err != nil {
		r.Status, r.Notes = statusNoStart, append([]string{err.Error()}, r.Notes...)
		r.finish()
		return r
	}
	defer func() { r.ServerLog = p.out.String() }()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	err = p.waitPort(ctx, addr)
	cancel()
	if err != nil {
		r.Stop = p.stop(stopGrace)
		r.Status, r.Notes = statusNoStart, append([]string{err.Error() + lastLine(p.out.String())}, r.Notes...)
		r.ServerLog = p.out.String()
		r.finish()
		return r
	}
	r.Check = checkOnce(addr, w, pathFor(sv, w))
	if w.Verify != nil && strings.HasPrefix(r.Check, "2") {
		// What was verified, and the size of the answer measured.
		r.Notes = append(r.Notes, "checked: "+r.Check)
	}

	if _, _, err := runWrk(s.root, wrkArgv(s, w, url, s.Warmup), s.Warmup+runSlack); err != nil {
		r.Notes = append(r.Notes, "warm-up: "+err.Error())
	}
	before, busy0 := readGroup(p.pid()), busySeconds()
	out, wrkCPU, err := runWrk(s.root, wrkArgv(s, w, url, s.Duration), s.Duration+runSlack)
	after, busy1 := readGroup(p.pid()), busySeconds()
	r.WrkCPUSeconds = wrkCPU
	r.WrkOutput = out
	select {
	case <-p.exited:
		r.Notes = append(r.Notes, "server exited during the run: "+fmt.Sprint(p.err)+lastLine(p.out.String()))
	default:
	}
	r.Stop = p.stop(stopGrace)
	r.ServerLog = p.out.String()
	r.Processes = after.Procs
	r.CPUSeconds = after.CPU - before.CPU
	r.OtherCPU = max(0, busy1-busy0-r.CPUSeconds-wrkCPU)
	r.PeakRSSMB = float64(after.HWMKiB) / 1024
	if err != nil {
		r.Status = statusWrkFailed
		r.Notes = append(r.Notes, err.Error())
		r.finish()
		return r
	}
	res, perr := parseWrk(out)
	if perr != nil {
		r.Status = statusWrkFailed
		r.Notes = append(r.Notes, perr.Error())
		r.finish()
		return r
	}
	r.Wrk = &res
	if sv.RowNote != nil {
		r.Notes = append(r.Notes, sv.RowNote(s, w))
	}
	if res.Read > 0 && sv.ReadErrors != "" {
		r.Notes = append(r.Notes, sv.ReadErrors)
	}
	r.Status = statusOK
	if res.SocketErrors() > 0 || res.Non2xx > 0 {
		r.Status = statusErrors
	}
	r.finish()
	return r
}

// wrkArgv is wrk's command line for w against url for d, pinned to the
// client's CPU: w's headers as -H, its script as -s.
func wrkArgv(s *settings, w workload, url string, d time.Duration) []string {
	a := []string{"wrk", "-t1", "-c" + strconv.Itoa(w.Conns), "-d" + wrkSeconds(d), "--latency"}
	for _, h := range w.Headers {
		a = append(a, "-H", h)
	}
	if w.Script != "" {
		a = append(a, "-s", w.Script)
	}
	return pinned(s.WrkCPU, append(a, url))
}

// writeFiles writes path -> content, making directories as needed.
func writeFiles(files map[string]string) error {
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// lastLine is ": " and the last non-empty line of a server's output, or "".
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return ": " + l
	}
	return ""
}

func wrkSeconds(d time.Duration) string {
	n := int(d.Round(time.Second) / time.Second)
	if n < 1 {
		n = 1
	}
	return strconv.Itoa(n) + "s"
}

func shellJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// init makes Python servers' output reach the log tail as it is written.
func init() { _ = os.Setenv("PYTHONUNBUFFERED", "1") }
