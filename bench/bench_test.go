package main

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func testSettings(t *testing.T) *settings {
	t.Helper()
	return &settings{Threads: 8, root: "/repo", tmp: t.TempDir(), WrkCPU: "0"}
}

func workloadNamed(t *testing.T, name string) workload {
	t.Helper()
	for _, w := range workloads {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no workload %q", name)
	return workload{}
}

func serverNamed(t *testing.T, name string) server {
	t.Helper()
	for _, sv := range servers {
		if sv.Name == name {
			return sv
		}
	}
	t.Fatalf("no server %q", name)
	return server{}
}

// runners is the servers that run w, in server order.
func runners(s *settings, w workload) []string {
	var out []string
	for _, sv := range servers {
		argv, why := command(sv, s, w, "127.0.0.1:1")
		if argv != nil {
			out = append(out, sv.Name)
		} else if why == "" {
			out = append(out, sv.Name+" (no reason)")
		}
	}
	return out
}

func TestCommandSelection(t *testing.T) {
	s := testSettings(t)
	want := map[string][]string{
		"gzip-json": {"gwsgi", "gwsgi-compress", "gwsgi-compress-6", "gunicorn-sync", "gunicorn-gthread"},
		"static":    {"gwsgi-static", "nginx", "whitenoise"},
	}
	for name, rows := range want {
		if got := runners(s, workloadNamed(t, name)); !slices.Equal(got, rows) {
			t.Errorf("%s runs %q, want %q", name, got, rows)
		}
	}
	only := []string{"gwsgi-compress", "gwsgi-compress-6", "gwsgi-static", "nginx", "whitenoise"}
	for _, w := range workloads {
		if w.Rows != nil {
			continue
		}
		got := runners(s, w)
		for _, sv := range only {
			if slices.Contains(got, sv) {
				t.Errorf("%s runs under %s", sv, w.Name)
			}
		}
		if !slices.Contains(got, "gwsgi") || !slices.Contains(got, "gunicorn-gthread") {
			t.Errorf("%s runs %q: gwsgi and gunicorn-gthread missing", w.Name, got)
		}
	}
}

func TestCommandApps(t *testing.T) {
	s := testSettings(t)
	gz, st := workloadNamed(t, "gzip-json"), workloadNamed(t, "static")
	cases := []struct {
		w        workload
		sv, want string
		flags    []string
	}{
		{gz, "gwsgi-compress", "benchapp:application", []string{"--compress"}},
		{gz, "gwsgi-compress-6", "benchapp:application", []string{"--compress", "--compress-gzip-level", "6"}},
		{gz, "gwsgi", "gzipapp:application", nil},
		{gz, "gunicorn-gthread", "gzipapp:application", []string{"gthread"}},
		{gz, "gunicorn-sync", "gzipapp:application", []string{"sync"}},
		{st, "gwsgi-static", "benchapp:application", []string{"--static-map", "/static=/repo/bench/apps/static"}},
		{st, "whitenoise", "whitenoiseapp:application", []string{"gthread"}},
	}
	for _, c := range cases {
		argv, why := command(serverNamed(t, c.sv), s, c.w, "127.0.0.1:1")
		if argv == nil {
			t.Errorf("%s × %s: not run: %s", c.w.Name, c.sv, why)
			continue
		}
		if argv[len(argv)-1] != c.want {
			t.Errorf("%s × %s: %q, want the app %s last", c.w.Name, c.sv, argv, c.want)
		}
		for _, f := range c.flags {
			if !slices.Contains(argv, f) {
				t.Errorf("%s × %s: %q lacks %s", c.w.Name, c.sv, argv, f)
			}
		}
		if !strings.HasPrefix(c.sv, "gwsgi-compress") && slices.Contains(argv, "--compress") {
			t.Errorf("%s × %s: %q has --compress", c.w.Name, c.sv, argv)
		}
	}
	if d := newResult(s, serverNamed(t, "gwsgi"), gz).Dir; d != "/repo/bench/apps" {
		t.Errorf("gwsgi × gzip-json runs in %s", d)
	}
}

func TestWrkArgvHeaders(t *testing.T) {
	s := testSettings(t)
	got := wrkArgv(s, workloadNamed(t, "gzip-json"), "http://127.0.0.1:1/json100k", 3e9)
	want := []string{"taskset", "-c", "0", "wrk", "-t1", "-c64", "-d3s", "--latency",
		"-H", "Accept-Encoding: gzip", "http://127.0.0.1:1/json100k"}
	if !slices.Equal(got, want) {
		t.Errorf("wrk argv %q, want %q", got, want)
	}
	if got := shellJoin(got); !strings.Contains(got, " -H 'Accept-Encoding: gzip' ") {
		t.Errorf("the header is not quoted: %s", got)
	}
	if got := wrkArgv(s, workloadNamed(t, "hello"), "u", 3e9); slices.Contains(got, "-H") {
		t.Errorf("hello: %q has a header", got)
	}
}

func TestNginxConfig(t *testing.T) {
	s := testSettings(t)
	addr := "127.0.0.1:19042"
	files := nginxFiles(s, workload{}, addr)
	argv, _ := nginxArgv(s, workload{}, addr)
	dir := nginxDir(s, addr)
	conf := files[filepath.Join(dir, "nginx.conf")]
	if conf == "" {
		t.Fatalf("no nginx.conf in %q", files)
	}
	if !slices.Contains(argv, filepath.Join(dir, "nginx.conf")) || !slices.Contains(argv, "stderr") {
		t.Errorf("argv %q", argv)
	}
	for _, want := range []string{
		"daemon off;", "master_process on;", "worker_processes 1;", "pid " + dir + "/nginx.pid;",
		"worker_connections 4096;", "access_log off;", "sendfile on;", "tcp_nopush on;",
		"keepalive_requests 1000000;", "include /etc/nginx/mime.types;", "etag on;",
		"listen 127.0.0.1:19042;", "alias /repo/bench/apps/static/;", "client_body_temp_path " + dir + "/client_body;",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("config lacks %q:\n%s", want, conf)
		}
	}
	if got := strings.Contains(conf, "user root;"); got != (os.Geteuid() == 0) {
		t.Errorf("user root: %v as uid %d", got, os.Geteuid())
	}
	if strings.Contains(nginxConfig(dir, addr, "/x", false), "user ") {
		t.Error("user directive when not root")
	}

	// nginx -t reads it, where nginx is installed.
	if nginxCheck() != nil {
		t.Skip("no nginx")
	}
	s.root, _ = filepath.Abs("..")
	files = nginxFiles(s, workload{}, addr)
	if err := writeFiles(files); err != nil {
		t.Fatal(err)
	}
	argv, _ = nginxArgv(s, workload{}, addr)
	if out, err := exec.Command(argv[0], append(argv[1:], "-t")...).CombinedOutput(); err != nil {
		t.Errorf("nginx -t: %v\n%s", err, out)
	}
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestVerifyGzip(t *testing.T) {
	doc := []byte(`{"results":[{"id":1,"name":"Ada"}]}`)
	identity := func([]string) (answer, error) {
		return answer{Status: 200, Header: http.Header{}, Body: doc}, nil
	}
	enc := http.Header{"Content-Encoding": {"gzip"}}
	if _, err := verifyGzip(answer{200, enc, gz(t, doc)}, identity); err != nil {
		t.Errorf("good answer: %v", err)
	}
	bad := []struct {
		name string
		a    answer
	}{
		{"identity", answer{200, http.Header{}, doc}},
		{"not gzip", answer{200, enc, doc}},
		{"other body", answer{200, enc, gz(t, []byte(`{"results":[]}`))}},
		{"truncated", answer{200, enc, gz(t, doc)[:20]}},
	}
	for _, c := range bad {
		if _, err := verifyGzip(c.a, identity); err == nil {
			t.Errorf("%s: verified", c.name)
		}
	}
	notJSON := func([]string) (answer, error) {
		return answer{Status: 200, Header: http.Header{}, Body: []byte("x")}, nil
	}
	if _, err := verifyGzip(answer{200, enc, gz(t, []byte("x"))}, notJSON); err == nil {
		t.Error("not JSON: verified")
	}
}

func TestVerifyStatic(t *testing.T) {
	if len(staticPage) != 10240 || !bytes.HasPrefix(staticPage, []byte("<!DOCTYPE html>")) {
		t.Errorf("%s/%s: %d bytes, want a 10240-byte page", staticDir, staticFile, len(staticPage))
	}
	if _, err := verifyStatic(answer{200, http.Header{}, staticPage}, nil); err != nil {
		t.Error(err)
	}
	if _, err := verifyStatic(answer{200, http.Header{}, staticPage[1:]}, nil); err == nil {
		t.Error("short body verified")
	}
}

// TestCheckOnce checks an answer over HTTP: the client must send the
// workload's header and nothing of its own, and decode nothing.
func TestCheckOnce(t *testing.T) {
	doc := []byte(`{"a":1}`)
	var seen []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ae := r.Header.Get("Accept-Encoding")
		seen = append(seen, ae)
		if ae == "gzip" {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gz(t, doc))
			return
		}
		w.Write(doc)
	}))
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "http://")
	w := workloadNamed(t, "gzip-json")
	got := checkOnce(addr, w, "/json100k")
	if !strings.HasPrefix(got, "200, ") || !strings.Contains(got, "Content-Encoding gzip") || !strings.Contains(got, "identity JSON") {
		t.Errorf("check: %s", got)
	}
	if !slices.Equal(seen, []string{"gzip", ""}) {
		t.Errorf("Accept-Encoding sent: %q", seen)
	}
	w.Headers = nil // the server does not compress: a wrong answer
	if got := checkOnce(addr, w, "/json100k"); !strings.HasPrefix(got, "wrong answer: 200") {
		t.Errorf("check of an identity answer: %s", got)
	}
}

