// Command perfsplit reads `perf script` output of call-graph samples
// (perf record -g -e cpu-clock) and prints the share of the samples that
// each part of serving a request took: the app's Python, the kernel's send
// path (and within it the loopback receive and the client's wake-up), the
// event loop, the GIL's waits and hand-offs, time.sleep, the Go runtime's
// cgo transitions and scheduler, gwsgi's own Go code.
//
//	perf script -i perf.data | go run ./profiles/perfsplit [-comm gwsgi]
//
// Samples of other commands on the CPU (perf record -C) are counted apart:
// "idle" for the idle task, "other processes" for the rest.
//
// Each sample goes to the first part whose rule matches one of its frames,
// in the order the parts are listed; the rest go by their innermost frame:
// Go code (a package path in the symbol), or C (the interpreter and the
// app's C extensions, also the frames perf could not name: the
// interpreter has no frame pointers, so its stacks end at the first C
// frame).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// part is one line of the report: samples with a frame containing any of
// keys belong to it.
type part struct {
	name string
	keys []string
}

// parts are tried in order. Sub-parts (indented in the report) are
// counted among the samples of the part above them.
var parts = []part{
	{"write: the kernel's send path (writev, sendfile)", []string{"fdGuard).writev", "do_writev", "do_sendfile"}},
	{"event loop: epoll_wait, read, parse, dispatch", []string{"eventloop).run", "netpoll.(*Poller)"}},
	{"time.sleep in the app (clock_nanosleep)", []string{"clock_nanosleep"}},
	{"GIL: waits and hand-offs (futex)", []string{"take_gil", "drop_gil", "pthread_cond_", "__futex_abstimed_wait", "__lll_lock_", "lll_lock_wake"}},
	{"Go runtime: sysmon", []string{"runtime.sysmon"}},
	{"Go runtime: threads and Ps (park, hand-off)", []string{"runtime.stoplockedm", "runtime.startlockedm", "runtime.stopm", "runtime.startm", "runtime.handoffp", "runtime.notesleep", "runtime.futexwakeup"}},
	{"Go runtime: cgo calls and callbacks", []string{"runtime.cgocall", "runtime.asmcgocall", "runtime.cgocallback", "runtime.exitsyscall", "runtime.entersyscall", "runtime.reentersyscall"}},
}

// subparts split the write part: the receiving side's processing that a
// loopback send runs on the sender's CPU, and within it the wake-up of
// the client.
var subparts = []part{
	{"  of which the receiver's TCP processing (loopback)", []string{"__netif_receive_skb", "process_backlog"}},
	{"    of which waking the client (sock_def_readable)", []string{"sock_def_readable"}},
}

// sample is one call-graph sample: the command it ran and its symbols,
// innermost first.
type sample struct {
	comm   string
	frames []string
}

func main() {
	comm := flag.String("comm", "gwsgi", "the server's command name (perf's comm)")
	flag.Parse()
	samples, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "perfsplit:", err)
		os.Exit(1)
	}
	if len(samples) == 0 {
		fmt.Fprintln(os.Stderr, "perfsplit: no samples")
		os.Exit(1)
	}
	report(os.Stdout, samples, *comm)
}

// read parses perf script's default output: a header line per sample,
// then one indented line per frame ("addr symbol+off (dso)").
func read(r io.Reader) ([]sample, error) {
	var out []sample
	var cur sample
	in := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			if in {
				out = append(out, cur)
				cur, in = sample{}, false
			}
		case line[0] != ' ' && line[0] != '\t':
			cur, in = sample{comm: headComm(line)}, true
		default:
			f := strings.Fields(line)
			if len(f) >= 2 {
				sym, _, _ := strings.Cut(f[1], "+0x")
				cur.frames = append(cur.frames, sym)
			}
		}
	}
	if in {
		out = append(out, cur)
	}
	return out, sc.Err()
}

// headComm returns the command of a sample's header line, "comm pid
// [cpu] time: ...": everything before the pid.
func headComm(line string) string {
	f := strings.Fields(line)
	for i := 1; i < len(f); i++ {
		if strings.Trim(f[i], "0123456789/") == "" {
			return strings.Join(f[:i], " ")
		}
	}
	return line
}

func (s sample) has(keys []string) bool {
	for _, f := range s.frames {
		for _, k := range keys {
			if strings.Contains(f, k) {
				return true
			}
		}
	}
	return false
}

// rest names a sample no part claimed, by its innermost frame.
func (s sample) rest() string {
	if len(s.frames) == 0 {
		return "C: the interpreter, the app's C code"
	}
	leaf := s.frames[0]
	switch {
	case strings.HasPrefix(leaf, "runtime.") || strings.HasPrefix(leaf, "internal/") || strings.HasPrefix(leaf, "sync"):
		return "Go runtime: other (GC, timers, memory)"
	case strings.Contains(leaf, "/") || strings.Contains(leaf, ")."):
		return "Go: gwsgi, gnet and the standard library"
	case strings.Contains(leaf, "syscall") || s.kernel():
		return "kernel: other system calls and interrupts"
	}
	return "C: the interpreter, the app's C code"
}

// kernel reports whether the sample is in the kernel: perf names kernel
// frames with lower-case, underscore-separated symbols that the
// interpreter does not use; entry_SYSCALL marks the boundary.
func (s sample) kernel() bool {
	for _, f := range s.frames {
		if strings.HasPrefix(f, "entry_SYSCALL") || strings.HasPrefix(f, "asm_") || f == "ret_from_fork_asm" {
			return true
		}
	}
	return false
}

func report(w io.Writer, samples []sample, comm string) {
	n := float64(len(samples))
	counts := make([]int, len(parts))
	subs := make([]int, len(subparts))
	rest := map[string]int{}
	for _, s := range samples {
		if s.comm != comm {
			if strings.HasPrefix(s.comm, "swapper") {
				rest["idle"]++
			} else {
				rest["other processes"]++
			}
			continue
		}
		i := 0
		for ; i < len(parts) && !s.has(parts[i].keys); i++ {
		}
		if i == len(parts) {
			rest[s.rest()]++
			continue
		}
		counts[i]++
		if i == 0 {
			for j, sp := range subparts {
				if s.has(sp.keys) {
					subs[j]++
				}
			}
		}
	}
	fmt.Fprintf(w, "%d samples\n", len(samples))
	for i, p := range parts {
		fmt.Fprintf(w, "%6.1f%%  %s\n", 100*float64(counts[i])/n, p.name)
		if i == 0 {
			for j, sp := range subparts {
				fmt.Fprintf(w, "%6.1f%%  %s\n", 100*float64(subs[j])/n, sp.name)
			}
		}
	}
	names := make([]string, 0, len(rest))
	for k := range rest {
		names = append(names, k)
	}
	sort.Slice(names, func(a, b int) bool { return rest[names[a]] > rest[names[b]] })
	for _, k := range names {
		fmt.Fprintf(w, "%6.1f%%  %s\n", 100*float64(rest[k])/n, k)
	}
}
