package main

import (
	"bytes"
	"strings"
	"testing"
)

// script is perf script output of five samples: a send whose loopback
// receive wakes the client, the interpreter (a stack perf could not
// walk), gwsgi's Go code, a GIL wait, and the idle task.
const script = `gwsgi 11320 [001] 26255.995223:     200040 cpu-clock: 
	ffffffff8226dbf9 _raw_spin_unlock_irqrestore+0x19 ([kernel.kallsyms])
	ffffffff8226dbf0 sock_def_readable+0x10 ([kernel.kallsyms])
	ffffffff8226dbe0 __netif_receive_skb_one_core+0x10 ([kernel.kallsyms])
	ffffffff8226dbd0 do_writev+0x10 ([kernel.kallsyms])
	          2d8e23 github.com/gwsgi/gwsgi/loop.(*fdGuard).writev+0x23 (/work/main/bin/gwsgi)

gwsgi 11841 [001] 26341.085831:     200040 cpu-clock: 
	          19410a _PyEval_EvalFrameDefault+0xafa (/work/main/bin/gwsgi)
	    7f4a3e3e26c0 [unknown] ([unknown])

gwsgi 11841 [001] 26341.086032:     200040 cpu-clock: 
	          14ac27 github.com/gwsgi/gwsgi/wsgi.(*Response).StartResponse+0x17 (/work/main/bin/gwsgi)

gwsgi 11842 [001] 26341.086232:     200040 cpu-clock: 
	ffffffff8144f39d futex_wait+0xad ([kernel.kallsyms])
	           85f16 __futex_abstimed_wait_common+0xc6 (/usr/lib/x86_64-linux-gnu/libc.so.6)
	          1617ac take_gil+0x1bc (/work/main/bin/gwsgi)

swapper     0 [001] 26341.086432:     200040 cpu-clock: 
	ffffffff8226dc00 pv_native_safe_halt+0xb ([kernel.kallsyms])

`

func TestSplit(t *testing.T) {
	samples, err := read(strings.NewReader(script))
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 5 {
		t.Fatalf("read %d samples, want 5", len(samples))
	}
	if samples[4].comm != "swapper" || samples[0].comm != "gwsgi" {
		t.Errorf("comms %q, %q", samples[0].comm, samples[4].comm)
	}
	var out bytes.Buffer
	report(&out, samples, "gwsgi")
	for _, want := range []string{
		"5 samples",
		"  20.0%  write: the kernel's send path",
		"  20.0%    of which the receiver's TCP processing",
		"  20.0%      of which waking the client",
		"  20.0%  GIL: waits and hand-offs",
		"  20.0%  C: the interpreter",
		"  20.0%  Go: gwsgi, gnet",
		"  20.0%  idle",
		"   0.0%  event loop",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
