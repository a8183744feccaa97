package pyembed

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/loop"
	"github.com/gwsgi/gwsgi/loop/looptest"
)

// phases receives the phase times of the server serve runs.
var phases = new(loop.PhaseStats)

// serve runs app with the real server on a free port, its budget
// goroutines locked to their threads with their own thread states, until
// the test ends.
func serve(t *testing.T, app *App, threads int) (*loop.Server, *syncBuf) {
	t.Helper()
	phases.Reset()
	return looptest.Start(t, loop.Config{
		App:          app,
		Threads:      threads,
		LockOSThread: true,
		WorkerInit:   app.WorkerInit,
		WorkerExit:   app.WorkerExit,
		Gate:         app.Gate(),
		Preempt:      app.SwitchInterval(),
		Phases:       phases,
	})
}

// TestOverTheServer serves the validated test app with the real server,
// budget goroutines locked to their threads with their own thread states,
// and talks to it with net/http.
func TestOverTheServer(t *testing.T) {
	srv, lb := serve(t, validated, 4)
	base := "http://" + srv.Addr().String()

	do := func(method, path string, body []byte) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/octet-stream")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return resp, string(b)
	}

	if resp, body := do("GET", "/", nil); resp.StatusCode != 200 || body != "Hello, World!" {
		t.Errorf("GET /: %d %q", resp.StatusCode, body)
	}
	if resp, body := do("HEAD", "/", nil); resp.StatusCode != 200 || body != "" {
		t.Errorf("HEAD /: %d %q", resp.StatusCode, body)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB: streamed into wsgi.input
	if resp, body := do("POST", "/echo", big); resp.StatusCode != 200 || body != string(big) {
		t.Errorf("POST /echo: %d, %d bytes back of %d", resp.StatusCode, len(body), len(big))
	}
	if resp, body := do("GET", "/write", nil); resp.StatusCode != 200 || body != "one,two,three" {
		t.Errorf("GET /write: %d %q", resp.StatusCode, body)
	}
	if resp, body := do("GET", "/gen", nil); resp.StatusCode != 200 || body != "chunk0\nchunk1\nchunk2\n" {
		t.Errorf("GET /gen: %d %q", resp.StatusCode, body)
	}
	if resp, _ := do("GET", "/raise", nil); resp.StatusCode != 500 {
		t.Errorf("GET /raise: %d", resp.StatusCode)
	}
	if resp, _ := do("GET", "/nowhere", nil); resp.StatusCode != 404 {
		t.Errorf("GET /nowhere: %d", resp.StatusCode)
	}

	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 25; j++ {
				resp, err := http.Get(base + "/gen")
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(b) != "chunk0\nchunk1\nchunk2\n" {
					t.Errorf("concurrent /gen: %q", b)
					return
				}
			}
		}()
	}
	wg.Wait()
	if !strings.Contains(lb.String(), "ValueError: boom in app") {
		t.Errorf("server log lacks the traceback: %s", lb.String())
	}
	noProblems(t)
}

// client gives up on a request after 10 s, so that a stall fails a test.
var client = &http.Client{Timeout: 10 * time.Second}

// getAll sends n concurrent GETs of path and fails unless each answers 200.
func getAll(t *testing.T, base, path string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(base + path)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
}

// getBody returns the body of GET path.
func getBody(t *testing.T, base, path string) string {
	t.Helper()
	resp, err := client.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Requests that block in Python (time.sleep releases the GIL) overlap:
// when one blocks, the next queued request starts on another thread.
// Requests that only compute run on a few threads, however many the
// budget allows.
func TestGateBudget(t *testing.T) {
	srv, _ := serve(t, validated, 128)
	base := "http://" + srv.Addr().String()
	getAll(t, base, "/nap", 40)
	if peak := getBody(t, base, "/nap-peak"); peak < "20" || len(peak) != 2 {
		t.Errorf("at most %s of 40 sleeping requests overlapped", peak)
	}
	// The same when they wait in an extension module's call, which lets
	// go of the GIL through the real PyEval_SaveThread, unseen.
	getAll(t, base, "/cnap", 40)
	if peak := getBody(t, base, "/nap-peak"); peak < "20" || len(peak) != 2 {
		t.Errorf("at most %s of 40 requests waiting in an extension module overlapped", peak)
	}
	_, sum := phases.Summary()
	if sum[loop.PhaseApp].Mean < 150e3 {
		t.Errorf("app phase %+v: the 0.2 s naps are not in it", sum[loop.PhaseApp])
	}
	// Naps that end while another request holds the GIL computing wait
	// for it, inside the app: the wrapper of PyEval_RestoreThread counts it.
	phases.Reset()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); getAll(t, base, "/nap", 8) }()
	time.Sleep(50 * time.Millisecond) // the naps have started
	getAll(t, base, "/busy", 1)       // 0.4 s of Python, through the naps' end
	wg.Wait()
	if _, sum = phases.Summary(); gilTimed && sum[loop.PhaseGate].Max < 1000 {
		t.Errorf("gil phase %+v: naps waking during 0.4 s of computing waited under 1 ms for the GIL", sum[loop.PhaseGate])
	}
	// One thread holds the GIL and one waits as standby. A few more can
	// take turns: a standby that saw no request finish while it handed
	// the GIL back maxHandBacks times takes the queue on, and on a machine
	// busy with other tests, under the race detector, that happens now and
	// then (one CI run saw 5). Without the gate they would run on up to 64.
	getAll(t, base, "/spin", 64)
	if threads := getBody(t, base, "/spin-threads"); len(threads) != 1 || threads > "8" {
		t.Errorf("64 computing requests ran on %s threads of a budget of 128, want at most 8", threads)
	}
	noProblems(t)
}

