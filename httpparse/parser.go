package httpparse

import "bytes"

// maxLeadingEmptyLines is how many empty lines (CRLF) may precede a
// request line; RFC 9112 §2.2 asks servers to ignore "at least one".
const maxLeadingEmptyLines = 4

// Parser parses request lines and header sections under its Limits. It
// holds no per-request state: one Parser may serve any number of
// connections, concurrently.
type Parser struct {
	Limits Limits // zero fields mean the defaults; see Limits.WithDefaults
}

// Parse parses the request line and header section at the start of buf
// into req, which it resets first. buf may end anywhere: mid-request, or
// after the header section with body bytes or further pipelined requests
// that Parse does not look at.
//
// On success n is the length of the header section, through the CRLF
// CRLF that closes it and counting any empty lines skipped before the
// request line; n also goes into req.HeaderSize. The body, if any, starts
// at buf[n:].
//
// Limits: MaxRequestLine counts the request line without its CRLF;
// MaxHeaderBytes counts the header section after the request line,
// through the final CRLF; MaxFieldSize each field line without its CRLF;
// MaxHeaders counts field lines; MaxBodySize is
// checked against Content-Length here (a chunked body is the
// ChunkedDecoder's to check).
//
// When buf ends before the header section does, Parse returns 0 and
// ErrNeedMore: call it again with the same bytes plus more. Each call
// scans from the start of buf. Limits are enforced on incomplete input
// too, so a request line or header section that has already grown past
// its limit fails at once rather than waiting for its end. Any other
// error is an *Error; the caller should answer with StatusOf(err) and
// close the connection. After any error n is 0 and req holds nothing
// meaningful.
//
// Ownership: every []byte in req is a sub-slice of buf, valid only as
// long as buf is. Parse keeps no reference to buf or req. It does not
// allocate, except to grow req.Headers the first few times a Request is
// used.
func (p *Parser) Parse(buf []byte, req *Request) (n int, err error) {
	req.Reset()
	lim := p.Limits.WithDefaults()

	pos, err := skipEmptyLines(buf)
	if err != nil {
		return 0, err
	}

	// Request line.
	lf := bytes.IndexByte(buf[pos:], '\n')
	if lf < 0 {
		return 0, partialRequestLine(buf[pos:], &lim)
	}
	line := buf[pos : pos+lf]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
		if len(line) > lim.MaxRequestLine {
			return 0, ErrRequestLineTooLong
		}
	} else {
		if len(line) > lim.MaxRequestLine {
			return 0, ErrRequestLineTooLong
		}
		if _, err := checkMethod(line); err != nil {
			return 0, err
		}
		return 0, ErrBareLF
	}
	authority, err := parseRequestLine(line, req)
	if err != nil {
		return 0, err
	}
	pos += lf + 1

	// Header section.
	var fs fieldState
	hstart := pos
	for {
		if pos == len(buf) {
			return 0, needMoreHeaders(len(buf)-hstart, &lim)
		}
		if c := buf[pos]; c == '\r' {
			if pos+1 == len(buf) {
				return 0, needMoreHeaders(len(buf)-hstart, &lim)
			}
			if buf[pos+1] != '\n' {
				return 0, ErrBareLF
			}
			pos += 2
			if pos-hstart > lim.MaxHeaderBytes {
				return 0, ErrHeadersTooLarge
			}
			break
		} else if c == '\n' {
			return 0, ErrBareLF
		}
		lf := bytes.IndexByte(buf[pos:], '\n')
		if lf < 0 {
			err := needMoreHeaders(len(buf)-hstart, &lim)
			if err == ErrNeedMore && len(buf)-pos > lim.MaxFieldSize+1 { // +1: its CR may be in
				err = ErrFieldTooLarge
			}
			return 0, err
		}
		end := pos + lf + 1
		if end-hstart > lim.MaxHeaderBytes {
			return 0, ErrHeadersTooLarge
		}
		if lf-1 > lim.MaxFieldSize {
			return 0, ErrFieldTooLarge
		}
		if buf[pos+lf-1] != '\r' { // lf > 0: buf[pos] is not '\n'
			return 0, ErrBareLF
		}
		name, value, err := parseField(buf[pos : pos+lf-1])
		if err != nil {
			return 0, err
		}
		if len(req.Headers) >= lim.MaxHeaders {
			return 0, ErrTooManyHeaders
		}
		req.Headers = append(req.Headers, Header{Name: name, Value: value})
		if err := fs.observe(name, value); err != nil {
			return 0, err
		}
		pos = end
	}

	if err := fs.finish(req, authority, &lim); err != nil {
		return 0, err
	}
	req.HeaderSize = pos
	return pos, nil
}

// skipEmptyLines returns the offset of the request line in buf after at
// most maxLeadingEmptyLines CRLFs.
func skipEmptyLines(buf []byte) (int, error) {
	pos := 0
	for k := 0; ; k++ {
		if pos == len(buf) {
			return 0, ErrNeedMore
		}
		switch buf[pos] {
		case '\n':
			return 0, ErrBareLF
		case '\r':
		default:
			return pos, nil
		}
		if pos+1 == len(buf) {
			return 0, ErrNeedMore
		}
		if buf[pos+1] != '\n' {
			return 0, ErrBareLF
		}
		if k == maxLeadingEmptyLines {
			return 0, ErrBadRequestLine
		}
		pos += 2
	}
}

// partialRequestLine decides about a request line whose LF has not
// arrived: too long already, a method that is already invalid, or
// ErrNeedMore.
func partialRequestLine(b []byte, lim *Limits) error {
	known := len(b)
	if known > 0 && b[known-1] == '\r' {
		known-- // may be the CR of the CRLF
	}
	if known > lim.MaxRequestLine {
		return ErrRequestLineTooLong
	}
	if _, err := checkMethod(b[:known]); err != nil {
		return err
	}
	return ErrNeedMore
}

// needMoreHeaders returns ErrHeadersTooLarge when the size header bytes
// received so far already exceed the limit, else ErrNeedMore.
func needMoreHeaders(size int, lim *Limits) error {
	if size > lim.MaxHeaderBytes {
		return ErrHeadersTooLarge
	}
	return ErrNeedMore
}
