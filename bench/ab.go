package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A/B mode (-ab BASE) answers one question: is this tree's gwsgi faster
// or slower than another build, or the same build with other flags? The
// A side is BASE, a gwsgi binary or a git revision built into the scratch
// directory; the B side is the tree's bin/gwsgi. Under each workload the
// two run in pairs, A first in odd pairs and B first in even ones, so that
// a machine whose speed drifts over minutes moves both sides alike and its
// drift does not favour the side that runs second. Each pair gives a
// ratio B/A; the summary says whether B won significantly more pairs than
// it lost (the sign test), and gives the ratios' median and their
// geometric mean with a 95% confidence interval. Nothing is written to
// the results directory.

// abWorkloads are the workloads an A/B run measures unless -workloads says
// otherwise: a hello that is the server's own work, a CPU-bound app, and
// an app that blocks.
var abWorkloads = []string{"hello", "flask", "sleep"}

// abSide is one side of an A/B run.
type abSide struct {
	name  string   // "A" or "B"
	bin   string   // the gwsgi binary
	flags []string // gwsgi flags beyond the default budget's
}

// server is the gwsgi row for the side: the default budget's command
// line, with the side's binary and flags.
func (sd abSide) server() server {
	sv := servers[slices.IndexFunc(servers, func(sv server) bool { return sv.Name == "gwsgi" })] // the default budget: the app each workload gives it
	sv.Label = sd.name + ": " + strings.Join(append([]string{sd.bin}, sd.flags...), " ")
	argv := gwsgiArgv(0, sd.flags...)
	sv.Argv = func(s *settings, w workload, addr string) ([]string, string) {
		a, why := argv(s, w, addr)
		if a != nil {
			a[0] = sd.bin
		}
		return a, why
	}
	return sv
}

// abOrder is which side runs first in pair i (from 0): A, then B, then B
// first, and so on.
func abOrder(i int) [2]int {
	if i%2 == 0 {
		return [2]int{0, 1}
	}
	return [2]int{1, 0}
}

func runAB(s *settings) error {
	cleanup, err := prepare(s, []string{"wrk", "util-linux", "python3-flask"})
	if err != nil {
		return err
	}
	defer cleanup()
	base, err := abBinary(s, s.abBase)
	if err != nil {
		return err
	}
	sides := [2]abSide{{"A", base, s.abFlags[0]}, {"B", filepath.Join(s.root, "bin", "gwsgi"), s.abFlags[1]}}
	ws, err := abPlan(s.workload)
	if err != nil {
		return err
	}
	fmt.Printf("bench: A/B, %d pairs a workload of %v runs (after %v of warm-up)\n", s.pairs, s.Duration, s.Warmup)
	for _, sd := range sides {
		fmt.Printf("bench: %s\n", sd.server().Label)
	}
	pc := &pacer{spare: time.Duration(s.pairs*len(ws)) * (s.Warmup + s.Duration + perRunCost) / 4}
	port := s.BasePort
	for _, w := range ws {
		var rps, cpu, p99 []float64
		for i := range s.pairs {
			var pair [2]runResult
			for _, k := range abOrder(i) {
				pair[k] = runOne(s, pc, sides[k].server(), w, port)
				port++
			}
			line, ok := abLine(w.Name, i, pair)
			fmt.Println(line)
			if !ok {
				continue
			}
			a, b := pair[0], pair[1]
			rps = append(rps, b.rps()/a.rps())
			cpu = append(cpu, cpuPerRequest(b)/cpuPerRequest(a))
			p99 = append(p99, b.Wrk.P99Ms/a.Wrk.P99Ms)
		}
		fmt.Println(abSummary(w.Name, rps, cpu, p99))
	}
	return nil
}

// abPlan is the workloads named (the default set when none is).
func abPlan(names []string) ([]workload, error) {
	if len(names) == 0 {
		names = abWorkloads
	}
	var out []workload
	for _, n := range names {
		i := slices.IndexFunc(workloads, func(w workload) bool { return w.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("no workload %q", n)
		}
		out = append(out, workloads[i])
	}
	return out, nil
}

// abBinary is the A side's gwsgi: base itself when it is a file, else the
// git revision base built from a temporary worktree of the repository.
func abBinary(s *settings, base string) (string, error) {
	if st, err := os.Stat(base); err == nil && st.Mode().IsRegular() {
		return filepath.Abs(base)
	}
	dir := filepath.Join(s.tmp, "base")
	bin := filepath.Join(s.tmp, "gwsgi-base")
	if out, err := exec.Command("git", "-C", s.root, "worktree", "add", "--detach", dir, base).CombinedOutput(); err != nil {
		return "", fmt.Errorf("-ab %s: neither a file nor a revision: %s", base, strings.TrimSpace(string(out)))
	}
	defer exec.Command("git", "-C", s.root, "worktree", "remove", "--force", dir).Run()
	fmt.Printf("bench: building gwsgi at %s\n", base)
	build := exec.Command(goTool(), "build", "-o", bin, "./cmd/gwsgi")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s: %v\n%s", base, err, out)
	}
	return bin, nil
}

