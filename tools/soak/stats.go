package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Classes of traffic: what an outcome other than the expected one means.
const (
	classValid   = "valid"   // a request any server must serve: a failure fails the soak
	classHostile = "hostile" // a request the server must refuse or drop as documented: an anomaly fails it too
)

// The kinds of traffic, each with its class.
var kindClass = map[string]string{
	"valid":        classValid,   // keep-alive GET/HEAD/POST (Content-Length, chunked, 100-continue)
	"pipelined":    classValid,   // several requests per write, answers checked in order
	"slow-head-ok": classValid,   // a head trickled in, complete well within --header-timeout
	"slow-body-ok": classValid,   // a body trickled in: small ones within the timeout, large ones with pauses under it
	"near-limit":   classValid,   // request line and header fields just under the limits
	"slow-head":    classHostile, // a head never completed: 408 or close after --header-timeout
	"slow-body":    classHostile, // a body that stalls: 408 (small) or an error answer or close (streamed)
	"early-close":  classHostile, // connections abandoned at every stage
	"malformed":    classHostile, // bad request lines, bare LF, smuggling shapes, bad chunks, obs-fold, NUL: 4xx/5xx and close
	"huge-header":  classHostile, // request line or header section over the limits: 414/431 and close
}

// maxSamples is how many failures of a kind are described in the report
// (the first of each cause and case).
const maxSamples = 10

// kindStats counts the outcomes of one kind of traffic.
type kindStats struct {
	Class    string           `json:"class"`
	Requests int64            `json:"requests"` // outcomes recorded: ok + failed
	OK       int64            `json:"ok"`
	Failed   int64            `json:"failed"`
	Statuses map[string]int64 `json:"statuses"`          // responses by status code
	Closes   map[string]int64 `json:"closes"`            // connections the server ended as expected, by how ("eof", "reset")
	Errors   map[string]int64 `json:"errors"`            // failed outcomes by cause ("reset", "refused", "timeout", "status", ...)
	Samples  []string         `json:"samples,omitempty"` // the first failure of each cause and case
	Latency  *latency         `json:"latency_ms,omitempty"`

	times []float64 // milliseconds each served request took (kinds that time them)

	seen map[string]struct{} // Samples' causes and cases
}

// stats holds the counts of every kind; safe for concurrent use.
type stats struct {
	mu    sync.Mutex
	begin time.Time
	kinds map[string]*kindStats
}

func newStats() *stats {
	s := &stats{begin: time.Now(), kinds: map[string]*kindStats{}}
	for k, c := range kindClass {
		s.kinds[k] = &kindStats{Class: c, Statuses: map[string]int64{}, Closes: map[string]int64{}, Errors: map[string]int64{}, seen: map[string]struct{}{}}
	}
	return s
}

// get returns kind's counts; the caller holds s.mu.
func (s *stats) get(kind string) *kindStats {
	k, ok := s.kinds[kind]
	if !ok {
		panic("soak: unknown kind " + kind)
	}
	return k
}

// status counts a response of status code seen on kind's traffic.
func (s *stats) status(kind string, code int) {
	s.mu.Lock()
	s.get(kind).Statuses[strconv.Itoa(code)]++
	s.mu.Unlock()
}

// closed counts a connection the server ended as kind's traffic expects,
// the way err says (nil: a clean end).
func (s *stats) closed(kind string, err error) {
	how := "eof"
	if err != nil {
		how = cause(err)
	}
	s.mu.Lock()
	s.get(kind).Closes[how]++
	s.mu.Unlock()
}

// took records how long a request of kind took to be served.
func (s *stats) took(kind string, d time.Duration) {
	s.mu.Lock()
	k := s.get(kind)
	k.times = append(k.times, float64(d.Microseconds())/1000)
	s.mu.Unlock()
}

// latency sums up the time requests took, in milliseconds.
type latency struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func newLatency(times []float64) *latency {
	if len(times) == 0 {
		return nil
	}
	t := slices.Clone(times)
	slices.Sort(t)
	at := func(q float64) float64 { return t[min(len(t)-1, int(q*float64(len(t))))] }
	return &latency{P50: at(0.50), P99: at(0.99), Max: t[len(t)-1]}
}

// ok counts an outcome of kind as expected.
func (s *stats) ok(kind string) {
	s.mu.Lock()
	k := s.get(kind)
	k.OK++
	k.Requests++
	s.mu.Unlock()
}

// fail counts an outcome of kind not as expected, err saying why.
func (s *stats) fail(kind string, err error) {
	c := cause(err)
	s.mu.Lock()
	k := s.get(kind)
	k.Failed++
	k.Requests++
	k.Errors[c]++
	msg := err.Error()
	key := c + ": " + clip(strings.Map(noDigits, msg))
	if _, seen := k.seen[key]; !seen && len(k.Samples) < maxSamples {
		k.seen[key] = struct{}{}
		k.Samples = append(k.Samples, fmt.Sprintf("at %.1fs: %s: %s", time.Since(s.begin).Seconds(), c, msg))
	}
	s.mu.Unlock()
}

// snapshot copies the counts, kinds in name order.
func (s *stats) snapshot() []namedStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]namedStats, 0, len(s.kinds))
	for name, k := range s.kinds {
		c := *k
		c.Statuses, c.Closes, c.Errors = copyMap(k.Statuses), copyMap(k.Closes), copyMap(k.Errors)
		c.Samples = append([]string(nil), k.Samples...)
		c.Latency, c.times, c.seen = newLatency(k.times), nil, nil
		out = append(out, namedStats{name, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Class != out[j].Class {
			return out[i].Class == classValid
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// namedStats is one kind's counts under its name.
type namedStats struct {
	Name string `json:"kind"`
	kindStats
}

func copyMap(m map[string]int64) map[string]int64 {
	c := make(map[string]int64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// cause names the cause of err for the counts: a network error, a
// framing error or a mismatch with the expected answer.
func cause(err error) string {
	var m *mismatchError
	var o *outcomeError
	switch {
	case errors.As(err, &m):
		return m.Kind
	case errors.As(err, &o):
		return o.Kind
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, syscall.EPIPE):
		return "broken-pipe"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "eof-mid-response"
	case errors.Is(err, io.EOF):
		return "eof"
	case errors.Is(err, errFraming):
		return "framing"
	}
	return "other"
}

// outcomeError is an outcome of hostile traffic other than the documented
// one; Kind names it ("unexpected-status", "early-timeout", ...).
type outcomeError struct{ Kind, Msg string }

func (e *outcomeError) Error() string { return e.Msg }

// noDigits drops digits (strings.Map): failures that differ only in
// numbers (tags, sizes, times) are sampled once.
func noDigits(r rune) rune {
	if r >= '0' && r <= '9' {
		return -1
	}
	return r
}
