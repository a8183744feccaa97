package httpparse

import (
	"math/rand"
	"strings"
	"testing"
)

// chunkResult is what decoding a whole input gives.
type chunkResult struct {
	payload  string
	consumed int
	done     bool
	err      error
}

// decodeSplit decodes in as a caller would when the bytes arrive in
// pieces ending at the given offsets: after each arrival it calls Decode
// on the unconsumed bytes (copied into fresh memory, so the decoder cannot
// lean on earlier buffers) until it needs more input, is done, or fails.
// It checks that every data slice lies inside the buffer it was given.
func decodeSplit(t testing.TB, lim Limits, in []byte, splits []int) chunkResult {
	var d ChunkedDecoder
	d.Reset(lim)
	var r chunkResult
	var pending []byte
	fed := 0
	for _, end := range append(splits, len(in)) {
		buf := make([]byte, 0, len(pending)+end-fed)
		buf = append(append(buf, pending...), in[fed:end]...)
		fed = end
		for {
			data, n, done, err := d.Decode(buf)
			if !inside(buf, data) {
				t.Fatalf("data %q is not inside the input", data)
			}
			if n < 0 || n > len(buf) || len(data) > n {
				t.Fatalf("n = %d, len(data) = %d, len(in) = %d", n, len(data), len(buf))
			}
			r.payload += string(data)
			r.consumed += n
			buf = buf[n:]
			if err != nil {
				r.err = err
				return r
			}
			if done {
				r.done = true
				return r
			}
			if n == 0 {
				break
			}
		}
		pending = buf
	}
	return r
}

type chunkCase struct {
	name    string
	in      string
	lim     Limits
	payload string
	rest    int // bytes after the body left unconsumed when done
	done    bool
	err     error
}

var long4096 = "5;" + strings.Repeat("a", 4094) // a size line of exactly 4096 bytes

