package conf

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

const python3 = "/usr/bin/python3"

// needPython skips the test when there is no python3 to evaluate files.
func needPython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(python3); err != nil {
		t.Skipf("%s: %v", python3, err)
	}
}

// writeFile writes a config file into a fresh directory and returns its
// path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// quiet is a Loader whose files print into out.
func quiet(out *bytes.Buffer) *Loader {
	return &Loader{Python: python3, Stdout: out, Stderr: out}
}

const fullConfig = `
import multiprocessing
from os import path as ospath

bind = ["0.0.0.0:8000", "unix:/run/app.sock"]
workers = multiprocessing.cpu_count() * 0 + 4
threads = 8
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %({x-test}i)s \'%(a)s\''
errorlog = "/var/log/app/error.log"
loglevel = "debug"
raw_env = ("A=1", "B=two words")
forwarded_allow_ips = "10.0.0.1, 10.0.0.2"
umask = 0o22
wsgi_app = "myapp.wsgi:application"
daemon = False

helper = 3
_private = "not a setting"

def post_fork(server, worker):
    pass

def on_starting(server):
    pass

print("configured", __name__, ospath.basename(__file__))
`

func TestLoadFull(t *testing.T) {
	needPython(t)
	path := writeFile(t, "gunicorn.conf.py", fullConfig)
	var out bytes.Buffer
	f, err := quiet(&out).Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != "configured __config__ gunicorn.conf.py" {
		t.Errorf("the file printed %q", got)
	}
	if f.Path != path {
		t.Errorf("Path = %q, want %q", f.Path, path)
	}
	flags, app, err := f.Args()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`--access-logformat=%(h)s "%(r)s" %(s)s %({x-test}i)s '%(a)s'`,
		"--access-logfile=-",
		"--bind=0.0.0.0:8000",
		"--bind=unix:/run/app.sock",
		"--error-logfile=/var/log/app/error.log",
		"--forwarded-allow-ips=10.0.0.1,10.0.0.2",
		"--log-level=debug",
		"--env=A=1",
		"--env=B=two words",
		"--threads=8",
		"--umask=0o22",
		"--workers=4",
	}
	if !reflect.DeepEqual(flags, want) {
		t.Errorf("flags:\n got %q\nwant %q", flags, want)
	}
	if app != "myapp.wsgi:application" {
		t.Errorf("app = %q", app)
	}
	if want := []string{"on_starting", "post_fork"}; !reflect.DeepEqual(f.Hooks, want) {
		t.Errorf("Hooks = %q, want %q", f.Hooks, want)
	}
	if want := []string{"on_starting"}; !reflect.DeepEqual(f.UnsupportedHooks(), want) {
		t.Errorf("UnsupportedHooks = %q, want %q", f.UnsupportedHooks(), want)
	}
	if err := f.CheckHooks(); err == nil || !strings.Contains(err.Error(), "on_starting") || strings.Contains(err.Error(), "run: post_fork") {
		t.Errorf("CheckHooks = %v", err)
	}
	if want := []string{"helper"}; !reflect.DeepEqual(f.Unknown, want) {
		t.Errorf("Unknown = %q, want %q", f.Unknown, want)
	}
	if len(f.Invalid) != 0 {
		t.Errorf("Invalid = %q", f.Invalid)
	}
}

// TestArgsParse feeds Args's output to a flag parser: each argument
// carries its value whole, quotes, spaces and "=" included.
func TestArgsParse(t *testing.T) {
	needPython(t)
	f, err := quiet(new(bytes.Buffer)).Load(writeFile(t, "gunicorn.conf.py", fullConfig))
	if err != nil {
		t.Fatal(err)
	}
	args, _, err := f.Args()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	set := flag.NewFlagSet("gwsgi", flag.ContinueOnError)
	for _, r := range rules {
		if r.flag != "" {
			name := strings.TrimPrefix(r.flag, "--")
			set.Func(name, "", func(v string) error { got[name] = append(got[name], v); return nil })
		}
	}
	if err := set.Parse(args); err != nil {
		t.Fatal(err)
	}
	if v := got["access-logformat"]; len(v) != 1 || v[0] != `%(h)s "%(r)s" %(s)s %({x-test}i)s '%(a)s'` {
		t.Errorf("--access-logformat: %q", v)
	}
	if v := got["env"]; !reflect.DeepEqual(v, []string{"A=1", "B=two words"}) {
		t.Errorf("--env: %q", v)
	}
}

