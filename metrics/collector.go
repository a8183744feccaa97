package metrics

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	requestsDesc = prometheus.NewDesc("gwsgi_http_requests_total",
		"HTTP requests served, by status code.", []string{"code"}, nil)
	durationDesc = prometheus.NewDesc("gwsgi_http_request_duration_seconds",
		"Time from a request's arrival to the end of its response.", nil, nil)
	inflightDesc = prometheus.NewDesc("gwsgi_inflight_requests",
		"Requests being served.", nil, nil)
	queueDesc = prometheus.NewDesc("gwsgi_queue_depth",
		"Requests waiting for a thread.", nil, nil)
	connsDesc = prometheus.NewDesc("gwsgi_connections",
		"Open client connections.", nil, nil)
	gilWaitDesc = prometheus.NewDesc("gwsgi_gil_wait_seconds",
		"Time spent waiting to acquire the Python GIL.", nil, nil)
	restartsDesc = prometheus.NewDesc("gwsgi_worker_restarts_total",
		"Worker processes replaced after boot, for any reason.", nil, nil)
)

// codeLabels holds the code label of each slot of layout.codes.
var codeLabels = func() (l [otherCode + 1]string) {
	for i := range otherCode {
		l[i] = strconv.Itoa(minCode + i)
	}
	l[otherCode] = "other"
	return l
}()

// Collector is a prometheus.Collector over the regions of the live workers
// plus the totals of retired ones. Every metric is summed over workers. A
// region given to Add belongs to the Collector from then on: it is closed by
// Retire (or by an Add that replaces it), not by the caller, since a scrape
// may be reading it. Its methods are safe for concurrent use; on a nil
// *Collector, Add, Restarted and Retire record nothing (Retire still closes
// the region).
type Collector struct {
	mu       sync.Mutex
	live     map[int]*Region // by worker id, unique among live workers (the master uses pids)
	retired  snapshot        // counters and histograms of retired regions; gauges stay zero
	restarts uint64
}

// NewCollector returns a Collector with no regions.
func NewCollector() *Collector {
	return &Collector{live: make(map[int]*Region)}
}

// Add makes r the live region of the worker with id worker. The id must be
// unique among live workers (a pid, not a slot: a worker being replaced
// still counts while its replacement does); a region still live under it
// is retired first. A nil r only retires the id.
func (c *Collector) Add(worker int, r *Region) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.live[worker]; old != nil && old != r {
		c.retireLocked(old)
	}
	if r == nil {
		delete(c.live, worker)
		return
	}
	c.live[worker] = r
}

// Retire folds r's counters and histograms into the retired totals, drops
// its gauges, removes it from the live regions and closes it. Call it once
// the worker writing r has exited: later writes would be lost. Retire of a
// nil r does nothing.
func (c *Collector) Retire(r *Region) {
	if r == nil {
		return
	}
	if c == nil {
		r.Close()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.retireLocked(r)
}

// retireLocked does Retire's work with c.mu held.
func (c *Collector) retireLocked(r *Region) {
	for w, lr := range c.live {
		if lr == r {
			delete(c.live, w)
		}
	}
	if r.l == nil {
		return // already closed
	}
	var s snapshot
	r.load(&s)
	c.retired.addCounters(&s)
	r.Close()
}

// Restarted counts one worker replaced after boot, for any reason, in
// gwsgi_worker_restarts_total.
func (c *Collector) Restarted() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.restarts++
	c.mu.Unlock()
}

// Describe sends the descriptors of every metric c exports.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{requestsDesc, durationDesc,
		inflightDesc, queueDesc, connsDesc, gilWaitDesc, restartsDesc} {
		ch <- d
	}
}

// Collect sends the current sums over live regions and retired totals.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	var s snapshot
	restarts := c.total(&s)
	for i, n := range s.codes {
		if n != 0 {
			ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.CounterValue,
				float64(n), codeLabels[i])
		}
	}
	ch <- constHistogram(durationDesc, &s.duration, durationBounds)
	ch <- prometheus.MustNewConstMetric(inflightDesc, prometheus.GaugeValue, float64(s.inflight))
	ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(s.queued))
	ch <- prometheus.MustNewConstMetric(connsDesc, prometheus.GaugeValue, float64(s.conns))
	ch <- constHistogram(gilWaitDesc, &s.gilWait, gilBounds)
	ch <- prometheus.MustNewConstMetric(restartsDesc, prometheus.CounterValue, float64(restarts))
}

// total sums the retired totals and every live region into s and returns the
// restart count, all read under one lock so a Retire cannot count a region
// twice or not at all.
func (c *Collector) total(s *snapshot) (restarts uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	*s = c.retired
	var one snapshot
	for _, r := range c.live {
		r.load(&one)
		s.addCounters(&one)
		s.addGauges(&one)
	}
	return c.restarts
}

// constHistogram turns a histogram snapshot into a Prometheus histogram with
// cumulative buckets and its sum in seconds.
func constHistogram(d *prometheus.Desc, h *histSnap, b *bounds) prometheus.Metric {
	buckets := make(map[float64]uint64, b.n)
	var cum uint64
	for i, ub := range b.seconds {
		cum += h.counts[i]
		buckets[ub] = cum
	}
	for _, n := range h.counts[b.n:] {
		cum += n
	}
	return prometheus.MustNewConstHistogram(d, cum, float64(h.sumNs)/1e9, buckets)
}
