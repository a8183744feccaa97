package main

// app is a WSGI app every Python server can load: module:callable in Dir
// (relative to the repository root).
type app struct {
	Dir, Module, Callable string
}

// Spec is module:callable.
func (a app) Spec() string { return a.Module + ":" + a.Callable }

var (
	benchApp = app{Dir: "bench/apps", Module: "benchapp", Callable: "application"}
	flaskApp = app{Dir: "examples/flaskapp", Module: "app", Callable: "app"}
)

// workload is one wrk configuration against one route.
type workload struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	App    app    `json:"-"`
	AppRef string `json:"app"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Conns  int    `json:"connections"`
	Script string `json:"wrk_script,omitempty"` // relative to the repository root
	Body   int    `json:"request_body_bytes,omitempty"`
}

var workloads = []workload{
	{Name: "hello", Title: "hello: GET /, 13-byte body", App: benchApp, Method: "GET", Path: "/", Conns: 64},
	{Name: "10k", Title: "10 KiB response: GET /10k", App: benchApp, Method: "GET", Path: "/10k", Conns: 64},
	{Name: "echo", Title: "POST echo of 10 KiB: POST /echo", App: benchApp, Method: "POST", Path: "/echo", Conns: 64,
		Script: "bench/wrk/echo10k.lua", Body: 10240},
	{Name: "flask", Title: "Flask JSON: GET /json (examples/flaskapp)", App: flaskApp, Method: "GET", Path: "/json", Conns: 64},
	{Name: "sleep", Title: "sleep 10 ms at 512 connections: GET /sleep", App: benchApp, Method: "GET", Path: "/sleep", Conns: 512},
}

// quickWorkloads and quickServers make up -quick.
var (
	quickWorkloads = []string{"hello", "flask", "sleep"}
	quickServers   = []string{"gwsgi", "gwsgi-8", "gwsgi-256", "gunicorn-gthread", "gunicorn-gevent", "uwsgi-keepalive", "waitress", "gwsgi-go", "ceiling", "inproc"}
)

func init() {
	for i := range workloads {
		workloads[i].AppRef = workloads[i].App.Dir + " " + workloads[i].App.Spec()
	}
}