func TestUnsupportedSettings(t *testing.T) {
	needPython(t)
	path := writeFile(t, "gunicorn.conf.py", `
daemon = True
preload_app = True
certfile = "/etc/ssl/cert.pem"
keyfile = "/etc/ssl/key.pem"
reload = True
statsd_host = "localhost:8125"
logconfig_dict = {"version": 1}
sendfile = False
workers = 2
`)
	f, err := quiet(new(bytes.Buffer)).Load(path)
	if err != nil {
		t.Fatal(err)
	}
	flags, _, err := f.Args()
	if flags != nil {
		t.Errorf("flags despite errors: %q", flags)
	}
	var se *SettingsError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *SettingsError", err)
	}
	var names []string
	for _, e := range se.Errs {
		names = append(names, e.Name)
		if !strings.Contains(e.Reason, "not supported: ") {
			t.Errorf("%s: reason %q", e.Name, e.Reason)
		}
	}
	want := []string{"certfile", "daemon", "keyfile", "logconfig_dict", "preload_app", "reload", "sendfile", "statsd_host"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("errors for %q, want %q", names, want)
	}
	msg := err.Error()
	for _, s := range []string{path + ": 8 settings", "daemon = True: not supported: ", "certfile = '/etc/ssl/cert.pem': not supported: gwsgi does not terminate TLS", "preload_app = True"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not say %q", msg, s)
		}
	}
}

// TestInertSettings: settings gwsgi does not support, set to what asks
// for nothing, and settings without effect, are accepted.
func TestInertSettings(t *testing.T) {
	needPython(t)
	f, err := quiet(new(bytes.Buffer)).Load(writeFile(t, "gunicorn.conf.py", `
daemon = False
preload_app = "false"
reload = None
certfile = None
keyfile = ""
logconfig_dict = {}
logger_class = "gunicorn.glogging.Logger"
default_proc_name = "gunicorn"
sendfile = True
ssl_version = "TLSv1_2"
syslog_addr = "udp://syslog:514"
worker_tmp_dir = "/dev/shm"
config = "other.py"
`))
	if err != nil {
		t.Fatal(err)
	}
	flags, app, err := f.Args()
	if err != nil || len(flags) != 0 || app != "" {
		t.Errorf("Args = %q, %q, %v; want nothing", flags, app, err)
	}
}

