package httpparse

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The differential fuzz against h11 (python3-h11, a pure-Python HTTP/1.1
// implementation that shares no code with gwsgi or net/http). Both parse
// the same bytes as a server would: request heads, Content-Length and
// chunked bodies, and pipelined requests while the connection stays
// reusable. Where both accept a request they must agree on the method,
// target, version, header fields in order (names lower-cased, values
// trimmed) and body bytes. Where one accepts what the other rejects, the
// difference must be one of h11Differences, each a documented choice of
// one side; anything else fails the test.

// h11MaxRequests is how many pipelined requests are compared per input;
// testdata/h11diff.py reads as many.
const h11MaxRequests = 8

// h11Request is one request as h11 parsed it. Strings hold bytes, one
// rune per byte (the script writes them as latin-1).
type h11Request struct {
	Method    string      `json:"method"`
	Target    string      `json:"target"`
	Version   string      `json:"version"`
	Headers   [][2]string `json:"headers"`
	Body      string      `json:"body"`
	Complete  bool        `json:"complete"`
	KeepAlive bool        `json:"keep_alive"`
}

// h11Result is what h11 made of one input.
type h11Result struct {
	Requests []h11Request `json:"requests"`
	End      string       `json:"end"`   // "incomplete", "error" or "stop"
	Error    string       `json:"error"` // with End "error"
}

// latin1 turns a string decoded from the script's JSON back into bytes.
func latin1(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}

func (r *h11Request) header(name string) (string, bool) {
	for _, h := range r.Headers {
		if string(latin1(h[0])) == name {
			return string(latin1(h[1])), true
		}
	}
	return "", false
}

// h11Proc is a running testdata/h11diff.py.
type h11Proc struct {
	mu      sync.Mutex
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  *os.File // for read deadlines
	out     *bufio.Reader
	version string
	broken  error // set once an exchange failed: the stream is out of step
}

// h11Timeout bounds one exchange with the script.
const h11Timeout = 30 * time.Second

var (
	h11Once    sync.Once
	h11Shared  *h11Proc
	h11Missing error
)

// h11Pythons are the interpreters to try, in order: $GWSGI_H11_PYTHON
// alone when set, else Debian's (where python3-h11 installs) and the first
// python3 on PATH.
func h11Pythons() []string {
	if p := os.Getenv("GWSGI_H11_PYTHON"); p != "" {
		return []string{p}
	}
	return []string{"/usr/bin/python3", "python3"}
}

// needH11 returns this process's h11 script, starting it on first use.
// Without h11 it skips tb, or fails it when the environment variable CI is
// "true" (CI machines must have python3-h11).
func needH11(tb testing.TB) *h11Proc {
	tb.Helper()
	h11Once.Do(func() {
		var why []string
		for _, py := range h11Pythons() {
			p, err := startH11(py)
			if err == nil {
				h11Shared = p
				return
			}
			why = append(why, fmt.Sprintf("%s: %v", py, err))
		}
		h11Missing = fmt.Errorf("h11 is not available (Debian: apt-get install python3-h11): %s", strings.Join(why, "; "))
	})
	if h11Shared == nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal(h11Missing)
		}
		tb.Skip(h11Missing)
	}
	return h11Shared
}

// startH11 starts the script under python and reads its greeting. The
// process reads until its standard input closes, which happens when the
// test process exits.
func startH11(python string) (*h11Proc, error) {
	script, err := filepath.Abs(filepath.Join("testdata", "h11diff.py"))
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, script)
	cmd.Stdout = w
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	w.Close()
	p := &h11Proc{cmd: cmd, stdin: stdin, stdout: r, out: bufio.NewReader(r)}
	var hello struct {
		H11     string `json:"h11"`
		Missing string `json:"missing"`
	}
	err = p.readJSON(&hello)
	switch {
	case err != nil:
	case hello.Missing != "":
		err = errors.New(hello.Missing)
	case hello.H11 == "":
		err = errors.New("no greeting")
	}
	if err != nil {
		stdin.Close()
		r.Close()
		cmd.Process.Kill()
		cmd.Wait()
		return nil, err
	}
	p.version = hello.H11
	go cmd.Wait() // reap it should it exit early
	return p, nil
}

