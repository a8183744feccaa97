package loop

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHelloOverNetHTTP(t *testing.T) {
	ts := start(t, Config{})
	if body := ts.get(t, "/", 200); body != "Hello, World!" {
		t.Fatalf("body %q", body)
	}
	resp, err := http.Get(ts.url("/"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, h := range []string{"Date", "Server", "Content-Length", "Content-Type"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing %s header", h)
		}
	}
	ts.get(t, "/nowhere", 404)
}

func TestKeepAliveReusesConnection(t *testing.T) {
	ts := start(t, Config{})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	reused := 0
	for i := 0; i < 5; i++ {
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
			if info.Reused {
				reused++
			}
		}}
		req, _ := http.NewRequest("GET", ts.url("/"), nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if reused != 4 {
		t.Fatalf("connection reused %d times, want 4", reused)
	}
}

func TestPipelinedResponsesInOrder(t *testing.T) {
	ts := start(t, Config{})
	c := ts.dial(t)
	// The slow request comes first: its answer must still come first.
	raw := "GET /sleep?ms=100 HTTP/1.1\r\nHost: x\r\n\r\n" +
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
		"GET /stream?n=2 HTTP/1.1\r\nHost: x\r\n\r\n"
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for _, want := range []string{"slept\n", "Hello, World!", "hello", "chunk 0\nchunk 1\n"} {
		_, body := readResponse(t, br, "GET")
		if body != want {
			t.Fatalf("body %q, want %q", body, want)
		}
	}
}

func TestChunkedUploads(t *testing.T) {
	ts := start(t, Config{})
	_, body := ts.roundTrip(t, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n")
	if body != "hello world" {
		t.Fatalf("small chunked body %q", body)
	}
	// Large, of unknown length: net/http sends it chunked; it is streamed.
	payload := make([]byte, 3<<20)
	rand.Read(payload)
	pr, pw := io.Pipe()
	go func() {
		for p := payload; len(p) > 0; p = p[min(len(p), 100_000):] {
			pw.Write(p[:min(len(p), 100_000)])
		}
		pw.Close()
	}()
	resp, err := http.Post(ts.url("/echo"), "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, payload) {
		t.Fatalf("large chunked upload: got %d bytes, want %d", len(got), len(payload))
	}
}

func TestLargeContentLengthUpload(t *testing.T) {
	ts := start(t, Config{})
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	resp, err := http.Post(ts.url("/echo"), "text/plain", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, payload) || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("got %d bytes, content type %q", len(got), resp.Header.Get("Content-Type"))
	}
}

func TestExpect100Continue(t *testing.T) {
	ts := start(t, Config{})
	c := ts.dial(t)
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("interim response %q, %v", line, err)
	}
	if blank, _ := br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("after 100: %q", blank)
	}
	io.WriteString(c, "hello")
	if _, body := readResponse(t, br, "POST"); body != "hello" {
		t.Fatalf("body %q", body)
	}
	// Through net/http's client, which waits for the 100 before sending.
	req, _ := http.NewRequest("POST", ts.url("/echo"), strings.NewReader(strings.Repeat("x", 200_000)))
	req.Header.Set("Expect", "100-continue")
	tr := &http.Transport{ExpectContinueTimeout: 5 * time.Second}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(got) != 200_000 {
		t.Fatalf("echoed %d bytes", len(got))
	}
}

