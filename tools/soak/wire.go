package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxResponseBody bounds a response body the client reads (the largest the
// soak app sends is a few MiB).
const maxResponseBody = 64 << 20

// errFraming is a response the client cannot parse: a broken status line,
// header or chunk framing.
var errFraming = errors.New("bad response framing")

// response is one parsed HTTP/1.x response. Body is owned by the
// response.
type response struct {
	Proto   string // "HTTP/1.1"
	Status  int
	Header  []headerField // in order received, names as sent
	Body    []byte
	Chunked bool // the body came with Transfer-Encoding: chunked
	Close   bool // the server ends the connection after it
}

// headerField is one response header line.
type headerField struct{ Name, Value string }

// Get returns the first value of the header named name (case-insensitive)
// and whether it was present.
func (r *response) Get(name string) (string, bool) {
	for _, f := range r.Header {
		if strings.EqualFold(f.Name, name) {
			return f.Value, true
		}
	}
	return "", false
}

// readResponse reads one response from br: the status line, the header
// section and the body, framed as RFC 9112 section 6.3 says for a
// request with method method (HEAD: no body). A 1xx response is returned
// as it is (no body); the caller reads the final one next. A body without
// Content-Length or chunked coding is read to the end of the connection.
func readResponse(br *bufio.Reader, method string) (*response, error) {
	line, err := readLine(br)
	if err != nil {
		return nil, err
	}
	r := &response{}
	proto, rest, ok := strings.Cut(line, " ")
	if !ok || (proto != "HTTP/1.1" && proto != "HTTP/1.0") || len(rest) < 3 {
		return nil, fmt.Errorf("%w: status line %q", errFraming, clip(line))
	}
	r.Proto = proto
	code, err := strconv.Atoi(rest[:3])
	if err != nil || code < 100 || code > 999 || (len(rest) > 3 && rest[3] != ' ') {
		return nil, fmt.Errorf("%w: status line %q", errFraming, clip(line))
	}
	r.Status = code
	if err := readHeader(br, &r.Header); err != nil {
		return nil, err
	}
	conn := r.getAll("Connection")
	r.Close = hasToken(conn, "close") || (proto == "HTTP/1.0" && !hasToken(conn, "keep-alive"))
	if code < 200 || code == 204 || code == 304 || method == "HEAD" {
		return r, nil
	}
	if te, ok := r.Get("Transfer-Encoding"); ok {
		if !strings.EqualFold(strings.TrimSpace(te), "chunked") {
			return nil, fmt.Errorf("%w: Transfer-Encoding %q", errFraming, te)
		}
		r.Chunked = true
		r.Body, err = readChunked(br)
		return r, err
	}
	if cl, ok := r.Get("Content-Length"); ok {
		n, err := strconv.ParseInt(cl, 10, 64)
		if err != nil || n < 0 || n > maxResponseBody {
			return nil, fmt.Errorf("%w: Content-Length %q", errFraming, cl)
		}
		r.Body = make([]byte, n)
		if _, err := io.ReadFull(br, r.Body); err != nil {
			return nil, noEOF(err)
		}
		return r, nil
	}
	r.Close = true // delimited by the end of the connection
	r.Body, err = io.ReadAll(io.LimitReader(br, maxResponseBody+1))
	if err == nil && len(r.Body) > maxResponseBody {
		err = fmt.Errorf("%w: body over %d bytes", errFraming, maxResponseBody)
	}
	return r, err
}

// getAll joins the values of every header named name with commas.
func (r *response) getAll(name string) string {
	var vs []string
	for _, f := range r.Header {
		if strings.EqualFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return strings.Join(vs, ",")
}

// readHeader reads header lines up to the empty line that ends them.
func readHeader(br *bufio.Reader, h *[]headerField) error {
	for n := 0; ; n++ {
		line, err := readLine(br)
		if err != nil {
			return noEOF(err)
		}
		if line == "" {
			return nil
		}
		if n > 200 {
			return fmt.Errorf("%w: over 200 header lines", errFraming)
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return fmt.Errorf("%w: header line %q", errFraming, clip(line))
		}
		*h = append(*h, headerField{name, strings.TrimSpace(value)})
	}
}

// readChunked decodes a chunked body, extensions and trailers dropped.
func readChunked(br *bufio.Reader) ([]byte, error) {
	var body []byte
	for {
		line, err := readLine(br)
		if err != nil {
			return nil, noEOF(err)
		}
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 || int64(len(body))+n > maxResponseBody {
			return nil, fmt.Errorf("%w: chunk size line %q", errFraming, clip(line))
		}
		if n == 0 {
			var trailers []headerField
			return body, readHeader(br, &trailers)
		}
		start := len(body)
		body = append(body, make([]byte, n)...)
		if _, err := io.ReadFull(br, body[start:]); err != nil {
			return nil, noEOF(err)
		}
		if crlf, err := readLine(br); err != nil || crlf != "" {
			if err != nil {
				return nil, noEOF(err)
			}
			return nil, fmt.Errorf("%w: chunk data longer than its size", errFraming)
		}
	}
}

// readLine reads one CRLF-terminated line (bounded to 64 KiB) without its
// CRLF; a bare LF is a framing error, since the server must send CRLF.
func readLine(br *bufio.Reader) (string, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		line = append(line, frag...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			if len(line) > 0 {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		if len(line) > 64<<10 {
			return "", fmt.Errorf("%w: line over 64 KiB", errFraming)
		}
	}
	if !bytes.HasSuffix(line, []byte("\r\n")) {
		return "", fmt.Errorf("%w: line %q not ended by CRLF", errFraming, clip(string(line)))
	}
	return string(line[:len(line)-2]), nil
}

// noEOF turns an io.EOF met inside a response into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