func (p *h11Proc) readJSON(v any) error {
	p.stdout.SetReadDeadline(time.Now().Add(h11Timeout))
	line, err := p.out.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("reading from h11diff.py: %w", err)
	}
	return json.Unmarshal(line, v)
}

// parse runs one input through h11.
func (p *h11Proc) parse(data []byte) (*h11Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.broken != nil {
		return nil, p.broken
	}
	msg := make([]byte, 4, 4+len(data))
	binary.BigEndian.PutUint32(msg, uint32(len(data)))
	msg = append(msg, data...)
	var res h11Result
	if _, err := p.stdin.Write(msg); err != nil {
		p.broken = fmt.Errorf("writing to h11diff.py: %w", err)
		return nil, p.broken
	}
	if err := p.readJSON(&res); err != nil {
		p.broken = err
		return nil, err
	}
	return &res, nil
}

// ourRequest is one request as gwsgi parsed it.
type ourRequest struct {
	start      int // offset of the request in the input
	headerSize int
	method     string
	target     string
	proto      string
	headers    [][2]string
	body       []byte
	complete   bool // body ended (or there is none)
	keepAlive  bool
}

// ourResult is what gwsgi made of one input.
type ourResult struct {
	requests []ourRequest
	end      string // "incomplete", "error" or "stop", as h11Result.End
	err      error  // with end "error"
	at       int    // offset of the request that stopped the reading
}

// parseOurs parses data as gwsgi's server would: Parse for each head, the
// Content-Length or ChunkedDecoder for each body, default limits, and the
// next request only while KeepAlive.
func parseOurs(data []byte) ourResult {
	var p Parser
	var res ourResult
	off := 0
	for len(res.requests) < h11MaxRequests {
		res.at = off
		var req Request
		n, err := p.Parse(data[off:], &req)
		if err == ErrNeedMore {
			res.end = "incomplete"
			return res
		}
		if err != nil {
			res.end, res.err = "error", err
			return res
		}
		r := ourRequest{
			start: off, headerSize: n,
			method: string(req.Method), target: string(req.Target), proto: string(req.Proto),
			keepAlive: req.KeepAlive,
		}
		for _, h := range req.Headers {
			r.headers = append(r.headers, [2]string{string(h.Name), string(h.Value)})
		}
		off += n
		switch {
		case req.Chunked:
			var d ChunkedDecoder
			d.Reset(Limits{})
			for {
				chunk, m, done, err := d.Decode(data[off:])
				r.body = append(r.body, chunk...)
				off += m
				if err != nil {
					res.requests = append(res.requests, r)
					res.end, res.err = "error", err
					return res
				}
				if done {
					break
				}
				if m == 0 {
					res.requests = append(res.requests, r)
					res.end = "incomplete"
					return res
				}
			}
		case req.ContentLength > 0:
			if int64(len(data)-off) < req.ContentLength {
				r.body = append(r.body, data[off:]...)
				res.requests = append(res.requests, r)
				res.end = "incomplete"
				return res
			}
			r.body = append(r.body, data[off:off+int(req.ContentLength)]...)
			off += int(req.ContentLength)
		}
		r.complete = true
		res.requests = append(res.requests, r)
		if !req.KeepAlive {
			break
		}
	}
	res.at = off
	res.end = "stop"
	return res
}

// h11Diff is an input on which one side accepted what the other did not.
type h11Diff struct {
	in   []byte      // the input from the start of the request in question
	ours *ourRequest // gwsgi's request, when it accepted the head
	h11  *h11Request // h11's request, when it accepted the head
	body bool        // the heads were accepted by both: the body differs

	oursErr        error  // gwsgi's error
	oursIncomplete bool   // gwsgi wants more input
	h11Err         string // h11's error
	h11Incomplete  bool   // h11 wants more input
}

