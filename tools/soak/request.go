package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
)

// request is one request a client sends and the answer it expects from
// the soak app (soakapp.py).
type request struct {
	Method    string
	Target    string   // path and query
	Proto     string   // "HTTP/1.1" when empty
	Header    []string // extra header lines, "Name: value"
	Body      []byte
	Chunks    []int // non-nil: Body is sent chunked, in pieces of these sizes (the last chunk takes the rest)
	ChunkExt  bool  // chunked: each chunk size carries an extension
	Trailer   bool  // chunked: a trailer field follows the last chunk
	Close     bool  // sends Connection: close
	Expect100 bool  // sends Expect: 100-continue and the body after the 100
	Tag       string
	Want      want
}

// wantKind is the kind of answer a request expects.
type wantKind int

const (
	wantExact  wantKind = iota // 200 with body Want.Body
	wantHead                   // 200 to HEAD /: no body, Content-Length 13
	wantStream                 // 200 with Want.N lines "chunk I\n"
	wantBig                    // 200 with Want.N bytes of the pattern i % 251
)

// want is what a request's response must be.
type want struct {
	Kind wantKind
	Body string // wantExact
	N    int    // wantStream, wantBig
}

const hello = "Hello, World!"

// Requests the soak app answers, each with its expected answer.

func getHello(tag string) *request {
	return &request{Method: "GET", Target: "/?tag=" + tag, Tag: tag, Want: want{Kind: wantExact, Body: hello}}
}

func headHello(tag string) *request {
	return &request{Method: "HEAD", Target: "/?tag=" + tag, Tag: tag, Want: want{Kind: wantHead}}
}

func getStream(tag string, n int) *request {
	return &request{Method: "GET", Target: "/stream?n=" + strconv.Itoa(n) + "&tag=" + tag, Tag: tag, Want: want{Kind: wantStream, N: n}}
}

func getBig(tag string, n int) *request {
	return &request{Method: "GET", Target: "/big?n=" + strconv.Itoa(n) + "&tag=" + tag, Tag: tag, Want: want{Kind: wantBig, N: n}}
}

func getSlow(tag string, ms int) *request {
	return &request{Method: "GET", Target: "/slow?ms=" + strconv.Itoa(ms) + "&tag=" + tag, Tag: tag,
		Want: want{Kind: wantExact, Body: "slept " + strconv.Itoa(ms) + "\n"}}
}

// postEcho posts body to /echo; chunks, when non-nil, sends it chunked.
func postEcho(tag string, body []byte, chunks []int) *request {
	return &request{Method: "POST", Target: "/echo?tag=" + tag, Tag: tag, Body: body, Chunks: chunks,
		Want: want{Kind: wantExact, Body: echoAnswer(body)}}
}

// echoAnswer is the soak app's answer to a POST /echo of body.
func echoAnswer(body []byte) string {
	return fmt.Sprintf("%d %x\n", len(body), sha256.Sum256(body))
}

