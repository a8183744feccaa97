package static

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// openFlags open a file for reading. O_NONBLOCK keeps a FIFO in the tree
// from blocking the open; reads of regular files ignore it.
const openFlags = unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NONBLOCK

// openHow is openat2's request: nothing outside the directory, no
// /proc magic links. The kernel only reads it.
var openHow = unix.OpenHow{
	Flags:   openFlags,
	Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
}

// forceFallback makes every open take the path that serves kernels
// without openat2 (tests set it).
var forceFallback = false

// outcome classifies an open.
type outcome uint8

const (
	found   outcome = iota // a regular file, open
	absent                 // missing, or not a regular file: not a file here
	outside                // resolving it leaves the directory: 404
	denied                 // permission denied: 403
	failed                 // anything else (EMFILE, EIO): an error
)

// classify maps an open's errno to an outcome.
func classify(e unix.Errno) outcome {
	switch e {
	case unix.ENOENT, unix.ENOTDIR, unix.ENAMETOOLONG:
		return absent
	case unix.EXDEV, unix.ELOOP:
		return outside
	case unix.EACCES, unix.EPERM:
		return denied
	}
	return failed
}

// openat2 opens the NUL-terminated path rel (rel[len(rel)] is 0 in its
// backing array) beneath dirfd. It calls the syscall itself so that the
// path needs no copy into a new string.
func openat2(dirfd int, rel []byte) (int, unix.Errno) {
	p := unsafe.Pointer(unsafe.SliceData(rel))
	for {
		r, _, e := unix.Syscall6(unix.SYS_OPENAT2, uintptr(dirfd), uintptr(p),
			uintptr(unsafe.Pointer(&openHow)), unix.SizeofOpenHow, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return -1, e
		}
		return int(r), 0
	}
}

// probeOpenat2 reports whether openat2 works here: kernels before 5.6
// answer ENOSYS, and some seccomp filters EPERM.
func probeOpenat2(dirfd int) bool {
	fd, e := openat2(dirfd, []byte(".\x00")[:1])
	if e != 0 {
		return false
	}
	unix.Close(fd)
	return true
}

// openFallback opens rel under m's directory without openat2: it
// resolves the symbolic links itself, checks the result is inside the
// directory, opens it without following a final link, and checks again
// through /proc that the file opened is the one checked (a directory
// swapped for a link in between is caught there when /proc is mounted).
// It allocates; it serves old kernels only.
func openFallback(m *mount, rel []byte) (int, unix.Errno) {
	real, err := filepath.EvalSymlinks(m.real + "/" + string(rel))
	if err != nil {
		return -1, errnoOr(err, unix.ELOOP) // no errno: "too many links"
	}
	if !m.inside(real) {
		return -1, unix.EXDEV
	}
	fd, err := unix.Open(real, openFlags|unix.O_NOFOLLOW, 0)
	if err != nil {
		return -1, errnoOr(err, unix.EIO)
	}
	if now, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd)); err == nil && !m.inside(now) {
		unix.Close(fd)
		return -1, unix.EXDEV
	}
	return fd, 0
}

// inside reports whether the resolved path p is in m's directory.
func (m *mount) inside(p string) bool {
	return m.real == "/" || p == m.real || strings.HasPrefix(p, m.real+"/")
}

// open opens rel (NUL-terminated, see openat2) under m and stats it;
// st is filled when the outcome is found, and fd is then open and owned
// by the caller. Directories, FIFOs, devices and sockets are absent.
func (h *Handler) open(m *mount, rel []byte, st *unix.Stat_t) (fd int, o outcome, e unix.Errno) {
	if h.fallback.Load() || forceFallback {
		fd, e = openFallback(m, rel)
	} else if fd, e = openat2(m.fd, rel); e == unix.ENOSYS {
		h.fallback.Store(true)
		fd, e = openFallback(m, rel)
	}
	if e != 0 {
		return -1, classify(e), e
	}
	if err := unix.Fstat(fd, st); err != nil {
		unix.Close(fd)
		return -1, failed, errnoOr(err, unix.EIO)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return -1, absent, 0
	}
	return fd, found, 0
}

// errnoOr is the errno in err, def when it holds none.
func errnoOr(err error, def unix.Errno) unix.Errno {
	var errno syscall.Errno
	if errors.As(err, &errno) && errno != 0 {
		return errno
	}
	return def
}
