package httpparse

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The fuzz corpus seeds under testdata/fuzz: every shape of request the
// parser rejects, and the accepted shapes next to them, as small files
// that `go test` runs as part of each fuzz target and `go test -fuzz`
// mutates. TestSeedCorpus checks that the files match the lists below
// and that every error of errors.go comes out of at least one seed;
//
//	go test ./httpparse/ -run '^TestSeedCorpus$' -args -seeds.write
//
// rewrites them after a list changes.

var seedsWrite = flag.Bool("seeds.write", false, "rewrite the seed corpus files under testdata/fuzz")

// seedPrefix starts the name of every file TestSeedCorpus manages, so
// that the files the fuzzing engine adds (named by hash) are left alone.
const seedPrefix = "seed-"

// seedRequestTargets are the fuzz targets that take a whole request
// (head, body, pipelined requests) as their only argument.
var seedRequestTargets = []string{"FuzzParse", "FuzzDifferential", "FuzzDifferentialH11"}

const (
	seedHost   = "Host: a\r\n"
	seedPost   = "POST / HTTP/1.1\r\n" + seedHost
	seedChunk  = seedPost + "Transfer-Encoding: chunked\r\n\r\n"
	seedGet    = "GET / HTTP/1.1\r\n" + seedHost + "\r\n"
	seedSimple = "GET / HTTP/1.1\r\n" + seedHost
)

