package httpparse

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// resumeBytewise feeds in to Resume one byte more at a time. With move
// set, every call gets a fresh copy of the bytes so far, as when a
// connection's buffer grows elsewhere. It returns what the call that did
// not need more returned, the buffer of that call, and the bytes searched
// up to the last ErrNeedMore.
func resumeBytewise(p *Parser, in string, req *Request, move bool) (n int, buf []byte, scanned int64, err error) {
	var pr Progress
	grow := make([]byte, 0, len(in))
	for i := 1; i <= len(in); i++ {
		grow = append(grow, in[i-1])
		buf = grow
		if move {
			buf = bytes.Clone(grow)
		}
		n, err = p.Resume(buf, req, &pr)
		if err != ErrNeedMore {
			return n, buf, scanned, err
		}
		scanned = pr.scanned
	}
	return n, buf, scanned, err
}

// TestResumeSegmented feeds every table case one byte at a time, in one
// buffer and in a buffer that moves at every call: the outcome is what
// Parse gives for the whole input, and req points into the last buffer.
func TestResumeSegmented(t *testing.T) {
	for _, tc := range parseCases {
		p := Parser{Limits: tc.lim}
		var whole Request
		wn, werr := p.Parse([]byte(tc.in+tc.rest), &whole)
		want := describe(&whole) + " " + headerList(&whole)
		for _, move := range []bool{false, true} {
			var req Request
			n, buf, _, err := resumeBytewise(&p, tc.in+tc.rest, &req, move)
			if err != werr || n != wn {
				t.Errorf("%s (move %v): n = %d, err = %v; Parse gives %d, %v", tc.name, move, n, err, wn, werr)
				continue
			}
			if err != nil {
				continue
			}
			if got := describe(&req) + " " + headerList(&req); got != want {
				t.Errorf("%s (move %v):\ngot  %s\nwant %s", tc.name, move, got, want)
			}
			checkInside(t, buf, &req)
		}
	}
}

// bigHead is a request head of about size bytes: many ordinary fields and
// one long one.
func bigHead(size int) string {
	var b strings.Builder
	b.WriteString("GET /" + strings.Repeat("p", 1000) + "?q=1 HTTP/1.1\r\nHost: example.com\r\n")
	for i := 0; b.Len() < size/2; i++ {
		b.WriteString("X-Field-" + strconv.Itoa(i) + ": " + strings.Repeat("v", 80) + "\r\n")
	}
	b.WriteString("X-Long: " + strings.Repeat("l", size-b.Len()-12) + "\r\n\r\n")
	return b.String()
}

// TestResumeLinear counts the work of a head that arrives one byte per
// segment: every byte is searched about once (Parse alone would search
// the whole head again for each byte: n²/2).
func TestResumeLinear(t *testing.T) {
	p := Parser{Limits: Limits{MaxHeaderBytes: 1 << 20, MaxFieldSize: -1, MaxHeaders: 1000}}
	for _, size := range []int{8 << 10, 64 << 10} {
		head := bigHead(size)
		var req Request
		n, _, scanned, err := resumeBytewise(&p, head, &req, false)
		if err != nil || n != len(head) {
			t.Fatalf("%d bytes: n = %d, err = %v", len(head), n, err)
		}
		if scanned > int64(2*len(head)) {
			t.Errorf("%d-byte head, one byte at a time: %d bytes searched, want about %d", len(head), scanned, len(head))
		}
	}
}

// TestChunkedLinear counts the work of a 1 MiB chunked body with long
// extension lines and a long trailer, one byte at a time.
func TestChunkedLinear(t *testing.T) {
	var body strings.Builder
	ext := ";" + strings.Repeat("e", 3000)
	for body.Len() < 1<<20 {
		body.WriteString("400" + ext + "\r\n" + strings.Repeat("d", 0x400) + "\r\n")
	}
	body.WriteString("0\r\nX-Trailer: " + strings.Repeat("t", 30000) + "\r\n\r\n")
	in := []byte(body.String())
	d := ChunkedDecoder{}
	d.Reset(Limits{})
	start, end, payload := 0, 1, 0
	for {
		data, n, done, err := d.Decode(in[start:end])
		if err != nil {
			t.Fatal(err)
		}
		payload += len(data)
		start += n
		if done {
			break
		}
		if n == 0 && len(data) == 0 {
			end++
		}
	}
	if start != len(in) {
		t.Fatalf("consumed %d of %d", start, len(in))
	}
	if d.scanned > int64(len(in)) {
		t.Errorf("%d-byte body, one byte at a time: %d bytes searched for line ends, want at most the body's size", len(in), d.scanned)
	}
}

// BenchmarkResumeBytewise64KiB is the cost of a 64 KiB head arriving one
// byte per read.
func BenchmarkResumeBytewise64KiB(b *testing.B) {
	p := Parser{Limits: Limits{MaxHeaderBytes: 1 << 20, MaxFieldSize: -1, MaxHeaders: 1000}}
	head := bigHead(64 << 10)
	var req Request
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		if _, _, _, err := resumeBytewise(&p, head, &req, false); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFollow moves a parsed request along with its buffer while its body
// arrives.
func TestFollow(t *testing.T) {
	var p Parser
	var pr Progress
	var req Request
	head := "POST /f?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 4\r\n\r\n"
	buf := []byte(head + "ab")
	n, err := p.Resume(buf, &req, &pr)
	if err != nil || n != len(head) {
		t.Fatalf("n = %d, err = %v", n, err)
	}
	want := describe(&req) + " " + headerList(&req)
	moved := []byte(head + "abcd")
	for i := range buf {
		buf[i] = 'X' // the old buffer is reused for something else
	}
	pr.Follow(moved, &req)
	checkInside(t, moved, &req)
	if got := describe(&req) + " " + headerList(&req); got != want {
		t.Fatalf("after Follow:\ngot  %s\nwant %s", got, want)
	}
	pr.Follow(moved, &req) // not moved again: nothing changes
	checkInside(t, moved, &req)
	if _, err := p.Resume([]byte("GET / HTTP/1.0\r\n\r\n"), &req, &pr); err != nil {
		t.Fatalf("the next request: %v", err)
	}
}
