package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// report is everything one invocation learned; results.json is this.
type report struct {
	Settings  *settings   `json:"settings"`
	Machine   machine     `json:"machine"`
	RepoRoot  string      `json:"repo_root"`
	Started   string      `json:"started"`
	Finished  string      `json:"finished"`
	WallS     float64     `json:"wall_seconds"`
	EstimateS float64     `json:"estimated_seconds"`
	Workloads []workload  `json:"workloads"`
	Servers   []serverRow `json:"servers"`
	Runs      []runResult `json:"runs"`
}

// serverRow describes a server in the report.
type serverRow struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Budget    string `json:"budget"`
	About     string `json:"about"`
	Reference bool   `json:"reference"`
}

func (rep *report) write(dir string) error {
	rep.setVsInproc()
	rep.setVsGoal()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"results.json": append(js, '\n'),
		"results.md":   []byte(rep.markdown()),
		"results.svg":  []byte(rep.chart()),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// runsOf is w's rows in server order.
func (rep *report) runsOf(w string) []runResult {
	var out []runResult
	for _, r := range rep.Runs {
		if r.Workload == w {
			out = append(out, r)
		}
	}
	return out
}

// baseline is gwsgi's RPS under w (the Python app), 0 if it has none.
func baseline(runs []runResult) float64 {
	for _, r := range runs {
		if r.Server == "gwsgi" && r.Wrk != nil {
			return r.Wrk.RPS
		}
	}
	return 0
}

// inprocRPS is the in-process ceiling's calls per second among runs (the
// loop run by Debian's python3, the "inproc" row), 0 if it has none.
func inprocRPS(runs []runResult) float64 {
	for _, r := range runs {
		if r.Server == "inproc" && r.InProc != nil {
			return r.InProc.RPS
		}
	}
	return 0
}

// setVsInproc gives every measured run its ratio to the in-process ceiling
// of its workload, where there is one.
func (rep *report) setVsInproc() {
	ceiling := map[string]float64{}
	for _, w := range rep.Workloads {
		ceiling[w.Name] = inprocRPS(rep.runsOf(w.Name))
	}
	for i := range rep.Runs {
		r := &rep.Runs[i]
		r.VsInproc = nil
		if c := ceiling[r.Workload]; c > 0 && r.measured() {
			v := r.rps() / c
			r.VsInproc = &v
		}
	}
}

// runOf is server sv's row under workload w, if it has one.
func (rep *report) runOf(w, sv string) (runResult, bool) {
	for _, r := range rep.Runs {
		if r.Workload == w && r.Server == sv {
			return r, true
		}
	}
	return runResult{}, false
}

// label is server sv's label, or its name.
func (rep *report) label(sv string) string {
	for _, r := range rep.Servers {
		if r.Name == sv {
			return r.Label
		}
	}
	return sv
}

// goalRef is the requests per second of w's goal reference, 0 if it has
// none or was not measured.
func (rep *report) goalRef(w workload) float64 {
	if w.Goal == nil {
		return 0
	}
	if r, ok := rep.runOf(w.Name, w.Goal.Reference); ok && r.measured() {
		return r.rps()
	}
	return 0
}

// setVsGoal gives every measured run of a workload with a goal its ratio to
// the goal's reference row, the way setVsInproc does with the ceiling.
func (rep *report) setVsGoal() {
	for _, w := range rep.Workloads {
		ref := rep.goalRef(w)
		for i := range rep.Runs {
			r := &rep.Runs[i]
			if r.Workload != w.Name {
				continue
			}
			r.VsGoalRef = nil
			if ref > 0 && r.measured() {
				v := r.rps() / ref
				r.VsGoalRef = &v
			}
		}
	}
}

// goalLine says how w's goal came out: the ratio and whether it is met.
func (rep *report) goalLine(w workload) string {
	g := w.Goal
	row, ref := rep.label(g.Row), rep.label(g.Reference)
	s := fmt.Sprintf("**Goal:** %s at least %s× %s's requests/s: ", row, strconv.FormatFloat(g.Min, 'f', -1, 64), ref)
	r, ok := rep.runOf(w.Name, g.Row)
	refRPS := rep.goalRef(w)
	switch {
	case !ok || !r.measured():
		return s + "not measured (no " + row + " row)."
	case refRPS == 0:
		return s + "not measured (no " + ref + " row)."
	}
	v := *r.VsGoalRef
	verdict := "met"
	if v < g.Min {
		verdict = "**not met**"
	}
	if r.Status != statusOK {
		verdict += " (" + r.Status + ")"
	}
	return s + fmt.Sprintf("%.2f× (%s / %s req/s), %s.", v, thousands(r.rps()), thousands(refRPS), verdict)
}

// isGoalRow says whether sv is the row w's goal is about.
func isGoalRow(w workload, sv string) bool { return w.Goal != nil && w.Goal.Row == sv }

func (rep *report) markdown() string {
	s, m := rep.Settings, rep.Machine
	var b strings.Builder
	fmt.Fprintf(&b, "# gwsgi against other WSGI servers (%s run)\n\n", s.Mode)
	fmt.Fprintf(&b, "%s, %d × %s, Linux %s, %s, %s. Started %s; %.0f s wall time.\n\n",
		rep.Started[:10], m.NProc, m.Model, m.Kernel, m.Python, strings.TrimPrefix(m.Go, "go version "), rep.Started, rep.WallS)
	pin := "not pinned (fewer than 2 CPUs)"
	if s.ServerCPU != "" {
		pin = fmt.Sprintf("each server pinned to CPU %s (`taskset -c %s`), wrk to CPU %s", s.ServerCPU, s.ServerCPU, s.WrkCPU)
	}
	fmt.Fprintf(&b, "One server process at a time, %s. Every run: start, wait for the port, one checked request, "+
		"%.0f s warm-up, then `wrk -t1 -c<connections> -d%.0fs --latency`. ", pin, s.WarmupS, s.DurationS)
	b.WriteString("Under each workload the rows that ratios are taken against run first, each next to the row it judges " +
		"(a goal's reference and row; the in-process ceiling, the gnet ceiling, gwsgi and its budgets), the others after them, " +
		"so that a machine whose speed drifts over minutes moves both sides of a ratio alike; the tables keep the servers' order. ")
	if s.Rounds > 1 {
		fmt.Fprintf(&b, "Those rows run in %d rounds, one after the other, and each shows its median run "+
			"(its note lists every round's requests/s): one run moves with the load on the machine's host, the median of interleaved rounds less. ",
			s.Rounds)
	}
	b.WriteString("*vs gwsgi* is requests/s over gwsgi's on the same workload (gwsgi serving the same Python app = 1.00); " +
		"*vs ceiling* is requests/s over the in-process ceiling's, the same app called in a loop in one process on the server's CPU " +
		"without HTTP or sockets (that row = 1.00; — for workloads it does not run): the share of the app's own speed a server keeps. " +
		"*CPU s* is the server's user+system time during the measured run (all its processes); *peak RSS* is VmHWM summed over its processes. " +
		"*errors* are wrk's socket errors (connect/read/write/timeout), *non-2xx* its non-2xx/3xx answers. " +
		"Rows marked *reference* are not Python WSGI servers: gwsgi with its Go-native demo app; the ceiling, " +
		"a gnet responder that returns a fixed answer without parsing HTTP: the most this machine pushes through one CPU with this client; " +
		"nginx, serving the static workload's file; " +
		"and the in-process ceiling, whose calls per second stand in its req/s column (its latency, error and non-2xx cells are empty: it has no clients; " +
		"its note gives the mean time per call). " +
		"A server whose CPU s is well below the run's length was waiting, not computing: on its clients, on sleeps, or on wrk, " +
		"which has one CPU of its own and is the limit near the ceiling.")
	for _, w := range rep.Workloads {
		if w.Goal != nil {
			b.WriteString(" A workload run for a goal has one more column, *vs* its reference row: requests/s over that row's " +
				"on the same workload (that row = 1.00), the ratio the goal is stated in; its goal row is in bold.")
			break
		}
	}
	b.WriteString("\n\n")
	b.WriteString("Peers: " + rep.versions() + ". Reproduce with `make bench` (`make bench-quick`); " +
		"results.json holds the exact server and wrk command of every run, wrk's report and the server's output.\n\n")
	for _, sv := range rep.Servers {
		kind := ""
		if sv.Reference {
			kind = " (reference)"
		}
		fmt.Fprintf(&b, "- **%s**%s, %s: %s.\n", sv.Label, kind, sv.Budget, sv.About)
	}
	for _, w := range rep.Workloads {
		runs := rep.runsOf(w.Name)
		base := baseline(runs)
		fmt.Fprintf(&b, "\n## %s\n\n%d connections", w.Title, w.Conns)
		for _, h := range w.Headers {
			fmt.Fprintf(&b, ", header `%s`", h)
		}
		if w.Script != "" {
			fmt.Fprintf(&b, ", wrk script `%s`", w.Script)
		}
		fmt.Fprintf(&b, ", app `%s` in `%s`", w.App.Spec(), w.App.Dir)
		b.WriteString(rep.appOverrides(w))
		b.WriteString(".\n\n")
		goalCol, goalAlign := "", ""
		if w.Goal != nil {
			b.WriteString(rep.goalLine(w) + "\n\n")
			goalCol, goalAlign = " vs "+rep.label(w.Goal.Reference)+" |", " ---: |"
		}
		b.WriteString("| server | budget | req/s | vs gwsgi | vs ceiling |" + goalCol + " p50 | p99 | max | errors | non-2xx | CPU s | peak RSS MB | note |\n")
		b.WriteString("| --- | --- | ---: | ---: | ---: |" + goalAlign + " ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
		for _, r := range runs {
			b.WriteString(row(r, base, w.Goal != nil, isGoalRow(w, r.Server)))
		}
	}
	return b.String()
}

// appOverrides is ", where X and Y serve `m:app`" for the servers that
// serve an app of their own under w, in server order.
func (rep *report) appOverrides(w workload) string {
	bySpec := map[string][]string{}
	var specs []string
	for _, sv := range rep.Servers {
		a, ok := w.Apps[sv.Name]
		if !ok {
			continue
		}
		if _, seen := bySpec[a.Spec()]; !seen {
			specs = append(specs, a.Spec())
		}
		bySpec[a.Spec()] = append(bySpec[a.Spec()], sv.Label)
	}
	var b strings.Builder
	for _, spec := range specs {
		fmt.Fprintf(&b, "; %s serve `%s`", strings.Join(bySpec[spec], ", "), spec)
	}
	return b.String()
}

func (rep *report) versions() string {
	v := rep.Machine.Versions
	var parts []string
	for _, k := range []string{"gunicorn", "gevent", "eventlet", "uwsgi", "waitress", "flask", "whitenoise", "nginx", "wrk"} {
		if v[k] != "" {
			parts = append(parts, k+" "+v[k])
		}
	}
	return strings.Join(parts, ", ")
}

// row is r's table line; goal adds the vs-goal-reference cell, bold marks
// the row a goal is about.
func row(r runResult, base float64, goal, bold bool) string {
	name := r.Label
	if r.Server == "gwsgi" || bold {
		name = "**" + name + "**"
	}
	if r.Reference {
		name += " *reference*"
	}
	note := r.Note
	if r.Status != statusOK && r.Status != statusErrors {
		note = "**" + r.Status + "**" + prefixed(": ", note)
	} else if r.Status == statusErrors {
		note = "**errors**" + prefixed(": ", note)
	}
	note = strings.ReplaceAll(note, "|", "\\|")
	note = strings.ReplaceAll(note, "\n", " ")
	goalCell := ""
	if !r.measured() {
		if goal {
			goalCell = " — |"
		}
		return fmt.Sprintf("| %s | %s | — | — | — |%s — | — | — | — | — | %s | %s | %s |\n",
			name, r.Budget, goalCell, cpuCell(r), rssCell(r), note)
	}
	ratio, vsCeiling := "—", "—"
	if base > 0 {
		ratio = fmt.Sprintf("%.2f", r.rps()/base)
	}
	if r.VsInproc != nil {
		vsCeiling = fmt.Sprintf("%.2f", *r.VsInproc)
	}
	if goal {
		goalCell = " — |"
		if r.VsGoalRef != nil {
			goalCell = fmt.Sprintf(" %.2f |", *r.VsGoalRef)
		}
	}
	p50, p99, pmax, errs, non2xx := "—", "—", "—", "—", "—"
	if w := r.Wrk; w != nil {
		if !w.allTimedOut() {
			p50, p99, pmax = fmtMs(w.P50Ms), fmtMs(w.P99Ms), fmtMs(w.MaxMs)
		}
		errs, non2xx = strconv.FormatInt(w.SocketErrors(), 10), strconv.FormatInt(w.Non2xx, 10)
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s |%s %s | %s | %s | %s | %s | %s | %s | %s |\n",
		name, r.Budget, thousands(r.rps()), ratio, vsCeiling, goalCell, p50, p99, pmax,
		errs, non2xx, cpuCell(r), rssCell(r), note)
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func cpuCell(r runResult) string {
	if r.Processes == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", r.CPUSeconds)
}

func rssCell(r runResult) string {
	if r.Processes == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f", r.PeakRSSMB)
}

// fmtMs prints a latency with a unit that suits it.
func fmtMs(ms float64) string {
	switch {
	case ms < 1:
		return fmt.Sprintf("%.0f µs", ms*1000)
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.2f s", ms/1000)
	}
}

// thousands prints v rounded, with commas: 123,456.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