// head renders the request line and header section.
func (r *request) head() []byte {
	proto := r.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	var b bytes.Buffer
	b.WriteString(r.Method + " " + r.Target + " " + proto + "\r\nHost: soak\r\n")
	for _, h := range r.Header {
		b.WriteString(h + "\r\n")
	}
	switch {
	case r.Chunks != nil:
		b.WriteString("Transfer-Encoding: chunked\r\n")
	case r.Body != nil || r.Method == "POST":
		b.WriteString("Content-Length: " + strconv.Itoa(len(r.Body)) + "\r\n")
	}
	if r.Expect100 {
		b.WriteString("Expect: 100-continue\r\n")
	}
	if r.Close {
		b.WriteString("Connection: close\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// body renders the request's body as it goes on the wire.
func (r *request) body() []byte {
	b, _ := r.framedBody()
	return b
}

// framedBody renders the body and, for a chunked one, the offsets in it
// where each chunk-size line begins (the last chunk's included).
func (r *request) framedBody() (body []byte, lines []int) {
	if r.Chunks == nil {
		return r.Body, nil
	}
	var b bytes.Buffer
	rest := r.Body
	for i := 0; len(rest) > 0; i++ {
		n := len(rest)
		if i < len(r.Chunks) && r.Chunks[i] > 0 && r.Chunks[i] < n {
			n = r.Chunks[i]
		}
		lines = append(lines, b.Len())
		b.WriteString(strconv.FormatInt(int64(n), 16))
		if r.ChunkExt {
			b.WriteString(";soak=" + strconv.Itoa(i))
		}
		b.WriteString("\r\n")
		b.Write(rest[:n])
		b.WriteString("\r\n")
		rest = rest[n:]
	}
	lines = append(lines, b.Len())
	b.WriteString("0\r\n")
	if r.Trailer {
		b.WriteString("X-Soak-Trailer: done\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes(), lines
}

// wire is the whole request as it goes on the wire.
func (r *request) wire() []byte {
	return append(r.head(), r.body()...)
}

// check reports how resp differs from what r expects, or nil.
func (r *request) check(resp *response) error {
	if resp.Status != 200 {
		return mismatch("status", "status %d for %s %s (body %q)", resp.Status, r.Method, clip(r.Target), clip(string(resp.Body)))
	}
	if r.Tag != "" {
		if tag, _ := resp.Get("X-Tag"); tag != r.Tag {
			return mismatch("order", "answer tagged %q for the request tagged %q (%s %s): out of order", tag, r.Tag, r.Method, clip(r.Target))
		}
	}
	body := resp.Body
	switch r.Want.Kind {
	case wantExact:
		if string(body) != r.Want.Body {
			return mismatch("body", "body %q for %s %s, want %q", clip(string(body)), r.Method, clip(r.Target), clip(r.Want.Body))
		}
	case wantHead:
		if len(body) != 0 {
			return mismatch("body", "HEAD answered with a %d-byte body", len(body))
		}
		if cl, _ := resp.Get("Content-Length"); cl != strconv.Itoa(len(hello)) {
			return mismatch("header", "HEAD answered with Content-Length %q, want %d", cl, len(hello))
		}
	case wantStream:
		if err := checkStream(body, r.Want.N); err != nil {
			return mismatch("body", "%s %s: %v", r.Method, clip(r.Target), err)
		}
	case wantBig:
		if err := checkBig(body, r.Want.N); err != nil {
			return mismatch("body", "%s %s: %v", r.Method, clip(r.Target), err)
		}
	}
	return nil
}

// checkStream checks that body is n lines "chunk I\n".
func checkStream(body []byte, n int) error {
	rest := body
	for i := 0; i < n; i++ {
		line := "chunk " + strconv.Itoa(i) + "\n"
		if !bytes.HasPrefix(rest, []byte(line)) {
			return fmt.Errorf("stream body differs at line %d of %d (%d bytes in all)", i, n, len(body))
		}
		rest = rest[len(line):]
	}
	if len(rest) > 0 {
		return fmt.Errorf("stream body has %d bytes after its %d lines", len(rest), n)
	}
	return nil
}

// checkBig checks that body is n bytes of the pattern i % 251.
func checkBig(body []byte, n int) error {
	if len(body) != n {
		return fmt.Errorf("body of %d bytes, want %d", len(body), n)
	}
	for i, c := range body {
		if c != byte(i%251) {
			return fmt.Errorf("body differs at byte %d of %d", i, n)
		}
	}
	return nil
}

// hasToken reports whether the comma-separated list v holds token t
// (case-insensitive).
func hasToken(v, t string) bool {
	for _, f := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(f), t) {
			return true
		}
	}
	return false
}

// mismatchError is a response that differs from the one expected; Kind
// names what differs ("status", "order", "body", "header").
type mismatchError struct{ Kind, Msg string }

func (e *mismatchError) Error() string { return e.Msg }

func mismatch(kind, format string, args ...any) error {
	return &mismatchError{kind, fmt.Sprintf(format, args...)}
}
