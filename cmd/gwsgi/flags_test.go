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
	if o.app != "app:application" || o.chdir != "examples" || o.cfg.Addr != "127.0.0.1:9000" {
		t.Errorf("app %q chdir %q addr %q", o.app, o.chdir, o.cfg.Addr)
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(o.pythonPath, want) {
		t.Errorf("pythonpath %q, want %q", o.pythonPath, want)
	}
}