// TestGzipApp runs bench/apps/gzipapp.py's middleware in Debian's Python
// without a server.
func TestGzipApp(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		t.Skip("no " + python)
	}
	script := `
import gzip, json, sys
import benchapp, gzipapp

def call(path, ae=None):
    env = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    if ae is not None:
        env["HTTP_ACCEPT_ENCODING"] = ae
    seen = {}
    def sr(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)
    body = b"".join(gzipapp.application(env, sr))
    return seen["status"], seen["headers"], body

s, h, b = call("/json100k", "gzip, deflate")
assert h["Content-Encoding"] == "gzip" and h["Vary"] == "Accept-Encoding", h
assert int(h["Content-Length"]) == len(b) < 30000, (h, len(b))
assert gzip.decompress(b) == benchapp.JSON_100K
assert b == gzipapp.compress_string(benchapp.JSON_100K)
assert len(json.loads(benchapp.JSON_100K)["results"]) == benchapp.JSON_RECORDS
s, h, b = call("/json100k", "br")
assert "Content-Encoding" not in h and h["Vary"] == "Accept-Encoding" and b == benchapp.JSON_100K, h
s, h, b = call("/json100k")
assert "Content-Encoding" not in h and b == benchapp.JSON_100K, h
s, h, b = call("/", "gzip")
assert "Content-Encoding" not in h and "Vary" not in h and b == b"Hello, World!", h
print("ok", len(benchapp.JSON_100K))
`
	cmd := exec.Command(python, "-B", "-c", script)
	cmd.Dir = filepath.Join("apps")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if n := strings.TrimSpace(string(out)); n != "ok 102568" {
		t.Errorf("benchapp's JSON changed: %s", n)
	}
}

