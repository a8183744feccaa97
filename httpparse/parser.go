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
// scans from the start of buf; Resume does not. Limits are enforced on
// incomplete input too, so a request line or header section that has
// already grown past its limit fails at once rather than waiting for its
// end. Any other error is an *Error; the caller should answer with
// StatusOf(err) and close the connection. After any error n is 0 and req
// holds nothing meaningful.
//
// Ownership: every []byte in req is a sub-slice of buf, valid only as
// long as buf is. Parse keeps no reference to buf or req. It does not
// allocate, except to grow req.Headers the first few times a Request is
// used.
func (p *Parser) Parse(buf []byte, req *Request) (n int, err error) {
	var pr Progress
	return p.Resume(buf, req, &pr)
}

// Resume is Parse for a head that arrives in pieces: pr remembers how far
// earlier calls got, so that every byte is scanned once however the head
// is segmented. The first call of a request has a zero pr (or one Reset);
// after ErrNeedMore, call again with the same bytes plus more (buf may
// have moved: req's slices are moved along) and the same req and pr.
// Once Resume returns anything else, the next call starts a new request;
// after success, Follow keeps req valid while its body arrives.
//
// Ownership: pr and req keep sub-slices of buf between calls; they stay
// valid because the next call's buf starts with the same bytes.
func (p *Parser) Resume(buf []byte, req *Request, pr *Progress) (n int, err error) {
	if !pr.started {
		req.Reset()
		*pr = Progress{started: true}
	} else {
		pr.rebase(buf, req)
	}
	n, err = p.resume(buf, req, pr)
	if err == ErrNeedMore {
		pr.mark(buf)
		return 0, err
	}
	*pr = Progress{}
	if err == nil {
		pr.mark(buf) // for Follow
	}
	return n, err
}

// resume parses from where pr says.
func (p *Parser) resume(buf []byte, req *Request, pr *Progress) (int, error) {
	lim := p.Limits.WithDefaults()
	if !pr.lineDone {
		if err := requestLine(buf, req, pr, &lim); err != nil {
			return 0, err
		}
	}
	pos := pr.pos
	for {
		if pos == len(buf) {
			return 0, needMoreHeaders(len(buf)-pr.hstart, &lim)
		}
		if c := buf[pos]; c == '\r' {
			if pos+1 == len(buf) {
				return 0, needMoreHeaders(len(buf)-pr.hstart, &lim)
			}
			if buf[pos+1] != '\n' {
				return 0, ErrBareLF
			}
			pos += 2
			if pos-pr.hstart > lim.MaxHeaderBytes {
				return 0, ErrHeadersTooLarge
			}
			break
		} else if c == '\n' {
			return 0, ErrBareLF
		}
		end, err := fieldLine(buf, pos, req, pr, &lim)
		if err != nil || end == 0 {
			return 0, err
		}
		pos = end
		pr.pos, pr.scan = pos, pos
	}
	if err := pr.fs.finish(req, pr.authority, &lim); err != nil {
		return 0, err
	}
	req.HeaderSize = pos
	return pos, nil
}

// requestLine parses the request line, after any empty lines, into req
// and moves pr past it; ErrNeedMore when its LF has not arrived (after
// checking what has).
func requestLine(buf []byte, req *Request, pr *Progress, lim *Limits) error {
	pos, err := skipEmptyLines(buf)
	if err != nil {
		return err
	}
	from := max(pos, pr.scan)
	pr.scanned += int64(len(buf) - from)
	lf := bytes.IndexByte(buf[from:], '\n')
	if lf < 0 {
		pr.scan = len(buf)
		return partialRequestLine(buf[pos:], pr, lim)
	}
	lf += from - pos
	line := buf[pos : pos+lf]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
		if len(line) > lim.MaxRequestLine {
			return ErrRequestLineTooLong
		}
	} else {
		if len(line) > lim.MaxRequestLine {
			return ErrRequestLineTooLong
		}
		if _, err := checkMethod(line); err != nil {
			return err
		}
		return ErrBareLF
	}
	if pr.authority, err = parseRequestLine(line, req); err != nil {
		return err
	}
	pr.lineDone = true
	pr.pos = pos + lf + 1
	pr.scan, pr.hstart = pr.pos, pr.pos
	return nil
}

// fieldLine parses the field line at buf[pos:] into req and returns the
// offset after it, or 0 when its LF has not arrived (with ErrNeedMore or
// a limit already exceeded).
func fieldLine(buf []byte, pos int, req *Request, pr *Progress, lim *Limits) (int, error) {
	from := max(pos, pr.scan)
	pr.scanned += int64(len(buf) - from)
	lf := bytes.IndexByte(buf[from:], '\n')
	if lf < 0 {
		pr.scan = len(buf)
		err := needMoreHeaders(len(buf)-pr.hstart, lim)
		if err == ErrNeedMore && len(buf)-pos > lim.MaxFieldSize+1 { // +1: its CR may be in
			err = ErrFieldTooLarge
		}
		return 0, err
	}
	lf += from - pos
	end := pos + lf + 1
	if end-pr.hstart > lim.MaxHeaderBytes {
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
	if err := pr.fs.observe(name, value); err != nil {
		return 0, err
	}
	return end, nil
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
// ErrNeedMore. The method is checked from where the last call stopped.
func partialRequestLine(b []byte, pr *Progress, lim *Limits) error {
	known := len(b)
	if known > 0 && b[known-1] == '\r' {
		known-- // may be the CR of the CRLF
	}
	if known > lim.MaxRequestLine {
		return ErrRequestLineTooLong
	}
	if pr.methodDone {
		return ErrNeedMore
	}
	m, err := checkMethod(b[pr.method:known])
	if err != nil {
		if err == ErrBadRequestLine && pr.method > 0 {
			err = nil // a SP after the method's first bytes: the method ends there
		} else {
			return err
		}
	}
	pr.method += m
	pr.methodDone = pr.method < known
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
