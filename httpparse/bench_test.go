package httpparse

import (
	"strconv"
	"strings"
	"testing"
)

// Requests as real clients send them.
const (
	wrkGET = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"

	curlGET = "GET /api/items?page=2 HTTP/1.1\r\nHost: localhost:8000\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"

	browserGET = "GET /static/app.js?v=3 HTTP/1.1\r\n" +
		"Host: www.example.com\r\n" +
		"Connection: keep-alive\r\n" +
		"sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
		"sec-ch-ua-mobile: ?0\r\n" +
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
		"sec-ch-ua-platform: \"Linux\"\r\n" +
		"Accept: */*\r\n" +
		"Sec-Fetch-Site: same-origin\r\n" +
		"Sec-Fetch-Mode: no-cors\r\n" +
		"Sec-Fetch-Dest: script\r\n" +
		"Referer: https://www.example.com/\r\n" +
		"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
		"Accept-Language: en-US,en;q=0.9,fr;q=0.8\r\n" +
		"Cookie: session=8f2c1e0a9b7d4c3e; theme=dark; _ga=GA1.2.1234567890.1700000000\r\n" +
		"\r\n"

	postHeader = "POST /api/v1/orders HTTP/1.1\r\n" +
		"Host: api.example.com\r\n" +
		"User-Agent: python-requests/2.31.0\r\n" +
		"Accept-Encoding: gzip, deflate\r\n" +
		"Accept: application/json\r\n" +
		"Connection: keep-alive\r\n" +
		"Content-Type: application/json\r\n" +
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\r\n" +
		"Content-Length: 27\r\n" +
		"\r\n"
)

func benchParse(b *testing.B, raw string) {
	buf := []byte(raw)
	var p Parser
	var req Request
	if _, err := p.Parse(buf, &req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.Parse(buf, &req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseWrkGET(b *testing.B)     { benchParse(b, wrkGET) }
func BenchmarkParseCurlGET(b *testing.B)    { benchParse(b, curlGET) }
func BenchmarkParseBrowserGET(b *testing.B) { benchParse(b, browserGET) }
func BenchmarkParsePOSTHeader(b *testing.B) { benchParse(b, postHeader) }

// chunkedBody returns size bytes of payload encoded in chunks of chunk
// bytes, with an extension on the first chunk and a trailer field.
func chunkedBody(size, chunk int) (body []byte, payload []byte) {
	var sb strings.Builder
	for i := 0; i < size; i++ {
		payload = append(payload, byte('a'+i%26))
	}
	for off := 0; off < size; off += chunk {
		end := min(off+chunk, size)
		sb.WriteString(strconv.FormatInt(int64(end-off), 16))
		if off == 0 {
			sb.WriteString(";name=\"value\"")
		}
		sb.WriteString("\r\n")
		sb.Write(payload[off:end])
		sb.WriteString("\r\n")
	}
	sb.WriteString("0\r\nX-Checksum: 42\r\n\r\n")
	return []byte(sb.String()), payload
}

// decodeAll decodes a complete body and returns the payload byte count.
func decodeAll(d *ChunkedDecoder, in []byte) (int, error) {
	total := 0
	for {
		data, n, done, err := d.Decode(in)
		if err != nil {
			return total, err
		}
		total += len(data)
		in = in[n:]
		if done || n == 0 {
			return total, nil
		}
	}
}

func BenchmarkChunked64KiB(b *testing.B) {
	body, payload := chunkedBody(64<<10, 4<<10)
	var d ChunkedDecoder
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		d.Reset(Limits{})
		if n, err := decodeAll(&d, body); err != nil || n != len(payload) || !d.Done() {
			b.Fatalf("n = %d, err = %v", n, err)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	for _, raw := range []string{wrkGET, curlGET, browserGET, postHeader} {
		buf := []byte(raw)
		var p Parser
		var req Request
		if _, err := p.Parse(buf, &req); err != nil { // warms req.Headers
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := p.Parse(buf, &req); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Parse of %.20q allocates %v times", raw, allocs)
		}
	}
	// Errors and ErrNeedMore allocate nothing either.
	var p Parser
	var req Request
	for _, raw := range []string{browserGET[:100], "GET / HTTP/1.1\r\nHost: a\r\nX: \x00\r\n\r\n", "GET / HTTP/9.9\r\n\r\n"} {
		buf := []byte(raw)
		if allocs := testing.AllocsPerRun(100, func() { _, _ = p.Parse(buf, &req) }); allocs != 0 {
			t.Errorf("Parse of %.20q allocates %v times", raw, allocs)
		}
	}
}

func TestChunkedAllocs(t *testing.T) {
	body, payload := chunkedBody(64<<10, 4<<10)
	var d ChunkedDecoder
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset(Limits{})
		if n, err := decodeAll(&d, body); err != nil || n != len(payload) {
			t.Fatalf("n = %d, err = %v", n, err)
		}
	})
	if allocs != 0 {
		t.Errorf("Decode allocates %v times", allocs)
	}
	// Byte by byte, through every state.
	allocs = testing.AllocsPerRun(10, func() {
		d.Reset(Limits{})
		start := 0
		for end := 1; end <= len(body) && !d.Done(); end++ {
			for {
				_, n, done, err := d.Decode(body[start:end])
				if err != nil {
					t.Fatal(err)
				}
				start += n
				if done || n == 0 {
					break
				}
			}
		}
	})
	if allocs != 0 {
		t.Errorf("byte-by-byte Decode allocates %v times", allocs)
	}
}

func TestChunkedBodyHelper(t *testing.T) {
	body, payload := chunkedBody(10000, 4096)
	got := decodeSplit(t, Limits{}, body, nil)
	if got.err != nil || !got.done || got.payload != string(payload) || got.consumed != len(body) {
		t.Fatalf("err %v done %v consumed %d of %d", got.err, got.done, got.consumed, len(body))
	}
}
