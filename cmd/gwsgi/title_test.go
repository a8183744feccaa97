package main

import "testing"

// TestProcName: -n names the processes, else the app, as gunicorn's
// default_proc_name, else gwsgi for the demo app.
func TestProcName(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-n", "myapp", "app:application"}, "myapp"},
		{[]string{"--name=web"}, "web"},
		{[]string{"app:application"}, "app:application"},
		{nil, "gwsgi"},
	} {
		o, err := parseFlags(tc.args)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.procName(); got != tc.want {
			t.Errorf("%q: name %q, want %q", tc.args, got, tc.want)
		}
	}
}