func TestHeadHasNoBody(t *testing.T) {
	ts := start(t, Config{})
	c := ts.dial(t)
	io.WriteString(c, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, body := readResponse(t, br, "HEAD")
	if body != "" || resp.ContentLength != 13 {
		t.Fatalf("HEAD body %q length %d", body, resp.ContentLength)
	}
	if _, body := readResponse(t, br, "GET"); body != "Hello, World!" {
		t.Fatalf("GET after HEAD: %q", body)
	}
}

func TestHTTP10(t *testing.T) {
	ts := start(t, Config{})
	c := ts.dial(t)
	io.WriteString(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	br := bufio.NewReader(c)
	resp, body := readResponse(t, br, "GET")
	if body != "Hello, World!" || resp.Header.Get("Connection") != "keep-alive" {
		t.Fatalf("1.0 keep-alive: body %q connection %q", body, resp.Header.Get("Connection"))
	}
	io.WriteString(c, "GET /stream?n=2 HTTP/1.0\r\n\r\n")
	all, err := io.ReadAll(br) // close-delimited: read to EOF
	if err != nil {
		t.Fatal(err)
	}
	if !contains(string(all), "Connection: close") || !strings.HasSuffix(string(all), "\r\n\r\nchunk 0\nchunk 1\n") {
		t.Fatalf("1.0 stream: %q", all)
	}
}

func TestMalformedRequestsGetTheirStatus(t *testing.T) {
	ts := start(t, Config{Limits: limits(2048, 10, 4096, 1000)})
	cases := []struct {
		name, raw string
		status    int
	}{
		{"bad method", "G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"space in target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"long request line", "GET /" + strings.Repeat("a", 3000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"too many headers", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-A: b\r\n", 11) + "\r\n", 431},
		{"header section too large", "GET / HTTP/1.1\r\nHost: x\r\nX-A: " + strings.Repeat("b", 5000) + "\r\n\r\n", 431},
		{"gzip transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"CL and TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"conflicting CL", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc", 400},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400},
		{"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"body too large", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 413},
		{"chunked body too large", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" + strings.Repeat("a", 2000) + "\r\n0\r\n\r\n", 413},
		{"bad chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
		{"unknown expectation", "GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417},
		{"fragment in target", "GET /a?b=1#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"Content-Length trailer", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n", 400},
		{"Host trailer", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nHost: evil\r\n\r\n", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := ts.roundTrip(t, tc.raw)
			if resp.StatusCode != tc.status || !resp.Close {
				t.Fatalf("status %d close %v, want %d and close; body %q", resp.StatusCode, resp.Close, tc.status, body)
			}
			waitFor(t, fmt.Sprintf("a log line for %d", tc.status), func() bool {
				return contains(ts.log.String(), fmt.Sprintf("gwsgi: %d ", tc.status))
			})
			ts.get(t, "/", 200) // the server keeps serving
		})
	}
}

func TestAppPanicGives500AndServerGoesOn(t *testing.T) {
	ts := start(t, Config{})
	ts.get(t, "/panic", 500)
	if !contains(ts.log.String(), "/panic asked for it") {
		t.Fatalf("panic not logged: %q", ts.log.String())
	}
	ts.get(t, "/", 200)
}

func TestHeaderTimeout408(t *testing.T) {
	ts := start(t, Config{HeaderTimeout: 300 * time.Millisecond})
	c := ts.dial(t)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n") // never finished
	begin := time.Now()
	resp, _ := readResponse(t, bufio.NewReader(c), "GET")
	if resp.StatusCode != 408 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Fatalf("408 after %v", d)
	}
}

func TestIdleKeepAliveTimeoutCloses(t *testing.T) {
	ts := start(t, Config{KeepAlive: 300 * time.Millisecond})
	c := ts.dial(t)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	readResponse(t, br, "GET")
	begin := time.Now()
	if n, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("read %v, %v; want EOF", n, err)
	}
	if d := time.Since(begin); d < 200*time.Millisecond || d > 3*time.Second {
		t.Fatalf("closed after %v", d)
	}
}

func TestOverloadGives503(t *testing.T) {
	ts := start(t, Config{Threads: 1, Queue: 1})
	var wg sync.WaitGroup
	statuses := make(chan int, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(ts.url("/sleep?ms=300"))
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 503 && resp.Header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[200] != 2 || count[503] != 2 {
		t.Fatalf("statuses %v, want two 200 and two 503", count)
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	srv := start(t, Config{})
	done := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get(srv.url("/sleep?ms=300"))
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	waitFor(t, "request in flight", func() bool { return srv.active.Load() == 1 })
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(t.Context()) }()
	resp := <-done
	if resp == nil {
		t.Fatal("in-flight request failed")
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "slept\n" || !resp.Close {
		t.Fatalf("status %d body %q close %v", resp.StatusCode, body, resp.Close)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(srv.url("/")); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}

// TestClientLinesRateLimited: a flood of bad requests logs at most
// clientLogRate lines a second about them, and says how many it left out;
// every client still gets its 400 and the server serves on.
func TestClientLinesRateLimited(t *testing.T) {
	ts := start(t, Config{})
	const n = 3 * clientLogRate
	for i := 0; i < n; i++ {
		resp, _ := ts.roundTrip(t, "BAD\x01 / HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp.StatusCode != 400 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	waitFor(t, "the count of lines left out", func() bool { return contains(ts.log.String(), "lines about clients not logged") })
	if got := strings.Count(ts.log.String(), "gwsgi: 400 "); got < clientLogRate/2 || got >= n {
		t.Errorf("%d lines about %d bad requests, want about %d", got, n, clientLogRate)
	}
	ts.get(t, "/", 200)
}
