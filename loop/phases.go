package loop

import (
	"fmt"
	"io"
	"math/bits"
	"sync/atomic"
	"time"
)

// Phases of a request, timed when Config.PhaseTimes is set.
const (
	PhaseQueue = iota // dispatched by the loop → a thread holding the app's lock starts it
	PhaseGate         // waiting for the app's lock after the request started: after gwsgi let go of it (a slow client), and, when the Gate times it (pyembed), after the app's own blocking calls
	PhaseApp          // the app: the call, its iteration and close(), without Write and Gate
	PhaseWrite        // handing the response to the socket (and waiting for a slow client)
	PhaseTotal        // dispatch → response handed to the socket
	NumPhases
)

// PhaseNames are the phases' names, in order.
var PhaseNames = [NumPhases]string{"queue", "gil", "app", "write", "total"}

// histBuckets is the number of power-of-two buckets: bucket i counts
// durations in [2^(i-1), 2^i) microseconds; bucket 0 counts under 1 µs.
const histBuckets = 32

// PhaseStats accumulates phase times of every request, lock-free and
// without allocating. The zero value is ready to use.
type PhaseStats struct {
	count   atomic.Uint64
	sum     [NumPhases]atomic.Int64 // nanoseconds
	buckets [NumPhases][histBuckets]atomic.Uint64
}

// add records one request's phase times, in nanoseconds.
func (p *PhaseStats) add(ns *[NumPhases]int64) {
	p.count.Add(1)
	for i, d := range ns {
		d = max(d, 0)
		p.sum[i].Add(d)
		p.buckets[i][bucketOf(d)].Add(1)
	}
}

// bucketOf is the histogram bucket of a duration in nanoseconds.
func bucketOf(ns int64) int {
	return min(bits.Len64(uint64(ns/1000)), histBuckets-1)
}

// PhaseSummary is one phase's figures, in microseconds. Quantiles are
// the upper bounds of their histogram buckets: within a factor of two.
type PhaseSummary struct {
	Name               string
	Mean               float64
	P50, P90, P99, Max float64
}

// Summary returns the count of requests timed and each phase's figures.
func (p *PhaseStats) Summary() (n uint64, out [NumPhases]PhaseSummary) {
	n = p.count.Load()
	for i := range out {
		var counts [histBuckets]uint64
		var total uint64
		for j := range counts {
			counts[j] = p.buckets[i][j].Load()
			total += counts[j]
		}
		s := PhaseSummary{Name: PhaseNames[i]}
		if total > 0 {
			s.Mean = float64(p.sum[i].Load()) / float64(total) / 1e3
			s.P50, s.P90, s.P99 = quantile(&counts, total, 0.50), quantile(&counts, total, 0.90), quantile(&counts, total, 0.99)
			s.Max = quantile(&counts, total, 1)
		}
		out[i] = s
	}
	return n, out
}

// quantile is the upper bound, in microseconds, of the bucket holding the
// q-quantile.
func quantile(counts *[histBuckets]uint64, total uint64, q float64) float64 {
	want := uint64(q*float64(total) + 0.5)
	want = max(want, 1)
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= want {
			return float64(uint64(1) << i)
		}
	}
	return float64(uint64(1) << (histBuckets - 1))
}

// Reset zeroes the statistics.
func (p *PhaseStats) Reset() {
	p.count.Store(0)
	for i := range p.sum {
		p.sum[i].Store(0)
		for j := range p.buckets[i] {
			p.buckets[i][j].Store(0)
		}
	}
}

// WriteText writes the summary as a small table.
func (p *PhaseStats) WriteText(w io.Writer) error {
	n, sum := p.Summary()
	if _, err := fmt.Fprintf(w, "requests timed: %d\nphase   mean µs     p50 ≤    p90 ≤    p99 ≤    max ≤\n", n); err != nil {
		return err
	}
	for _, s := range sum {
		if _, err := fmt.Fprintf(w, "%-6s %8.1f %8.0f %8.0f %8.0f %8.0f\n", s.Name, s.Mean, s.P50, s.P90, s.P99, s.Max); err != nil {
			return err
		}
	}
	return nil
}

// clockBase is the origin of now.
var clockBase = time.Now()

// now is a monotonic nanosecond clock (about half the cost of time.Now,
// which reads the wall clock too): the phase times and every timeout
// count with it, so a wall-clock step neither expires nor extends one.
func now() int64 { return int64(time.Since(clockBase)) }
