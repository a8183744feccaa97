// Package sdnotify tells systemd about the service's state through the
// datagram socket named by $NOTIFY_SOCKET (sd_notify(3)), so that a unit
// of Type=notify is "active" once gwsgi accepts, and "reloading" or
// "deactivating" while it does so. Outside systemd it does nothing.
package sdnotify

import (
	"net"
	"os"
)

// The states gwsgi reports.
const (
	Ready     = "READY=1"
	Reloading = "RELOADING=1"
	Stopping  = "STOPPING=1"
)

// Notify sends state (one or more "KEY=VALUE" lines) to $NOTIFY_SOCKET.
// It returns false, nil when the variable is unset; an abstract socket is
// written with a leading '@'.
func Notify(state string) (bool, error) {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return false, nil
	}
	addr := &net.UnixAddr{Name: name, Net: "unixgram"}
	if name[0] == '@' {
		addr.Name = "\x00" + name[1:]
	}
	c, err := net.DialUnix("unixgram", nil, addr)
	if err != nil {
		return false, err
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return false, err
	}
	return true, nil
}

// Status is a STATUS= line for systemctl status.
func Status(text string) string { return "STATUS=" + text }
