package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func reader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }

// TestReadResponse reads single responses of every framing.
func TestReadResponse(t *testing.T) {
	tests := []struct {
		name, raw, method string
		status            int
		body              string
		chunked, close    bool
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Tag: a\r\n\r\nhello", "GET", 200, "hello", false, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\n\r\n", "GET", 200, "hello!", true, false},
		{"chunked trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n", "GET", 200, "0123456789", true, false},
		{"head", "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n", "HEAD", 200, "", false, false},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\n", "GET", 204, "", false, false},
		{"interim", "HTTP/1.1 100 Continue\r\n\r\n", "POST", 100, "", false, false},
		{"connection close", "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbad", "GET", 400, "bad", false, true},
		{"to the end", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nchunk 0\nchunk 1\n", "GET", 200, "chunk 0\nchunk 1\n", false, true},
		{"http/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", "GET", 200, "ok", false, true},
		{"http/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok", "GET", 200, "ok", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := readResponse(reader(tt.raw), tt.method)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tt.status || string(r.Body) != tt.body || r.Chunked != tt.chunked || r.Close != tt.close {
				t.Errorf("got status %d body %q chunked %v close %v, want %d %q %v %v", r.Status, r.Body, r.Chunked, r.Close, tt.status, tt.body, tt.chunked, tt.close)
			}
		})
	}
}

// TestReadResponseErrors rejects broken framing and truncated responses.
func TestReadResponseErrors(t *testing.T) {
	tests := []struct {
		name, raw string
		want      error
	}{
		{"empty", "", io.EOF},
		{"bare lf", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", errFraming},
		{"not http", "SSH-2.0-OpenSSH\r\n\r\n", errFraming},
		{"bad status", "HTTP/1.1 2x0 OK\r\n\r\n", errFraming},
		{"bad header", "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", errFraming},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", errFraming},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", errFraming},
		{"chunk overrun", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", errFraming},
		{"unknown coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", errFraming},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", io.ErrUnexpectedEOF},
		{"cut head", "HTTP/1.1 200 OK\r\nContent-", io.ErrUnexpectedEOF},
		{"cut chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe", io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readResponse(reader(tt.raw), "GET")
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// TestPipelinedAnswers reads the answers to a pipelined batch from one
// stream, interim responses skipped, and checks each against its request
// in order; answers out of order or with a wrong body are caught.
func TestPipelinedAnswers(t *testing.T) {
	body := []byte("0123456789")
	reqs := []*request{getHello("t-0"), headHello("t-1"), postEcho("t-2", body, []int{3, 3}), getStream("t-3", 2), getSlow("t-4", 7)}
	answers := []string{
		"HTTP/1.1 200 OK\r\nX-Tag: t-0\r\nContent-Length: 13\r\n\r\nHello, World!",
		"HTTP/1.1 200 OK\r\nX-Tag: t-1\r\nContent-Length: 13\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-Tag: t-2\r\nContent-Length: " + strconv.Itoa(len(echoAnswer(body))) + "\r\n\r\n" + echoAnswer(body),
		"HTTP/1.1 200 OK\r\nX-Tag: t-3\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nchunk 0\n\r\n8\r\nchunk 1\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX-Tag: t-4\r\nContent-Length: 8\r\n\r\nslept 7\n",
	}
	c := &clientConn{br: reader(strings.Join(answers, ""))}
	for i, r := range reqs {
		resp, err := c.final(r.Method)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		if err := r.check(resp); err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
	}
	if _, err := c.final("GET"); err != io.EOF {
		t.Fatalf("after the batch: %v, want EOF", err)
	}

	// The same answers, two swapped: the first out of place is caught.
	answers[0], answers[1] = answers[1], answers[0]
	c = &clientConn{br: reader(strings.Join(answers, ""))}
	resp, err := c.final("GET")
	if err != nil {
		t.Fatal(err)
	}
	var m *mismatchError
	if err := reqs[0].check(resp); !errors.As(err, &m) || m.Kind != "order" {
		t.Fatalf("swapped answers: %v, want an order mismatch", err)
	}
}

// TestCheck catches each way an answer may differ from the expected one.
func TestCheck(t *testing.T) {
	ok := func(tag, body string) *response {
		return &response{Status: 200, Header: []headerField{{"X-Tag", tag}, {"Content-Length", "13"}}, Body: []byte(body)}
	}
	big := make([]byte, 1000)
	for i := range big {
		big[i] = byte(i % 251)
	}
	tests := []struct {
		name string
		req  *request
		resp *response
		want string // mismatch kind, "" for none
	}{
		{"hello", getHello("a"), ok("a", hello), ""},
		{"status", getHello("a"), &response{Status: 500, Header: []headerField{{"X-Tag", "a"}}}, "status"},
		{"tag", getHello("a"), ok("b", hello), "order"},
		{"body", getHello("a"), ok("a", "Hello"), "body"},
		{"head with body", headHello("a"), ok("a", "x"), "body"},
		{"echo", postEcho("a", []byte("xyz"), nil), ok("a", echoAnswer([]byte("xyz"))), ""},
		{"echo differs", postEcho("a", []byte("xyz"), nil), ok("a", echoAnswer([]byte("xy"))), "body"},
		{"stream", getStream("a", 3), ok("a", "chunk 0\nchunk 1\nchunk 2\n"), ""},
		{"stream short", getStream("a", 3), ok("a", "chunk 0\nchunk 1\n"), "body"},
		{"stream long", getStream("a", 1), ok("a", "chunk 0\nchunk 1\n"), "body"},
		{"big", getBig("a", 1000), ok("a", string(big)), ""},
		{"big corrupt", getBig("a", 1000), ok("a", string(big[:500])+"x"+string(big[501:])), "body"},
		{"big short", getBig("a", 1000), ok("a", string(big[:999])), "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.check(tt.resp)
			var m *mismatchError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected %v", err)
			case tt.want != "" && (!errors.As(err, &m) || m.Kind != tt.want):
				t.Errorf("got %v, want a %s mismatch", err, tt.want)
			}
		})
	}
}

// TestRequestWire renders requests as the server reads them: chunked
// bodies decode back to the body, extensions and trailers included.
func TestRequestWire(t *testing.T) {
	body := []byte(strings.Repeat("abcdefghij", 100))
	r := postEcho("t", body, []int{1, 10, 100})
	r.ChunkExt, r.Trailer = true, true
	br := bufio.NewReader(bytes.NewReader(r.wire()))
	line, _ := readLine(br)
	if line != "POST /echo?tag=t HTTP/1.1" {
		t.Fatalf("request line %q", line)
	}
	var h []headerField
	if err := readHeader(br, &h); err != nil {
		t.Fatal(err)
	}
	resp := &response{Header: h}
	if te, _ := resp.Get("Transfer-Encoding"); te != "chunked" {
		t.Fatalf("Transfer-Encoding %q", te)
	}
	if _, ok := resp.Get("Content-Length"); ok {
		t.Fatal("Content-Length beside Transfer-Encoding")
	}
	got, err := readChunked(br)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("chunked body decodes to %d bytes (%v), want %d", len(got), err, len(body))
	}
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Fatalf("%d bytes after the body", len(rest))
	}

	r = postEcho("t", nil, nil)
	if !bytes.Contains(r.wire(), []byte("\r\nContent-Length: 0\r\n\r\n")) {
		t.Fatalf("empty POST: %q", r.wire())
	}
}

