package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makeVenv makes a virtual environment with Debian's python3 -m venv
// (flags such as --system-site-packages added) and puts a module in its
// site-packages and another in a directory a .pth file names.
func makeVenv(t *testing.T, flags ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "env")
	args := append([]string{"-m", "venv", "--without-pip"}, flags...)
	if out, err := exec.Command(python, append(args, dir)...).CombinedOutput(); err != nil {
		t.Fatalf("python3 -m venv (make deps installs python3-venv): %v\n%s", err, out)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "lib", "python3*", "site-packages"))
	if len(matches) != 1 {
		t.Fatalf("no site-packages in %s", dir)
	}
	site, extra := matches[0], filepath.Join(dir, "extra")
	writeFiles(t, map[string]string{
		filepath.Join(site, "venvmark.py"): "MARK = 'from the environment'\n",
		filepath.Join(site, "extra.pth"):   extra + "\n",
		filepath.Join(extra, "pthmod.py"):  "PTH = 'through a .pth file'\n",
	})
	return dir
}

// TestVirtualenv serves an app whose modules are only in a virtual
// environment, named by VIRTUAL_ENV (as an activated environment sets
// it) or by --virtualenv, with and without a master: sys.prefix is the
// environment, its .pth files are read, and the system's packages are
// hidden unless it was made with --system-site-packages.
func TestVirtualenv(t *testing.T) {
	venv := makeVenv(t)
	want := venv + " | from the environment | through a .pth file | no system packages"
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"VIRTUAL_ENV, one process", []string{"VIRTUAL_ENV=" + venv}, []string{"--no-master"}},
		{"--virtualenv, two workers", nil, []string{"--virtualenv", venv, "-w", "2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, c.env, append(c.args, "--chdir", "e2e/testdata", "venvapp")...)
			if _, body := s.get(t, "/"); string(body) != want {
				t.Errorf("got %q, want %q", body, want)
			}
		})
	}
	t.Run("--system-site-packages", func(t *testing.T) {
		venv := makeVenv(t, "--system-site-packages")
		s := startServer(t, nil, "--virtualenv", venv, "--no-master", "--chdir", "e2e/testdata", "venvapp")
		if _, body := s.get(t, "/"); !strings.HasSuffix(string(body), "| system packages") {
			t.Errorf("got %q, want the system's packages importable", body)
		}
	})
}

// TestVirtualenvRefused: an environment of another Python version, or a
// directory that is no environment, stops gwsgi at start with an error
// that says why.
func TestVirtualenvRefused(t *testing.T) {
	venv := makeVenv(t)
	cfg := filepath.Join(venv, "pyvenv.cfg")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "version") {
			l = "version = 3.9.18"
		}
		lines = append(lines, l)
	}
	writeFiles(t, map[string]string{cfg: strings.Join(lines, "\n")})
	for dir, want := range map[string]string{
		venv:        "was made with Python 3.9.18, but gwsgi embeds Python 3.",
		t.TempDir(): "not a virtual environment",
	} {
		cmd := command("127.0.0.1:"+freePort(t), nil, []string{"VIRTUAL_ENV=" + dir}, "--chdir", "e2e/testdata", "venvapp")
		cmd.Stdout, cmd.Stderr = nil, nil
		cmd.WaitDelay = 10 * time.Second
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("VIRTUAL_ENV=%s: %v, output %q; want a failure saying %q", dir, err, out, want)
		}
	}
}