func (d *h11Diff) String() string {
	ours, theirs := "accepted", "accepted"
	switch {
	case d.oursErr != nil:
		ours = "rejected: " + d.oursErr.Error()
	case d.oursIncomplete:
		ours = "wants more input"
	}
	switch {
	case d.h11Err != "":
		theirs = "rejected: " + d.h11Err
	case d.h11Incomplete:
		theirs = "wants more input"
	}
	what := "head"
	if d.body {
		what = "body"
	}
	return fmt.Sprintf("%s: gwsgi %s; h11 %s; input %q", what, ours, theirs, d.in)
}

// gwsgiRejects reports whether gwsgi rejected with one of errs what h11
// accepted.
func (d *h11Diff) gwsgiRejects(errs ...error) bool {
	if d.h11Err != "" || d.h11Incomplete {
		return false
	}
	for _, e := range errs {
		if d.oursErr == e {
			return true
		}
	}
	return false
}

// h11Rejects reports whether h11 rejected, with a message holding msg,
// what gwsgi accepted.
func (d *h11Diff) h11Rejects(msg string) bool {
	return d.oursErr == nil && !d.oursIncomplete && strings.Contains(d.h11Err, msg)
}

// h11Difference is a documented reason for gwsgi and h11 to disagree on
// whether an input is acceptable.
type h11Difference struct {
	name  string
	why   string // the rule, and which side follows it how
	match func(d *h11Diff) bool
}

