package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// report is what a soak found; it is printed and written as JSON.
type report struct {
	Target    string         `json:"target"`            // the server's address
	Command   []string       `json:"command,omitempty"` // how the soak started it
	PID       int            `json:"pid,omitempty"`     // its master, whose processes are sampled
	Seed      uint64         `json:"seed"`
	Began     time.Time      `json:"began"`
	Duration  float64        `json:"duration_s"`
	Warmup    float64        `json:"warmup_s"`
	Clients   map[string]int `json:"clients"` // concurrent connections by kind
	Kinds     []namedStats   `json:"kinds"`
	Totals    totals         `json:"totals"`
	RSS       *rssReport     `json:"rss,omitempty"`
	Log       *logFindings   `json:"log,omitempty"`
	ServerEnd string         `json:"server_exit,omitempty"` // the master's exit after SIGTERM
	Verdict   string         `json:"verdict"`               // PASS or FAIL
	Reasons   []string       `json:"reasons,omitempty"`     // why FAIL
}

// totals sums the kinds by class.
type totals struct {
	Valid         int64 `json:"valid"`
	ValidFailed   int64 `json:"valid_failed"`
	Hostile       int64 `json:"hostile"`
	HostileFailed int64 `json:"hostile_failed"`
}

// rssReport is the server's memory over the soak.
type rssReport struct {
	StartKiB  int64       `json:"start_kib"` // after the warm-up
	EndKiB    int64       `json:"end_kib"`   // as the load ended
	MaxKiB    int64       `json:"max_kib"`
	LimitKiB  int64       `json:"limit_kib"` // the most EndKiB may be: StartKiB*factor + slack
	Slope     float64     `json:"slope_mib_per_min"`
	Processes int         `json:"processes"`          // master and workers sampled
	Replaced  []string    `json:"replaced,omitempty"` // processes that went or came during the soak
	Samples   []rssSample `json:"samples"`
}

// newRSSReport summarizes samples; factor and slackKiB set the limit.
func newRSSReport(samples []rssSample, factor float64, slackKiB int64) *rssReport {
	if len(samples) == 0 {
		return nil
	}
	r := &rssReport{StartKiB: samples[0].KiB, EndKiB: samples[len(samples)-1].KiB, Samples: samples}
	r.LimitKiB = int64(float64(r.StartKiB)*factor) + slackKiB
	r.Slope = slopeMiBPerMin(samples)
	first := samples[0].pidsOf()
	r.Processes = len(first)
	for _, s := range samples {
		r.MaxKiB = max(r.MaxKiB, s.KiB)
		if pids := s.pidsOf(); !slices.Equal(pids, first) && len(r.Replaced) < maxSamples {
			r.Replaced = append(r.Replaced, fmt.Sprintf("at %.0fs: pids %v, at warm-up %v", s.At, pids, first))
		}
	}
	return r
}

// judge sets the verdict: PASS when every valid request was served as
// expected, every hostile one refused as documented, the server's
// processes are those of the warm-up and its log shows no crash or app
// failure, and its RSS at the end is within the limit.
func (r *report) judge() {
	for _, k := range r.Kinds {
		if k.Class == classValid {
			r.Totals.Valid += k.Requests
			r.Totals.ValidFailed += k.Failed
		} else {
			r.Totals.Hostile += k.Requests
			r.Totals.HostileFailed += k.Failed
		}
	}
	if r.Totals.ValidFailed > 0 {
		r.Reasons = append(r.Reasons, fmt.Sprintf("%d valid requests failed", r.Totals.ValidFailed))
	}
	if r.Totals.Valid-r.Totals.ValidFailed == 0 {
		r.Reasons = append(r.Reasons, "no valid request was served")
	}
	if r.Totals.HostileFailed > 0 {
		r.Reasons = append(r.Reasons, fmt.Sprintf("%d hostile requests were not refused or dropped as documented", r.Totals.HostileFailed))
	}
	if r.RSS != nil {
		if r.RSS.EndKiB > r.RSS.LimitKiB {
			r.Reasons = append(r.Reasons, fmt.Sprintf("RSS grew from %s to %s, over the limit %s", mib(r.RSS.StartKiB), mib(r.RSS.EndKiB), mib(r.RSS.LimitKiB)))
		}
		if len(r.RSS.Replaced) > 0 {
			r.Reasons = append(r.Reasons, "server processes went or came during the soak (a worker crashed or was replaced)")
		}
	}
	if r.Log != nil && r.Log.trouble() {
		r.Reasons = append(r.Reasons, "the server's log shows crashes, replaced workers, stuck requests or app tracebacks")
	}
	r.Verdict = "PASS"
	if len(r.Reasons) > 0 {
		r.Verdict = "FAIL"
	}
}

