package pyembed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckVirtualenv reads pyvenv.cfg as venv and virtualenv write it.
func TestCheckVirtualenv(t *testing.T) {
	for _, c := range []struct {
		cfg  string // "" for no pyvenv.cfg at all
		want string // "" for no error, else part of it
	}{
		{"home = /usr/bin\nversion = " + Version() + ".2\n", ""},
		{"home = /usr/bin\nversion_info = " + Version() + ".4.final.0\nvirtualenv = 20.17.1\n", ""},
		{"Version=" + Version() + "\n", ""},
		{"home = /usr/bin\nversion = 3.9.18\n", "made with Python 3.9.18, but gwsgi embeds Python " + Version()},
		{"home = /usr/bin\n", "records no Python version"},
		{"", "not a virtual environment"},
	} {
		dir := t.TempDir()
		if c.cfg != "" {
			if err := os.WriteFile(filepath.Join(dir, "pyvenv.cfg"), []byte(c.cfg), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := CheckVirtualenv(dir)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.cfg, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: %v, want an error saying %q", c.cfg, err, c.want)
		}
	}
}
