package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"github.com/gwsgi/gwsgi/listen"
)

// owner is who the workers run as: gunicorn's user and group (-u, -g).
// Each defaults to this process's own. The master keeps its own ids and
// starts its workers as the owner; a process without a master binds its
// sockets, then becomes the owner before it loads the app. Only root can
// switch. As in gunicorn's default (initgroups off), the workers keep no
// supplementary groups.
type owner struct {
	user, group string // as given: a name or a numeric id; "" for this process's own
	uid, gid    int    // what they resolve to (resolve)
}

// addOwnerFlags defines gunicorn's -u/--user and -g/--group onto w.
func addOwnerFlags(fs *flag.FlagSet, w *owner) {
	fs.StringVar(&w.user, "u", "", "`user` (same as --user)")
	fs.StringVar(&w.user, "user", "", "run the workers as this `user`, a name or a uid (the master keeps its own; without a master, the process becomes it once its sockets are bound); only root can (default: gwsgi's own user)")
	fs.StringVar(&w.group, "g", "", "`group` (same as --group)")
	fs.StringVar(&w.group, "group", "", "run the workers in this `group`, a name or a gid, without supplementary groups; only root can (default: gwsgi's own group, as in gunicorn, also with --user)")
}

// resolve looks the user and group up. A numeric id is taken as it is,
// even when no user or group has it, as in gunicorn; a name must exist.
func (w *owner) resolve() error {
	w.uid, w.gid = os.Geteuid(), os.Getegid()
	var err error
	if w.user != "" {
		if w.uid, err = userID(w.user); err != nil {
			return fmt.Errorf("--user: %w", err)
		}
	}
	if w.group != "" {
		if w.gid, err = groupID(w.group); err != nil {
			return fmt.Errorf("--group: %w", err)
		}
	}
	return nil
}

// userID returns the uid s is or names.
func userID(s string) (int, error) {
	if id, err := parseID(s); err == nil {
		return id, nil
	}
	u, err := user.Lookup(s)
	if errors.As(err, new(user.UnknownUserError)) {
		return 0, fmt.Errorf("no such user: %q", s)
	}
	if err != nil {
		return 0, err
	}
	return parseID(u.Uid)
}

// groupID returns the gid s is or names.
func groupID(s string) (int, error) {
	if id, err := parseID(s); err == nil {
		return id, nil
	}
	g, err := user.LookupGroup(s)
	if errors.As(err, new(user.UnknownGroupError)) {
		return 0, fmt.Errorf("no such group: %q", s)
	}
	if err != nil {
		return 0, err
	}
	return parseID(g.Gid)
}

// parseID reads a numeric user or group id: 0 to 2^32-2, since -1 (2^32-1)
// means "unchanged" to setuid and setgid.
func parseID(s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err == nil && n == 1<<32-1 {
		err = fmt.Errorf("%s is not an id", s)
	}
	return int(n), err
}

// switches reports whether the owner is another user or group than this
// process's.
func (w owner) switches() bool {
	return w.uid != os.Geteuid() || w.gid != os.Getegid()
}

// check refuses, before anything starts, a switch this process cannot
// make: only root can run as another user or group.
func (w owner) check() error {
	if !w.switches() || os.Geteuid() == 0 {
		return nil
	}
	return fmt.Errorf("--user/--group: only root can run the workers as another user or group; gwsgi runs as uid %d, gid %d and is asked for uid %d, gid %d",
		os.Geteuid(), os.Getegid(), w.uid, w.gid)
}

// credential is what a worker process starts as: nil when there is no
// switch. An empty Groups drops the master's supplementary groups.
func (w owner) credential() *syscall.Credential {
	if !w.switches() {
		return nil
	}
	return &syscall.Credential{Uid: uint32(w.uid), Gid: uint32(w.gid), Groups: []uint32{}}
}

// socketOwner is who the unix socket files are given to: nil when there
// is no switch.
func (w owner) socketOwner() *listen.Owner {
	if !w.switches() {
		return nil
	}
	return &listen.Owner{UID: w.uid, GID: w.gid}
}

// become makes this whole process (every thread) the owner: no
// supplementary groups, the group, then the user, after which it cannot
// come back.
func (w owner) become() error {
	if !w.switches() {
		return nil
	}
	if err := syscall.Setgroups(nil); err != nil {
		return fmt.Errorf("--user/--group: setgroups: %w", err)
	}
	if err := syscall.Setgid(w.gid); err != nil {
		return fmt.Errorf("--group: setgid %d: %w", w.gid, err)
	}
	if err := syscall.Setuid(w.uid); err != nil {
		return fmt.Errorf("--user: setuid %d: %w", w.uid, err)
	}
	return nil
}

// bindThenBecome opens the listeners of a process without a master as
// it started (root may bind what the owner could not), then becomes the
// owner. It returns what gives serve the listeners now open.
func (w owner) bindThenBecome(open func() ([]net.Listener, error)) (func() ([]net.Listener, error), error) {
	lns, err := open()
	if err != nil {
		return nil, err
	}
	if err := w.become(); err != nil {
		closeAll(lns)
		return nil, err
	}
	return func() ([]net.Listener, error) { return lns, nil }, nil
}

// giveLogs creates the log files the workers open themselves (error and
// access log), as the master, and gives them to the owner so that the
// workers can append to them, as gunicorn does. Only regular files are
// given away: never /dev/null or a terminal. A file that cannot be given
// is logged, not fatal, as in gunicorn.
func (w owner) giveLogs(o *options) error {
	if !w.switches() {
		return nil
	}
	for _, path := range []string{o.logs.errorLog, o.logs.accessLog} {
		if path == "" || path == "-" {
			continue
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if err := f.Chown(w.uid, w.gid); err != nil {
				o.log.Warnf("gwsgi: %v: the workers may not write it", err)
			}
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

// regiveLogs gives the log files to the owner again after the master
// reopened its own (SIGUSR1), before the workers reopen theirs: a file
// rotated away was created anew by the master.
func (w owner) regiveLogs(o *options) {
	if err := w.giveLogs(o); err != nil {
		o.log.Errorf("gwsgi: SIGUSR1: %v", err)
	}
}