// TestSplit cuts bytes into pieces that join back, never empty.
func TestSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	b := []byte("GET / HTTP/1.1\r\nHost: soak\r\n\r\n")
	for n := 1; n < 40; n++ {
		pieces := split(rng, b, n)
		if len(pieces) > n {
			t.Fatalf("%d pieces for n=%d", len(pieces), n)
		}
		for _, p := range pieces {
			if len(p) == 0 {
				t.Fatalf("empty piece for n=%d", n)
			}
		}
		if !bytes.Equal(bytes.Join(pieces, nil), b) {
			t.Fatalf("pieces for n=%d do not join back", n)
		}
	}
}

// TestCause names errors as the report counts them.
func TestCause(t *testing.T) {
	tests := map[string]error{
		"refused":          syscall.ECONNREFUSED,
		"reset":            &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET},
		"timeout":          os.ErrDeadlineExceeded,
		"eof":              io.EOF,
		"eof-mid-response": io.ErrUnexpectedEOF,
		"framing":          errFraming,
		"order":            mismatch("order", "x"),
		"not-closed":       &outcomeError{"not-closed", "x"},
	}
	for want, err := range tests {
		if got := cause(err); got != want {
			t.Errorf("cause(%v) = %q, want %q", err, got, want)
		}
	}
}

// TestRSS fits the slope of samples and reads a process tree from /proc.
func TestRSS(t *testing.T) {
	samples := []rssSample{{At: 0, KiB: 100 << 10}, {At: 60, KiB: 110 << 10}, {At: 120, KiB: 120 << 10}}
	if s := slopeMiBPerMin(samples); s < 9.99 || s > 10.01 {
		t.Fatalf("slope %v, want 10 MiB/min", s)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stat"), []byte("42 (gwsgi: worker (app)) S 7 42 42 0"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ppid, ok := parentOf(dir); !ok || ppid != 7 {
		t.Fatalf("parentOf: %d %v, want 7", ppid, ok)
	}
	tree := procTree(os.Getpid())
	if len(tree) == 0 || tree[0] != os.Getpid() {
		t.Fatalf("procTree of this process: %v", tree)
	}
	if kib, ok := statusKiB(os.Getpid(), "VmRSS:"); !ok || kib <= 0 {
		t.Fatalf("VmRSS of this process: %d %v", kib, ok)
	}
}

// TestFramingSplit cuts a chunked request around its framing; the pieces
// join back into the request.
func TestFramingSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	body := bytes.Repeat([]byte("z"), 5000)
	for i := 0; i < 50; i++ {
		r := postEcho("t", body, chunkSizes(rng, len(body)))
		r.ChunkExt = i%2 == 0
		pieces := framingSplit(rng, r)
		if !bytes.Equal(bytes.Join(pieces, nil), r.wire()) {
			t.Fatal("pieces do not join back")
		}
		_, lines := r.framedBody()
		if len(pieces) < 2 || len(pieces) > len(lines)+2 {
			t.Fatalf("%d pieces for %d chunk-size lines", len(pieces), len(lines))
		}
	}
}
