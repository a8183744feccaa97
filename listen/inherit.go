package listen

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

// systemdSockets takes the sockets systemd passed (sd_listen_fds(3)):
// LISTEN_FDS descriptors from 3 when LISTEN_PID is this process. The
// variables are unset so that no child takes them too.
func systemdSockets() ([]*Socket, error) {
	pid, _ := strconv.Atoi(os.Getenv("LISTEN_PID"))
	n, _ := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if pid != os.Getpid() || n <= 0 {
		return nil, nil
	}
	for _, v := range []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
		os.Unsetenv(v)
	}
	var socks []*Socket
	for fd := 3; fd < 3+n; fd++ {
		b := Bind{Raw: "fd://" + strconv.Itoa(fd) + " from systemd", Kind: FD, FD: fd}
		s, err := inheritFD(b, fd)
		if err != nil {
			Close(socks)
			return nil, fmt.Errorf("listen: systemd socket: %w", err)
		}
		socks = append(socks, s)
	}
	return socks, nil
}

// Env is the variable that tells a worker how many sockets it inherited,
// from descriptor FirstFD on.
const Env = "GWSGI_LISTEN_FDS"

// Files returns the sockets' files, to pass to a worker in order from
// descriptor firstFD (exec.Cmd.ExtraFiles), and the Env entry that says
// where they are.
func Files(socks []*Socket, firstFD int) ([]*os.File, string) {
	files := make([]*os.File, len(socks))
	for i, s := range socks {
		files[i] = s.File
	}
	return files, Env + "=" + strconv.Itoa(firstFD) + ":" + strconv.Itoa(len(socks))
}

// Inherited returns listeners on the sockets a master passed this process
// (see Files), and closes the inherited descriptors: each listener has
// its own. It returns nil when nothing was passed.
func Inherited() ([]net.Listener, error) {
	v := os.Getenv(Env)
	if v == "" {
		return nil, nil
	}
	var first, n int
	if _, err := fmt.Sscanf(v, "%d:%d", &first, &n); err != nil || first < 3 || n < 1 {
		return nil, fmt.Errorf("listen: %s=%q", Env, v)
	}
	var lns []net.Listener
	for fd := first; fd < first+n; fd++ {
		f := os.NewFile(uintptr(fd), "listener")
		ln, err := net.FileListener(f)
		f.Close()
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("listen: inherited descriptor %d: %w", fd, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}