var h11Differences = []h11Difference{
	// gwsgi rejects, h11 accepts.
	{
		name: "bare LF",
		why: "RFC 9112 §2.2 lets a recipient accept a bare LF as a line terminator; gwsgi rejects it " +
			"(a front end that disagrees on line ends can be made to see other requests), h11 accepts it",
		match: func(d *h11Diff) bool { return d.gwsgiRejects(ErrBareLF) && hasBareLF(d.in) },
	},
	{
		name: "obs-fold",
		why: "RFC 9112 §5.2: a server must reject obs-fold with 400 or replace it with SP; " +
			"gwsgi rejects, h11 unfolds",
		match: func(d *h11Diff) bool {
			return d.gwsgiRejects(ErrObsFold) && (bytes.Contains(d.in, []byte("\n ")) || bytes.Contains(d.in, []byte("\n\t")))
		},
	},
	{
		name: "control bytes in a field value",
		why: "RFC 9110 §5.5: a field value holds no CTL but HTAB; gwsgi rejects the others, " +
			"h11 allows all but NUL and whitespace (python-hyper/h11#57)",
		match: func(d *h11Diff) bool { return d.gwsgiRejects(ErrBadHeaderValue) && hasCTL(d.in) },
	},
	{
		name: "Host syntax",
		why: "RFC 9112 §3.2: a server must answer 400 to a Host field with an invalid value, " +
			"Host = uri-host [ \":\" port ] (RFC 9110 §7.2); gwsgi checks it, h11 does not",
		match: func(d *h11Diff) bool {
			if !d.gwsgiRejects(ErrBadHeaderValue) || d.h11 == nil {
				return false
			}
			h, ok := d.h11.header("host")
			return ok && !validHost([]byte(h))
		},
	},
	{
		name: "fragment in the target",
		why: "RFC 9112 §3.2: the request-target has no fragment (RFC 9110 §7.1: clients do not send it); " +
			"gwsgi rejects '#', h11 accepts any visible ASCII",
		match: func(d *h11Diff) bool {
			return d.gwsgiRejects(ErrBadTarget) && d.h11 != nil && strings.Contains(d.h11.Target, "#")
		},
	},
	{
		name: "request-target form",
		why: "RFC 9112 §3.2: origin-form, absolute-form (http/https), authority-form only for CONNECT, " +
			"asterisk-form only for OPTIONS, and RFC 9110 §4.2.4: userinfo in an http(s) URI is an error; " +
			"gwsgi checks the form, h11 accepts any visible ASCII",
		match: func(d *h11Diff) bool { return d.gwsgiRejects(ErrBadTarget) },
	},
	{
		name: "HTTP version",
		why: "RFC 9110 §15.6.6: a server answers 505 to a major version it does not support; " +
			"gwsgi implements HTTP/1.0 and HTTP/1.1 only, h11 takes any HTTP/d.d",
		match: func(d *h11Diff) bool {
			return d.gwsgiRejects(ErrVersion) && d.h11 != nil && d.h11.Version != "1.0" && d.h11.Version != "1.1"
		},
	},
	{
		name: "Content-Length and Transfer-Encoding",
		why: "RFC 9112 §6.1: a server may reject a request with both or process it by Transfer-Encoding; " +
			"gwsgi rejects (request smuggling), h11 uses the chunked framing",
		match: func(d *h11Diff) bool { return d.gwsgiRejects(ErrCLAndTE) },
	},
	{
		name: "Expect",
		why: "RFC 9110 §10.1.1: a server may answer 417 to an expectation other than 100-continue; " +
			"gwsgi does, h11 ignores Expect",
		match: func(d *h11Diff) bool { return d.gwsgiRejects(ErrExpectation) },
	},
	{
		name: "Content-Length beyond int64",
		why: "RFC 9110 §8.6: a recipient must guard against overflow of large Content-Length values; " +
			"gwsgi rejects what does not fit an int64, Python's integers have no bound",
		match: func(d *h11Diff) bool {
			if !d.gwsgiRejects(ErrBadContentLength) || d.h11 == nil {
				return false
			}
			cl, ok := d.h11.header("content-length")
			return ok && len(cl) > 18 && strings.Trim(cl, "0123456789") == ""
		},
	},
	{
		name: "limits",
		why: "RFC 9112 §3 (414), RFC 6585 §5 (431), RFC 9110 §15.5.14 (413): gwsgi bounds the request " +
			"line, fields, header and trailer sections; the test runs h11 without a bound",
		match: func(d *h11Diff) bool {
			return d.gwsgiRejects(ErrRequestLineTooLong, ErrTooManyHeaders, ErrHeadersTooLarge, ErrFieldTooLarge, ErrBodyTooLarge)
		},
	},
	{
		name: "forbidden trailer field",
		why: "RFC 9110 §6.5.1: framing, routing, request modifier, authentication and content fields " +
			"may not be trailers; gwsgi rejects them, h11 passes them on",
		match: func(d *h11Diff) bool { return d.body && d.gwsgiRejects(ErrForbiddenTrailer) },
	},
	{
		name: "chunk-size line",
		why: "RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF, chunk-ext = *( BWS \";\" BWS name [ BWS \"=\" BWS " +
			"( token / quoted-string ) ] ); gwsgi checks it (and allows 16 hex digits), h11 takes " +
			"1 to 20 digits, trailing whitespace and any bytes after ';'",
		match: func(d *h11Diff) bool {
			return d.body && d.gwsgiRejects(ErrBadChunk) && d.ours != nil && !rfcChunkLines(d.in[d.ours.headerSize:])
		},
	},

	// h11 rejects, gwsgi accepts.
	{
		name: "leading empty lines",
		why: "RFC 9112 §2.2: a server should ignore at least one empty line before a request-line; " +
			"gwsgi ignores up to four, h11 none",
		match: func(d *h11Diff) bool {
			return d.h11Rejects("no request line received") && bytes.HasPrefix(d.in, []byte("\r\n"))
		},
	},
	{
		name: "chunk-ext BWS",
		why: "RFC 9112 §7.1.1 allows BWS before a chunk-ext's ';' (\"5 ;a\"), which a recipient must " +
			"parse (RFC 9110 §5.6.3); gwsgi does, h11 only allows whitespace at the end of the line",
		match: func(d *h11Diff) bool {
			if !d.body || !d.h11Rejects("illegal chunk header") || d.ours == nil {
				return false
			}
			body := d.in[d.ours.headerSize:]
			return rfcChunkLines(body) && bwsBeforeSemicolon(body)
		},
	},
	{
		name: "Content-Length list",
		why: "RFC 9110 §8.6: a Content-Length list of one decimal value repeated may be taken as that " +
			"value; gwsgi compares the numbers (\"5, 05\"), h11 the text",
		match: func(d *h11Diff) bool { return d.h11Rejects("conflicting Content-Length") },
	},
}

