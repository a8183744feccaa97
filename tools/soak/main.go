// Command soak runs a bounded mix of valid and hostile HTTP/1.1 traffic
// against a gwsgi server for a while and gives a verdict.
//
//	go run ./tools/soak -duration 3m -out bin/soak.json
//
// By default it starts bin/gwsgi on a free 127.0.0.1 port serving
// tools/soak/soakapp.py with -w 2 --threads 32 --header-timeout 5
// --keep-alive 5; -addr soaks a server already running instead (its
// memory is sampled only when -pid names its master). Concurrently, each
// kind on a bounded number of connections:
//
//   - valid: keep-alive GET, HEAD and POST (Content-Length bodies up to
//     -max-body, chunked ones, 100-continue), streamed and large answers,
//     short sleeps; every answer's status and body is checked;
//   - pipelined: batches of requests in one write, answers checked in
//     order;
//   - slow-head, slow-body: heads and bodies trickled in, which must be
//     timed out (408 or close) after --header-timeout, or served when
//     they complete in time (slow-head-ok, slow-body-ok);
//   - early-close: connections abandoned at every stage;
//   - malformed: bad request lines, bare LF, smuggling shapes, bad
//     chunks, obs-fold, NUL bytes, which must get a 4xx (501/505 where
//     RFC 9112 says so) and a close;
//   - huge-header: request lines and header sections over the limits
//     (414, 431), and requests just under them (near-limit), which must
//     be served.
//
// The resident memory of the master and its workers (VmRSS, from /proc)
// is sampled after a warm-up (a third of -duration, at least 10s) and
// every -sample. The verdict is PASS when no valid request failed, every
// hostile one was refused or dropped as documented, the server's
// processes stayed the same with no crash in its log, and the RSS at the
// end is at most -rss-factor (1.2) times the RSS after warm-up plus
// -rss-slack (32) MiB. The exit status is 1 on FAIL, 2 when the soak could
// not run.
//
// Why that warm-up and that tolerance: under this mix a worker's memory
// is mostly buffers that follow the peak concurrency of large bodies
// (pooled 256 KiB wsgi.input buffers and arenas, gnet's connection
// buffers, the Go heap's headroom over them) and glibc arenas of the
// app's threads, and it keeps rising, ever more slowly, for minutes, with
// no object leaked (the Go heap in use falls back to a few MiB after two
// GCs, the interpreter's allocated blocks stay flat). Measured with two
// workers on two CPUs: 157 MiB after 10s, 175 after 20s, 215 after one
// minute, 250 after three, 306 after ten; from a third of the run to its
// end the RSS grows by 16% to 29%, and consecutive samples swing by up
// to 9 MiB. 20% plus 32 MiB covers that with a margin of 15 MiB or more.
// A leak does not fit in it: at this mix's rate (about 1500 requests a
// second) a leak of 400 bytes per request (35 MiB a minute) fails a
// one-minute soak, 200 bytes a three-minute one, 60 bytes a ten-minute
// one.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"
)

