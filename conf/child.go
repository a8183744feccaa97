package conf

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gwsgi/gwsgi/logs"
)

// childScript runs child_exit; see ChildExit.
//
//go:embed child.py
var childScript string

// ChildExit runs the child_exit hook of a config file, in the master:
// each run is a Python process of its own, which executes the file again
// and calls child_exit(server, worker) for the worker that exited. The
// master itself never imports Python.
type ChildExit struct {
	// Python is the interpreter, e.g. /usr/bin/python3 or a virtual
	// environment's bin/python.
	Python string
	// Path is the config file, absolute.
	Path string
	// Hooks is the Python source of the hook objects (pyembed.HookScript).
	Hooks string
	// Dir is the working directory of the hook, "" for the master's;
	// SysPath lists directories put first on sys.path.
	Dir     string
	SysPath []string
	// Settings are what server.cfg and worker.cfg show.
	Settings map[string]any
	// Log receives the hook's log lines (server.log, worker.log) and its
	// failures; Timeout bounds a run (then the process is killed).
	Log     *slog.Logger
	Timeout time.Duration

	wg sync.WaitGroup
}

// Start runs the hook for the worker pid of start number age, in the
// background; Wait waits for the runs started.
func (c *ChildExit) Start(pid, age int) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := c.run(pid, age); err != nil {
			c.Log.Error(fmt.Sprintf("gwsgi: child_exit hook for worker pid %d: %v", pid, err))
		}
	}()
}

// Wait waits for every run Start began.
func (c *ChildExit) Wait() { c.wg.Wait() }

// run runs the hook once and forwards its log lines.
func (c *ChildExit) run(pid, age int) error {
	info, err := json.Marshal(map[string]any{
		"pid": pid, "ppid": os.Getpid(), "age": age, "settings": c.Settings, "path": c.SysPath,
	})
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Python, "-c", childScript, c.Hooks, c.Path, string(info))
	cmd.Dir = c.Dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w}
	cmd.WaitDelay = time.Second
	err = cmd.Start()
	w.Close()
	if err != nil {
		return err
	}
	c.forward(r)
	return cmd.Wait()
}

// forward logs each "LEVEL TEXT" line the hook process reports.
func (c *ChildExit) forward(r *os.File) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		lv, text, _ := strings.Cut(sc.Text(), " ")
		n, _ := strconv.Atoi(lv)
		c.Log.Log(context.Background(), logs.PythonLevel(n), text)
	}
}