// hasBareLF reports whether b holds an LF not preceded by CR.
func hasBareLF(b []byte) bool {
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			return true
		}
	}
	return false
}

// hasCTL reports whether b holds a control byte h11 allows in a value:
// not NUL, HTAB, LF, VT, FF or CR.
func hasCTL(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != 0 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r') || c == 0x7f {
			return true
		}
	}
	return false
}

// rfcChunkLines walks a chunked body as h11 frames it (size lines end at
// CRLF) and reports whether every size line is RFC 9112 §7.1 syntax with
// at most 16 hex digits. When it is, a gwsgi ErrBadChunk that h11 does not
// share has no documented reason.
func rfcChunkLines(body []byte) bool {
	for {
		i := bytes.Index(body, []byte("\r\n"))
		if i < 0 {
			return true
		}
		size, ok := rfcChunkLine(body[:i])
		if !ok {
			return false
		}
		body = body[i+2:]
		if size == 0 || uint64(len(body)) < size+2 {
			return true
		}
		body = body[size+2:]
	}
}

// bwsBeforeSemicolon reports whether a size line of the chunked body
// (framed as in rfcChunkLines) has whitespace right after its hex digits.
func bwsBeforeSemicolon(body []byte) bool {
	for {
		i := bytes.Index(body, []byte("\r\n"))
		if i < 0 {
			return false
		}
		line := body[:i]
		j := 0
		for j < len(line) && hexVal[line[j]] != 0 {
			j++
		}
		if j < len(line) && (line[j] == ' ' || line[j] == '\t') {
			return true
		}
		size, _ := rfcChunkLine(line)
		body = body[i+2:]
		if size == 0 || uint64(len(body)) < size+2 {
			return false
		}
		body = body[size+2:]
	}
}

// rfcChunkLine checks chunk-size [ chunk-ext ] without CRLF, written from
// RFC 9112 §7.1.1 rather than from chunked.go.
func rfcChunkLine(line []byte) (uint64, bool) {
	var size uint64
	i := 0
	for ; i < len(line) && hexVal[line[i]] != 0; i++ {
		size = size<<4 | uint64(hexVal[line[i]]-1)
	}
	if i == 0 || i > 16 || size > 1<<63-1 {
		return 0, false
	}
	rest := line[i:]
	token := func() bool {
		j := 0
		for j < len(rest) && tokenChar[rest[j]] {
			j++
		}
		rest = rest[j:]
		return j > 0
	}
	bws := func() {
		for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
			rest = rest[1:]
		}
	}
	for len(rest) > 0 {
		bws()
		if len(rest) == 0 || rest[0] != ';' {
			return 0, false
		}
		rest = rest[1:]
		bws()
		if !token() {
			return 0, false
		}
		save := rest
		bws()
		if len(rest) == 0 || rest[0] != '=' {
			rest = save
			continue
		}
		rest = rest[1:]
		bws()
		if len(rest) > 0 && rest[0] == '"' {
			j := 1
			for ; j < len(rest) && rest[j] != '"'; j++ {
				c := rest[j]
				if c == '\\' {
					j++
					if j == len(rest) {
						return 0, false
					}
					c = rest[j]
					if c != '\t' && (c < 0x20 || c == 0x7f) {
						return 0, false
					}
					continue
				}
				if c != '\t' && (c < 0x20 || c == 0x7f) {
					return 0, false
				}
			}
			if j == len(rest) {
				return 0, false
			}
			rest = rest[j+1:]
		} else if !token() {
			return 0, false
		}
	}
	return size, true
}

