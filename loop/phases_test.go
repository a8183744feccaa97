package loop

import (
	"strings"
	"testing"
)

func TestPhaseStatsSummary(t *testing.T) {
	var p PhaseStats
	for i := range 100 {
		ns := [NumPhases]int64{
			PhaseQueue: int64(i) * 1000, // 0..99 µs
			PhaseGate:  0,               //
			PhaseApp:   50_000,          // 50 µs
			PhaseWrite: 3_000,           // 3 µs
			PhaseTotal: int64(i)*1000 + 53_000,
		}
		p.add(&ns)
	}
	n, s := p.Summary()
	if n != 100 {
		t.Fatalf("count %d", n)
	}
	if s[PhaseApp].Mean != 50 || s[PhaseApp].P50 != 64 || s[PhaseApp].P99 != 64 {
		t.Errorf("app: %+v, want mean 50 and quantiles in the (32, 64] µs bucket", s[PhaseApp])
	}
	if s[PhaseQueue].Mean != 49.5 || s[PhaseQueue].P50 != 64 || s[PhaseQueue].Max != 128 {
		t.Errorf("queue: %+v", s[PhaseQueue])
	}
	if s[PhaseGate].Max != 1 {
		t.Errorf("gil: %+v, want every request in the first bucket", s[PhaseGate])
	}
	var b strings.Builder
	if err := p.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"requests timed: 100", "queue", "gil", "app", "write", "total"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	p.Reset()
	if n, _ := p.Summary(); n != 0 {
		t.Fatal("Reset kept counts")
	}
}

func TestPhaseStatsAddAllocsNothing(t *testing.T) {
	var p PhaseStats
	ns := [NumPhases]int64{1, 2, 3, 4, 5}
	if a := testing.AllocsPerRun(1000, func() { p.add(&ns) }); a != 0 {
		t.Fatalf("%v allocations per add", a)
	}
}