// settings decodes JSON as Load does.
func settings(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestValues(t *testing.T) {
	for _, c := range []struct {
		settings string
		want     []string // nil with err
		err      string   // part of the error
	}{
		{`{"workers": "4"}`, []string{"--workers=4"}, ""},
		{`{"workers": " 0x10 "}`, []string{"--workers=16"}, ""},
		{`{"workers": "1_000"}`, []string{"--workers=1000"}, ""},
		{`{"workers": true}`, []string{"--workers=1"}, ""},
		{`{"workers": "abc"}`, nil, `workers = 'abc': not an int`},
		{`{"workers": "010"}`, nil, `workers = '010': not an int`},
		{`{"workers": -1}`, nil, `workers = -1: negative`},
		{`{"workers": null}`, nil, `workers = None: not an int`},
		{`{"timeout": 30.5}`, nil, `timeout = 30.5: not an int`},
		{`{"workers": [4]}`, nil, `workers = [4]: not an int`},
		{`{"bind": "127.0.0.1:9000"}`, []string{"--bind=127.0.0.1:9000"}, ""},
		{`{"bind": [" a:1 ", "b:2"]}`, []string{"--bind=a:1", "--bind=b:2"}, ""},
		{`{"bind": []}`, []string{}, ""},
		{`{"bind": 3}`, nil, `bind = 3: not a list of str`},
		{`{"bind": ["a:1", 3]}`, nil, `bind = ['a:1', 3]: 3 in the list is not a str`},
		{`{"loglevel": 5}`, nil, `loglevel = 5: not a str`},
		{`{"loglevel": " warning "}`, []string{"--log-level=warning"}, ""},
		{`{"accesslog": null}`, []string{}, ""},
		{`{"capture_output": "TRUE"}`, []string{"--capture-output"}, ""},
		{`{"capture_output": false}`, []string{}, ""},
		{`{"capture_output": "yes"}`, nil, `capture_output = 'yes': not a bool`},
		{`{"umask": 18}`, []string{"--umask=0o22"}, ""},
		{`{"umask": "0o22"}`, []string{"--umask=0o22"}, ""},
		{`{"umask": "022"}`, []string{"--umask=0o22"}, ""},
		{`{"umask": "0"}`, []string{"--umask=0o0"}, ""},
		{`{"umask": "u+w"}`, nil, `umask = 'u+w': not an int`},
		{`{"user": "www-data", "group": 33}`, []string{"--group=33", "--user=www-data"}, ""},
		{`{"user": true}`, nil, `user = True: not an id or a name`},
		{`{"forwarded_allow_ips": ["10.0.0.1", "10.0.0.2"]}`, []string{"--forwarded-allow-ips=10.0.0.1,10.0.0.2"}, ""},
		{`{"forwarded_allow_ips": "*"}`, []string{"--forwarded-allow-ips=*"}, ""},
		{`{"forwarded_allow_ips": null}`, []string{"--forwarded-allow-ips="}, ""},
		{`{"proxy_allow_ips": "a, ,b"}`, []string{"--proxy-allow-from=a,b"}, ""},
		{`{"forwarded_allow_ips": 1}`, nil, `forwarded_allow_ips = 1: not a comma-separated str`},
		{`{"secure_scheme_headers": {"X-FORWARDED-PROTO": "https", "X-FORWARDED-SSL": "on"}}`,
			[]string{"--secure-scheme-header=X-FORWARDED-PROTO=https", "--secure-scheme-header=X-FORWARDED-SSL=on"}, ""},
		{`{"secure_scheme_headers": {}}`, []string{"--secure-scheme-header="}, ""},
		{`{"secure_scheme_headers": {"X-SSL": 1}}`, nil, `the value of 'X-SSL' is not a str`},
		{`{"secure_scheme_headers": "X-SSL"}`, nil, `secure_scheme_headers = 'X-SSL': not a dict`},
		{`{"raw_env": "A=1"}`, []string{"--env=A=1"}, ""},
		{`{"proc_name": "web", "pythonpath": "a,b", "chdir": "/srv"}`, []string{"--chdir=/srv", "--name=web", "--pythonpath=a,b"}, ""},
		{`{"reuse_port": true, "proxy_protocol": true, "check_config": true, "print_config": true}`,
			[]string{"--check-config", "--print-config", "--proxy-protocol", "--reuse-port"}, ""},
		{`{"keepalive": 5, "graceful_timeout": 10, "max_requests": 100, "max_requests_jitter": 10, "backlog": 64}`,
			[]string{"--backlog=64", "--graceful-timeout=10", "--keep-alive=5", "--max-requests=100", "--max-requests-jitter=10"}, ""},
		{`{"limit_request_line": 4094, "limit_request_fields": 100, "limit_request_field_size": 0, "worker_connections": 10, "worker_class": "gthread"}`,
			[]string{"--limit-request-field_size=0", "--limit-request-fields=100", "--limit-request-line=4094", "--worker-class=gthread", "--worker-connections=10"}, ""},
		{`{"wsgi_app": 3}`, nil, `wsgi_app = 3: not a str`},
		{`{"sendfile": "maybe"}`, nil, `sendfile = 'maybe': not a bool`},
		{`{"spew": true, "workers": "x"}`, nil, "2 settings gwsgi cannot take:\n  spew = True: not supported: gwsgi has no line-by-line trace of the server\n  workers = 'x': not an int"},
		{`{"strip_header_spaces": true}`, nil, `strip_header_spaces = True: not supported: gwsgi answers 400`},
		{`{"default_proc_name": "app"}`, nil, `default_proc_name = 'app': not supported: set proc_name`},
	} {
		f := &File{Path: "gunicorn.conf.py", Settings: settings(t, c.settings)}
		got, _, err := f.Args()
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err = %v, want one with %q", c.settings, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.settings, err)
		case len(got) != len(c.want) || (len(got) > 0 && !reflect.DeepEqual(got, c.want)):
			t.Errorf("%s: %q, want %q", c.settings, got, c.want)
		}
	}
}

