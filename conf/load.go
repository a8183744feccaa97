package conf

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// loadScript evaluates a config file and reports on file descriptor 3.
//
//go:embed load.py
var loadScript string

// File is a gunicorn config file's settings as evaluated by Python.
type File struct {
	// Path is the file's absolute path, or "python:MODULE" for a config
	// module.
	Path string
	// Settings holds the values of the gunicorn settings the file sets
	// (server hooks aside), decoded from JSON: nil, bool, string,
	// json.Number, []any or map[string]any.
	Settings map[string]any
	// Hooks are the server hooks the file defines (post_fork, on_starting,
	// ...), sorted, each a callable with gunicorn's number of parameters
	// or an import string naming one.
	Hooks []string
	// Unknown are the module-level names, sorted, that are neither
	// gunicorn settings nor incidental (modules, classes, functions and
	// other callables, __future__ features), such as helper variables or
	// misspelt settings. gunicorn ignores them silently; so does Args.
	Unknown []string
	// Invalid maps each setting or hook whose value cannot be taken at
	// all (a class, a bytes value, a hook that is not callable or takes
	// the wrong number of arguments) to why. Args reports them.
	Invalid map[string]string
}

// Loader evaluates config files with a Python interpreter.
type Loader struct {
	// Python is the interpreter to run, "python3" (looked up in PATH)
	// when empty.
	Python string
	// Stdout and Stderr receive what the file itself prints; nil means
	// os.Stdout and os.Stderr, as if gunicorn had read the file.
	Stdout, Stderr io.Writer
}

// Load evaluates the config file at location with the interpreter python
// (e.g. "/usr/bin/python3"); see Loader.Load.
func Load(python, location string) (*File, error) {
	return (&Loader{Python: python}).Load(location)
}

// Load evaluates the config file at location the way gunicorn does, in a
// Python subprocess, and reads back what it defines. location is a path
// (relative to the current directory), "file:PATH" or "python:MODULE".
//
// As with gunicorn, the file is executed as a module named __config__
// with __file__ set, in the current directory, which is first on
// sys.path. No bytecode is written next to it, and the subprocess ends as
// soon as the file has run, whatever threads it started.
//
// A file that does not exist gives an error that matches fs.ErrNotExist;
// a syntax error or an exception while the file runs gives an error with
// Python's message and traceback.
func (l *Loader) Load(location string) (*File, error) {
	if !strings.HasPrefix(location, "python:") {
		p := strings.TrimPrefix(location, "file:")
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("config file %q doesn't exist: %w", p, fs.ErrNotExist)
		}
	}
	r, err := l.run(location)
	if err != nil {
		return nil, err
	}
	if r.Error != "" {
		return nil, fmt.Errorf("failed to read config file %s:\n%s", location, r.Error)
	}
	f := &File{Path: r.Path, Settings: r.Settings, Hooks: r.Hooks, Unknown: r.Unknown, Invalid: r.Invalid}
	sort.Strings(f.Hooks)
	sort.Strings(f.Unknown)
	return f, nil
}

// DefaultLocation is the config file gunicorn reads when none is named:
// gunicorn.conf.py in the current directory, as an absolute path, or ""
// if there is none.
func DefaultLocation() string {
	path, err := filepath.Abs("gunicorn.conf.py")
	if err != nil {
		return ""
	}
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	return path
}

// report is what load.py writes.
type report struct {
	Error    string            `json:"error"`
	Path     string            `json:"path"`
	Settings map[string]any    `json:"settings"`
	Hooks    []string          `json:"hooks"`
	Unknown  []string          `json:"unknown"`
	Invalid  map[string]string `json:"invalid"`
}

// run runs load.py on location and decodes its report, which it writes to
// an unlinked temporary file passed as descriptor 3, so that neither the
// file's own output nor processes it leaves behind can garble or hold it.
func (l *Loader) run(location string) (*report, error) {
	out, err := os.CreateTemp("", "gwsgi-conf-*.json")
	if err != nil {
		return nil, err
	}
	os.Remove(out.Name())
	defer out.Close()

	spec, err := json.Marshal(scriptSpec())
	if err != nil {
		return nil, err
	}
	python := l.Python
	if python == "" {
		python = "python3"
	}
	var tail tailBuffer
	cmd := exec.Command(python, "-c", loadScript, location, string(spec))
	cmd.Stdout = orDefault(l.Stdout, os.Stdout)
	cmd.Stderr = io.MultiWriter(orDefault(l.Stderr, os.Stderr), &tail)
	cmd.ExtraFiles = []*os.File{out}
	cmd.WaitDelay = time.Second
	runErr := cmd.Run()

	var r report
	if _, err := out.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(out)
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		if runErr == nil {
			runErr = fmt.Errorf("no report (%v)", err)
		}
		return nil, fmt.Errorf("evaluating config file %s with %s: %v%s", location, python, runErr, tail.String())
	}
	return &r, nil
}

// scriptSpec is the names load.py sorts a module's globals by.
func scriptSpec() any {
	names := make([]string, 0, len(rules)+len(ownRules))
	for name := range rules {
		names = append(names, name)
	}
	for name := range ownRules {
		names = append(names, name)
	}
	sort.Strings(names)
	arities := make(map[string][]int, len(hooks))
	for name, h := range hooks {
		arities[name] = h.arities
	}
	return map[string]any{"settings": names, "hooks": arities}
}

func orDefault(w io.Writer, def *os.File) io.Writer {
	if w == nil {
		return def
	}
	return w
}

// tailBuffer keeps the last few KiB written to it.
type tailBuffer struct{ b bytes.Buffer }

const tailMax = 4 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b.Write(p)
	if n := t.b.Len(); n > tailMax {
		t.b.Next(n - tailMax)
	}
	return len(p), nil
}

// String is the tail as the end of an error message: "" or ":\n" and the
// text.
func (t *tailBuffer) String() string {
	s := strings.TrimSpace(t.b.String())
	if s == "" {
		return ""
	}
	return ":\n" + s
}