func TestGoalReport(t *testing.T) {
	s := testSettings(t)
	s.Mode = "full"
	gzw := workloadNamed(t, "gzip-json")
	rep := &report{Settings: s, Started: "2026-01-01T00:00:00Z", Workloads: []workload{gzw}}
	for _, name := range []string{"gwsgi", "gwsgi-compress", "gunicorn-gthread", "nginx"} {
		sv := serverNamed(t, name)
		rep.Servers = append(rep.Servers, serverRow{sv.Name, sv.Label, sv.Budget(s), sv.About, sv.Reference})
	}
	run := func(sv string, rps float64) runResult {
		r := newResult(s, serverNamed(t, sv), gzw)
		r.Status, r.Wrk = statusOK, &wrkResult{RPS: rps}
		return r
	}
	rep.Runs = []runResult{run("gwsgi", 2000), run("gwsgi-compress", 7000), run("gunicorn-gthread", 2000)}
	na := newResult(s, serverNamed(t, "nginx"), gzw)
	na.Status, na.Note = statusNA, "static only"
	rep.Runs = append(rep.Runs, na)
	rep.setVsInproc()
	rep.setVsGoal()
	if v := rep.Runs[1].VsGoalRef; v == nil || *v != 3.5 {
		t.Fatalf("gwsgi-compress vs gunicorn gthread: %v", v)
	}
	md := rep.markdown()
	for _, want := range []string{
		"**Goal:** gwsgi --compress (Go compresses) at least 3× gunicorn gthread's requests/s: 3.50× (7,000 / 2,000 req/s), met.",
		"| vs ceiling | vs gunicorn gthread | p50 |",
		"| **gwsgi --compress (Go compresses)** | ",
		"header `Accept-Encoding: gzip`",
		"; gwsgi, gunicorn gthread serve `gzipapp:application`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// Every table line has as many cells as its header.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Count(line, " | ") != 13 {
			t.Errorf("%d cells: %s", strings.Count(line, " | ")+1, line)
		}
	}
	rep.Runs[0].Wrk.RPS, rep.Runs[1].Wrk.RPS = 2000, 5000
	rep.setVsGoal()
	if !strings.Contains(rep.markdown(), "2.50× (5,000 / 2,000 req/s), **not met**.") {
		t.Error("goal not met is not said")
	}
}