// TestInvalidValues: values JSON cannot carry and bad hooks are reported
// by Args with the settings' errors.
func TestInvalidValues(t *testing.T) {
	needPython(t)
	f, err := quiet(new(bytes.Buffer)).Load(writeFile(t, "gunicorn.conf.py", `
import os
workers = "abc"
worker_class = dict
bind = b"127.0.0.1:8000"
timeout = float("nan")
post_fork = 3
pre_request = "os.getcwd"
post_request = "os.path.samefile"
worker_exit = "nosuchmodule.hook"

def child_exit(server):
    pass
`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"post_request"}; !reflect.DeepEqual(f.Hooks, want) {
		t.Errorf("Hooks = %q, want %q (os.path.samefile takes 2)", f.Hooks, want)
	}
	_, _, err = f.Args()
	var se *SettingsError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v", err)
	}
	got := map[string]string{}
	for _, e := range se.Errs {
		got[e.Name] = e.Error()
	}
	for name, want := range map[string]string{
		"workers":      "workers = 'abc': not an int",
		"worker_class": "worker_class: class builtins.dict is not a str",
		"bind":         "bind: bytes b'127.0.0.1:8000' is not a str",
		"timeout":      "timeout: float nan is not a str",
		"post_fork":    "post_fork: int 3 is not callable",
		"pre_request":  "pre_request: takes 0 positional arguments, not 2",
		"worker_exit":  "worker_exit: No module named 'nosuchmodule'",
		"child_exit":   "child_exit: takes 1 positional arguments, not 2",
	} {
		if !strings.HasPrefix(got[name], want) {
			t.Errorf("%s: %q, want %q", name, got[name], want)
		}
	}
	if len(got) != 8 {
		t.Errorf("%d errors: %q", len(got), got)
	}
}

func TestPythonErrors(t *testing.T) {
	needPython(t)
	for _, c := range []struct{ name, text, want string }{
		{"raise.py", "workers = 4\nx = 1 / 0\n", "line 2, in <module>\n    x = 1 / 0\n"},
		{"raise.py", "workers = 4\nx = 1 / 0\n", "ZeroDivisionError: division by zero"},
		{"syntax.py", "workers = (\n", "SyntaxError: '(' was never closed"},
		{"import.py", "import nosuchmodule_xyz\n", "ModuleNotFoundError: No module named 'nosuchmodule_xyz'"},
		{"exit.py", "import sys\nsys.exit(3)\n", "SystemExit: 3"},
		{"hardexit.py", "import os\nos._exit(5)\n", "exit status 5"},
	} {
		path := writeFile(t, c.name, c.text)
		_, err := quiet(new(bytes.Buffer)).Load(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want one with %q and the path", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "<frozen") {
			t.Errorf("%s: importlib frames in %v", c.name, err)
		}
	}
}

func TestMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gunicorn.conf.py")
	for _, loc := range []string{path, "file:" + path} {
		_, err := Load("python3-is-not-needed", loc)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want fs.ErrNotExist naming the file", loc, err)
		}
	}
}

func TestMissingPython(t *testing.T) {
	path := writeFile(t, "gunicorn.conf.py", "workers = 2\n")
	_, err := Load(filepath.Join(t.TempDir(), "python3"), path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v", err)
	}
}

