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
