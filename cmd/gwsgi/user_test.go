package main

import (
	"os"
	"strings"
	"testing"
)

// TestOwnerResolve: -u and -g take names and numeric ids; a name must
// exist, a numeric id need not, as in gunicorn; each defaults to this
// process's own id.
func TestOwnerResolve(t *testing.T) {
	for _, tc := range []struct {
		user, group string
		uid, gid    int
		err         string
	}{
		{"", "", os.Geteuid(), os.Getegid(), ""},
		{"nobody", "nogroup", 65534, 65534, ""},
		{"65534", "65533", 65534, 65533, ""},
		{"root", "", 0, os.Getegid(), ""},
		{"", "root", os.Geteuid(), 0, ""},
		{"123456", "", 123456, os.Getegid(), ""}, // in no user database
		{"no-such-user-gwsgi", "", 0, 0, `--user: no such user: "no-such-user-gwsgi"`},
		{"", "no-such-group-gwsgi", 0, 0, `--group: no such group: "no-such-group-gwsgi"`},
		{"-1", "", 0, 0, "--user: no such user"},
		{"4294967295", "", 0, 0, "--user: no such user"}, // -1 to setuid: no change
	} {
		w := owner{user: tc.user, group: tc.group}
		err := w.resolve()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("-u %q -g %q: %v, want an error with %q", tc.user, tc.group, err, tc.err)
			}
			continue
		}
		if err != nil || w.uid != tc.uid || w.gid != tc.gid {
			t.Errorf("-u %q -g %q: uid %d gid %d (%v), want %d %d", tc.user, tc.group, w.uid, w.gid, err, tc.uid, tc.gid)
		}
	}
}

// TestOwnerSwitch: only another user or group than this process's is a
// switch: then the workers start as it without supplementary groups, and
// the unix sockets are given to it.
func TestOwnerSwitch(t *testing.T) {
	self := owner{user: "", group: ""}
	if err := self.resolve(); err != nil {
		t.Fatal(err)
	}
	if self.switches() || self.credential() != nil || self.socketOwner() != nil || self.check() != nil || self.become() != nil {
		t.Errorf("this process's own ids are a switch: %+v", self)
	}
	other := owner{uid: os.Geteuid() + 1, gid: os.Getegid()}
	if !other.switches() {
		t.Fatal("another uid is not a switch")
	}
	c := other.credential()
	if c == nil || int(c.Uid) != other.uid || int(c.Gid) != other.gid || c.Groups == nil || len(c.Groups) != 0 || c.NoSetGroups {
		t.Errorf("credential %+v: want uid %d gid %d, supplementary groups dropped", c, other.uid, other.gid)
	}
	if so := other.socketOwner(); so == nil || so.UID != other.uid || so.GID != other.gid {
		t.Errorf("socket owner %+v", so)
	}
	if err := other.check(); (err == nil) != (os.Geteuid() == 0) {
		t.Errorf("check as uid %d: %v", os.Geteuid(), err)
	}
}

// TestOwnerFlags: the flags and the config file's user and group reach
// the owner, resolved; --worker-connections is the loop's cap.
func TestOwnerFlags(t *testing.T) {
	o, err := parseFlags([]string{"-u", "nobody", "--group=nogroup", "--worker-connections", "10", "app:application"})
	if err != nil {
		t.Fatal(err)
	}
	if o.owner.uid != 65534 || o.owner.gid != 65534 || o.cfg.MaxConns != 10 {
		t.Errorf("uid %d gid %d, MaxConns %d", o.owner.uid, o.owner.gid, o.cfg.MaxConns)
	}
	if o, err = parseFlags(nil); err != nil || o.cfg.MaxConns != 0 {
		t.Errorf("default --worker-connections: %d (%v), want 0: no cap", o.cfg.MaxConns, err)
	}
	if _, err := parseFlags([]string{"--worker-connections", "-1"}); err == nil {
		t.Error("--worker-connections -1 accepted")
	}
	path := writeConfig(t, "user = 'nobody'\ngroup = 65533\nproc_name = 'web'\nworker_connections = 7\n")
	if o, err = parseFlags([]string{"-c", path}); err != nil {
		t.Fatal(err)
	}
	if o.owner.uid != 65534 || o.owner.gid != 65533 || o.name != "web" || o.cfg.MaxConns != 7 {
		t.Errorf("from the config file: uid %d gid %d name %q MaxConns %d", o.owner.uid, o.owner.gid, o.name, o.cfg.MaxConns)
	}
}