// TestLoadLikeGunicorn: the file runs in the current directory, which is
// first on sys.path; a file without a .py extension is read too; a config
// module is named python:MODULE; threads the file leaves running do not
// hold the result.
func TestLoadLikeGunicorn(t *testing.T) {
	needPython(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "shared.py"), []byte("PORT = 9000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mycfg.py"), []byte("workers = 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gunicorn.conf"), []byte(`
import os, threading, time
import shared
bind = "127.0.0.1:%d" % shared.PORT
raw_env = ["CWD=" + os.getcwd()]
threading.Thread(target=time.sleep, args=(60,)).start()
`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if got := DefaultLocation(); got != "" {
		t.Errorf("DefaultLocation = %q without gunicorn.conf.py", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "gunicorn.conf.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := DefaultLocation(), filepath.Join(dir, "gunicorn.conf.py"); got != want {
		t.Errorf("DefaultLocation = %q, want %q", got, want)
	}
	var stderr bytes.Buffer
	start := time.Now()
	f, err := (&Loader{Python: python3, Stdout: io.Discard, Stderr: &stderr}).Load("gunicorn.conf")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Load took %v", d)
	}
	if !strings.Contains(stderr.String(), "valid Python extension") {
		t.Errorf("no warning about the extension: %q", stderr.String())
	}
	flags, _, err := f.Args()
	if want := []string{"--bind=127.0.0.1:9000", "--env=CWD=" + dir}; err != nil || !reflect.DeepEqual(flags, want) {
		t.Errorf("Args = %q, %v; want %q", flags, err, want)
	}
	if f.Path != filepath.Join(dir, "gunicorn.conf") {
		t.Errorf("Path = %q", f.Path)
	}
	if _, err := os.Stat(filepath.Join(dir, "__pycache__")); err == nil {
		t.Errorf("bytecode written next to the file")
	}

	m, err := (&Loader{Python: python3}).Load("python:mycfg")
	if err != nil {
		t.Fatal(err)
	}
	if flags, _, err := m.Args(); err != nil || !reflect.DeepEqual(flags, []string{"--workers=7"}) || m.Path != "python:mycfg" {
		t.Errorf("python:mycfg: %q, %v, Path %q", flags, err, m.Path)
	}
}

// TestKnownSettings: the settings and hooks are gunicorn 20.1's, when
// that gunicorn is there to compare with.
func TestKnownSettings(t *testing.T) {
	needPython(t)
	out, err := exec.Command(python3, "-c", `
import gunicorn, gunicorn.config
print(gunicorn.__version__)
for s in gunicorn.config.KNOWN_SETTINGS:
    print(s.name)
`).Output()
	if err != nil {
		t.Skipf("no gunicorn for %s: %v", python3, err)
	}
	lines := strings.Fields(string(out))
	if lines[0] != "20.1.0" {
		t.Skipf("gunicorn %s, not 20.1.0", lines[0])
	}
	want := lines[1:]
	var got []string
	for name := range rules {
		got = append(got, name)
	}
	for name := range hooks {
		if name != "ssl_context" {
			got = append(got, name)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings:\n got %q\nwant %q", got, want)
	}
}

func TestHooks(t *testing.T) {
	for _, name := range []string{"post_fork", "post_worker_init", "pre_request", "post_request", "worker_exit", "child_exit"} {
		if !SupportedHook(name) || !IsHook(name) {
			t.Errorf("%s is not supported", name)
		}
	}
	for _, name := range []string{"on_starting", "on_reload", "when_ready", "pre_fork", "worker_int", "worker_abort", "pre_exec", "nworkers_changed", "on_exit", "ssl_context"} {
		if SupportedHook(name) || !IsHook(name) {
			t.Errorf("%s is supported", name)
		}
	}
	if IsHook("workers") || SupportedHook("workers") {
		t.Error("workers is a hook")
	}
	f := &File{Path: "c.py", Hooks: []string{"post_fork", "pre_request"}}
	if f.UnsupportedHooks() != nil || f.CheckHooks() != nil {
		t.Errorf("%v, %v", f.UnsupportedHooks(), f.CheckHooks())
	}
	f.Hooks = []string{"when_ready", "on_exit", "post_fork"}
	err := f.CheckHooks()
	if err == nil || !strings.HasPrefix(err.Error(), "c.py: server hooks gwsgi does not run: on_exit, when_ready (") {
		t.Errorf("CheckHooks = %v", err)
	}
}

// TestOwnSettings reads gwsgi's own settings, which gunicorn ignores, from
// a config file.
func TestOwnSettings(t *testing.T) {
	needPython(t)
	f, err := quiet(new(bytes.Buffer)).Load(writeFile(t, "gunicorn.conf.py", `
static_map = ["/static=/srv/static", "/media=/srv/media"]
static_max_age = 3600
compress = True
compress_min_size = 2048
compress_types = "text/*, application/json"
compress_encodings = ["gzip"]
compress_gzip_level = 6
`))
	if err != nil {
		t.Fatal(err)
	}
	flags, _, err := f.Args()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"--compress",
		"--compress-encodings=gzip",
		"--compress-gzip-level=6",
		"--compress-min-size=2048",
		"--compress-types=text/*,application/json",
		"--static-map=/static=/srv/static",
		"--static-map=/media=/srv/media",
		"--static-max-age=3600",
	}
	if !reflect.DeepEqual(flags, want) || len(f.Unknown) != 0 {
		t.Errorf("flags:\n got %q\nwant %q (unknown %q)", flags, want, f.Unknown)
	}
}
