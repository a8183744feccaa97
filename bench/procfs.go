package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat;
// 100 on every Linux architecture the benchmark runs on.
const clockTicks = 100

// groupStats is a process group's resource use: a server and the workers
// it forked (each server is started as its own group leader).
type groupStats struct {
	Procs  int     // processes in the group
	CPU    float64 // user+system seconds, summed
	HWMKiB int64   // VmHWM (peak RSS), summed
}

// readGroup sums /proc over the processes whose process group is pgid.
func readGroup(pgid int) groupStats {
	var g groupStats
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		f := statFields(stat)
		// After "pid (comm)": state ppid pgrp ...; utime and stime are the
		// 14th and 15th fields of the whole line.
		if len(f) < 13 || atoi(f[2]) != pgid {
			continue
		}
		g.Procs++
		g.CPU += float64(atoi(f[11])+atoi(f[12])) / clockTicks
		g.HWMKiB += statusKiB(filepath.Join(d, "status"), "VmHWM:")
	}
	return g
}

// statFields splits /proc/PID/stat after the command name, which may hold
// spaces and parentheses.
func statFields(b []byte) []string {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// statusKiB reads a "Name:   123 kB" line of /proc/PID/status.
func statusKiB(path, key string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return int64(atoi(f[0]))
			}
		}
	}
	return 0
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
