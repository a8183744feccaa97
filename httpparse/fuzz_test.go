package httpparse

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"net/textproto"
	"slices"
	"testing"
)

// Seed requests: real clients, edge cases and request smuggling attempts.
var fuzzRequests = []string{
	wrkGET, curlGET, browserGET, postHeader,
	"GET /index.html HTTP/1.0\r\nUser-Agent: Wget/1.21.4\r\nAccept: */*\r\nAccept-Encoding: identity\r\nHost: example.com\r\nConnection: Keep-Alive\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n",
	"GET /ws HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
	"POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2",
	"GET http://example.com/p?q HTTP/1.1\r\nHost: other\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n",
	"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
	"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	// Smuggling attempts.
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello",
	"POST / HTTP/1.1\r\nHost: a\r\nContent_Length: 5\r\n\r\nhello",
	"GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	"GET /\x00 HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nX: \xff\xfe\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
}

func addParseSeeds(f *testing.F) {
	for _, s := range fuzzRequests {
		f.Add([]byte(s))
	}
	for _, tc := range parseCases {
		f.Add([]byte(tc.in + tc.rest))
	}
}

// FuzzParse checks that Parse never panics, stays inside its input, and
// is deterministic and independent of what follows the header section.
func FuzzParse(f *testing.F) {
	addParseSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		buf := slices.Clip(bytes.Clone(data))
		var p Parser
		var req Request
		n, err := p.Parse(buf, &req)

		// Whatever passes tight limits passes the defaults, identically.
		tight := Parser{Limits: Limits{MaxRequestLine: 32, MaxHeaders: 3, MaxHeaderBytes: 64, MaxBodySize: 10}}
		var treq Request
		if tn, terr := tight.Parse(buf, &treq); terr == nil {
			if err != nil || tn != n || describe(&treq)+headerList(&treq) != describe(&req)+headerList(&req) {
				t.Fatalf("tight limits accept (n = %d), defaults give n = %d, %v", tn, n, err)
			}
		}

		if err != nil {
			var e *Error
			if n != 0 || (err != ErrNeedMore && !errors.As(err, &e)) {
				t.Fatalf("n = %d, err = %v", n, err)
			}
			var again Request
			if _, err2 := p.Parse(buf, &again); err2 != err {
				t.Fatalf("not deterministic: %v then %v", err, err2)
			}
			return
		}
		if n <= 0 || n > len(buf) || n != req.HeaderSize || string(buf[n-4:n]) != "\r\n\r\n" {
			t.Fatalf("n = %d, HeaderSize = %d, len = %d", n, req.HeaderSize, len(buf))
		}
		checkInside(t, buf, &req)
		if req.Chunked && req.ContentLength != -1 || req.ContentLength < -1 {
			t.Fatalf("Chunked %v, ContentLength %d", req.Chunked, req.ContentLength)
		}
		if string(req.Proto) != "HTTP/1.0" && string(req.Proto) != "HTTP/1.1" {
			t.Fatalf("Proto %q", req.Proto)
		}
		want := describe(&req) + " " + headerList(&req)

		// The same header section alone, in fresh memory, gives the same.
		head := slices.Clip(bytes.Clone(buf[:n]))
		var again Request
		if n2, err := p.Parse(head, &again); err != nil || n2 != n {
			t.Fatalf("header section alone: n = %d, err = %v", n2, err)
		}
		if got := describe(&again) + " " + headerList(&again); got != want {
			t.Fatalf("header section alone:\n%s\n%s", got, want)
		}
		// Reusing the first Request gives the same too.
		if n2, err := p.Parse(buf, &req); err != nil || n2 != n || describe(&req)+" "+headerList(&req) != want {
			t.Fatalf("reparse: n = %d, err = %v", n2, err)
		}
		// One byte less is not enough.
		if _, err := p.Parse(head[:n-1], &again); err != ErrNeedMore {
			t.Fatalf("header section minus one byte: %v", err)
		}
	})
}