var chunkCases = []chunkCase{
	{name: "empty body", in: "0\r\n\r\n", done: true},
	{name: "one chunk", in: "5\r\nhello\r\n0\r\n\r\n", payload: "hello", done: true},
	{name: "two chunks", in: "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", payload: "hello world", done: true},
	{name: "hex sizes", in: "A\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n", payload: "0123456789abcdefghijk", done: true},
	{name: "leading zeros", in: "0005\r\nhello\r\n000\r\n\r\n", payload: "hello", done: true},
	{name: "16 digits", in: "0000000000000005\r\nhello\r\n0\r\n\r\n", payload: "hello", done: true},
	{name: "CRLF in data", in: "4\r\n\r\n\r\n\r\n0\r\n\r\n", payload: "\r\n\r\n", done: true},
	{name: "binary data", in: "3\r\n\x00\xff\n\r\n0\r\n\r\n", payload: "\x00\xff\n", done: true},
	{name: "extensions", in: "5;foo=bar;baz\r\nhello\r\n0;last\r\n\r\n", payload: "hello", done: true},
	{name: "quoted extension", in: "5;a=\"b c\\\"d\\\\\";e=\"\"\r\nhello\r\n0\r\n\r\n", payload: "hello", done: true},
	{name: "size line at limit", in: long4096 + "\r\nhello\r\n0\r\n\r\n", payload: "hello", done: true},
	{name: "trailers", in: "5\r\nhello\r\n0\r\nX-Sum: 1\r\nY:2 \r\n\r\n", payload: "hello", done: true},
	{name: "next request follows", in: "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n", payload: "hello", done: true, rest: 16},
	{name: "incomplete data", in: "5\r\nhel", payload: "hel"},
	{name: "incomplete size line", in: "5\r\nhello\r\n1", payload: "hello"},
	{name: "incomplete trailers", in: "5\r\nhello\r\n0\r\nX: 1\r\n", payload: "hello"},
	{name: "incomplete end", in: "0\r\n\r"},
	{name: "at body limit", in: "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", lim: Limits{MaxBodySize: 10}, payload: "helloworld", done: true},

	{name: "no size", in: "\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "not hex", in: "x\r\n", err: ErrBadChunk},
	{name: "leading space", in: " 5\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "trailing space", in: "5 \r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "space before ext", in: "5 ;a\r\nhello\r\n0\r\n\r\n", payload: "hello", done: true},
	{name: "space after semicolon", in: "5; a\r\nhello\r\n0\r\n\r\n", payload: "hello", done: true},
	{name: "BWS everywhere", in: "5 \t; a = b ;c= \"d\"\r\nhello\r\n0 ;e\r\n\r\n", payload: "hello", done: true},
	{name: "space after ext", in: "5;a \r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "space around nothing", in: "5; \r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "space inside size", in: "5 5\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "tab", in: "5\t\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "minus", in: "-5\r\n", err: ErrBadChunk},
	{name: "plus", in: "+5\r\n", err: ErrBadChunk},
	{name: "0x prefix", in: "0x5\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "17 digits", in: "00000000000000005\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "overflow int64", in: "8000000000000000\r\n", err: ErrBadChunk},
	{name: "max int64 over body limit", in: "7fffffffffffffff\r\n", lim: Limits{MaxBodySize: 1 << 30}, err: ErrBodyTooLarge},
	{name: "size bare LF", in: "5\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "size bare CR", in: "5\rhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "data too long", in: "5\r\nhelloX\r\n0\r\n\r\n", payload: "hello", err: ErrBadChunk},
	{name: "data too short", in: "5\r\nhell\r\n0\r\n\r\n", payload: "hell\r", err: ErrBadChunk},
	{name: "data bare LF", in: "5\r\nhello\n0\r\n\r\n", payload: "hello", err: ErrBadChunk},
	{name: "data CR CR", in: "5\r\nhello\r\r\n0\r\n\r\n", payload: "hello", err: ErrBadChunk},
	{name: "empty ext name", in: "5;\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "ext no name", in: "5;=x\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "ext empty value", in: "5;a=\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "ext bad value", in: "5;a=b c\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "ext unterminated quote", in: "5;a=\"b\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "ext CTL in quote", in: "5;a=\"\x01\"\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "ext junk after quote", in: "5;a=\"b\"c\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "size line too long", in: long4096 + "a\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "endless size line", in: "5;" + strings.Repeat("a", 5000), err: ErrBadChunk},
	{name: "over body limit", in: "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", lim: Limits{MaxBodySize: 10}, payload: "hello", err: ErrBodyTooLarge},
	{name: "first chunk over body limit", in: "b\r\nhello world\r\n0\r\n\r\n", lim: Limits{MaxBodySize: 10}, err: ErrBodyTooLarge},
	{name: "trailer bad value", in: "5\r\nhello\r\n0\r\nX: \x00\r\n\r\n", payload: "hello", err: ErrBadHeaderValue},
	{name: "trailer Content-Length", in: "5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n", payload: "hello", err: ErrForbiddenTrailer},
	{name: "trailer Transfer-Encoding", in: "0\r\ntransfer-encoding: chunked\r\n\r\n", err: ErrForbiddenTrailer},
	{name: "trailer Host", in: "0\r\nX-Ok: 1\r\nHOST: evil\r\n\r\n", err: ErrForbiddenTrailer},
	{name: "trailer Authorization", in: "0\r\nAuthorization: Basic x\r\n\r\n", err: ErrForbiddenTrailer},
	{name: "trailer Trailer", in: "0\r\nTrailer: X\r\n\r\n", err: ErrForbiddenTrailer},
	{name: "trailer allowed", in: "0\r\nServer-Timing: db;dur=53\r\nX-Checksum: abc\r\n\r\n", done: true},
	{name: "trailer obs-fold", in: "0\r\nX: 1\r\n 2\r\n\r\n", err: ErrObsFold},
	{name: "trailer no colon", in: "0\r\nX\r\n\r\n", err: ErrMissingColon},
	{name: "trailer space before colon", in: "0\r\nX : 1\r\n\r\n", err: ErrSpaceBeforeColon},
	{name: "trailer bare LF", in: "0\r\nX: 1\n\r\n", err: ErrBareLF},
	{name: "end bare LF", in: "0\r\n\n", err: ErrBareLF},
	{name: "end bare CR", in: "0\r\n\rX", err: ErrBareLF},
	{name: "too many trailers", in: "0\r\nA: 1\r\nB: 2\r\n\r\n", lim: Limits{MaxHeaders: 1}, err: ErrTooManyHeaders},
	{name: "trailers at count limit", in: "0\r\nA: 1\r\n\r\n", lim: Limits{MaxHeaders: 1}, done: true},
	// "A: 1\r\n\r\n" is 8 bytes.
	{name: "trailers at size limit", in: "0\r\nA: 1\r\n\r\n", lim: Limits{MaxHeaderBytes: 8}, done: true},
	{name: "trailers over size limit", in: "0\r\nA: 1\r\n\r\n", lim: Limits{MaxHeaderBytes: 7}, err: ErrHeadersTooLarge},
	{name: "trailer line over size limit", in: "0\r\nA: 1234567890", lim: Limits{MaxHeaderBytes: 7}, err: ErrHeadersTooLarge},
}

func checkChunkCase(t *testing.T, tc chunkCase, how string, got chunkResult) {
	t.Helper()
	want := chunkResult{payload: tc.payload, done: tc.done, err: tc.err}
	if tc.done {
		want.consumed = len(tc.in) - tc.rest
	}
	if got.payload != want.payload || got.done != want.done || got.err != want.err ||
		(want.done && got.consumed != want.consumed) {
		t.Fatalf("%s: got payload %q done %v err %v consumed %d; want %q %v %v %d",
			how, got.payload, got.done, got.err, got.consumed, want.payload, want.done, want.err, want.consumed)
	}
}

func TestChunked(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, tc := range chunkCases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			checkChunkCase(t, tc, "whole", decodeSplit(t, tc.lim, in, nil))

			bytewise := make([]int, 0, len(in))
			for i := 1; i < len(in); i++ {
				bytewise = append(bytewise, i)
			}
			checkChunkCase(t, tc, "byte by byte", decodeSplit(t, tc.lim, in, bytewise))

			for i := 1; i < len(in); i++ {
				checkChunkCase(t, tc, "two pieces", decodeSplit(t, tc.lim, in, []int{i}))
			}
			for k := 0; k < 50; k++ {
				var splits []int
				for i := 1; i < len(in); i++ {
					if rng.Intn(4) == 0 {
						splits = append(splits, i)
					}
				}
				checkChunkCase(t, tc, "random pieces", decodeSplit(t, tc.lim, in, splits))
			}
		})
	}
}

