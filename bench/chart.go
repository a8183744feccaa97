package main

import (
	"fmt"
	"html"
	"strings"
)

// Chart geometry, in SVG user units.
const (
	chartWidth = 980
	labelRight = 330 // server names end here
	barLeft    = 340
	barMax     = 520 // longest bar
	barHeight  = 16
	barGap     = 5
	groupTitle = 34 // room for a workload's title above its bars
	chartTop   = 56
)

// chart draws requests/s as grouped horizontal bars: one group per
// workload, one bar per server that was measured. Each group has its own
// scale (its fastest bar is full length), so the sleep workload's hundreds
// of requests per second stay as readable as hello's thousands.
func (rep *report) chart() string {
	type bar struct {
		label string
		rps   float64
		class string
	}
	type group struct {
		title string
		bars  []bar
		max   float64
	}
	var groups []group
	height := chartTop
	for _, w := range rep.Workloads {
		g := group{title: w.Title}
		for _, r := range rep.runsOf(w.Name) {
			if !r.measured() {
				continue
			}
			c := "peer"
			switch {
			case r.Server == "gwsgi" || isGoalRow(w, r.Server):
				c = "gwsgi"
			case r.Reference:
				c = "ref"
			}
			label := r.Label
			if r.Status == statusErrors {
				label += " (errors)"
			}
			g.bars = append(g.bars, bar{label, r.rps(), c})
			g.max = max(g.max, r.rps())
		}
		if len(g.bars) == 0 {
			continue
		}
		groups = append(groups, g)
		height += groupTitle + len(g.bars)*(barHeight+barGap) + 10
	}
	height += 20

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	b.WriteString(`<style>.gwsgi{fill:#2b6cb0}.peer{fill:#dd8452}.ref{fill:#a0a0a0}.t{font-weight:bold;font-size:13px}.v{fill:#333}</style>` + "\n")
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", chartWidth, height)
	fmt.Fprintf(&b, `<text x="10" y="22" font-size="16" font-weight="bold">%s</text>`+"\n",
		html.EscapeString(fmt.Sprintf("Requests per second (%s run, wrk -t1, server on one CPU)", rep.Settings.Mode)))
	fmt.Fprintf(&b, `<text x="10" y="40" fill="#555">%s</text>`+"\n",
		html.EscapeString("Bars scaled per workload. Blue: gwsgi (the Python app; a goal's gwsgi row); orange: other WSGI servers; grey: references (Go demo app, ceilings, nginx)."))
	y := chartTop
	for _, g := range groups {
		fmt.Fprintf(&b, `<text class="t" x="10" y="%d">%s</text>`+"\n", y+20, html.EscapeString(g.title))
		y += groupTitle
		for _, br := range g.bars {
			w := 0.0
			if g.max > 0 {
				w = br.rps / g.max * barMax
			}
			w = max(w, 1)
			mid := y + barHeight - 4
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelRight, mid, html.EscapeString(br.label))
			fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="%.1f" height="%d"/>`+"\n", br.class, barLeft, y, w, barHeight)
			fmt.Fprintf(&b, `<text class="v" x="%.1f" y="%d">%s</text>`+"\n", float64(barLeft)+w+6, mid, thousands(br.rps))
			y += barHeight + barGap
		}
		y += 10
	}
	b.WriteString("</svg>\n")
	return b.String()
}
