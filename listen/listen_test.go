package listen

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind Kind
		addr string
		fd   int
	}{
		{"127.0.0.1:8000", TCP, "127.0.0.1:8000", 0},
		{"localhost", TCP, "localhost:8000", 0},
		{":9000", TCP, ":9000", 0},
		{"[::1]:9000", TCP, "[::1]:9000", 0},
		{"[::1]", TCP, "[::1]:8000", 0},
		{"tcp://0.0.0.0:80", TCP, "0.0.0.0:80", 0},
		{"unix:/tmp/app.sock", Unix, "/tmp/app.sock", 0},
		{"unix:///tmp/app.sock", Unix, "/tmp/app.sock", 0},
		{"unix:rel.sock", Unix, "rel.sock", 0},
		{"fd://3", FD, "", 3},
	} {
		b, err := Parse(tc.in)
		if err != nil || b.Kind != tc.kind || b.Addr != tc.addr || b.FD != tc.fd {
			t.Errorf("Parse(%q) = %+v, %v; want kind %d addr %q fd %d", tc.in, b, err, tc.kind, tc.addr, tc.fd)
		}
	}
	for _, bad := range []string{"", "unix:", "fd://", "fd://x", "fd://-1", "host:99999", "host:port", "::1:80", "[::1"} {
		if b, err := Parse(bad); !errors.Is(err, ErrBind) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrBind", bad, b, err)
		}
	}
}

// accepts checks that a client can connect to the socket and that a
// listener on it accepts the connection.
func accepts(t *testing.T, s *Socket, network, addr string) {
	t.Helper()
	ln, err := s.Listener()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
}

func TestOpenTCPAndUnix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	binds := []Bind{mustParse(t, "127.0.0.1:0"), mustParse(t, "unix:"+path)}
	socks, err := Open(binds, Options{Umask: 0o077})
	if err != nil {
		t.Fatal(err)
	}
	tcp := socks[0].Addr().(*net.TCPAddr)
	if tcp.Port == 0 {
		t.Fatal("no port")
	}
	accepts(t, socks[0], "tcp", tcp.String())
	accepts(t, socks[1], "unix", path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o700 {
		t.Errorf("socket mode %o under umask 077, want 700", mode)
	}
	// A live socket at the path is not removed.
	if _, err := Open(binds[1:], Options{}); err == nil {
		t.Error("a second server bound the live unix socket")
	}
	Close(socks)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket file left after Close: %v", err)
	}
}

// TestUnixSocketOwner: a unix socket's file is given to Options.Owner,
// the user the workers run as.
func TestUnixSocketOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file away")
	}
	path := filepath.Join(t.TempDir(), "s.sock")
	socks, err := Open([]Bind{mustParse(t, "unix:"+path)}, Options{Owner: &Owner{UID: 65534, GID: 65533}})
	if err != nil {
		t.Fatal(err)
	}
	defer Close(socks)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 65534 || st.Gid != 65533 {
		t.Errorf("socket file owned by %d:%d, want 65534:65533", st.Uid, st.Gid)
	}
}

func TestStaleUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // the file stays, nobody accepts: stale
	socks, err := Open([]Bind{mustParse(t, "unix:"+path)}, Options{})
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	accepts(t, socks[0], "unix", path)
	Close(socks)

	file := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open([]Bind{mustParse(t, "unix:"+file)}, Options{}); err == nil {
		t.Error("a regular file was replaced by a socket")
	}
}

func TestInheritFD(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	fd := int(f.Fd())
	socks, err := Open([]Bind{mustParse(t, "fd://"+strconv.Itoa(fd))}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	accepts(t, socks[0], "tcp", ln.Addr().String())
	Close(socks) // closes fd: f is done with

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := Open([]Bind{mustParse(t, "fd://"+strconv.Itoa(int(r.Fd())))}, Options{}); err == nil {
		t.Error("a pipe was taken for a listening socket")
	}
}

// TestFdKeepsNonblocking: exec calls Fd on the files it passes; that must
// not switch the shared socket to blocking mode under the accept loops.
func TestFdKeepsNonblocking(t *testing.T) {
	socks, err := Open([]Bind{mustParse(t, "127.0.0.1:0")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer Close(socks)
	ln, err := socks[0].Listener() // sets O_NONBLOCK on the socket
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fd := int(socks[0].File.Fd())
	flags, err := fcntlGetfl(fd)
	if err != nil {
		t.Fatal(err)
	}
	if flags&nonblock == 0 {
		t.Error("Fd put the shared socket in blocking mode")
	}
}

func mustParse(t *testing.T, s string) Bind {
	t.Helper()
	b, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
