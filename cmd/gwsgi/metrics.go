package main

import (
	"net"
	"net/http"

	"github.com/gwsgi/gwsgi/metrics"
	"github.com/gwsgi/gwsgi/supervise"
)

// serveMetrics serves Prometheus text at /metrics on o.metricsBind from
// c; it returns once the address is bound.
func serveMetrics(o *options, c *metrics.Collector) error {
	ln, err := net.Listen("tcp", o.metricsBind)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics.Handler(c))
	o.log.Printf("gwsgi: metrics at http://%s/metrics", ln.Addr())
	go func() { o.log.Errorf("gwsgi: --metrics-bind: %v", http.Serve(ln, mux)) }()
	return nil
}

// masterMetrics is the collector over the workers' regions, serving, when
// --metrics-bind is set.
func masterMetrics(o *options) (*metrics.Collector, error) {
	if o.metricsBind == "" {
		return nil, nil
	}
	c := metrics.NewCollector()
	return c, serveMetrics(o, c)
}

// processMetrics is the region this serving process records into: the
// master's for a worker, or its own (served from here) without a master.
func processMetrics(o *options) (*metrics.Region, error) {
	if supervise.IsWorker() {
		return supervise.WorkerMetrics()
	}
	if o.metricsBind == "" {
		return nil, nil
	}
	r, f, err := metrics.NewRegion()
	if err != nil {
		return nil, err
	}
	f.Close()
	c := metrics.NewCollector()
	c.Add(0, r)
	return r, serveMetrics(o, c)
}
