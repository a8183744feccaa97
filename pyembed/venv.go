package pyembed

/*
#include "pyembed.h"
*/
import "C"

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Version is the major.minor version of the linked libpython, e.g. "3.11".
func Version() string {
	return fmt.Sprintf("%d.%d", C.PY_MAJOR_VERSION, C.PY_MINOR_VERSION)
}

// CheckVirtualenv returns an error unless dir is a virtual environment
// (python -m venv or virtualenv: a pyvenv.cfg file) made with the linked
// Python's major.minor version: its packages, compiled for another
// version, would not import.
func CheckVirtualenv(dir string) error {
	_, err := venvProgram(dir)
	return err
}

// venvProgram checks the virtual environment dir and returns the program
// name to start the interpreter with, its bin/pythonX.Y: CPython then
// finds pyvenv.cfg beside it and makes dir sys.prefix, with its
// site-packages on sys.path (and the system's, if the environment says
// include-system-site-packages).
func venvProgram(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	cfg := filepath.Join(abs, "pyvenv.cfg")
	version, err := venvVersion(cfg)
	if err != nil {
		return "", fmt.Errorf("virtualenv %s: %w", dir, err)
	}
	if mm := majorMinor(version); mm != Version() {
		return "", fmt.Errorf("virtualenv %s was made with Python %s, but gwsgi embeds Python %s: its packages would not import; make it with python%s -m venv, or build gwsgi against Python %s",
			dir, version, Version(), Version(), mm)
	}
	return filepath.Join(abs, "bin", "python"+Version()), nil
}

// venvVersion reads the Python version a pyvenv.cfg records: "version"
// (venv) or "version_info" (virtualenv).
func venvVersion(cfg string) (string, error) {
	f, err := os.Open(cfg)
	if err != nil {
		return "", fmt.Errorf("not a virtual environment: %w", err)
	}
	defer f.Close()
	values := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok {
			values[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	for _, k := range []string{"version", "version_info"} {
		if v := values[k]; v != "" {
			return v, nil
		}
	}
	return "", fmt.Errorf("%s records no Python version", cfg)
}

// majorMinor cuts "3.11.2" or "3.11.2.final.0" to "3.11".
func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}
