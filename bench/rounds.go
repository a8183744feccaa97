package main

import (
	"fmt"
	"slices"
	"strings"
)

// Rounds: under every workload the lead rows (runOrder), the ones that
// ratios are taken of, run in Settings.Rounds rounds, each round running
// every lead row once in order, and each row keeps its median run. One run of a few seconds on a
// shared VM moves by 10-20% with the host's other tenants; the median of
// interleaved rounds follows the machine's speed, not one run's luck, and
// the rows beside each other still ran seconds apart in every round.

// roundsOf is how many times a row runs: Rounds for a lead row, else once.
func (s *settings) roundsOf(lead bool) int {
	if lead {
		return max(s.Rounds, 1)
	}
	return 1
}

// runner runs the plan's rows one after the other, counting them for the
// progress lines and handing out ports.
type runner struct {
	s           *settings
	pc          *pacer
	port        int
	done, total int
}

// workload runs every server under w, the lead rows in rounds, and
// returns one run per server, in the servers' order.
func (rn *runner) workload(w workload, servers []server) []runResult {
	order, lead := runOrder(w, servers)
	tries := make([][]runResult, len(servers))
	for round := range rn.s.roundsOf(true) {
		for _, k := range order[:lead] {
			if round > 0 && once(tries[k][0]) {
				continue
			}
			tries[k] = append(tries[k], rn.measure(servers[k], w))
		}
	}
	for _, k := range order[lead:] {
		tries[k] = append(tries[k], rn.measure(servers[k], w))
	}
	runs := make([]runResult, len(servers))
	for k := range runs {
		runs[k] = median(tries[k])
	}
	return runs
}

// once says a row need not run again: it does not apply to the workload,
// or its server is not installed.
func once(r runResult) bool { return r.Status == statusNA || r.Status == statusUnavailable }

// measure runs sv under w once, and again (up to maxAttempts) while other
// processes disturbed it and time allows, keeping the least disturbed run.
func (rn *runner) measure(sv server, w workload) runResult {
	s, pc := rn.s, rn.pc
	r := runOne(s, pc, sv, w, rn.port)
	rn.port++
	for r.disturbed() && r.Attempts < maxAttempts && pc.retry(s.Warmup+s.Duration+perRunCost) {
		fmt.Printf("bench: %s × %s: machine busy (%.1f CPU-s elsewhere), repeating\n", w.Name, sv.Name, r.OtherCPU)
		again := runOne(s, pc, sv, w, rn.port)
		rn.port++
		again.Attempts = r.Attempts + 1
		if again.OtherCPU < r.OtherCPU || !r.measured() {
			r = again
		} else {
			r.Attempts = again.Attempts
		}
	}
	if r.Attempts > 1 {
		r.Notes = append(r.Notes, fmt.Sprintf("least disturbed of %d attempts", r.Attempts))
		r.finish()
	}
	if r.Status != statusNA {
		rn.done++
		fmt.Printf("bench: [%d/%d] %-6s %-18s %s\n", rn.done, rn.total, w.Name, sv.Name, r.summary())
	}
	return r
}

// median returns the run of runs with the median requests/s among the
// measured ones (the lower of the middle two for an even count), its note
// saying what every round measured and its RoundsRPS holding them; one
// run, or none measured, is returned as it is.
func median(runs []runResult) runResult {
	var ok []runResult
	for _, r := range runs {
		if r.measured() {
			ok = append(ok, r)
		}
	}
	if len(runs) == 1 || len(ok) == 0 {
		return runs[0]
	}
	slices.SortStableFunc(ok, func(a, b runResult) int {
		switch {
		case a.rps() < b.rps():
			return -1
		case a.rps() > b.rps():
			return 1
		}
		return 0
	})
	m := ok[(len(ok)-1)/2]
	vals := make([]string, len(runs))
	m.RoundsRPS = make([]float64, len(runs))
	for i := range runs {
		m.RoundsRPS[i] = runs[i].rps()
		vals[i] = "—"
		if runs[i].measured() {
			vals[i] = thousands(runs[i].rps())
		}
	}
	m.Notes = append(m.Notes, fmt.Sprintf("median of %d rounds: %s req/s", len(runs), strings.Join(vals, ", ")))
	m.finish()
	return m
}