// h11KnownDifference names the documented difference that explains d, or
// returns "".
func h11KnownDifference(d *h11Diff) string {
	for _, k := range h11Differences {
		if k.match(d) {
			return k.name
		}
	}
	return ""
}

// h11Normalize gives gwsgi's header fields as h11 reports them: names in
// lower case, repeated Content-Length fields as one with the first
// element of the first, Transfer-Encoding in lower case.
func h11Normalize(hs [][2]string) [][2]string {
	var out [][2]string
	sawCL := false
	for _, h := range hs {
		name, value := strings.ToLower(h[0]), h[1]
		switch name {
		case "content-length":
			if sawCL {
				continue
			}
			sawCL = true
			e, _, _ := nextElem([]byte(value))
			value = string(e)
		case "transfer-encoding":
			value = strings.ToLower(value)
		}
		out = append(out, [2]string{name, value})
	}
	return out
}

// compareH11 compares gwsgi's and h11's readings of data. It returns a
// description of a disagreement on a request both accept (mismatch), or
// the one-sided acceptance (diff) for the caller to classify, or neither.
func compareH11(data []byte, ours ourResult, theirs *h11Result) (mismatch string, diff *h11Diff) {
	for i := 0; ; i++ {
		var o *ourRequest
		var h *h11Request
		if i < len(ours.requests) {
			o = &ours.requests[i]
		}
		if i < len(theirs.Requests) {
			h = &theirs.Requests[i]
		}
		if o == nil && h == nil {
			return "", nil // both stopped at this head, for any reason
		}
		if o == nil || h == nil {
			start := ours.at
			if o != nil {
				start = o.start
			}
			d := &h11Diff{in: data[start:], ours: o, h11: h}
			if o == nil {
				if ours.end == "stop" {
					return "", nil // reading ended with the previous request
				}
				d.oursErr, d.oursIncomplete = ours.err, ours.end == "incomplete"
			} else {
				if theirs.End == "stop" {
					return "", nil
				}
				d.h11Err, d.h11Incomplete = theirs.Error, theirs.End == "incomplete"
			}
			if d.oursIncomplete && d.h11Err != "" || d.h11Incomplete && d.oursErr != nil {
				return "", nil // one rejects early what the other waits to see more of
			}
			return "", d
		}

		// Both accepted this head.
		where := fmt.Sprintf("request %d", i+1)
		if o.method != latin1s(h.Method) || o.target != latin1s(h.Target) || o.proto != "HTTP/"+latin1s(h.Version) {
			return fmt.Sprintf("%s line: gwsgi %q %q %q, h11 %q %q %q",
				where, o.method, o.target, o.proto, latin1s(h.Method), latin1s(h.Target), "HTTP/"+latin1s(h.Version)), nil
		}
		ourHeaders := h11Normalize(o.headers)
		var theirHeaders [][2]string
		for _, f := range h.Headers {
			theirHeaders = append(theirHeaders, [2]string{latin1s(f[0]), latin1s(f[1])})
		}
		if fmt.Sprint(ourHeaders) != fmt.Sprint(theirHeaders) {
			return fmt.Sprintf("%s headers:\ngwsgi %q\nh11   %q", where, ourHeaders, theirHeaders), nil
		}
		ob, hb := string(o.body), latin1s(h.Body)
		if !strings.HasPrefix(ob, hb) && !strings.HasPrefix(hb, ob) {
			return fmt.Sprintf("%s body: gwsgi %q, h11 %q", where, ob, hb), nil
		}
		if o.complete && h.Complete {
			if ob != hb {
				return fmt.Sprintf("%s body: gwsgi %q, h11 %q", where, ob, hb), nil
			}
			if o.proto == "HTTP/1.1" && o.keepAlive != h.KeepAlive {
				// HTTP/1.0 differs by design: h11 never keeps a 1.0
				// connection, gwsgi does on "Connection: keep-alive".
				return fmt.Sprintf("%s keep-alive: gwsgi %v, h11 %v", where, o.keepAlive, h.KeepAlive), nil
			}
			if !o.keepAlive || !h.KeepAlive {
				return "", nil
			}
			continue
		}
		if !o.complete && !h.Complete {
			return "", nil // both stopped in the body; the bytes so far agree
		}
		d := &h11Diff{in: data[o.start:], ours: o, h11: h, body: true}
		if !o.complete {
			d.oursErr, d.oursIncomplete = ours.err, ours.end == "incomplete"
		} else {
			d.h11Err, d.h11Incomplete = theirs.Error, theirs.End == "incomplete"
		}
		if d.oursIncomplete && d.h11Err != "" || d.h11Incomplete && d.oursErr != nil {
			return "", nil
		}
		return "", d
	}
}

