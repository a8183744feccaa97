// Command bench compares gwsgi with the WSGI servers people run today
// (gunicorn's sync, gthread, gevent and eventlet workers, eventlet.wsgi,
// uWSGI, waitress; nginx and WhiteNoise for a static file) on the same
// apps, with wrk as the client.
//
//	go run ./bench          # full run: every server, every workload
//	go run ./bench -quick   # a few servers and workloads, shorter runs
//
// Each run starts one server process pinned to one CPU, waits for its port,
// checks one response, warms up, then runs wrk pinned to the other CPU and
// samples the server's CPU time and peak RSS from /proc. Results go to
// results.md (tables), results.json (everything, with the command lines
// that reproduce each run) and results.svg (a chart) in the output
// directory.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// settings is what the command line says.
type settings struct {
	Mode      string        `json:"mode"`
	Duration  time.Duration `json:"-"`
	Warmup    time.Duration `json:"-"`
	DurationS float64       `json:"duration_seconds"`
	WarmupS   float64       `json:"warmup_seconds"`
	ServerCPU string        `json:"server_cpu"`
	WrkCPU    string        `json:"wrk_cpu"`
	Threads   int           `json:"threads"`
	Rounds    int           `json:"rounds"` // runs of each lead row (runOrder), the median kept
	BasePort  int           `json:"base_port"`

	abBase  string      // -ab: the A side's gwsgi binary or git revision (A/B mode)
	abFlags [2][]string // -aflags, -bflags: each side's extra gwsgi flags
	pairs   int         // -pairs: A/B pairs a workload

	root, out         string
	tmp               string // this invocation's scratch directory, removed at its end
	servers, workload []string
}

func main() {
	s, err := parseSettings(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	do := run
	if s.abBase != "" {
		do = runAB
	}
	if err := do(s); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseSettings(args []string) (*settings, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "fewer servers and workloads, shorter runs")
	dur := fs.Duration("d", 0, "measured duration of each run (default 6s, 3s with -quick)")
	warm := fs.Duration("warmup", 0, "warm-up before each run (default 2s, 1s with -quick)")
	out := fs.String("out", "", "output `dir` (default bench/results, bench/results/quick with -quick)")
	servers := fs.String("servers", "", "comma-separated server names to run (default: the mode's set)")
	workloads := fs.String("workloads", "", "comma-separated workload names to run (default: the mode's set)")
	threads := fs.Int("threads", 8, "thread budget given to every server that has one")
	rounds := fs.Int("rounds", 0, "runs of each row that ratios are taken of, interleaved, the median kept (default 3, 1 with -quick)")
	port := fs.Int("port", 19000, "first TCP port; each run uses the next one")
	ab := fs.String("ab", "", "A/B mode: compare bin/gwsgi (B) with this gwsgi binary or git revision (A), in alternating pairs (see ab.go)")
	aflags := fs.String("aflags", "", "A/B mode: extra gwsgi flags for A, space-separated")
	bflags := fs.String("bflags", "", "A/B mode: extra gwsgi flags for B, space-separated")
	pairs := fs.Int("pairs", 6, "A/B mode: pairs of runs a workload")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	s := &settings{Mode: "full", Duration: 6 * time.Second, Warmup: 2 * time.Second, Rounds: 3,
		Threads: *threads, BasePort: *port, root: root}
	if *quick {
		s.Mode, s.Duration, s.Warmup, s.Rounds = "quick", 3*time.Second, time.Second, 1
	}
	if *rounds > 0 {
		s.Rounds = *rounds
	}
	if *dur > 0 {
		s.Duration = *dur
	}
	if *warm > 0 {
		s.Warmup = *warm
	}
	s.DurationS, s.WarmupS = s.Duration.Seconds(), s.Warmup.Seconds()
	s.out = *out
	if s.out == "" {
		s.out = filepath.Join(root, "bench", "results")
		if *quick {
			s.out = filepath.Join(s.out, "quick")
		}
	}
	s.servers, s.workload = splitList(*servers), splitList(*workloads)
	s.abBase, s.abFlags, s.pairs = *ab, [2][]string{strings.Fields(*aflags), strings.Fields(*bflags)}, max(*pairs, 2)
	return s, nil
}

func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// repoRoot is the directory holding go.mod, searched upwards from here.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the current directory")
		}
		dir = parent
	}
}
