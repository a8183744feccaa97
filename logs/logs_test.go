package logs

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestTextLinesAndLevels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "error.log")
	l, err := Open(Options{Path: path, Level: "warning"})
	if err != nil {
		t.Fatal(err)
	}
	l.Debugf("not %s", "this")
	l.Printf("nor this")
	l.Warnf("careful %d", 1)
	l.Errorf("broken\n")
	l.Std(slog.LevelError).Printf("from a log.Logger")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	re := regexp.MustCompile(`^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\] \[(WARNING|ERROR)\] `)
	want := []string{"careful 1", "broken", "from a log.Logger"}
	if len(lines) != len(want) {
		t.Fatalf("lines: %q", lines)
	}
	for i, line := range lines {
		if !re.MatchString(line) || re.ReplaceAllString(line, "") != want[i] {
			t.Errorf("line %q, want message %q", line, want[i])
		}
	}
}

func TestJSONAndReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "error.log")
	l, err := Open(Options{Path: path, Level: "debug", Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	l.Debugf("one")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	l.Errorf("two")
	l.Close()
	for file, msg := range map[string]string{path + ".1": "one", path: "two"} {
		b, _ := os.ReadFile(file)
		var rec map[string]any
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatalf("%s: %q: %v", file, b, err)
		}
		if rec["msg"] != msg || rec["pid"] != float64(os.Getpid()) || rec["level"] == nil {
			t.Errorf("%s: %v", file, rec)
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{{Level: "loud"}, {Format: "xml"}, {Path: "/nonexistent/dir/log"}} {
		if _, err := Open(o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if lv, _ := ParseLevel("CRITICAL"); levelName(lv) != "CRITICAL" {
		t.Errorf("critical: %v", lv)
	}
}
