package sdnotify

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

func TestNotify(t *testing.T) {
	for _, abstract := range []bool{false, true} {
		name := filepath.Join(t.TempDir(), "notify")
		listen := name
		if abstract {
			name = "@gwsgi-sdnotify-test-" + filepath.Base(filepath.Dir(name))
			listen = "\x00" + name[1:]
		}
		conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: listen, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("NOTIFY_SOCKET", name)
		sent, err := Notify(Ready + "\n" + Status("serving"))
		if !sent || err != nil {
			t.Fatalf("Notify: %v, %v", sent, err)
		}
		buf := make([]byte, 256)
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := conn.Read(buf)
		if err != nil || string(buf[:n]) != "READY=1\nSTATUS=serving" {
			t.Errorf("abstract=%v: read %q, %v", abstract, buf[:n], err)
		}
		conn.Close()
	}
	t.Setenv("NOTIFY_SOCKET", "")
	if sent, err := Notify(Ready); sent || err != nil {
		t.Errorf("without NOTIFY_SOCKET: %v, %v; want nothing sent", sent, err)
	}
}