// latin1s is latin1 as a string.
func latin1s(s string) string { return string(latin1(s)) }

// h11Outcome is the result of the differential check on one input.
type h11Outcome struct {
	mismatch string // a disagreement on what both accept: a failure
	diff     *h11Diff
	known    string // the documented difference explaining diff, if any
}

func checkH11(tb testing.TB, p *h11Proc, data []byte) h11Outcome {
	tb.Helper()
	theirs, err := p.parse(data)
	if err != nil {
		tb.Fatalf("h11: %v (input %q)", err, data)
	}
	mismatch, diff := compareH11(data, parseOurs(data), theirs)
	out := h11Outcome{mismatch: mismatch, diff: diff}
	if diff != nil {
		out.known = h11KnownDifference(diff)
	}
	return out
}

// h11Bugs recognise the inputs on which gwsgi is wrong and h11 right,
// until gwsgi is fixed: the fuzz target skips the inputs they match, and
// each has an example in h11Cases whose skip names the bug.
var h11Bugs = []struct {
	name  string
	match func(d *h11Diff) bool
}{}

// FuzzDifferentialH11 compares gwsgi with h11 (see h11Differences).
func FuzzDifferentialH11(f *testing.F) {
	p := needH11(f)
	addParseSeeds(f)
	for _, c := range h11Cases {
		if len(c.in) <= 512 { // long seeds slow every mutation down
			f.Add([]byte(c.in))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out := checkH11(t, p, data)
		if out.mismatch != "" {
			t.Fatalf("gwsgi and h11 %s accept %q but disagree: %s", p.version, data, out.mismatch)
		}
		if out.diff == nil || out.known != "" {
			return
		}
		for _, b := range h11Bugs {
			if b.match(out.diff) {
				t.Skipf("known gwsgi bug %q", b.name)
			}
		}
		t.Fatalf("undocumented difference with h11 %s: %v", p.version, out.diff)
	})
}