// seedRequests are the request seeds: name (the file name after
// seedPrefix) and input.
var seedRequests = [][2]string{
	// Request line.
	{"line-method-only", "GET\r\n" + seedHost + "\r\n"},
	{"line-no-version", "GET /\r\n" + seedHost + "\r\n"},
	{"line-http09", "GET /\r\n\r\n"},
	{"line-empty-target", "GET  HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-double-sp", "GET /  HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-trailing-sp", "GET / HTTP/1.1 \r\n" + seedHost + "\r\n"},
	{"line-leading-sp", " GET / HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-method-tab", "GET\t/ HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-method-byte", "G@T / HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-method-nul", "GET\x00 / HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-method-obs-text", "G\xc3\xa9T / HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-method-token", "M-SEARCH!#$%&'*+.^_`|~9 /x HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-target-nul", "GET /\x00 HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-target-del", "GET /\x7f HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-target-obs-text", "GET /\xc3\xa9 HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-target-tab", "GET /a\tb HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"line-version-lower", "GET / http/1.1\r\n" + seedHost + "\r\n"},
	{"line-version-1.10", "GET / HTTP/1.10\r\n" + seedHost + "\r\n"},
	{"line-version-no-dot", "GET / HTTP/11\r\n" + seedHost + "\r\n"},
	{"line-version-1.2", "GET / HTTP/1.2\r\n" + seedHost + "\r\n"},
	{"line-version-2.0", "GET / HTTP/2.0\r\n" + seedHost + "\r\n"},
	{"line-version-0.9", "GET / HTTP/0.9\r\n\r\n"},
	{"line-version-extra", "GET / HTTP/1.1 x\r\n" + seedHost + "\r\n"},
	{"line-http2-preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"},
	{"line-tls-hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"},
	{"line-empty-lines-4", "\r\n\r\n\r\n\r\nGET / HTTP/1.0\r\n\r\n"},
	{"line-empty-lines-5", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.0\r\n\r\n"},

	// Line ends.
	{"crlf-line-bare-lf", "GET / HTTP/1.1\n" + seedHost + "\r\n"},
	{"crlf-line-bare-cr", "GET / HTTP/1.1\r" + seedHost + "\r\n"},
	{"crlf-line-cr-cr-lf", "GET / HTTP/1.1\r\r\n" + seedHost + "\r\n"},
	{"crlf-target-cr", "GET /a\rb HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"crlf-header-bare-lf", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n"},
	{"crlf-header-bare-cr", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n"},
	{"crlf-end-bare-lf", seedSimple + "\n"},
	{"crlf-end-bare-cr", seedSimple + "\rX"},
	{"crlf-all-lf", "GET / HTTP/1.1\nHost: a\n\n"},
	{"crlf-leading-lf", "\nGET / HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"crlf-leading-cr", "\rGET / HTTP/1.1\r\n" + seedHost + "\r\n"},

	// obs-fold.
	{"fold-space", seedSimple + "X: a\r\n b\r\n\r\n"},
	{"fold-tab", seedSimple + "X: a\r\n\tb\r\n\r\n"},
	{"fold-first", "GET / HTTP/1.1\r\n Host: a\r\n\r\n"},
	{"fold-transfer-encoding", seedPost + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n"},

	// Field names and values.
	{"field-name-nul", seedSimple + "X\x00: v\r\n\r\n"},
	{"field-name-obs-text", seedSimple + "X\xe9: v\r\n\r\n"},
	{"field-name-byte", seedSimple + "X(: v\r\n\r\n"},
	{"field-name-empty", seedSimple + ": v\r\n\r\n"},
	{"field-name-underscore", seedPost + "Content_Length: 5\r\n\r\nhello"},
	{"field-value-nul", seedSimple + "X: a\x00b\r\n\r\n"},
	{"field-value-soh", seedSimple + "X: a\x01b\r\n\r\n"},
	{"field-value-del", seedSimple + "X: a\x7f\r\n\r\n"},
	{"field-value-esc", seedSimple + "X: \x1b[0m\r\n\r\n"},
	{"field-value-vt", seedSimple + "X: \x0b\r\n\r\n"},
	{"field-value-ff", seedSimple + "X: \x0c\r\n\r\n"},
	{"field-value-obs-text", seedSimple + "X: caf\xc3\xa9 \xff\r\n\r\n"},
	{"field-value-trimmed", seedSimple + "A:b\r\nB: \t c d \t \r\nC:\r\n\r\n"},
	{"field-space-before-colon", seedSimple + "X-Y : v\r\n\r\n"},
	{"field-tab-before-colon", seedSimple + "X\t: v\r\n\r\n"},
	{"field-space-in-name", seedSimple + "X Y: v\r\n\r\n"},
	{"field-space-before-colon-te", seedPost + "Transfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n"},
	{"field-no-colon", seedSimple + "NoColon\r\n\r\n"},
	{"field-no-colon-space", seedSimple + "No Colon\r\n\r\n"},

	// Host.
	{"host-missing", "GET / HTTP/1.1\r\n\r\n"},
	{"host-twice", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"},
	{"host-twice-http10", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"},
	{"host-empty", "GET / HTTP/1.1\r\nHost:\r\n\r\n"},
	{"host-space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"},
	{"host-userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"},
	{"host-slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"},
	{"host-ipv6", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"},

	// Content-Length.
	{"cl-body", seedPost + "Content-Length: 5\r\n\r\nhello"},
	{"cl-short-body", seedPost + "Content-Length: 5\r\n\r\nhel"},
	{"cl-repeated", seedPost + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"},
	{"cl-list", seedPost + "Content-Length: 5, 5\r\n\r\nhello"},
	{"cl-list-leading-zero", seedPost + "Content-Length: 5, 05\r\n\r\nhello"},
	{"cl-conflict", seedPost + "Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello"},
	{"cl-list-conflict", seedPost + "Content-Length: 5, 6\r\n\r\nhello"},
	{"cl-plus", seedPost + "Content-Length: +5\r\n\r\nhello"},
	{"cl-minus", seedPost + "Content-Length: -1\r\n\r\n"},
	{"cl-hex", seedPost + "Content-Length: 0x5\r\n\r\nhello"},
	{"cl-empty", seedPost + "Content-Length:\r\n\r\n"},
	{"cl-empty-element", seedPost + "Content-Length: 5,\r\n\r\nhello"},
	{"cl-inner-space", seedPost + "Content-Length: 5 5\r\n\r\nhello"},
	{"cl-decimal", seedPost + "Content-Length: 5.0\r\n\r\nhello"},
	{"cl-max-int64", seedPost + "Content-Length: 9223372036854775807\r\n\r\n"},
	{"cl-overflow", seedPost + "Content-Length: 9223372036854775808\r\n\r\n"},
	{"cl-huge", seedPost + "Content-Length: 99999999999999999999999\r\n\r\n"},
	{"cl-over-tight-limit", seedPost + "Content-Length: 11\r\n\r\nhello world"},

	// Content-Length with Transfer-Encoding.
	{"clte-cl-first", seedPost + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG"},
	{"clte-te-first", seedPost + "Transfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\nG"},
	{"clte-te-gzip", seedPost + "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello"},
	{"clte-http10", "POST / HTTP/1.0\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},

	// Transfer-Encoding not (only) chunked.
	{"te-gzip", seedPost + "Transfer-Encoding: gzip\r\n\r\n"},
	{"te-chunked-gzip", seedPost + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"},
	{"te-gzip-chunked", seedPost + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
	{"te-gzip-then-chunked-lines", seedPost + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{"te-chunked-then-x-lines", seedPost + "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n"},
	{"te-chunked-twice", seedPost + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"},
	{"te-identity", seedPost + "Transfer-Encoding: identity\r\n\r\n"},
	{"te-empty", seedPost + "Transfer-Encoding:\r\n\r\n"},
	{"te-trailing-comma", seedPost + "Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n"},
	{"te-parameter", seedPost + "Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n"},
	{"te-xchunked", seedPost + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"},
	{"te-tab", seedPost + "Transfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n"},
	{"te-upper", seedPost + "Transfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n"},
	{"te-http10-gzip", "POST / HTTP/1.0\r\nTransfer-Encoding: gzip\r\n\r\n"},
	{"te-http10-chunked", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"},

	// Expect.
	{"expect-100", seedPost + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"},
	{"expect-other", seedPost + "Expect: 200-ok\r\n\r\n"},
	{"expect-list", seedPost + "Expect: 100-continue, foo\r\n\r\n"},

	// Chunk sizes, in a request.
	{"chunk-size-minus", seedChunk + "-5\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-plus", seedChunk + "+5\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-leading-sp", seedChunk + " 5\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-trailing-sp", seedChunk + "5 \r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-tab", seedChunk + "5\t\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-inner-sp", seedChunk + "5 5\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-0x", seedChunk + "0x5\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-16-digits", seedChunk + "0000000000000005\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-17-digits", seedChunk + "00000000000000005\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-20-digits", seedChunk + "00000000000000000005\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-overflow", seedChunk + "8000000000000000\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-overflow-18", seedChunk + "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-max", seedChunk + "7fffffffffffffff\r\nhello"},
	{"chunk-size-empty", seedChunk + "\r\nhello\r\n0\r\n\r\n"},
	{"chunk-size-bare-lf", seedChunk + "5\nhello\r\n0\r\n\r\n"},
	{"chunk-data-long", seedChunk + "5\r\nhelloX\r\n0\r\n\r\n"},
	{"chunk-data-bare-lf", seedChunk + "5\r\nhello\n0\r\n\r\n"},

	// Chunk extensions.
	{"chunk-ext", seedChunk + "5;a=b;c\r\nhello\r\n0;last\r\n\r\n"},
	{"chunk-ext-bws", seedChunk + "5 ; a=b\r\nhello\r\n0\r\n\r\n"},
	{"chunk-ext-bws-all", seedChunk + "5 \t; a = b ;c= \"d\"\r\nhello\r\n0 ;e\r\n\r\n"},
	{"chunk-ext-bws-after-semicolon", seedChunk + "5; a\r\nhello\r\n0\r\n\r\n"},
	{"chunk-ext-sp-at-end", seedChunk + "5;a \r\nhello\r\n0\r\n\r\n"},
	{"chunk-ext-quoted", seedChunk + "5;a=\"b c\\\"d\\\\\";e=\"\"\r\nhello\r\n0\r\n\r\n"},
	{"chunk-ext-quoted-open", seedChunk + "5;a=\"b\r\nhello\r\n0\r\n\r\n"},
	{"chunk-ext-quoted-ctl", seedChunk + "5;a=\"\x01\"\r\nhello\r\n0\r\n\r\n"},
	{"chunk-ext-quoted-junk", seedChunk + "5;a=\"b\"c\r\nhello\r\n0\r\n\r\n"},
	{"chunk-ext-empty", seedChunk + "5;\r\nhello\r\n0\r\n\r\n"},
	{"chunk-ext-no-name", seedChunk + "5;=x\r\nhello\r\n0\r\n\r\n"},
	{"chunk-ext-no-value", seedChunk + "5;a=\r\nhello\r\n0\r\n\r\n"},
	{"chunk-ext-cr", seedChunk + "5;a\rb\r\nhello\r\n0\r\n\r\n"},

	// Trailers.
	{"trailer", seedChunk + "5\r\nhello\r\n0\r\nX-Sum: 1\r\nServer-Timing: db;dur=53\r\n\r\n"},
	{"trailer-content-length", seedChunk + "5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n"},
	{"trailer-transfer-encoding", seedChunk + "0\r\nTransfer-Encoding: chunked\r\n\r\n"},
	{"trailer-host", seedChunk + "0\r\nX-Ok: 1\r\nHost: evil\r\n\r\n"},
	{"trailer-trailer", seedChunk + "0\r\nTrailer: X\r\n\r\n"},
	{"trailer-obs-fold", seedChunk + "0\r\nX: 1\r\n 2\r\n\r\n"},
	{"trailer-bare-lf", seedChunk + "0\r\nX: 1\n\r\n"},
	{"trailer-end-bare-lf", seedChunk + "0\r\n\n"},
	{"trailer-nul", seedChunk + "0\r\nX: \x00\r\n\r\n"},
	{"trailer-no-colon", seedChunk + "0\r\nX\r\n\r\n"},
	{"trailer-space-before-colon", seedChunk + "0\r\nX : 1\r\n\r\n"},

	// Target forms.
	{"target-query", "GET /p?a=1&b=%20 HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-fragment", "GET /a?b#c HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-fragment-path", "GET /a#c HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-absolute", "GET http://example.com:8080/p?q HTTP/1.1\r\nHost: other\r\n\r\n"},
	{"target-absolute-no-path", "GET HTTPS://ex.com?x=1 HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-absolute-ipv6", "GET http://[::1]:80/ HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-absolute-fragment", "GET http://a/b#c HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-absolute-userinfo", "GET http://u@a.b/ HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-absolute-empty-authority", "GET http:///p HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-absolute-other-scheme", "GET ftp://a/ HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-absolute-pct-authority", "GET http://%80 HTTP/1.0\r\n\r\n"},
	{"target-absolute-http10", "GET http://a.b/c HTTP/1.0\r\n\r\n"},
	{"target-authority", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
	{"target-authority-no-port", "CONNECT example.com HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-authority-long-port", "CONNECT example.com:123456 HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-authority-userinfo", "CONNECT u@h:443 HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-authority-not-connect", "GET example.com:80 HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-connect-origin", "CONNECT / HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-asterisk", "OPTIONS * HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-asterisk-get", "GET * HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"target-relative", "GET p HTTP/1.1\r\n" + seedHost + "\r\n"},

	// Sizes: the defaults (8190-byte request line and field) and, for
	// FuzzParse, its tight limits (32-byte line, 3 fields, 64-byte section).
	{"huge-request-line", "GET /" + strings.Repeat("a", DefaultMaxRequestLine) + " HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"huge-field", seedSimple + "X: " + strings.Repeat("b", DefaultMaxFieldSize) + "\r\n\r\n"},
	{"huge-field-unfinished", seedSimple + "X: " + strings.Repeat("b", DefaultMaxFieldSize)},
	{"many-fields", seedSimple + strings.Repeat("X: y\r\n", DefaultMaxHeaders) + "\r\n"},
	{"tight-request-line", "GET /" + strings.Repeat("a", 30) + " HTTP/1.0\r\n\r\n"},
	{"tight-fields", seedSimple + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n"},
	{"tight-section", seedSimple + "X: " + strings.Repeat("b", 60) + "\r\n\r\n"},

	// Pipelined requests.
	{"pipelined", "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: b\r\n\r\n"},
	{"pipelined-bodies", seedPost + "Content-Length: 2\r\n\r\nhi" + seedChunk + "2\r\nho\r\n0\r\n\r\n" + seedGet},
	{"pipelined-close", "GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" + seedGet},
	{"pipelined-http10-keep-alive", "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + seedGet},
	{"pipelined-empty-line", seedGet + "\r\n" + seedGet},
	{"pipelined-smuggled", seedPost + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n" + seedHost + "\r\n"},
	{"pipelined-bad-second", seedGet + "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n"},
	{"pipelined-unfinished", seedGet + "GET /d HT"},
	{"pipelined-upgrade", "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n" + seedGet},
}

// seedPartial is cut after every byte that ends a token, and before it,
// for the 1-byte-at-a-time shapes: input that stops anywhere.
const seedPartial = "POST /p?q HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;e=\"v\"\r\nhello\r\n0\r\nX: 1\r\n\r\n"

// seedPartials returns the prefixes of seedPartial ending just before or
// just after a delimiter.
func seedPartials() [][2]string {
	var out [][2]string
	seen := map[int]bool{}
	for i := 0; i < len(seedPartial); i++ {
		if !strings.ContainsRune(" \r\n:;=\"?/", rune(seedPartial[i])) {
			continue
		}
		for _, n := range []int{i, i + 1} {
			if n == 0 || n == len(seedPartial) || seen[n] {
				continue
			}
			seen[n] = true
			out = append(out, [2]string{fmt.Sprintf("partial-%03d", n), seedPartial[:n]})
		}
	}
	return out
}

// seedChunkBody is a chunked body seed for FuzzChunked: the body and the
// target's other arguments, two split points (taken modulo the length)
// and the body size limit (0: none).
type seedChunkBody struct {
	name    string
	in      string
	a, b    uint16
	maxBody uint16
}

// seedChunkBodies are the FuzzChunked seeds; the target runs them with
// at most 4 trailer fields in 64 bytes.
var seedChunkBodies = []seedChunkBody{
	{name: "one-chunk", in: "5\r\nhello\r\n0\r\n\r\n"},
	{name: "next-request", in: "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n"},
	{name: "size-minus", in: "-5\r\nhello\r\n0\r\n\r\n"},
	{name: "size-plus", in: "+5\r\nhello\r\n0\r\n\r\n"},
	{name: "size-leading-sp", in: " 5\r\nhello\r\n0\r\n\r\n"},
	{name: "size-trailing-sp", in: "5 \r\nhello\r\n0\r\n\r\n"},
	{name: "size-tab", in: "5\t\r\nhello\r\n0\r\n\r\n"},
	{name: "size-inner-sp", in: "5 5\r\nhello\r\n0\r\n\r\n"},
	{name: "size-0x", in: "0x5\r\nhello\r\n0\r\n\r\n"},
	{name: "size-16-digits", in: "0000000000000005\r\nhello\r\n0\r\n\r\n"},
	{name: "size-17-digits", in: "00000000000000005\r\nhello\r\n0\r\n\r\n"},
	{name: "size-overflow", in: "8000000000000000\r\n"},
	{name: "size-overflow-18", in: "ffffffffffffffffff\r\n"},
	{name: "size-max-over-limit", in: "7fffffffffffffff\r\n", maxBody: 1000},
	{name: "size-empty", in: "\r\nhello\r\n0\r\n\r\n"},
	{name: "size-bare-lf", in: "5\nhello\r\n0\r\n\r\n"},
	{name: "size-bare-cr", in: "5\rhello\r\n0\r\n\r\n"},
	{name: "size-unfinished-hex", in: "fffff"},
	{name: "size-line-too-long", in: "5;" + strings.Repeat("a", 4095) + "\r\nhello\r\n0\r\n\r\n"},
	{name: "data-long", in: "5\r\nhelloX\r\n0\r\n\r\n"},
	{name: "data-short", in: "5\r\nhell\r\n0\r\n\r\n"},
	{name: "data-bare-lf", in: "5\r\nhello\n0\r\n\r\n"},
	{name: "data-cr-cr", in: "5\r\nhello\r\r\n0\r\n\r\n"},
	{name: "ext", in: "5;a=b;c\r\nhello\r\n0;last\r\n\r\n"},
	{name: "ext-bws", in: "5 ; a=b\r\nhello\r\n0\r\n\r\n"},
	{name: "ext-bws-all", in: "5 \t; a = b ;c= \"d\"\r\nhello\r\n0 ;e\r\n\r\n"},
	{name: "ext-sp-at-end", in: "5;a \r\nhello\r\n0\r\n\r\n"},
	{name: "ext-quoted", in: "5;a=\"b c\\\"d\\\\\";e=\"\"\r\nhello\r\n0\r\n\r\n"},
	{name: "ext-quoted-open", in: "5;a=\"b\r\nhello\r\n0\r\n\r\n"},
	{name: "ext-quoted-ctl", in: "5;a=\"\x01\"\r\nhello\r\n0\r\n\r\n"},
	{name: "ext-quoted-junk", in: "5;a=\"b\"c\r\nhello\r\n0\r\n\r\n"},
	{name: "ext-empty", in: "5;\r\nhello\r\n0\r\n\r\n"},
	{name: "ext-no-name", in: "5;=x\r\nhello\r\n0\r\n\r\n"},
	{name: "ext-no-value", in: "5;a=\r\nhello\r\n0\r\n\r\n"},
	{name: "trailer", in: "0\r\nX-Sum: 1\r\nY:2 \r\n\r\n"},
	{name: "trailer-content-length", in: "5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n"},
	{name: "trailer-transfer-encoding", in: "0\r\ntransfer-encoding: chunked\r\n\r\n"},
	{name: "trailer-host", in: "0\r\nX-Ok: 1\r\nHOST: evil\r\n\r\n"},
	{name: "trailer-obs-fold", in: "0\r\nX: 1\r\n 2\r\n\r\n"},
	{name: "trailer-bare-lf", in: "0\r\nX: 1\n\r\n"},
	{name: "trailer-end-bare-lf", in: "0\r\n\n"},
	{name: "trailer-end-bare-cr", in: "0\r\n\rX"},
	{name: "trailer-nul", in: "0\r\nX: \x00\r\n\r\n"},
	{name: "trailer-no-colon", in: "0\r\nX\r\n\r\n"},
	{name: "trailer-space-before-colon", in: "0\r\nX : 1\r\n\r\n"},
	{name: "trailers-too-many", in: "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n"},
	{name: "trailers-too-large", in: "0\r\nX: " + strings.Repeat("v", 64) + "\r\n\r\n"},
	{name: "over-body-limit", in: "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", maxBody: 10},
	{name: "at-body-limit", in: "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", maxBody: 10},
	{name: "split-size-line", in: "5;e=\"v\"\r\nhello\r\n0\r\nX: 1\r\n\r\n", a: 1, b: 2},
	{name: "split-crlf", in: "5\r\nhello\r\n0\r\nX: 1\r\n\r\n", a: 2, b: 9},
	{name: "split-trailer", in: "5\r\nhello\r\n0\r\nX: 1\r\n\r\n", a: 14, b: 17},
	{name: "split-end", in: "5\r\nhello\r\n0\r\n\r\n", a: 13, b: 14},
}

// seedFile encodes values in the corpus file format of `go test -fuzz`.
func seedFile(vals ...any) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, v := range vals {
		switch v := v.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case uint16:
			fmt.Fprintf(&b, "uint16(%d)\n", v)
		default:
			panic(fmt.Sprintf("seedFile: %T", v))
		}
	}
	return b.Bytes()
}

// seedFiles returns every seed file: path under testdata/fuzz to content.
func seedFiles() map[string][]byte {
	files := map[string][]byte{}
	for _, s := range append(slices.Clone(seedRequests), seedPartials()...) {
		for _, target := range seedRequestTargets {
			files[filepath.Join(target, seedPrefix+s[0])] = seedFile([]byte(s[1]))
		}
	}
	for _, s := range seedChunkBodies {
		a, b := s.a, s.b
		if a == 0 && b == 0 {
			a, b = uint16(len(s.in)/2), uint16(len(s.in)/3)
		}
		files[filepath.Join("FuzzChunked", seedPrefix+s.name)] = seedFile([]byte(s.in), a, b, s.maxBody)
	}
	return files
}

// TestSeedCorpus checks the seed files against the lists (or, with
// -seeds.write, writes them) and that the seeds reach every error the
// package defines.
func TestSeedCorpus(t *testing.T) {
	files := seedFiles()
	root := filepath.Join("testdata", "fuzz")
	targets := append(slices.Clone(seedRequestTargets), "FuzzChunked")
	for _, target := range targets {
		dir := filepath.Join(root, target)
		entries, err := os.ReadDir(dir)
		if err != nil && !(os.IsNotExist(err) && *seedsWrite) {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := filepath.Join(target, e.Name())
			if _, ok := files[name]; ok || !strings.HasPrefix(e.Name(), seedPrefix) {
				continue
			}
			if !*seedsWrite {
				t.Errorf("%s: no such seed in seeds_test.go (run with -args -seeds.write)", name)
			} else if err := os.Remove(filepath.Join(root, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range files {
			if !yield(name) {
				return
			}
		}
	})
	for _, name := range names {
		path := filepath.Join(root, name)
		if *seedsWrite {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, files[name], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (run with -args -seeds.write)", err)
		} else if !bytes.Equal(got, files[name]) {
			t.Errorf("%s is not as seeds_test.go has it (run with -args -seeds.write)", path)
		}
	}

	// Every error of errors.go, but ErrNeedMore, comes out of a seed.
	reached := seedErrors(t)
	for _, e := range packageErrors(t) {
		if !reached[e.reason] {
			t.Errorf("no seed gives %s (%q): add one", e.name, e.reason)
		}
	}
}

// seedErrors returns the Reason of every error the seeds give, under the
// limits their fuzz targets use.
func seedErrors(t *testing.T) map[string]bool {
	reached := map[string]bool{}
	note := func(err error) {
		if e, ok := err.(*Error); ok {
			reached[e.Reason] = true
		}
	}
	tight := Limits{MaxRequestLine: 32, MaxHeaders: 3, MaxHeaderBytes: 64, MaxBodySize: 10} // as FuzzParse
	for _, s := range append(slices.Clone(seedRequests), seedPartials()...) {
		in := []byte(s[1])
		note(parseOurs(in).err)
		p := Parser{Limits: tight}
		var req Request
		n, err := p.Parse(in, &req)
		note(err)
		if err == nil && req.Chunked {
			var d ChunkedDecoder
			d.Reset(tight)
			for rest := in[n:]; ; {
				_, m, done, err := d.Decode(rest)
				rest = rest[m:]
				if err != nil || done || m == 0 {
					note(err)
					break
				}
			}
		}
	}
	for _, s := range seedChunkBodies {
		lim := Limits{MaxBodySize: int64(s.maxBody), MaxHeaders: 4, MaxHeaderBytes: 64} // as FuzzChunked
		note(decodeSplit(t, lim, []byte(s.in), nil).err)
	}
	return reached
}

type packageError struct{ name, reason string }

// packageErrors reads the *Error values errors.go declares, so that a new
// error needs a seed before the tests pass.
func packageErrors(t *testing.T) []packageError {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var errs []packageError
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, v := range vs.Values {
			u, ok := v.(*ast.UnaryExpr)
			if !ok || u.Op != token.AND {
				continue
			}
			cl, ok := u.X.(*ast.CompositeLit)
			if !ok {
				continue
			}
			if id, ok := cl.Type.(*ast.Ident); !ok || id.Name != "Error" || len(cl.Elts) != 2 {
				continue
			}
			reasonExpr := cl.Elts[1]
			for _, e := range cl.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Reason" {
						reasonExpr = kv.Value
					}
				}
			}
			lit, ok := reasonExpr.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Fatalf("errors.go: %s: reason is not a string literal", vs.Names[i].Name)
			}
			reason, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			errs = append(errs, packageError{vs.Names[i].Name, reason})
		}
		return true
	})
	if len(errs) < 10 {
		t.Fatalf("errors.go: found only %d errors: has its form changed?", len(errs))
	}
	return errs
}
