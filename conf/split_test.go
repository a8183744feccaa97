package conf

import (
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

var splitCases = []struct {
	in   string
	want []string
	err  error
}{
	{"", nil, nil},
	{"   \t\n ", nil, nil},
	{"-w 4 --bind 0.0.0.0:80", []string{"-w", "4", "--bind", "0.0.0.0:80"}, nil},
	{" \t-w\r\n4 ", []string{"-w", "4"}, nil},
	{`--access-logformat '%(h)s "%(r)s"'`, []string{"--access-logformat", `%(h)s "%(r)s"`}, nil},
	{`--name "my app"`, []string{"--name", "my app"}, nil},
	{`"a\"b" "c\\d" "e\nf" "g\$h"`, []string{`a"b`, `c\d`, `e\nf`, `g\$h`}, nil},
	{`'a\b' 'it'"'"'s'`, []string{`a\b`, `it's`}, nil},
	{`a\ b \'c \"d \\e`, []string{"a b", "'c", `"d`, `\e`}, nil},
	{`a"b c"d`, []string{"ab cd"}, nil},
	{`'' "" x`, []string{"", "", "x"}, nil},
	{`a''`, []string{"a"}, nil},
	{"x#y # not a comment", []string{"x#y", "#", "not", "a", "comment"}, nil},
	{"a\\\nb", []string{"a\nb"}, nil},
	{"a\vb", []string{"a\vb"}, nil},
	{"--env K=héllo 'ünïcode x'", []string{"--env", "K=héllo", "ünïcode x"}, nil},
	{`"unclosed`, nil, ErrNoClosingQuote},
	{`ok 'unclosed`, nil, ErrNoClosingQuote},
	{`a"b`, nil, ErrNoClosingQuote},
	{`trailing\`, nil, ErrNoEscaped},
	{`"trailing\`, nil, ErrNoEscaped},
}

func TestSplitArgs(t *testing.T) {
	for _, c := range splitCases {
		got, err := SplitArgs(c.in)
		if !errors.Is(err, c.err) || !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q, %v", c.in, got, err, c.want, c.err)
		}
	}
}

// TestSplitArgsLikeShlex compares SplitArgs with Python's shlex.split on
// the same inputs.
func TestSplitArgsLikeShlex(t *testing.T) {
	needPython(t)
	var ins []string
	for _, c := range splitCases {
		ins = append(ins, c.in)
	}
	in, _ := json.Marshal(ins)
	cmd := exec.Command(python3, "-c", `
import json, shlex, sys
out = []
for s in json.load(sys.stdin):
    try:
        out.append({"args": shlex.split(s)})
    except ValueError as e:
        out.append({"error": str(e)})
json.dump(out, sys.stdout)
`)
	cmd.Stdin = strings.NewReader(string(in))
	raw, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var results []struct {
		Args  []string `json:"args"`
		Error string   `json:"error"`
	}
	if err := json.Unmarshal(raw, &results); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		got, err := SplitArgs(ins[i])
		switch {
		case r.Error != "":
			if err == nil || !strings.EqualFold(err.Error(), r.Error) {
				t.Errorf("%q: shlex says %q, SplitArgs %q, %v", ins[i], r.Error, got, err)
			}
		case err != nil || len(got) != len(r.Args) || (len(got) > 0 && !reflect.DeepEqual(got, r.Args)):
			t.Errorf("%q: shlex says %q, SplitArgs %q, %v", ins[i], r.Args, got, err)
		}
	}
}

func TestEnvArgs(t *testing.T) {
	t.Setenv(EnvVar, `-w 2 --name 'a b'`)
	args, err := EnvArgs()
	if err != nil || !reflect.DeepEqual(args, []string{"-w", "2", "--name", "a b"}) {
		t.Errorf("EnvArgs = %q, %v", args, err)
	}
	t.Setenv(EnvVar, `--name 'a b`)
	if _, err := EnvArgs(); !errors.Is(err, ErrNoClosingQuote) || !strings.HasPrefix(err.Error(), EnvVar+": ") {
		t.Errorf("EnvArgs err = %v", err)
	}
}
