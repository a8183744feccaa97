package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// peerPackages are the Debian packages the runs need besides what builds
// gwsgi (make deps installs those).
var peerPackages = []string{
	"wrk", "util-linux", "gunicorn", "python3-gevent", "python3-eventlet",
	"uwsgi", "uwsgi-plugin-python3", "python3-waitress", "python3-flask",
	"nginx", "python3-whitenoise",
}

// installMissing installs the packages dpkg does not list as installed,
// running apt-get update once first, as root or through sudo.
func installMissing(pkgs []string) error {
	var missing []string
	for _, p := range pkgs {
		out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", p).Output()
		if err != nil || !strings.Contains(string(out), "install ok installed") {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	fmt.Printf("bench: installing %s\n", strings.Join(missing, " "))
	var pre []string
	if os.Geteuid() != 0 {
		pre = []string{"sudo"}
	}
	steps := [][]string{
		append(append([]string{}, pre...), "apt-get", "update", "-qq"),
		append(append(append([]string{}, pre...), "env", "DEBIAN_FRONTEND=noninteractive",
			"apt-get", "install", "-y", "-qq", "--no-install-recommends"), missing...),
	}
	for _, argv := range steps {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
		}
	}
	return nil
}

// pyImport says whether Debian's Python can import module.
func pyImport(module string) error {
	out, err := exec.Command(python, "-c", "import "+module).CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return fmt.Errorf("import %s: %s", module, lines[len(lines)-1])
	}
	return nil
}

// build compiles gwsgi, the ceiling responder and bin/pystatic (the
// interpreter build gwsgi embeds, as a python3 command line) into bin/.
func build(root string) error {
	for _, argv := range [][]string{
		{goTool(), "build", "-o", "bin/gwsgi", "./cmd/gwsgi"},
		{goTool(), "build", "-o", "bin/gwsgi-ceiling", "./bench/ceiling"},
		{filepath.Join(root, "profiles", "pystatic", "build.sh")},
	} {
		fmt.Printf("bench: %s\n", strings.Join(argv, " "))
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
		}
	}
	return nil
}

// goTool is the go command: on PATH, else in /usr/local/go.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "/usr/local/go/bin/go"
}
