package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestABFlags(t *testing.T) {
	s, err := parseSettings([]string{"-ab", "HEAD~1", "-bflags", "--threads 1 --cpu-sched normal", "-pairs", "4", "-workloads", "flask"})
	if err != nil {
		t.Fatal(err)
	}
	if s.abBase != "HEAD~1" || s.pairs != 4 || len(s.abFlags[0]) != 0 ||
		!slices.Equal(s.abFlags[1], []string{"--threads", "1", "--cpu-sched", "normal"}) || !slices.Equal(s.workload, []string{"flask"}) {
		t.Fatalf("settings %+v", s)
	}
	if s, _ := parseSettings([]string{"-ab", "x", "-pairs", "1"}); s.pairs != 2 {
		t.Errorf("-pairs 1 gave %d pairs; a verdict needs two", s.pairs)
	}
}

// Each side serves the app gwsgi's row serves, with its own binary and
// its flags before the app.
func TestABSideCommand(t *testing.T) {
	s := testSettings(t)
	w := workloadNamed(t, "flask")
	sd := abSide{name: "A", bin: "/tmp/old/gwsgi", flags: []string{"--threads", "1"}}
	argv, why := command(sd.server(), s, w, "127.0.0.1:9")
	want, _ := command(servers[slices.IndexFunc(servers, func(sv server) bool { return sv.Name == "gwsgi" })], s, w, "127.0.0.1:9")
	if argv == nil || why != "" {
		t.Fatalf("no command: %s", why)
	}
	if argv[0] != sd.bin || !slices.Equal(argv[len(argv)-3:], want[len(want)-3:]) {
		t.Fatalf("argv %q, the gwsgi row's %q", argv, want)
	}
	if i := slices.Index(argv, "--threads"); i < 0 || argv[i+1] != "1" || i > slices.Index(argv, "--chdir") {
		t.Fatalf("flags missing or after the app: %q", argv)
	}
	if !strings.HasPrefix(sd.server().Label, "A: /tmp/old/gwsgi --threads 1") {
		t.Errorf("label %q", sd.server().Label)
	}
}

// The sides take turns at running first, so that a drifting machine
// favours neither.
func TestABOrderAlternates(t *testing.T) {
	first := map[int]int{}
	for i := range 6 {
		o := abOrder(i)
		if o[0] == o[1] {
			t.Fatalf("pair %d runs one side twice: %v", i, o)
		}
		first[o[0]]++
		if i > 0 && abOrder(i - 1)[0] == o[0] {
			t.Errorf("pairs %d and %d start with the same side", i-1, i)
		}
	}
	if first[0] != 3 || first[1] != 3 {
		t.Errorf("first runs %v", first)
	}
}

func TestRatioCI(t *testing.T) {
	m, lo, hi := ratioCI([]float64{1.1, 1.1, 1.1})
	if math.Abs(m-1.1) > 1e-9 || math.Abs(lo-1.1) > 1e-9 || math.Abs(hi-1.1) > 1e-9 {
		t.Errorf("constant ratios: %v (%v-%v)", m, lo, hi)
	}
	// Logarithms ±0.1: mean 1; standard deviation 0.1·√2, standard error 0.1,
	// so the half-width is t(1) × 0.1.
	m, lo, hi = ratioCI([]float64{math.Exp(0.1), math.Exp(-0.1)})
	if math.Abs(m-1) > 1e-9 || math.Abs(math.Log(hi)-12.706*0.1) > 1e-6 || math.Abs(math.Log(lo)+12.706*0.1) > 1e-6 {
		t.Errorf("two pairs: %v (%v-%v)", m, lo, hi)
	}
	consistent := []float64{1.04, 1.06, 1.05, 1.03, 1.07, 1.05}
	if _, lo, _ := ratioCI(consistent); lo <= 1 {
		t.Errorf("6 pairs 3-7%% faster: lower bound %v", lo)
	}
	noisy := []float64{1.10, 0.92, 1.05, 0.97, 1.08, 0.90}
	if _, lo, hi := ratioCI(noisy); lo >= 1 || hi <= 1 {
		t.Errorf("noisy pairs: %v-%v should hold 1", lo, hi)
	}
	if m, _, _ := ratioCI([]float64{1.2}); !math.IsNaN(m) {
		t.Errorf("one pair gave %v", m)
	}
}

func TestABVerdict(t *testing.T) {
	// Nine pairs of ten a few per cent ahead and one disturbed the other
	// way: the t interval of the mean holds 1, the sign test does not.
	ratios := []float64{1.038, 1.061, 1.029, 0.860, 1.26, 1.018, 1.028, 1.040, 1.046, 1.046}
	if ahead, n, p := signTest(ratios); ahead != 9 || n != 10 || math.Abs(p-22.0/1024) > 1e-12 {
		t.Errorf("sign test: %d of %d, p=%v", ahead, n, p)
	}
	if got := abSummary("hello", ratios, ratios, ratios); !strings.Contains(got, "B faster") || !strings.Contains(got, "median 1.039") {
		t.Errorf("summary %q", got)
	}
	slower := make([]float64, len(ratios))
	for i, r := range ratios {
		slower[i] = 1 / r
	}
	if got := abSummary("hello", slower, slower, slower); !strings.Contains(got, "B slower") {
		t.Errorf("summary %q", got)
	}
	noisy := []float64{1.10, 0.92, 1.05, 0.97, 1.08, 0.90}
	if got := abSummary("flask", noisy, noisy, noisy); !strings.Contains(got, "within the noise") {
		t.Errorf("summary %q", got)
	}
	if _, n, p := signTest([]float64{1, 1, 1.1}); n != 1 || p != 1 {
		t.Errorf("ties: n %d p %v", n, p)
	}
	if got := median64([]float64{3, 1, 2, 10}); got != 2.5 {
		t.Errorf("median %v", got)
	}
}

func TestABBinary(t *testing.T) {
	s := testSettings(t)
	bin := filepath.Join(s.tmp, "gwsgi")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := abBinary(s, bin); err != nil || got != bin {
		t.Errorf("a file: %q, %v", got, err)
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	s.root = root
	if _, err := abBinary(s, "no-such-revision-anywhere"); err == nil || !strings.Contains(err.Error(), "neither a file nor a revision") {
		t.Errorf("a bad revision: %v", err)
	}
}

func TestABLineSkipsErrors(t *testing.T) {
	ok := runResult{Wrk: &wrkResult{RPS: 1000, Requests: 6000, P99Ms: 2}, CPUSeconds: 6}
	bad := ok
	bad.Wrk = &wrkResult{RPS: 900, Requests: 5400, P99Ms: 2, Timeout: 3}
	if line, counted := abLine("sleep", 0, [2]runResult{ok, ok}); !counted || !strings.Contains(line, "B/A 1.000") ||
		!strings.Contains(line, "1000.0 µs CPU a request") {
		t.Errorf("%q counted %v", line, counted)
	}
	if line, counted := abLine("sleep", 1, [2]runResult{ok, bad}); counted || !strings.Contains(line, "B 3 errors") {
		t.Errorf("%q counted %v", line, counted)
	}
	if _, counted := abLine("sleep", 2, [2]runResult{{Status: statusNoStart}, ok}); counted {
		t.Error("a side that did not start counted")
	}
}
