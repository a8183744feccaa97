package main

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes where the numbers come from.
type machine struct {
	NProc    int               `json:"nproc"`
	Model    string            `json:"cpu_model"`
	Kernel   string            `json:"kernel"`
	Go       string            `json:"go"`
	Python   string            `json:"python"`
	LoadAvg  string            `json:"loadavg_at_start"`
	Versions map[string]string `json:"versions"`
}

func describeMachine() machine {
	m := machine{NProc: runtime.NumCPU(), Versions: map[string]string{}}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	m.Kernel = readTrim("/proc/sys/kernel/osrelease")
	m.LoadAvg = readTrim("/proc/loadavg")
	m.Go = firstLine(goTool(), "version")
	m.Python = firstLine(python, "--version")
	if f := strings.Fields(firstLine("wrk", "-v")); len(f) > 1 {
		m.Versions["wrk"] = strings.TrimPrefix(f[1], "debian/") // "wrk debian/4.1.0-3 [epoll] ..."
	}
	m.Versions["uwsgi"] = firstLine("uwsgi", "--version")
	if _, v, ok := strings.Cut(firstLine(nginxBinary(), "-v"), "nginx/"); ok {
		m.Versions["nginx"] = v // "nginx version: nginx/1.22.1"
	}
	for _, mod := range []string{"gunicorn", "gevent", "eventlet", "waitress", "flask", "whitenoise"} {
		v := firstLine(python, "-c",
			"import importlib.metadata as m; print(m.version('"+mod+"'))")
		if !strings.HasPrefix(v, "Traceback") { // not installed
			m.Versions[mod] = v
		}
	}
	return m
}

func readTrim(path string) string {
	b, _ := os.ReadFile(path)
	return strings.TrimSpace(string(b))
}

// firstLine runs a command and keeps the first line of what it prints,
// whatever its exit status (wrk -v exits 1).
func firstLine(name string, args ...string) string {
	out, _ := exec.Command(name, args...).CombinedOutput()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(line)
}
