package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hostileCase is a request the server must refuse, and how: after Before
// valid answers (requests pipelined ahead of the bad one), one answer
// with a status in Status (nil: any 4xx), then the end of the
// connection. MayServe allows a 2xx answer instead, when the end of the
// connection follows it (RFC 9112 section 6.1: an HTTP/1.0 message with
// Transfer-Encoding is processed, then the connection closed).
type hostileCase struct {
	Name     string
	Wire     string
	Before   int
	Status   []int
	MayServe bool
}

const (
	okGet   = "GET / HTTP/1.1\r\nHost: soak\r\n\r\n"
	chunked = "POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n"
)

// malformedCases are malformed requests: broken request lines, bare LF
// and CR, bad header names and values (NUL, obs-fold, whitespace before
// the colon), request smuggling shapes (Content-Length with
// Transfer-Encoding, conflicting lengths, codings that are not chunked
// last), bad chunk sizes and framing, and non-HTTP bytes.
var malformedCases = []hostileCase{
	{Name: "bare-lf", Wire: "GET / HTTP/1.1\nHost: soak\n\n", Status: []int{400}},
	{Name: "bare-lf-after-head-line", Wire: "GET / HTTP/1.1\r\nHost: soak\nX-A: b\r\n\r\n", Status: []int{400}},
	{Name: "bare-cr", Wire: "GET / HTTP/1.1\r\nHost: soak\rX-A: b\r\n\r\n", Status: []int{400}},
	{Name: "bad-method", Wire: "G(T / HTTP/1.1\r\nHost: soak\r\n\r\n", Status: []int{400}},
	{Name: "double-space", Wire: "GET  / HTTP/1.1\r\nHost: soak\r\n\r\n", Status: []int{400}},
	{Name: "space-in-target", Wire: "GET /a b HTTP/1.1\r\nHost: soak\r\n\r\n", Status: []int{400}},
	{Name: "nul-in-target", Wire: "GET /\x00 HTTP/1.1\r\nHost: soak\r\n\r\n", Status: []int{400}},
	{Name: "no-version", Wire: "GET /\r\nHost: soak\r\n\r\n", Status: []int{400, 505}},
	{Name: "bad-version", Wire: "GET / HTTP/1.x\r\nHost: soak\r\n\r\n", Status: []int{400, 505}},
	{Name: "http2-version", Wire: "GET / HTTP/2.0\r\nHost: soak\r\n\r\n", Status: []int{400, 505}},
	{Name: "lowercase-version", Wire: "GET / http/1.1\r\nHost: soak\r\n\r\n", Status: []int{400, 505}},
	{Name: "nul-in-value", Wire: "GET / HTTP/1.1\r\nHost: soak\r\nX-A: a\x00b\r\n\r\n", Status: []int{400}},
	{Name: "nul-in-name", Wire: "GET / HTTP/1.1\r\nHost: soak\r\nX\x00A: b\r\n\r\n", Status: []int{400}},
	{Name: "non-ascii-name", Wire: "GET / HTTP/1.1\r\nHost: soak\r\nX-\xc3\xa9: b\r\n\r\n", Status: []int{400}},
	{Name: "obs-fold", Wire: "GET / HTTP/1.1\r\nHost: soak\r\nX-A: a\r\n b\r\n\r\n", Status: []int{400}},
	{Name: "space-before-colon", Wire: "GET / HTTP/1.1\r\nHost : soak\r\n\r\n", Status: []int{400}},
	{Name: "no-colon", Wire: "GET / HTTP/1.1\r\nHost: soak\r\nX-A\r\n\r\n", Status: []int{400}},
	{Name: "empty-name", Wire: "GET / HTTP/1.1\r\nHost: soak\r\n: b\r\n\r\n", Status: []int{400}},
	{Name: "leading-space-header", Wire: "GET / HTTP/1.1\r\n Host: soak\r\n\r\n", Status: []int{400}},
	{Name: "missing-host", Wire: "GET / HTTP/1.1\r\n\r\n", Status: []int{400}},
	{Name: "two-hosts", Wire: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", Status: []int{400}},
	{Name: "cl-te", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: soak\r\n\r\n", Status: []int{400}},
	{Name: "te-cl", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: soak\r\n\r\n", Status: []int{400}},
	{Name: "te-space-before-colon", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", Status: []int{400}},
	{Name: "te-vertical-tab", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n", Status: []int{400, 501}},
	{Name: "te-unknown", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: gzip\r\n\r\n", Status: []int{400, 501}},
	{Name: "te-chunked-not-last", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", Status: []int{400, 501}},
	{Name: "te-xchunked", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", Status: []int{400, 501}},
	{Name: "te-chunked-twice", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", Status: []int{400, 501}},
	{Name: "te-http10", Wire: "POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", Status: []int{400, 501}, MayServe: true},
	{Name: "cl-conflict", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", Status: []int{400}},
	{Name: "cl-list-conflict", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 1, 2\r\n\r\nab", Status: []int{400}},
	{Name: "cl-plus", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: +1\r\n\r\na", Status: []int{400}},
	{Name: "cl-negative", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: -1\r\n\r\na", Status: []int{400}},
	{Name: "cl-hex", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 0x1\r\n\r\na", Status: []int{400}},
	{Name: "cl-overflow", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 99999999999999999999999\r\n\r\na", Status: []int{400, 413}},
	{Name: "chunk-size-not-hex", Wire: chunked + "zz\r\nhello\r\n0\r\n\r\n", Status: []int{400}},
	{Name: "chunk-size-negative", Wire: chunked + "-5\r\nhello\r\n0\r\n\r\n", Status: []int{400}},
	{Name: "chunk-size-overflow", Wire: chunked + "fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n", Status: []int{400, 413}},
	{Name: "chunk-size-0x", Wire: chunked + "0x5\r\nhello\r\n0\r\n\r\n", Status: []int{400}},
	{Name: "chunk-data-overrun", Wire: chunked + "5\r\nhelloXX\r\n0\r\n\r\n", Status: []int{400}},
	{Name: "chunk-bare-lf", Wire: chunked + "5\nhello\n0\n\n", Status: []int{400}},
	{Name: "chunk-ext-bare-lf", Wire: chunked + "5;a=b\nhello\r\n0\r\n\r\n", Status: []int{400}},
	{Name: "chunk-nul-ext", Wire: chunked + "5;a\x00\r\nhello\r\n0\r\n\r\n", Status: []int{400}},
	{Name: "expect-unknown", Wire: "POST /echo HTTP/1.1\r\nHost: soak\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\na", Status: []int{417}},
	{Name: "tls-client-hello", Wire: "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + strings.Repeat("\x00", 32), Status: []int{400}},
	{Name: "binary", Wire: "\x00\x01\x02\x03\xff\xfe\r\n\r\n", Status: []int{400}},
	{Name: "valid-then-cl-te", Wire: okGet + "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", Before: 1, Status: []int{400}},
	{Name: "valid-then-bare-lf", Wire: okGet + okGet + "GET / HTTP/1.1\nHost: soak\n\n", Before: 2, Status: []int{400}},
	{Name: "valid-then-bad-chunk", Wire: okGet + chunked + "5\r\nhello\r\nq\r\n", Before: 1, Status: []int{400}},
}

// hugeCases are requests over the default limits (--limit-request-line
// 8190, --limit-request-fields 100, --limit-request-field_size 8190,
// --limit-request-headers-size 65536): 414 for the request line, 431 for
// the header section (and a chunked body's trailers).
func hugeCases(l limits) []hostileCase {
	field := "X-Huge: " + strings.Repeat("h", l.FieldSize+100) + "\r\n"
	many := strings.Repeat("X-Many: m\r\n", l.Fields+5)
	per := l.HeadersSize/(l.Fields-10) + 100 // fields under both the count and size limits, too many bytes in all
	large := strings.Repeat("X-Large: "+strings.Repeat("l", min(per, l.FieldSize-20))+"\r\n", l.Fields-10)
	return []hostileCase{
		{Name: "request-line", Wire: "GET /" + strings.Repeat("a", l.Line+100) + " HTTP/1.1\r\nHost: soak\r\n\r\n", Status: []int{414}},
		{Name: "query", Wire: "GET /?q=" + strings.Repeat("q", 4*l.Line) + " HTTP/1.1\r\nHost: soak\r\n\r\n", Status: []int{414}},
		{Name: "field", Wire: "GET / HTTP/1.1\r\nHost: soak\r\n" + field + "\r\n", Status: []int{431}},
		{Name: "fields", Wire: "GET / HTTP/1.1\r\nHost: soak\r\n" + many + "\r\n", Status: []int{431}},
		{Name: "section", Wire: "GET / HTTP/1.1\r\nHost: soak\r\n" + large + "\r\n", Status: []int{431}},
		{Name: "section-endless", Wire: "GET / HTTP/1.1\r\nHost: soak\r\n" + strings.Repeat(large, 4), Status: []int{431}},
		{Name: "trailers", Wire: chunked + "5\r\nhello\r\n0\r\n" + many + "\r\n", Status: []int{400, 431}},
	}
}

// limits are the server's request limits the huge requests exceed.
type limits struct{ Line, Fields, FieldSize, HeadersSize int }

// nearLimitRequest is a valid request just under one of the limits,
// which the server must serve.
func nearLimitRequest(rng *rand.Rand, l limits, tag string) *request {
	r := getHello(tag)
	switch rng.IntN(4) {
	case 0: // request line
		line := len("GET ") + len(r.Target) + len(" HTTP/1.1")
		r.Target += "&pad=" + strings.Repeat("p", l.Line-line-len("&pad=")-8)
	case 1: // one field
		r.Header = []string{"X-Near: " + strings.Repeat("n", l.FieldSize-len("X-Near: ")-8)}
	case 2: // field count (Host is one)
		for i := 0; i < l.Fields-1; i++ {
			r.Header = append(r.Header, "X-Near-"+strconv.Itoa(i)+": n")
		}
	default: // section size: fields of 90% of the field limit up to 90% of the section limit
		for n := 0; n+l.FieldSize < l.HeadersSize*9/10 && len(r.Header) < l.Fields-2; n += l.FieldSize {
			r.Header = append(r.Header, "X-Near-"+strconv.Itoa(len(r.Header))+": "+strings.Repeat("n", l.FieldSize*9/10))
		}
	}
	return r
}

// hostileClient sends kind's cases ("malformed" or "huge-header"), each
// on a new connection, whole or in up to three pieces, until ctx is
// done. A huge-header client also sends near-limit requests, which must
// be served.
func (s *soak) hostileClient(ctx context.Context, kind string, cases []hostileCase, id int) {
	rng := s.rng(kindSeedHostile, id)
	for seq := 0; ctx.Err() == nil; seq++ {
		if kind == "huge-header" && rng.IntN(3) == 0 {
			s.nearLimit(ctx, nearLimitRequest(rng, s.cfg.Limits, "n"+strconv.Itoa(id)+"-"+strconv.Itoa(seq)))
		} else {
			hc := cases[rng.IntN(len(cases))]
			if err := s.refused(ctx, rng, kind, hc); err != nil && ctx.Err() == nil {
				s.stats.fail(kind, fmt.Errorf("%s: %w", hc.Name, err))
			} else if err == nil {
				s.stats.ok(kind)
			}
		}
		sleepCtx(ctx, time.Duration(rng.IntN(20))*time.Millisecond)
	}
}

// nearLimit sends r on a new connection; it must be served.
func (s *soak) nearLimit(ctx context.Context, r *request) {
	c, err := dial(s.addr)
	if err != nil {
		s.stats.fail("near-limit", err)
		return
	}
	defer c.Close()
	defer closeAfter(ctx, c)()
	resp, err := c.do(r, s.cfg.RequestTimeout)
	if ctx.Err() != nil {
		return
	}
	if err == nil {
		s.stats.status("near-limit", resp.Status)
		err = r.check(resp)
	}
	if err != nil {
		s.stats.fail("near-limit", err)
		return
	}
	s.stats.ok("near-limit")
}

// refused sends hc on a new connection and checks that it is refused as
// hc says, then that the connection ends.
func (s *soak) refused(ctx context.Context, rng *rand.Rand, kind string, hc hostileCase) error {
	c, err := dial(s.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	defer closeAfter(ctx, c)()
	_ = c.SetDeadline(time.Now().Add(s.cfg.HeaderTimeout + s.grace()))
	pieces := split(rng, []byte(hc.Wire), 1+rng.IntN(3))
	pause := time.Duration(rng.IntN(10)) * time.Millisecond
	written := make(chan error, 1)
	go func() {
		var err error
		for _, p := range pieces {
			if _, err = c.Write(p); err != nil {
				break
			}
			time.Sleep(pause)
		}
		written <- err
	}()
	for i := 0; i < hc.Before; i++ {
		resp, err := c.final("GET")
		if err != nil {
			return fmt.Errorf("valid request %d ahead of the bad one: %w", i+1, err)
		}
		s.stats.status(kind, resp.Status)
		if resp.Status != 200 || string(resp.Body) != hello {
			return mismatch("status", "valid request %d ahead of the bad one answered %d %q", i+1, resp.Status, clip(string(resp.Body)))
		}
	}
	resp, err := c.final("POST")
	if err != nil {
		if isTimeout(err) {
			return &outcomeError{"no-answer", fmt.Sprintf("neither answered nor closed in %v", s.cfg.HeaderTimeout+s.grace())}
		}
		return &outcomeError{"no-answer", fmt.Sprintf("connection ended without an answer: %v", err)}
	}
	s.stats.status(kind, resp.Status)
	switch {
	case resp.Status >= 200 && resp.Status < 300 && hc.MayServe:
	case resp.Status >= 200 && resp.Status < 300:
		return &outcomeError{"accepted", fmt.Sprintf("answered %d %q", resp.Status, clip(string(resp.Body)))}
	case hc.Status == nil && (resp.Status < 400 || resp.Status > 499),
		hc.Status != nil && !slices.Contains(hc.Status, resp.Status):
		return &outcomeError{"unexpected-status", fmt.Sprintf("answered %d, want %v", resp.Status, hc.Status)}
	}
	err = readEnd(c.br, c, s.grace())
	if err != nil && !isReset(err) {
		if isTimeout(err) {
			return &outcomeError{"not-closed", fmt.Sprintf("connection still open %v after the %d", s.grace(), resp.Status)}
		}
		return err
	}
	s.stats.closed(kind, err)
	c.Close()
	<-written
	return nil
}