// A response waiting for a slow reader does not hold the GIL: other
// requests are served meanwhile, and the slow reader still gets it all.
func TestSlowReaderLetsOthersRun(t *testing.T) {
	srv, _ := serve(t, validated, 8)
	base := "http://" + srv.Addr().String()
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the response fills the socket and waits
	t0 := time.Now()
	for range 20 {
		if body := getBody(t, base, "/gen"); body != "chunk0\nchunk1\nchunk2\n" {
			t.Fatalf("GET /gen: %q", body)
		}
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Fatalf("20 requests took %v beside a stalled response", d)
	}
	n, err := io.Copy(io.Discard, c)
	if err != nil {
		t.Fatal(err)
	}
	if n < 8<<20 {
		t.Fatalf("the slow reader got %d bytes", n)
	}
	noProblems(t)
}

// The gate's standby (AwaitAcquire) never takes the GIL from a request
// that computes, and leaves a GIL that another thread took from it by
// force (a thread that waited the switch interval) to that request: it
// waits until the request's thread lets go of its own accord. (The grace
// after which a GIL let go of for no known reason is taken anyway is
// lengthened, so that a busy machine, slow to run the request's thread
// again, does not decide it.)
func TestGateAwaitLeavesTheGILToItsRequest(t *testing.T) {
	var g gate
	defer setGILGrace(setGILGrace(time.Second))
	holder, standby, forcer := newThread(validated), newThread(validated), newThread(validated)
	defer holder.stop()
	defer standby.stop()
	defer forcer.stop()

	busyEnd := make(chan time.Time, 1)
	go holder.do(func() {
		g.Acquire(&holder.pw)
		if res := request(t, validated, req("GET", "/busy")); res.body != "busy" {
			t.Errorf("busy: %q", res.body)
		}
		busyEnd <- time.Now()
		g.Release(&holder.pw)
	})
	time.Sleep(50 * time.Millisecond) // /busy computes for 0.4 s from here

	took := make(chan time.Time, 1)
	timeouts := 0
	go standby.do(func() {
		for {
			if _, ok := g.AwaitAcquire(&standby.pw, 20*time.Millisecond); ok {
				took <- time.Now()
				g.Release(&standby.pw)
				return
			}
			timeouts++
		}
	})
	// Five forced switches in the middle of /busy: each waits the switch
	// interval, takes the GIL from the request, holds it a moment and
	// lets go of it.
	const rounds = 5
	forcer.do(func() {
		for range rounds {
			g.Acquire(&forcer.pw)
			time.Sleep(time.Millisecond)
			g.Release(&forcer.pw)
			time.Sleep(10 * time.Millisecond)
		}
	})
	end, got := <-busyEnd, <-took
	if got.Before(end) {
		t.Errorf("the standby took the GIL %v before the computing request let go of it (after %d waits)", end.Sub(got), timeouts)
	}
	if timeouts == 0 {
		t.Errorf("the standby never waited: it took the GIL at once")
	}
	noProblems(t)
}

// A standby leaves a GIL that another thread is on its way to take to that
// thread, waiting aside, and takes it when that thread lets go of it.
func TestGateAwaitDefersToTakersAndWakes(t *testing.T) {
	var g gate
	a, b, s := newThread(validated), newThread(validated), newThread(validated)
	defer a.stop()
	defer b.stop()
	defer s.stop()

	a.do(func() { g.Acquire(&a.pw) })
	bLetGo := make(chan time.Time, 1)
	go b.do(func() {
		g.Acquire(&b.pw) // waits in PyEval_RestoreThread until a lets go
		time.Sleep(50 * time.Millisecond)
		bLetGo <- time.Now()
		g.Release(&b.pw)
	})
	time.Sleep(20 * time.Millisecond) // b is on its way to the GIL
	type result struct {
		at time.Time
		ok bool
	}
	got := make(chan result, 1)
	go s.do(func() {
		_, ok := g.AwaitAcquire(&s.pw, 2*time.Second)
		got <- result{time.Now(), ok}
		if ok {
			g.Release(&s.pw)
		}
	})
	time.Sleep(20 * time.Millisecond) // s waits
	a.do(func() { g.Release(&a.pw) }) // b takes the GIL, not s
	r, let := <-got, <-bLetGo
	switch {
	case !r.ok:
		t.Fatal("the standby did not get the GIL in 2 s")
	case r.at.Before(let):
		t.Errorf("the standby took the GIL %v before the thread on its way to it let go", let.Sub(r.at))
	case r.at.Sub(let) > time.Second:
		t.Errorf("the standby took the GIL %v after it was let go", r.at.Sub(let))
	}
}