// FuzzChunked checks that decoding a body whole or in two or three pieces
// gives the same payload, the same end and the same error.
func FuzzChunked(f *testing.F) {
	for _, tc := range chunkCases {
		if len(tc.in) > 512 {
			continue // long seeds make the engine's minimisation crawl
		}
		f.Add([]byte(tc.in), uint16(len(tc.in)/2), uint16(len(tc.in)/3), uint16(tc.lim.MaxBodySize))
	}
	body, _ := chunkedBody(300, 100)
	f.Add(body, uint16(150), uint16(7), uint16(0))
	f.Fuzz(func(t *testing.T, in []byte, a, b uint16, maxBody uint16) {
		lim := Limits{MaxBodySize: int64(maxBody), MaxHeaders: 4, MaxHeaderBytes: 64}
		whole := decodeSplit(t, lim, in, nil)
		if whole.err != nil {
			whole.consumed = 0 // what was consumed before an error depends on the pieces
		}
		if whole.consumed > len(in) || (whole.err != nil && whole.done) {
			t.Fatalf("whole: %+v", whole)
		}
		if lim.MaxBodySize > 0 && int64(len(whole.payload)) > lim.MaxBodySize {
			t.Fatalf("payload %d over limit %d", len(whole.payload), lim.MaxBodySize)
		}
		if len(in) < 2 {
			return
		}
		i, j := int(a)%len(in), int(b)%len(in)
		if i > j {
			i, j = j, i
		}
		splits := []int{i, j}
		for _, s := range [][]int{splits[:1], splits[1:], splits} {
			got := decodeSplit(t, lim, in, s)
			if got.err != nil {
				got.consumed = 0
			}
			if got != whole {
				t.Fatalf("split at %v: %+v, whole: %+v", s, got, whole)
			}
		}
	})
}

// FuzzDifferential compares Parse with net/http.ReadRequest on the inputs
// that both accept: they must agree on the request line, Host, the body
// framing, keep-alive and every header value. Inputs that either rejects
// are skipped: net/http is more lenient in some places (bare LF, obs-fold,
// Transfer-Encoding in HTTP/1.0, any URL scheme) and stricter in others
// (repeated or listed Content-Length).
func FuzzDifferential(f *testing.F) {
	addParseSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Parser
		var req Request
		if _, err := p.Parse(data, &req); err != nil {
			return
		}
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(data)))
		if err != nil {
			return
		}
		if string(req.Method) != r.Method || string(req.Target) != r.RequestURI || string(req.Proto) != r.Proto ||
			req.ProtoMinor != r.ProtoMinor {
			t.Fatalf("request line: ours %q %q %q, net/http %q %q %q", req.Method, req.Target, req.Proto, r.Method, r.RequestURI, r.Proto)
		}
		if string(req.Host) != r.Host && !(bytes.IndexByte(req.Host, '%') >= 0 && req.Target[0] != '/') {
			// The exception: net/http percent-decodes the authority of an
			// absolute-form target but not a Host header; ours stays as sent
			// in both, like the Host header it stands for.
			t.Fatalf("host: ours %q, net/http %q", req.Host, r.Host)
		}
		// net/http ignores Transfer-Encoding in HTTP/1.0 requests; RFC 9112
		// §6.1 says to close after such a message, and so do we.
		if req.KeepAlive == r.Close && !(req.Chunked && req.ProtoMinor == 0) {
			t.Fatalf("keep-alive: ours %v, net/http Close %v", req.KeepAlive, r.Close)
		}
		switch {
		case req.Chunked && req.ProtoMinor == 0:
			// net/http ignores Transfer-Encoding in HTTP/1.0 requests.
		case req.Chunked:
			if r.ContentLength != -1 || len(r.TransferEncoding) != 1 || r.TransferEncoding[0] != "chunked" {
				t.Fatalf("chunked: net/http ContentLength %d, TransferEncoding %q", r.ContentLength, r.TransferEncoding)
			}
		case req.ContentLength == -1:
			if r.ContentLength != 0 {
				t.Fatalf("no body: net/http ContentLength %d", r.ContentLength)
			}
		default:
			if r.ContentLength != req.ContentLength {
				t.Fatalf("Content-Length: ours %d, net/http %d", req.ContentLength, r.ContentLength)
			}
		}
		ours := map[string][]string{}
		for _, h := range req.Headers {
			k := textproto.CanonicalMIMEHeaderKey(string(h.Name))
			ours[k] = append(ours[k], string(h.Value))
		}
		for k, v := range ours {
			switch k {
			case "Host", "Transfer-Encoding", "Content-Length":
				continue // moved or removed by net/http
			}
			if !slices.Equal(v, r.Header[k]) {
				t.Fatalf("header %s: ours %q, net/http %q", k, v, r.Header[k])
			}
		}
		for k := range r.Header {
			if _, ok := ours[k]; !ok && k != "Cache-Control" { // net/http adds Cache-Control for Pragma
				t.Fatalf("header %s: only net/http has it: %q", k, r.Header[k])
			}
		}
	})
}
