package main

import (
	"reflect"
	"testing"
)

func TestPythonFlags(t *testing.T) {
	o, err := parseFlags([]string{"-b", "127.0.0.1:9000", "--chdir", "examples", "--pythonpath", "a, b", "--pythonpath=c", "app:application"})
	if err != nil {
		t.Fatal(err)
	}
	if o.app != "app:application" || o.chdir != "examples" || len(o.binds) != 1 || o.binds[0].Addr != "127.0.0.1:9000" {
		t.Errorf("app %q chdir %q binds %v", o.app, o.chdir, o.binds)
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(o.pythonPath, want) {
		t.Errorf("pythonpath %q, want %q", o.pythonPath, want)
	}
}

func TestFlagsAfterTheApp(t *testing.T) {
	o, err := parseFlags([]string{"--threads", "3", "app:application", "-b", "127.0.0.1:9", "--pprof", "127.0.0.1:6060"})
	if err != nil {
		t.Fatal(err)
	}
	if o.app != "app:application" || o.binds[0].Addr != "127.0.0.1:9" || o.cfg.Threads != 3 || o.pprof != "127.0.0.1:6060" {
		t.Fatalf("got app %q binds %v threads %d pprof %q", o.app, o.binds, o.cfg.Threads, o.pprof)
	}
	if _, err := parseFlags([]string{"a:b", "c:d"}); err == nil {
		t.Fatal("two apps accepted")
	}
	o, err = parseFlags([]string{"--", "-weird:app"})
	if err != nil || o.app != "-weird:app" {
		t.Fatalf("after --: %v %q", err, o.app)
	}
}

func TestGunicornSpellings(t *testing.T) {
	o, err := parseFlags([]string{"-e", "A=1", "--env", "B=x=y", "-p", "/tmp/p", "-k", "gthread", "--limit-request-field_size", "0", "-m", "0o22", "-t", "5", "app"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"A=1", "B=x=y"}; !reflect.DeepEqual(o.env, want) {
		t.Errorf("env %q, want %q", o.env, want)
	}
	if o.pidFile != "/tmp/p" || o.cfg.Limits.MaxFieldSize != -1 || o.sockets.Umask != 0o22 || o.cfg.Timeout.Seconds() != 5 {
		t.Errorf("pid %q field size %d umask %o timeout %v", o.pidFile, o.cfg.Limits.MaxFieldSize, o.sockets.Umask, o.cfg.Timeout)
	}
	for _, bad := range [][]string{{"-e", "NOEQUALS"}, {"-k", "gevent"}, {"-m", "999"}, {"-b", "unix:"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