func TestRunOrder(t *testing.T) {
	names := func(w workload) ([]string, int) {
		var out []string
		order, lead := runOrder(w, servers)
		for _, k := range order {
			out = append(out, servers[k].Name)
		}
		return out, lead
	}
	for _, w := range workloads {
		got, nlead := names(w)
		want := len(leadRows)
		if w.Goal != nil {
			want += 2 // the goal's reference and row
		}
		if nlead != want {
			t.Errorf("%s: %d lead rows, want %d", w.Name, nlead, want)
		}
		if len(got) != len(servers) {
			t.Fatalf("%s: %d servers in the run order, want %d", w.Name, len(got), len(servers))
		}
		seen := map[string]bool{}
		for _, n := range got {
			if seen[n] {
				t.Fatalf("%s: %s twice in %v", w.Name, n, got)
			}
			seen[n] = true
		}
		lead := got[:len(leadRows)]
		if w.Goal != nil {
			if got[0] != w.Goal.Reference || got[1] != w.Goal.Row {
				t.Errorf("%s: run order %v, want the goal's %s and %s first", w.Name, got, w.Goal.Reference, w.Goal.Row)
			}
			lead = got[2 : 2+len(leadRows)]
		}
		if want := []string{"inproc", "inproc-embedded", "ceiling", "gwsgi", "gwsgi-8", "gwsgi-256"}; !slices.Equal(lead, want) {
			t.Errorf("%s: run order %v, want %v leading", w.Name, got, want)
		}
	}
}

func TestMedianOfRounds(t *testing.T) {
	run := func(rps float64) runResult {
		r := runResult{Server: "gwsgi", Status: statusOK}
		if rps > 0 {
			r.Wrk = &wrkResult{RPS: rps}
			r.CPUSeconds = rps / 1000 // tells which run was kept
		} else {
			r.Status = statusWrkFailed
		}
		return r
	}
	for _, tc := range []struct {
		rps  []float64
		keep float64
		note string
	}{
		{[]float64{300, 100, 200}, 200, "median of 3 rounds: 300, 100, 200 req/s"},
		{[]float64{100, 0, 300}, 100, "median of 3 rounds: 100, —, 300 req/s"},
		{[]float64{0, 0, 500}, 500, "median of 3 rounds: —, —, 500 req/s"},
		{[]float64{1200}, 1200, ""},
		{[]float64{0, 0}, 0, ""},
	} {
		var runs []runResult
		for _, v := range tc.rps {
			runs = append(runs, run(v))
		}
		m := median(runs)
		if m.rps() != tc.keep || m.CPUSeconds != tc.keep/1000 {
			t.Errorf("%v: kept the run of %v req/s, want %v", tc.rps, m.rps(), tc.keep)
		}
		if m.Note != tc.note {
			t.Errorf("%v: note %q, want %q", tc.rps, m.Note, tc.note)
		}
		if tc.note != "" && !slices.Equal(m.RoundsRPS, tc.rps) {
			t.Errorf("%v: rounds %v", tc.rps, m.RoundsRPS)
		}
	}
}