func TestChunkedSticky(t *testing.T) {
	var d ChunkedDecoder // zero value: default limits
	if _, _, _, err := d.Decode([]byte("zz\r\n")); err != ErrBadChunk {
		t.Fatalf("err = %v", err)
	}
	if _, n, _, err := d.Decode([]byte("0\r\n\r\n")); err != ErrBadChunk || n != 0 {
		t.Fatalf("after an error: n = %d, err = %v", n, err)
	}
	d.Reset(Limits{})
	if _, n, done, err := d.Decode([]byte("0\r\n\r\nX")); err != nil || !done || n != 5 || !d.Done() {
		t.Fatalf("after Reset: n = %d done = %v err = %v", n, done, err)
	}
	if data, n, done, err := d.Decode([]byte("X")); err != nil || !done || n != 0 || data != nil {
		t.Fatalf("after done: n = %d done = %v err = %v", n, done, err)
	}
}

// TestChunkedSizeOnly checks the documented case of a call that consumes
// a size line but returns no data.
func TestChunkedSizeOnly(t *testing.T) {
	var d ChunkedDecoder
	d.Reset(Limits{})
	data, n, done, err := d.Decode([]byte("5\r\n"))
	if err != nil || done || n != 3 || len(data) != 0 {
		t.Fatalf("data %q n %d done %v err %v", data, n, done, err)
	}
	data, n, done, err = d.Decode([]byte("hel"))
	if err != nil || done || n != 3 || string(data) != "hel" {
		t.Fatalf("data %q n %d done %v err %v", data, n, done, err)
	}
	data, n, _, err = d.Decode([]byte("lo\r"))
	if err != nil || n != 2 || string(data) != "lo" {
		t.Fatalf("data %q n %d err %v", data, n, err)
	}
	data, n, _, err = d.Decode([]byte("\r"))
	if err != nil || n != 0 || data != nil {
		t.Fatalf("data %q n %d err %v", data, n, err)
	}
}
