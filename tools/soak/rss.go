package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// rssSample is the resident memory of a server's processes at one time.
type rssSample struct {
	At    float64       `json:"at_s"`  // seconds since the soak began
	KiB   int64         `json:"kib"`   // VmRSS summed over the processes
	Procs map[int]int64 `json:"procs"` // VmRSS by pid
	When  time.Time     `json:"-"`
}

// sampleRSS reads VmRSS of root and of every process descending from it
// (its workers), found by the parent pid in /proc/PID/stat.
func sampleRSS(root int, begin time.Time) rssSample {
	now := time.Now()
	s := rssSample{At: now.Sub(begin).Seconds(), When: now, Procs: map[int]int64{}}
	for _, pid := range procTree(root) {
		if kib, ok := statusKiB(pid, "VmRSS:"); ok {
			s.Procs[pid] = kib
			s.KiB += kib
		}
	}
	return s
}

// procTree returns root and its descendants, root first; nil when root
// is gone.
func procTree(root int) []int {
	if _, err := os.Stat("/proc/" + strconv.Itoa(root)); err != nil {
		return nil
	}
	children := map[int][]int{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if ppid, ok := parentOf(d); ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	tree := []int{root}
	for i := 0; i < len(tree); i++ {
		kids := children[tree[i]]
		slices.Sort(kids)
		tree = append(tree, kids...)
	}
	return tree
}

// parentOf reads the parent pid from dir/stat (the field after the
// command name, which may hold spaces and parentheses, and the state).
func parentOf(dir string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return 0, false // gone meanwhile
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(f[1])
	return ppid, err == nil
}

// statusKiB reads a "Key:   123 kB" line of /proc/PID/status.
func statusKiB(pid int, key string) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				n, err := strconv.ParseInt(f[0], 10, 64)
				return n, err == nil
			}
		}
	}
	return 0, false
}

// slopeMiBPerMin fits a line through the samples (least squares) and
// returns its slope in MiB per minute; 0 with fewer than two samples.
func slopeMiBPerMin(samples []rssSample) float64 {
	n := float64(len(samples))
	if n < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for _, s := range samples {
		x, y := s.At/60, float64(s.KiB)/1024
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}

// pidsOf returns the pids of a sample, sorted.
func (s rssSample) pidsOf() []int {
	pids := make([]int, 0, len(s.Procs))
	for pid := range s.Procs {
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	return pids
}
