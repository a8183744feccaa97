package proctitle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// childTitle, in the environment, makes the test binary a child process
// that sets its title to the variable's value, reports, and waits for its
// standard input to close.
const childTitle = "PROCTITLE_TEST_TITLE"

// report is what a child says about itself once its title is set.
type report struct {
	Err     string
	Args    []string // os.Args
	Cmdline string   // /proc/self/cmdline
	Comm    string   // /proc/self/comm, without its newline
	Environ string   // /proc/self/environ
	Marker  string   // os.Getenv("PROCTITLE_TEST_MARKER")
}

func TestMain(m *testing.M) {
	if title, ok := os.LookupEnv(childTitle); ok {
		child(title)
		return
	}
	os.Exit(m.Run())
}

// child sets title and reports on standard output, then waits.
func child(title string) {
	r := report{Args: os.Args, Marker: os.Getenv("PROCTITLE_TEST_MARKER")}
	if err := Set(title); err != nil {
		r.Err = err.Error()
	}
	cmdline, _ := os.ReadFile("/proc/self/cmdline")
	comm, _ := os.ReadFile("/proc/self/comm")
	environ, _ := os.ReadFile("/proc/self/environ")
	r.Cmdline, r.Comm, r.Environ = string(cmdline), strings.TrimSuffix(string(comm), "\n"), string(environ)
	if r.Marker != os.Getenv("PROCTITLE_TEST_MARKER") {
		r.Err += "; the environment changed"
	}
	_ = json.NewEncoder(os.Stdout).Encode(r)
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes it
}

// titled runs a child with argv whose title is set to title, and returns
// its report and what the parent sees of it in /proc and ps, after the
// title was set.
func titled(t *testing.T, title string, argv ...string) (r report, cmdline, comm, ps string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Args = argv
	cmd.Env = append(os.Environ(), childTitle+"="+title, "PROCTITLE_TEST_MARKER=kept")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("child: %v", err)
		}
	}()
	if err := json.NewDecoder(stdout).Decode(&r); err != nil {
		t.Fatalf("child's report: %v", err)
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	b, err := os.ReadFile("/proc/" + pid + "/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	c, err := os.ReadFile("/proc/" + pid + "/comm")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ps", "-o", "args=", "-p", pid).Output()
	if err != nil {
		t.Logf("ps: %v", err) // no ps: the /proc checks remain
	}
	return r, string(b), strings.TrimSuffix(string(c), "\n"), strings.TrimSpace(string(out))
}

// TestSetTitle: a title shorter than the arguments is what cmdline, ps
// and the comm (its first 15 bytes) show; os.Args and the environment
// are the original ones.
func TestSetTitle(t *testing.T) {
	argv := []string{"/some/long/path/to/gwsgi", "-u", "nobody", "-w", "1", "-n", "myapp", "app:application"}
	title := "gwsgi: worker [myapp]"
	r, cmdline, comm, ps := titled(t, title, argv...)
	if r.Err != "" {
		t.Fatalf("Set: %s", r.Err)
	}
	if !reflect.DeepEqual(r.Args, argv) {
		t.Errorf("os.Args %q after Set, want %q", r.Args, argv)
	}
	for who, got := range map[string]string{"the child": r.Cmdline, "the parent": cmdline} {
		if got != title+"\x00" { // one argument: the title
			t.Errorf("cmdline read by %s: %q, want %q", who, got, title+"\x00")
		}
	}
	if ps != "" && ps != title {
		t.Errorf("ps -o args: %q, want %q", ps, title)
	}
	if r.Comm != "gwsgi: worker [" || comm != r.Comm {
		t.Errorf("comm %q (parent: %q), want %q", r.Comm, comm, "gwsgi: worker [")
	}
	if r.Marker != "kept" || !strings.Contains(r.Environ, "PROCTITLE_TEST_MARKER=kept\x00") {
		t.Errorf("environment changed: marker %q", r.Marker)
	}
}

// TestSetTitleTooLong: a title longer than the argument area is cut to
// fit it, NUL included; nothing past the area changes.
func TestSetTitleTooLong(t *testing.T) {
	r, cmdline, _, _ := titled(t, "gwsgi: master [myapp]", "pt", "ab")
	if r.Err != "" {
		t.Fatalf("Set: %s", r.Err)
	}
	if want := "gwsgi\x00"; cmdline != want || r.Cmdline != want {
		t.Errorf("cmdline %q (child: %q), want %q", cmdline, r.Cmdline, want)
	}
	if !reflect.DeepEqual(r.Args, []string{"pt", "ab"}) {
		t.Errorf("os.Args %q", r.Args)
	}
	if !strings.Contains(r.Environ, "PROCTITLE_TEST_MARKER=kept\x00") {
		t.Errorf("environment changed: %q", r.Environ)
	}
}

// TestWrite: how a title is laid out in areas of several sizes.
func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		size  int
		title string
		want  string
	}{
		{10, "abc", "abc\x00\x00\x00\x00\x00\x00 "},
		{4, "abc", "abc\x00"},
		{4, "abcdef", "abc\x00"},
		{5, "ab\u00e9c", "ab\u00e9\x00"}, // é is two bytes: kept whole
		{4, "ab\u00e9c", "ab\x00 "},      // it does not fit: cut before it
		{1, "abc", "\xff"},               // no room: untouched
		{3, "", "\x00\x00 "},             // an empty title
		{6, "a\u20acb", "a\u20acb\x00"},  // € is three bytes: the title fills the area
	} {
		area := bytes.Repeat([]byte{0xff}, tc.size)
		write(area, tc.title)
		if string(area) != tc.want {
			t.Errorf("write(%d bytes, %q) = %q, want %q", tc.size, tc.title, area, tc.want)
		}
	}
}

// TestCut: cuts fall on character boundaries.
func TestCut(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"gwsgi: worker [myapp]", commLen, "gwsgi: worker ["},
		{"short", commLen, "short"},
		{"\u00e9\u00e9", 3, "\u00e9"},
		{"\u00e9", 1, ""},
	} {
		if got := cut(tc.s, tc.n); got != tc.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// TestArgsCopied: os.Args no longer points into the argument area.
func TestArgsCopied(t *testing.T) {
	if len(original) != len(os.Args) {
		t.Fatalf("%d original arguments, %d in os.Args", len(original), len(os.Args))
	}
	for i := range os.Args {
		if os.Args[i] != original[i] {
			t.Errorf("os.Args[%d] = %q, want %q", i, os.Args[i], original[i])
		}
		if len(os.Args[i]) > 0 && unsafe.StringData(os.Args[i]) == unsafe.StringData(original[i]) {
			t.Errorf("os.Args[%d] still points into the argument area", i)
		}
	}
	if _, err := argArea(); err != nil {
		t.Errorf("argArea: %v", err)
	}
}