// config is the soak's command line.
type config struct {
	Addr string // a running server to soak; empty: start one
	PID  int    // its master's pid, for the RSS samples

	Bin, Chdir, App, Log string // the server the soak starts, and where its output goes
	Workers, Threads     int
	HeaderTimeout        time.Duration // the server's --header-timeout (also what slow clients expect)
	KeepAlive            time.Duration // the server's --keep-alive
	Limits               limits        // the server's request limits (what huge headers exceed)

	Duration, Warmup, Sample, RequestTimeout time.Duration

	Valid, Pipelined, SlowHeads, SlowBodies, Early, Malformed, Huge int // connections per kind
	MaxBody                                                         int

	RSSFactor float64
	RSSSlack  int // MiB

	Out  string
	Seed uint64
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	cfg := &config{HeaderTimeout: 5 * time.Second, KeepAlive: 5 * time.Second}
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", "", "soak the server at this host:port instead of starting one")
	fs.IntVar(&cfg.PID, "pid", 0, "with -addr: the server's master pid, whose processes' RSS is sampled")
	fs.StringVar(&cfg.Bin, "bin", "bin/gwsgi", "gwsgi binary to start")
	fs.StringVar(&cfg.Chdir, "chdir", "tools/soak", "directory of the app (gwsgi --chdir)")
	fs.StringVar(&cfg.App, "app", "soakapp", "the app, module:callable (it must answer as tools/soak/soakapp.py does)")
	fs.StringVar(&cfg.Log, "log", os.TempDir()+"/gwsgi-soak-server.log", "file for the started server's output")
	fs.IntVar(&cfg.Workers, "workers", 2, "server worker processes (-w)")
	fs.IntVar(&cfg.Threads, "threads", 32, "server threads per worker (--threads)")
	fs.Var((*secondsValue)(&cfg.HeaderTimeout), "header-timeout", "the server's --header-timeout (seconds, or a duration)")
	fs.Var((*secondsValue)(&cfg.KeepAlive), "keep-alive", "the server's --keep-alive (seconds, or a duration)")
	fs.IntVar(&cfg.Limits.Line, "limit-request-line", 8190, "the server's --limit-request-line")
	fs.IntVar(&cfg.Limits.Fields, "limit-request-fields", 100, "the server's --limit-request-fields")
	fs.IntVar(&cfg.Limits.FieldSize, "limit-request-field_size", 8190, "the server's --limit-request-field_size")
	fs.IntVar(&cfg.Limits.HeadersSize, "limit-request-headers-size", 65536, "the server's --limit-request-headers-size")
	fs.DurationVar(&cfg.Duration, "duration", 3*time.Minute, "how long the soak runs, warm-up included")
	fs.DurationVar(&cfg.Warmup, "warmup", 0, "load before the first RSS sample (0: a third of -duration, at least 10s)")
	fs.DurationVar(&cfg.Sample, "sample", 10*time.Second, "time between RSS samples")
	fs.DurationVar(&cfg.RequestTimeout, "request-timeout", 30*time.Second, "time a valid request may take")
	fs.IntVar(&cfg.Valid, "valid", 16, "valid keep-alive connections")
	fs.IntVar(&cfg.Pipelined, "pipelined", 4, "pipelining connections")
	fs.IntVar(&cfg.SlowHeads, "slow-heads", 30, "connections sending slow heads")
	fs.IntVar(&cfg.SlowBodies, "slow-bodies", 20, "connections sending slow bodies")
	fs.IntVar(&cfg.Early, "early", 8, "clients abandoning connections early")
	fs.IntVar(&cfg.Malformed, "malformed", 4, "clients sending malformed requests")
	fs.IntVar(&cfg.Huge, "huge", 2, "clients sending huge and near-limit headers")
	fs.IntVar(&cfg.MaxBody, "max-body", 1<<20, "largest request body in bytes")
	fs.Float64Var(&cfg.RSSFactor, "rss-factor", 1.2, "RSS at the end may be this times the RSS after warm-up ...")
	fs.IntVar(&cfg.RSSSlack, "rss-slack", 32, "... plus this many MiB")
	fs.StringVar(&cfg.Out, "out", "", "write the report as JSON to this file")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed (0: from the clock); the report names it")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case cfg.Duration <= 0 || cfg.Sample <= 0 || cfg.HeaderTimeout <= 0 || cfg.KeepAlive <= 0 || cfg.RequestTimeout <= 0:
		return nil, fmt.Errorf("-duration, -sample, -header-timeout, -keep-alive and -request-timeout must be positive")
	case cfg.MaxBody < 16<<10:
		return nil, fmt.Errorf("-max-body must be at least 16384")
	case cfg.Limits.Fields <= 20 || cfg.Limits.Line < 256 || cfg.Limits.FieldSize < 256 || cfg.Limits.HeadersSize < 4096:
		return nil, fmt.Errorf("the -limit-request-* values are below what the soak can work with")
	}
	if cfg.Warmup <= 0 {
		cfg.Warmup = max(10*time.Second, cfg.Duration/3)
	}
	if cfg.Warmup >= cfg.Duration {
		return nil, fmt.Errorf("-warmup %v leaves nothing of -duration %v", cfg.Warmup, cfg.Duration)
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	return cfg, nil
}

// secondsValue is a duration flag that also takes plain seconds, as
// gwsgi's own timeout flags do.
type secondsValue time.Duration

func (v *secondsValue) String() string { return time.Duration(*v).String() }