// cpuPerRequest is the server's CPU time a request, in microseconds.
func cpuPerRequest(r runResult) float64 {
	if r.Wrk == nil || r.Wrk.Requests == 0 {
		return 0
	}
	return r.CPUSeconds / float64(r.Wrk.Requests) * 1e6
}

// abLine describes pair i; ok says both sides were measured and answered
// without errors, so that the pair counts.
func abLine(wl string, i int, pair [2]runResult) (string, bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-6s pair %2d:", wl, i+1)
	ok := true
	for k, r := range pair {
		name := [2]string{"A", "B"}[k]
		if r.Wrk == nil || r.Wrk.RPS == 0 {
			fmt.Fprintf(&b, "  %s %s %s", name, r.Status, r.Note)
			ok = false
			continue
		}
		if e := r.Wrk.SocketErrors() + r.Wrk.Non2xx; e > 0 {
			ok = false
			fmt.Fprintf(&b, "  %s %d errors", name, e)
		}
		fmt.Fprintf(&b, "  %s %s req/s, p99 %.2f ms, %.1f µs CPU a request", name, thousands(r.Wrk.RPS), r.Wrk.P99Ms, cpuPerRequest(r))
	}
	if ok {
		fmt.Fprintf(&b, "  B/A %.3f", pair[1].rps()/pair[0].rps())
	}
	return b.String(), ok
}

// abSummary is a workload's verdict over its pairs' ratios B/A. The
// verdict is the sign test's: a disturbed run makes one pair's ratio an
// outlier, which widens the t interval of the mean a lot and moves the
// count of pairs that B won by one.
func abSummary(wl string, rps, cpu, p99 []float64) string {
	if len(rps) < 2 {
		return fmt.Sprintf("%-6s too few pairs measured (%d) for a verdict", wl, len(rps))
	}
	ahead, n, p := signTest(rps)
	verdict := "within the noise"
	if p < 0.05 {
		verdict = "B slower"
		if 2*ahead > n {
			verdict = "B faster"
		}
	}
	m, lo, hi := ratioCI(rps)
	cm, clo, chi := ratioCI(cpu)
	return fmt.Sprintf("%-6s B/A over %d pairs: req/s median %.3f, B ahead in %d of %d (sign test p=%.3f): %s; "+
		"req/s geometric mean %.3f (95%% CI %.3f-%.3f); CPU a request %.3f (%.3f-%.3f); p99 median %.3f",
		wl, len(rps), median64(rps), ahead, n, p, verdict, m, lo, hi, cm, clo, chi, median64(p99))
}

// signTest counts the ratios above 1 among those not equal to 1 and
// returns the two-sided binomial p-value of so uneven a split.
func signTest(ratios []float64) (ahead, n int, p float64) {
	for _, r := range ratios {
		if r != 1 {
			n++
			if r > 1 {
				ahead++
			}
		}
	}
	k := max(ahead, n-ahead)
	for i := k; i <= n; i++ {
		p += binom(n, i) / math.Pow(2, float64(n))
	}
	return ahead, n, min(1, 2*p)
}

// binom is n choose k.
func binom(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// median64 is the median of v (v is not modified).
func median64(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratioCI is the geometric mean of ratios and its 95% confidence interval
// (Student's t over the logarithms); NaN for fewer than two ratios.
func ratioCI(ratios []float64) (mean, lo, hi float64) {
	n := len(ratios)
	if n < 2 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	var sum, sq float64
	for _, r := range ratios {
		sum += math.Log(r)
	}
	mu := sum / float64(n)
	for _, r := range ratios {
		d := math.Log(r) - mu
		sq += d * d
	}
	half := t95(n-1) * math.Sqrt(sq/float64(n-1)/float64(n))
	return math.Exp(mu), math.Exp(mu - half), math.Exp(mu + half)
}

// t95 is Student's t for a two-sided 95% interval with df degrees of
// freedom.
func t95(df int) float64 {
	table := []float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}
	if df >= 1 && df <= len(table) {
		return table[df-1]
	}
	return 1.96
}