// h11Cases pins each documented difference, and inputs both must agree
// on, to an example.
var h11Cases = []struct {
	name string
	in   string
	want string // the h11Differences name, "" when both must agree
	skip string // a known gwsgi bug: why the case is skipped
}{
	{name: "agree minimal", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "agree pipelined", in: "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\nGET /d HTTP/1.1\r\n"},
	{name: "agree chunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b;c=\"d e\"\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n"},
	{name: "chunk-ext BWS", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 ; a=b\r\nhello\r\n0\r\n\r\n", want: "chunk-ext BWS"},
	{name: "agree partial chunk", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"},
	{name: "agree Content-Length list", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\ncontent-length: 3\r\n\r\nabc"},
	{name: "agree obs-text", in: "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9 \xff\r\n\r\n"},
	{name: "agree absolute-form", in: "GET http://example.com/a?b HTTP/1.1\r\nHost: other\r\n\r\n"},
	{name: "agree authority-form", in: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
	{name: "agree HTTP/1.0 chunked", in: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"},
	{name: "agree TE case", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n"},

	{name: "bare LF", in: "GET / HTTP/1.1\nHost: a\n\n", want: "bare LF"},
	{name: "bare LF in trailers", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\n\n", want: "bare LF"},
	{name: "obs-fold", in: "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", want: "obs-fold"},
	{name: "control byte in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n", want: "control bytes in a field value"},
	{name: "DEL in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n", want: "control bytes in a field value"},
	{name: "Host with space", in: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", want: "Host syntax"},
	{name: "Host with userinfo", in: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", want: "Host syntax"},
	{name: "fragment", in: "GET /a?b#c HTTP/1.1\r\nHost: a\r\n\r\n", want: "fragment in the target"},
	{name: "relative target", in: "GET a HTTP/1.1\r\nHost: a\r\n\r\n", want: "request-target form"},
	{name: "asterisk not OPTIONS", in: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", want: "request-target form"},
	{name: "authority-form not CONNECT", in: "GET a:80 HTTP/1.1\r\nHost: a\r\n\r\n", want: "request-target form"},
	{name: "HTTP/2.0", in: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", want: "HTTP version"},
	{name: "HTTP/1.2", in: "GET / HTTP/1.2\r\nHost: a\r\n\r\n", want: "HTTP version"},
	{name: "CL and TE", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", want: "Content-Length and Transfer-Encoding"},
	{name: "Expect other", in: "GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", want: "Expect"},
	{name: "huge Content-Length", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", want: "Content-Length beyond int64"},
	{name: "request line too long", in: "GET /" + strings.Repeat("a", DefaultMaxRequestLine) + " HTTP/1.1\r\nHost: a\r\n\r\n", want: "limits"},
	{name: "field too large", in: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("b", DefaultMaxFieldSize) + "\r\n\r\n", want: "limits"},
	{name: "too many headers", in: "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X: y\r\n", DefaultMaxHeaders) + "\r\n", want: "limits"},
	{name: "trailer Content-Length", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n", want: "forbidden trailer field"},
	{name: "trailer Host", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nHost: b\r\n\r\n", want: "forbidden trailer field"},
	{name: "chunk size trailing space", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", want: "chunk-size line"},
	{name: "chunk-ext empty name", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n", want: "chunk-size line"},
	{name: "chunk-ext control byte", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"\x01\"\r\nhello\r\n0\r\n\r\n", want: "chunk-size line"},
	{name: "chunk size 20 digits", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000000005\r\nhello\r\n0\r\n\r\n", want: "chunk-size line"},
	{name: "leading empty line", in: "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", want: "leading empty lines"},
	{name: "empty line between pipelined requests", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", want: "leading empty lines"},
	{name: "Content-Length list of equal numbers", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 03\r\n\r\nabc", want: "Content-Length list"},
}

// TestDifferentialH11Cases checks that each documented difference is
// still one, and classified as such, and that gwsgi and h11 agree on the
// rest.
func TestDifferentialH11Cases(t *testing.T) {
	p := needH11(t)
	for _, c := range h11Cases {
		t.Run(c.name, func(t *testing.T) {
			if c.skip != "" {
				t.Skip(c.skip)
			}
			out := checkH11(t, p, []byte(c.in))
			if out.mismatch != "" {
				t.Fatalf("both accept but disagree: %s", out.mismatch)
			}
			switch {
			case c.want == "" && out.diff != nil:
				t.Fatalf("want agreement, got %v (classified %q)", out.diff, out.known)
			case c.want != "" && out.diff == nil:
				t.Fatalf("want difference %q, got agreement", c.want)
			case c.want != "" && out.known != c.want:
				t.Fatalf("want difference %q, classified %q: %v", c.want, out.known, out.diff)
			}
		})
	}
}
