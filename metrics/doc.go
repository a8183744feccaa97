// Package metrics counts what a gwsgi process serves and exposes it as
// Prometheus text.
//
// # Where the numbers live
//
// Requests are served by worker processes, but it is the master that answers
// scrapes. Each worker's statistics therefore live in a small shared-memory
// region: an anonymous file created with memfd_create(2), sized with
// ftruncate(2) and mapped MAP_SHARED by both processes. The master creates
// the region with NewRegion and hands the returned *os.File to the worker
// (exec.Cmd.ExtraFiles); the worker maps the inherited descriptor with
// OpenRegion. From then on both mappings show the same bytes.
//
// The region is a fixed struct of 64-bit words (see layout). The worker only
// ever adds to those words with sync/atomic: recording a request takes no
// lock and allocates nothing, so it can sit on the path of every request.
// The master reads the words atomically when it is scraped, summing every
// live region, so each metric is a single series with no worker label.
//
// A *Region is also the recorder: Request, AddInflight, AddQueued, AddConns
// and GILWait may be called from any goroutine, and on a nil *Region they do
// nothing, so code that runs with metrics switched off needs no branch.
//
// # Who owns the memory
//
// The master owns the memfd: NewRegion seals it against resizing, so no
// worker can shrink it under the master's mapping, and marks it close-on-exec,
// so only the worker it is passed to inherits it. Each mapping lives until
// its Region's Close; touching a Region after Close is a fault, so Close
// comes after the last recording call. The worker's OpenRegion closes the
// inherited descriptor as soon as it is mapped (the mapping keeps the memory
// alive), so the descriptor does not leak into the app's own child processes.
//
// When a worker exits, the master calls Collector.Retire: the region's
// counters and histograms are folded into retired totals, so the exported
// counters never go backwards across restarts, its gauges are dropped (no
// requests are in flight in a dead process), and the master's mapping is
// closed. A single process without a master (--no-master) uses the same
// code: it creates a region, records into it and serves it from one
// Collector.
//
// # What is exported
//
//	gwsgi_http_requests_total{code}       counter, per HTTP status code
//	gwsgi_http_request_duration_seconds   histogram, prometheus.DefBuckets
//	gwsgi_inflight_requests               gauge, requests being served
//	gwsgi_queue_depth                     gauge, requests waiting for a thread
//	gwsgi_connections                     gauge, open client connections
//	gwsgi_gil_wait_seconds                histogram, 1µs to ~1s (×4 steps)
//	gwsgi_worker_restarts_total           counter, workers replaced after boot
//
// Handler serves them together with the Go runtime and process collectors;
// in a master those two describe the master process itself.
package metrics