func (v *secondsValue) Set(s string) error {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		*v = secondsValue(n * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(s)
	*v = secondsValue(d)
	return err
}

// soak is a running soak: its configuration, target and counts.
type soak struct {
	cfg    *config
	addr   string
	stats  *stats
	bodies []byte // random bytes request bodies are cut from
}

// Seeds of the kinds' random streams.
const (
	kindSeedValid = iota + 1
	kindSeedPipelined
	kindSeedSlowHead
	kindSeedSlowBody
	kindSeedEarly
	kindSeedHostile
)

// rng returns the random stream of client id of a kind.
func (s *soak) rng(kind, id int) *rand.Rand {
	return rand.New(rand.NewPCG(s.cfg.Seed, uint64(kind)<<32|uint64(id)))
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs a soak and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if err != flag.ErrHelp {
			fmt.Fprintln(stderr, "soak:", err)
		}
		return 2
	}
	s := &soak{cfg: cfg, stats: newStats(), bodies: make([]byte, 2*cfg.MaxBody)}
	fill := rand.New(rand.NewPCG(cfg.Seed, 0))
	for i := range s.bodies {
		s.bodies[i] = byte(fill.Uint32())
	}
	rep := &report{Seed: cfg.Seed, Warmup: cfg.Warmup.Seconds()}
	var sv *server
	pid := cfg.PID
	if cfg.Addr == "" {
		if sv, err = startServer(cfg); err != nil {
			fmt.Fprintln(stderr, "soak:", err)
			return 2
		}
		s.addr, pid = sv.addr, sv.pid()
		rep.Command = append([]string{cfg.Bin}, cfg.serverArgs(sv.addr)...)
	} else {
		s.addr = cfg.Addr
		if err := probe(s.addr, 5*time.Second); err != nil {
			fmt.Fprintf(stderr, "soak: %s does not serve the soak app's GET /: %v\n", s.addr, err)
			return 2
		}
	}
	rep.Target, rep.PID = s.addr, pid
	fmt.Fprintf(stdout, "soak: %v against %s (seed %d)\n", cfg.Duration, s.addr, cfg.Seed)

	rep.Began = time.Now()
	s.stats.begin = rep.Began
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	rep.Clients = s.launch(ctx, &wg)
	samples, died := s.monitor(stdout, rep.Began, pid, sv)
	cancel()
	wg.Wait()
	rep.Duration = time.Since(rep.Began).Seconds()
	if !died {
		s.afterLoad()
	}
	if pid != 0 {
		rep.RSS = newRSSReport(samples, cfg.RSSFactor, int64(cfg.RSSSlack)<<10)
	}
	if sv != nil {
		if err := sv.stop(); err != nil {
			rep.ServerEnd = err.Error()
		} else {
			rep.ServerEnd = "exit status 0"
		}
		if rep.Log, err = scanLog(sv.logPath); err != nil {
			fmt.Fprintln(stderr, "soak:", err)
		}
	}
	rep.Kinds = s.stats.snapshot()
	rep.judge()
	if died {
		rep.Reasons = append(rep.Reasons, "the server exited during the soak")
		rep.Verdict = "FAIL"
	}
	rep.print(stdout)
	if cfg.Out != "" {
		if err := rep.writeJSON(cfg.Out); err != nil {
			fmt.Fprintln(stderr, "soak:", err)
			return 2
		}
		fmt.Fprintf(stdout, "report: %s\n", cfg.Out)
	}
	if rep.Verdict != "PASS" {
		return 1
	}
	return 0
}

// launch starts every kind's clients; they run until ctx is done. It
// returns the number of clients by kind.
func (s *soak) launch(ctx context.Context, wg *sync.WaitGroup) map[string]int {
	cfg := s.cfg
	huge := hugeCases(cfg.Limits)
	kinds := []struct {
		name string
		n    int
		run  func(ctx context.Context, id int)
	}{
		{"valid", cfg.Valid, s.validClient},
		{"pipelined", cfg.Pipelined, s.pipelinedClient},
		{"slow-head", cfg.SlowHeads, s.slowHeadClient},
		{"slow-body", cfg.SlowBodies, s.slowBodyClient},
		{"early-close", cfg.Early, s.earlyCloseClient},
		{"malformed", cfg.Malformed, func(ctx context.Context, id int) { s.hostileClient(ctx, "malformed", malformedCases, id) }},
		{"huge-header", cfg.Huge, func(ctx context.Context, id int) { s.hostileClient(ctx, "huge-header", huge, 1000+id) }},
	}
	clients := map[string]int{}
	for _, k := range kinds {
		clients[k.name] = k.n
		for id := 0; id < k.n; id++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k.run(ctx, id)
			}()
		}
	}
	return clients
}

// monitor waits out the soak, sampling the RSS of pid's processes (when
// pid is not 0) after the warm-up, every cfg.Sample and as the load
// ends. It stops early, reporting died, when the server it started exits.
func (s *soak) monitor(stdout io.Writer, begin time.Time, pid int, sv *server) (samples []rssSample, died bool) {
	end := begin.Add(s.cfg.Duration)
	next := begin.Add(s.cfg.Warmup)
	var exited <-chan struct{}
	if sv != nil {
		exited = sv.exited
	}
	for {
		at := min(next.UnixNano(), end.UnixNano())
		select {
		case <-exited:
			fmt.Fprintf(stdout, "soak: the server exited after %v: %v\n", time.Since(begin).Round(time.Second), sv.waitErr)
			return samples, true
		case <-time.After(time.Until(time.Unix(0, at))):
		}
		var served, failed int64
		for _, k := range s.stats.snapshot() {
			served += k.OK
			failed += k.Failed
		}
		line := fmt.Sprintf("soak: %3.0fs %d outcomes as expected, %d not", time.Since(begin).Seconds(), served, failed)
		if pid != 0 {
			smp := sampleRSS(pid, begin)
			samples = append(samples, smp)
			line += fmt.Sprintf("; RSS %s (%d processes)", mib(smp.KiB), len(smp.Procs))
		}
		fmt.Fprintln(stdout, line)
		if !time.Now().Before(end) {
			return samples, false
		}
		for !next.After(time.Now()) {
			next = next.Add(s.cfg.Sample)
		}
	}
}

// afterLoad checks, once the load is over, that the server still
// serves: a valid request on a new connection.
func (s *soak) afterLoad() {
	if err := probe(s.addr, s.cfg.RequestTimeout); err != nil {
		s.stats.fail("valid", fmt.Errorf("after the soak: %w", err))
		return
	}
	s.stats.status("valid", 200)
	s.stats.ok("valid")
}
