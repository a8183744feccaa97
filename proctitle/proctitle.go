// Package proctitle sets the process title that ps, top and
// /proc/PID/cmdline show, as the setproctitle library does for gunicorn:
// it overwrites the process's original argument area in place, and names
// the main thread (the short comm of ps -o comm and top).
//
// The argument area is the memory the kernel filled with argv at exec.
// Go's runtime points the strings of os.Args into it, without copying, so
// this package's init replaces each os.Args string by a copy of its own:
// os.Args keeps the original arguments whatever the title becomes, and a
// program that re-executes itself with os.Args gets them. Strings taken
// from os.Args before that init ran (flag.CommandLine's name) still point
// into the area and read the title once it is set.
//
// Set never writes outside the area the kernel reports for the process
// (/proc/self/stat), nor into the environment that follows it.
package proctitle

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// commLen is the most bytes of a thread's name (TASK_COMM_LEN - 1).
const commLen = 15

// original holds the strings the runtime made of argv, still pointing into
// the argument area: they locate it. Their bytes change once a title is
// set; nothing reads them as strings.
var original []string

func init() {
	original = os.Args
	os.Args = make([]string, len(original))
	for i, a := range original {
		os.Args[i] = strings.Clone(a)
	}
}

// ErrNoArea is returned by Set when the argument area cannot be located:
// the title is then only the main thread's name.
var ErrNoArea = errors.New("proctitle: the argument area is not where the arguments are")

// Set makes title the process title: /proc/PID/cmdline (what ps and top
// show) reads title as the one argument, cut to the argument area's size
// less one byte, and the main thread's name (comm) is its first 15 bytes.
// Both are cut at a character boundary. Set is meant to be called by one
// goroutine at a time, typically once at start.
func Set(title string) error {
	errComm := setComm(title)
	area, err := argArea()
	if err != nil {
		return errors.Join(err, errComm)
	}
	write(area, title)
	return errComm
}

// write lays title out in area: the title, then NUL bytes. When the title
// is shorter than the area, its last byte is made non-NUL: the kernel
// then reads the area as one title up to its first NUL rather than as
// NUL-separated arguments (fs/proc/base.c, get_mm_cmdline), so cmdline is
// the title and its NUL, as for a process run with the title as its one
// argument, without the padding.
func write(area []byte, title string) {
	n := len(area)
	if n < 2 {
		return
	}
	title = cut(title, n-1)
	copy(area, title)
	clear(area[len(title):])
	if len(title) < n-1 {
		area[n-1] = ' '
	}
}

// argArea returns the argument area as a slice over it: from argv[0] to
// the NUL that ends the last argument, which must be the bounds the kernel
// gives (arg_start and arg_end in /proc/self/stat).
func argArea() ([]byte, error) {
	if len(original) == 0 || len(original[0]) == 0 {
		return nil, ErrNoArea
	}
	base := unsafe.StringData(original[0])
	start := uintptr(unsafe.Pointer(base))
	end := start
	for _, a := range original {
		if len(a) > 0 && uintptr(unsafe.Pointer(unsafe.StringData(a))) != end {
			return nil, ErrNoArea // not contiguous: not the kernel's area
		}
		end += uintptr(len(a)) + 1
	}
	kstart, kend, err := kernelArea()
	if err != nil {
		return nil, err
	}
	if start != kstart || end != kend {
		return nil, ErrNoArea
	}
	return unsafe.Slice(base, end-start), nil
}

// kernelArea reads arg_start and arg_end, fields 48 and 49 of
// /proc/self/stat.
func kernelArea() (start, end uintptr, err error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, 0, err
	}
	s := string(b)
	// The fields after the command name, which may hold spaces, in
	// parentheses; the first of them is field 3.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, ErrNoArea
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 49-2 {
		return 0, 0, ErrNoArea
	}
	a, err1 := strconv.ParseUint(f[48-3], 10, 64)
	z, err2 := strconv.ParseUint(f[49-3], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, ErrNoArea
	}
	return uintptr(a), uintptr(z), nil
}

// setComm names the process's main thread, whose name is the process's in
// ps and top, through /proc: a thread may rename any thread of its
// process, and the goroutine calling Set may run on any of them.
func setComm(title string) error {
	f, err := os.OpenFile("/proc/self/task/"+strconv.Itoa(os.Getpid())+"/comm", os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(cut(title, commLen))
	return errors.Join(err, f.Close())
}

// cut shortens s to at most n bytes, at a character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
