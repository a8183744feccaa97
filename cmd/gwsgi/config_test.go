package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeConfig writes a gunicorn.conf.py into a temporary directory.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Skipf("%s: %v", python, err)
	}
	path := filepath.Join(t.TempDir(), "gunicorn.conf.py")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConfigSourcesInOrder: the file, then GWSGI_CMD_ARGS, then the
// command line; a later source's list replaces an earlier one's.
func TestConfigSourcesInOrder(t *testing.T) {
	path := writeConfig(t, `
bind = ["127.0.0.1:7001", "127.0.0.1:7002"]
workers = 3
threads = 5
raw_env = ["A=1", "B=2"]
loglevel = "warning"
wsgi_app = "fromfile:app"
`)
	t.Setenv("GWSGI_CMD_ARGS", "--threads 6 -e C=3 ignored:positional")
	o, err := parseFlags([]string{"-c", path, "--workers", "4"})
	if err != nil {
		t.Fatal(err)
	}
	if o.workers != 4 || o.cfg.Threads != 6 || o.logs.level != "warning" || o.app != "fromfile:app" {
		t.Errorf("workers %d threads %d level %q app %q", o.workers, o.cfg.Threads, o.logs.level, o.app)
	}
	if !reflect.DeepEqual(o.env, []string{"C=3"}) {
		t.Errorf("env %q: GWSGI_CMD_ARGS's -e replaces the file's raw_env", o.env)
	}
	if len(o.binds) != 2 || o.binds[1].Addr != "127.0.0.1:7002" {
		t.Errorf("binds %v", o.binds)
	}
	o, err = parseFlags([]string{"--config=" + path, "-b", "127.0.0.1:7003", "cli:app"})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.binds) != 1 || o.binds[0].Addr != "127.0.0.1:7003" || o.app != "cli:app" {
		t.Errorf("the command line's -b and app must win: %v %q", o.binds, o.app)
	}
}

// TestConfigRefusals: unsupported settings and hooks are named, never
// ignored.
func TestConfigRefusals(t *testing.T) {
	cases := map[string]string{
		"daemon = True\ncertfile = 'x.pem'\n":  "daemon",
		"workers = 'many'\n":                   "workers",
		"def on_starting(server):\n    pass\n": "on_starting",
		"raise RuntimeError('boom')\n":         "boom",
	}
	for text, want := range cases {
		path := writeConfig(t, text)
		_, err := parseFlags([]string{"-c", path})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error naming %q", text, err, want)
		}
	}
	if _, err := parseFlags([]string{"--user", "no-such-user-gwsgi"}); err == nil || !strings.Contains(err.Error(), "no such user") {
		t.Errorf("--user of no user: %v", err)
	}
}
