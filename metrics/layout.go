package metrics

import (
	"math"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/prometheus/client_golang/prometheus"
)

const (
	// regionMagic opens every region: "GWSGIMET" in ASCII.
	regionMagic = 0x47575347494d4554
	// regionVersion changes whenever layout changes.
	regionVersion = 1

	// minCode and maxCode bound the status codes counted one by one.
	minCode = 100
	maxCode = 599
	// otherCode is the slot of layout.codes counting any status code
	// outside minCode..maxCode; it is exported with code="other".
	otherCode = maxCode - minCode + 1

	// histSlots is the number of bucket counters a histogram has room for:
	// one per upper bound plus the +Inf bucket.
	histSlots = 16
)

// layout is the content of a region, placed at offset 0 of the mapping.
//
// Alignment: the mapping starts on a page boundary and every field is a
// 64-bit word (sync/atomic types of size 8, arrays of them, or structs made
// only of them), so every field sits at an offset that is a multiple of 8.
// That is what 64-bit atomic operations need on every platform, 32-bit ones
// included. Adding a field of another size would break this: keep it so, and
// bump regionVersion with any change.
//
// The header (magic, version, size) is written once by the master before the
// region is handed to a worker; everything after it only ever changes by
// atomic adds.
type layout struct {
	magic   atomic.Uint64
	version atomic.Uint64
	size    atomic.Uint64 // unsafe.Sizeof(layout{}) of the writer

	inflight atomic.Int64
	queued   atomic.Int64
	conns    atomic.Int64

	codes    [otherCode + 1]atomic.Uint64
	duration histogram
	gilWait  histogram
}

// layoutSize is the number of bytes layout needs.
const layoutSize = unsafe.Sizeof(layout{})

// Every field must be 8 bytes wide (see layout).
var _ [0]struct{} = [layoutSize % 8]struct{}{}

// histogram is a Prometheus histogram kept in shared memory.
type histogram struct {
	// counts holds non-cumulative bucket counts: counts[i] is the number of
	// observations in (bound[i-1], bound[i]]; counts[n] for n bounds is the
	// +Inf bucket. Slots past it stay zero.
	counts [histSlots]atomic.Uint64
	// sumNs is the sum of all observations in nanoseconds.
	sumNs atomic.Uint64
}

// bounds are a histogram's upper bounds, in seconds for export and in
// nanoseconds for recording.
type bounds struct {
	seconds []float64
	ns      [histSlots - 1]int64
	n       int
}

var (
	durationBounds = newBounds(prometheus.DefBuckets)
	gilBounds      = newBounds(prometheus.ExponentialBuckets(1e-6, 4, 11))
)

// newBounds converts sorted upper bounds in seconds; it panics if there are
// more than fit in a histogram.
func newBounds(seconds []float64) *bounds {
	if len(seconds) > histSlots-1 {
		panic("metrics: too many histogram buckets")
	}
	b := &bounds{seconds: seconds, n: len(seconds)}
	for i, s := range seconds {
		b.ns[i] = int64(math.Round(s * 1e9))
	}
	return b
}

// observe records d: its bucket and the sum. A negative d counts as 0.
func (h *histogram) observe(d time.Duration, b *bounds) {
	ns := int64(d)
	if ns < 0 {
		ns = 0
	}
	i := 0
	for i < b.n && ns > b.ns[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNs.Add(uint64(ns))
}

// codeSlot is the index in layout.codes that counts status code code.
func codeSlot(code int) int {
	if code < minCode || code > maxCode {
		return otherCode
	}
	return code - minCode
}

// histSnap is a histogram read out of shared memory.
type histSnap struct {
	counts [histSlots]uint64
	sumNs  uint64
}

// snapshot is a layout read out of shared memory, or a sum of several.
type snapshot struct {
	inflight, queued, conns int64
	codes                   [otherCode + 1]uint64
	duration, gilWait       histSnap
}

// load reads h atomically, word by word.
func (s *histSnap) load(h *histogram) {
	for i := range h.counts {
		s.counts[i] = h.counts[i].Load()
	}
	s.sumNs = h.sumNs.Load()
}

// add adds o to s.
func (s *histSnap) add(o *histSnap) {
	for i, v := range o.counts {
		s.counts[i] += v
	}
	s.sumNs += o.sumNs
}

// load reads l atomically, word by word. The words are not read at one
// instant, so a histogram's sum may lag or lead its counts by a few
// observations; each word on its own never goes backwards.
func (s *snapshot) load(l *layout) {
	s.inflight = l.inflight.Load()
	s.queued = l.queued.Load()
	s.conns = l.conns.Load()
	for i := range l.codes {
		s.codes[i] = l.codes[i].Load()
	}
	s.duration.load(&l.duration)
	s.gilWait.load(&l.gilWait)
}

// addCounters adds o's counters and histograms to s, leaving s's gauges.
func (s *snapshot) addCounters(o *snapshot) {
	for i, v := range o.codes {
		s.codes[i] += v
	}
	s.duration.add(&o.duration)
	s.gilWait.add(&o.gilWait)
}

// addGauges adds o's gauges to s.
func (s *snapshot) addGauges(o *snapshot) {
	s.inflight += o.inflight
	s.queued += o.queued
	s.conns += o.conns
}