// print writes the report for people.
func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\nsoak of %s: %.0fs (warm-up %.0fs), seed %d\n", r.Target, r.Duration, r.Warmup, r.Seed)
	if len(r.Command) > 0 {
		fmt.Fprintf(w, "server: %s (pid %d)\n", strings.Join(r.Command, " "), r.PID)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\tclass\tclients\trequests\tok\tfailed\tstatuses\tclosed by server\terrors")
	for _, k := range r.Kinds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n", k.Name, k.Class, clientsOf(r.Clients, k.Name), k.Requests, k.OK, k.Failed,
			counts(k.Statuses), counts(k.Closes), counts(k.Errors))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nvalid: %d served, %d failed; hostile: %d as documented, %d not\n",
		r.Totals.Valid-r.Totals.ValidFailed, r.Totals.ValidFailed, r.Totals.Hostile-r.Totals.HostileFailed, r.Totals.HostileFailed)
	for _, k := range r.Kinds {
		if l := k.Latency; l != nil {
			fmt.Fprintf(w, "  %s latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", k.Name, l.P50, l.P99, l.Max)
		}
	}
	for _, k := range r.Kinds {
		for _, s := range k.Samples {
			fmt.Fprintf(w, "  %s failure: %s\n", k.Name, s)
		}
	}
	if r.RSS != nil {
		fmt.Fprintf(w, "\nRSS of %d processes (master and workers): start %s (after warm-up), end %s, max %s, slope %+.2f MiB/min; limit %s\n",
			r.RSS.Processes, mib(r.RSS.StartKiB), mib(r.RSS.EndKiB), mib(r.RSS.MaxKiB), r.RSS.Slope, mib(r.RSS.LimitKiB))
		var parts []string
		for _, s := range r.RSS.Samples {
			parts = append(parts, fmt.Sprintf("%.0fs %s", s.At, mib(s.KiB)))
		}
		fmt.Fprintf(w, "  samples: %s\n", strings.Join(parts, ", "))
		for _, s := range r.RSS.Replaced {
			fmt.Fprintf(w, "  processes changed %s\n", s)
		}
	} else {
		fmt.Fprintln(w, "\nRSS: not sampled (no -pid)")
	}
	if r.Log != nil {
		fmt.Fprintf(w, "server log %s: %d lines, %d refusals logged, %d tracebacks, %d Go panics, %d worker exits, %d stuck requests\n",
			r.Log.Path, r.Log.Lines, r.Log.Rejected, r.Log.Tracebacks, r.Log.GoPanics, r.Log.WorkerExits, r.Log.Stuck)
		for _, s := range r.Log.Samples {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	if r.ServerEnd != "" {
		fmt.Fprintf(w, "server exit after SIGTERM: %s\n", r.ServerEnd)
	}
	fmt.Fprintf(w, "\nverdict: %s\n", r.Verdict)
	for _, s := range r.Reasons {
		fmt.Fprintf(w, "  - %s\n", s)
	}
}

// writeJSON writes the report to path.
func (r *report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// counts renders a count map as "k=v k=v", keys in order.
func counts(m map[string]int64) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatInt(m[k], 10)
	}
	return strings.Join(parts, " ")
}

// clientsOf is the number of connections of a kind, or the kind that
// runs it.
func clientsOf(clients map[string]int, kind string) string {
	if n, ok := clients[kind]; ok {
		return strconv.Itoa(n)
	}
	switch kind {
	case "slow-head-ok":
		return "(slow-head)"
	case "slow-body-ok":
		return "(slow-body)"
	case "near-limit":
		return "(huge-header)"
	}
	return "-"
}

// mib renders KiB as MiB.
func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }
