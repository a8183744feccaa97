package main

import _ "embed"

// app is a WSGI app every Python server can load: module:callable in Dir
// (relative to the repository root).
type app struct {
	Dir, Module, Callable string
}

// Spec is module:callable.
func (a app) Spec() string { return a.Module + ":" + a.Callable }

var (
	benchApp      = app{Dir: "bench/apps", Module: "benchapp", Callable: "application"}
	flaskApp      = app{Dir: "examples/flaskapp", Module: "app", Callable: "app"}
	gzipApp       = app{Dir: "bench/apps", Module: "gzipapp", Callable: "application"}
	whitenoiseApp = app{Dir: "bench/apps", Module: "whitenoiseapp", Callable: "application"}
)

// staticDir holds the static workload's file, relative to the repository
// root; staticFile is its name and staticPage its content, which the
// check compares answers with.
const (
	staticDir  = "bench/apps/static"
	staticFile = "page10k.html"
)

//go:embed apps/static/page10k.html
var staticPage []byte

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
	// Headers are sent with every request ("Name: value", as wrk's -H).
	Headers []string `json:"headers,omitempty"`
	// Rows, when set, are the only servers that run the workload; the
	// others get a not-applicable row saying RowsWhy.
	Rows    []string `json:"rows,omitempty"`
	RowsWhy string   `json:"-"`
	// Apps gives a server an app of its own under this workload, in place
	// of App; AppRefs says which, for the JSON.
	Apps    map[string]app    `json:"-"`
	AppRefs map[string]string `json:"apps_by_server,omitempty"`
	// Verify, when set, checks the first answer beyond its status.
	Verify verifier `json:"-"`
	// Goal, when set, is the ratio this workload is run to measure.
	Goal *goal `json:"goal,omitempty"`
}

// goal is a target stated as a ratio of requests per second: Row's over
// Reference's, at least Min.
type goal struct {
	Row       string  `json:"row"`
	Reference string  `json:"reference"`
	Min       float64 `json:"min_ratio"`
}

// appFor is the app server sv serves under w.
func (w workload) appFor(sv string) app {
	if a, ok := w.Apps[sv]; ok {
		return a
	}
	return w.App
}

var workloads = []workload{
	{Name: "hello", Title: "hello: GET /, 13-byte body", App: benchApp, Method: "GET", Path: "/", Conns: 64},
	{Name: "10k", Title: "10 KiB response: GET /10k", App: benchApp, Method: "GET", Path: "/10k", Conns: 64},
	{Name: "echo", Title: "POST echo of 10 KiB: POST /echo", App: benchApp, Method: "POST", Path: "/echo", Conns: 64,
		Script: "bench/wrk/echo10k.lua", Body: 10240},
	{Name: "flask", Title: "Flask JSON: GET /json (examples/flaskapp)", App: flaskApp, Method: "GET", Path: "/json", Conns: 64},
	{Name: "sleep", Title: "sleep 10 ms at 512 connections: GET /sleep", App: benchApp, Method: "GET", Path: "/sleep", Conns: 512},
	{Name: "gzip-json", Title: "100 KiB JSON, Accept-Encoding: gzip: GET /json100k", App: benchApp, Method: "GET", Path: "/json100k", Conns: 64,
		Headers: []string{"Accept-Encoding: gzip"},
		Rows:    []string{"gwsgi-compress", "gwsgi-compress-6", "gwsgi", "gunicorn-gthread", "gunicorn-sync"},
		RowsWhy: "gzip-json compares who compresses: gwsgi --compress, or a Python gzip middleware under gwsgi or gunicorn",
		Apps:    map[string]app{"gwsgi": gzipApp, "gunicorn-gthread": gzipApp, "gunicorn-sync": gzipApp},
		Verify:  verifyGzip,
		Goal:    &goal{Row: "gwsgi-compress", Reference: "gunicorn-gthread", Min: 3}},
	{Name: "static", Title: "10 KiB static file: GET /static/" + staticFile, App: benchApp, Method: "GET", Path: "/static/" + staticFile, Conns: 64,
		Rows:    []string{"gwsgi-static", "nginx", "whitenoise"},
		RowsWhy: "static compares file serving: gwsgi --static-map, nginx and WhiteNoise",
		Apps:    map[string]app{"whitenoise": whitenoiseApp},
		Verify:  verifyStatic,
		Goal:    &goal{Row: "gwsgi-static", Reference: "nginx", Min: 0.8}},
}

// quickWorkloads and quickServers make up -quick.
var (
	quickWorkloads = []string{"hello", "flask", "sleep"}
	quickServers   = []string{"gwsgi", "gwsgi-8", "gwsgi-256", "gunicorn-gthread", "gunicorn-gevent", "uwsgi-keepalive", "waitress", "gwsgi-go", "ceiling", "inproc", "inproc-embedded"}
)

func init() {
	for i := range workloads {
		w := &workloads[i]
		w.AppRef = w.App.Dir + " " + w.App.Spec()
		for sv, a := range w.Apps {
			if w.AppRefs == nil {
				w.AppRefs = map[string]string{}
			}
			w.AppRefs[sv] = a.Dir + " " + a.Spec()
		}
	}
}
