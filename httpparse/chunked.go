package httpparse

import (
	"bytes"
	"math"
)

// maxChunkLine bounds a chunk-size line, extensions included, CRLF
// excluded.
const maxChunkLine = 4096

// maxChunkSizeDigits is the most hex digits a chunk size may have.
const maxChunkSizeDigits = 16

// The states of a ChunkedDecoder.
const (
	chunkSize     uint8 = iota // expecting a chunk-size line
	chunkData                  // inside a chunk's data
	chunkDataCRLF              // expecting the CRLF after a chunk's data
	chunkTrailer               // inside the trailer section
	chunkDone                  // last chunk and trailer section consumed
)

// ChunkedDecoder decodes a chunked request body (RFC 9112 §7.1)
// incrementally and without copying. The zero value is ready to use with
// default Limits; Reset prepares it for a new body.
//
// It checks the chunk sizes (1 to 16 hex digits, no sign, no whitespace
// inside), the chunk extensions (whitespace allowed around ';' and '=' as
// RFC 9112's BWS; accepted and ignored; a size line may be at most 4096
// bytes), the CRLF after each chunk's data, and the trailer fields, which
// follow the header field rules and limits (MaxHeaders, MaxHeaderBytes).
// A trailer field that may not be one (framing, routing, request
// modifiers, authentication, content metadata: see forbiddenTrailers) is
// ErrForbiddenTrailer; the others are discarded, since a WSGI app has no
// place to see them. The payload may total at most Limits.MaxBodySize
// bytes when that is positive.
//
// However the body is segmented, each byte is searched once: a line that
// arrives in pieces is searched from where the last call stopped.
//
// A ChunkedDecoder keeps no reference to the bytes it is given.
type ChunkedDecoder struct {
	limits       Limits
	state        uint8
	remaining    int64 // data bytes left in the current chunk
	total        int64 // payload bytes announced so far
	trailers     int   // trailer fields so far
	trailerBytes int   // trailer section bytes so far
	scan         int   // bytes of the current line known to hold no LF
	scanned      int64 // bytes searched for line ends, for tests of the work done
	err          error // sticky
}

// Reset prepares d for a new body under l (zero fields mean the defaults).
func (d *ChunkedDecoder) Reset(l Limits) {
	*d = ChunkedDecoder{limits: l.WithDefaults()}
}

// Decode consumes the start of in, the body bytes that follow what
// earlier calls consumed (the caller keeps unconsumed bytes and appends
// new arrivals to them). It returns:
//
//   - n, the number of bytes of in consumed; the next call gets in[n:]
//     plus whatever has arrived since;
//   - data, payload bytes: a sub-slice of in (hence valid as long as in
//     is), possibly empty even when n > 0, for instance when only a
//     size line was consumed;
//   - done, true once the last chunk and the trailer section have been
//     consumed; n then counts through the final CRLF and in[n:] is the
//     next request;
//   - err, an *Error when the body is malformed or too large. Errors are
//     sticky: later calls return the same error. The connection should
//     then be closed.
//
// Call Decode again on in[n:] while it returns n > 0 and done is false; n
// == 0 with no data means it needs more input. Decode does not allocate.
func (d *ChunkedDecoder) Decode(in []byte) (data []byte, n int, done bool, err error) {
	if d.err != nil {
		return nil, 0, false, d.err
	}
	if d.limits.MaxHeaders == 0 {
		d.limits = d.limits.WithDefaults()
	}
	for {
		switch d.state {
		case chunkSize:
			m, err := d.sizeLine(in[n:])
			if err != nil {
				return d.fail(err)
			}
			if m == 0 {
				return nil, n, false, nil
			}
			n += m
		case chunkData:
			rest := in[n:]
			if len(rest) == 0 {
				return nil, n, false, nil
			}
			if int64(len(rest)) > d.remaining {
				rest = rest[:d.remaining]
			}
			d.remaining -= int64(len(rest))
			if d.remaining == 0 {
				d.state = chunkDataCRLF
			}
			return rest, n + len(rest), false, nil
		case chunkDataCRLF:
			rest := in[n:]
			if len(rest) < 2 {
				if len(rest) == 1 && rest[0] != '\r' {
					return d.fail(ErrBadChunk)
				}
				return nil, n, false, nil
			}
			if rest[0] != '\r' || rest[1] != '\n' {
				return d.fail(ErrBadChunk)
			}
			n += 2
			d.state = chunkSize
		case chunkTrailer:
			m, end, err := d.trailerLine(in[n:])
			if err != nil {
				return d.fail(err)
			}
			if m == 0 {
				return nil, n, false, nil
			}
			n += m
			if end {
				d.state = chunkDone
				return nil, n, true, nil
			}
		default: // chunkDone
			return nil, 0, true, nil
		}
	}
}

// Done reports whether the whole body, trailers included, has been
// consumed.
func (d *ChunkedDecoder) Done() bool { return d.state == chunkDone }

func (d *ChunkedDecoder) fail(err error) ([]byte, int, bool, error) {
	d.err = err
	return nil, 0, false, err
}

// sizeLine consumes a chunk-size line from the start of b and returns its
// length with CRLF, or 0 when its LF has not arrived yet (after checking
// what has).
func (d *ChunkedDecoder) sizeLine(b []byte) (int, error) {
	lf := d.lineEnd(b, maxChunkLine+2)
	if lf < 0 {
		known := len(b)
		if known > 0 && b[known-1] == '\r' {
			known--
		}
		if known > maxChunkLine {
			return 0, ErrBadChunk
		}
		if !validSizePrefix(b[:known]) {
			return 0, ErrBadChunk
		}
		return 0, nil
	}
	if lf == 0 || b[lf-1] != '\r' {
		return 0, ErrBadChunk
	}
	size, ok := parseChunkSizeLine(b[:lf-1])
	if !ok {
		return 0, ErrBadChunk
	}
	if size == 0 {
		d.state = chunkTrailer
		return lf + 1, nil
	}
	if d.limits.MaxBodySize > 0 && size > d.limits.MaxBodySize-d.total {
		return 0, ErrBodyTooLarge
	}
	if size > math.MaxInt64-d.total {
		return 0, ErrBodyTooLarge
	}
	d.total += size
	d.remaining = size
	d.state = chunkData
	return lf + 1, nil
}

// lineEnd returns the index of the LF that ends the line at the start of
// b, looking at most limit bytes into it, or -1. Bytes searched by
// earlier calls for the same line are not searched again.
func (d *ChunkedDecoder) lineEnd(b []byte, limit int) int {
	search := b
	if limit > 0 && len(search) > limit {
		search = search[:limit]
	}
	from := min(d.scan, len(search))
	d.scanned += int64(len(search) - from)
	lf := bytes.IndexByte(search[from:], '\n')
	if lf < 0 {
		d.scan = len(search)
		return -1
	}
	d.scan = 0
	return from + lf
}

// validSizePrefix checks the start of a size line whose end has not
// arrived: hex digits, then nothing yet, whitespace or a ';'. The
// extensions are checked once the line is complete.
func validSizePrefix(b []byte) bool {
	i := 0
	for i < len(b) && hexVal[b[i]] != 0 {
		i++
	}
	if i > maxChunkSizeDigits {
		return false
	}
	return i == len(b) || (i > 0 && (b[i] == ';' || isOWS(b[i])))
}

// parseChunkSizeLine parses chunk-size [ chunk-ext ] (CRLF excluded):
// 1 to 16 hex digits fitting an int64, then extensions (validChunkExt).
func parseChunkSizeLine(line []byte) (int64, bool) {
	if len(line) > maxChunkLine {
		return 0, false
	}
	var v uint64
	i := 0
	for ; i < len(line); i++ {
		h := hexVal[line[i]]
		if h == 0 {
			break
		}
		if i == maxChunkSizeDigits {
			return 0, false
		}
		v = v<<4 | uint64(h-1)
	}
	if i == 0 || v > math.MaxInt64 {
		return 0, false
	}
	if !validChunkExt(line[i:]) {
		return 0, false
	}
	return int64(v), true
}

// validChunkExt checks *( BWS ";" BWS token [ BWS "=" BWS ( token /
// quoted-string ) ] ) (RFC 9112 §7.1.1; BWS is optional spaces and tabs).
func validChunkExt(b []byte) bool {
	for len(b) > 0 {
		if b = skipOWS(b); len(b) == 0 || b[0] != ';' {
			return false // BWS only before a ';'
		}
		b = skipOWS(b[1:])
		i := 0
		for i < len(b) && tokenChar[b[i]] {
			i++
		}
		if i == 0 {
			return false
		}
		rest := skipOWS(b[i:])
		if len(rest) == 0 || rest[0] != '=' {
			b = b[i:] // BWS only before a '='
			continue
		}
		b = skipOWS(rest[1:])
		if len(b) > 0 && b[0] == '"' {
			q := quotedStringLen(b)
			if q == 0 {
				return false
			}
			b = b[q:]
			continue
		}
		i = 0
		for i < len(b) && tokenChar[b[i]] {
			i++
		}
		if i == 0 {
			return false
		}
		b = b[i:]
	}
	return true
}

// skipOWS drops the spaces and tabs at the start of b.
func skipOWS(b []byte) []byte {
	for len(b) > 0 && isOWS(b[0]) {
		b = b[1:]
	}
	return b
}

// quotedStringLen returns the length of the quoted-string (RFC 9110
// §5.6.4) at the start of b, quotes included, or 0 if there is none.
func quotedStringLen(b []byte) int {
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			i++
			if i == len(b) || !valueChar[b[i]] {
				return 0
			}
		case !valueChar[c]:
			return 0
		}
	}
	return 0
}

// trailerLine consumes one line of the trailer section from the start of
// b: a field line, validated and discarded, or the empty line that ends
// the section (end true). It returns 0 when the line has not fully
// arrived, after checking the size limit against what has.
func (d *ChunkedDecoder) trailerLine(b []byte) (m int, end bool, err error) {
	if len(b) == 0 {
		return 0, false, nil
	}
	switch b[0] {
	case '\r':
		if len(b) == 1 {
			if d.trailerBytes+1 > d.limits.MaxHeaderBytes {
				return 0, false, ErrHeadersTooLarge
			}
			return 0, false, nil
		}
		if b[1] != '\n' {
			return 0, false, ErrBareLF
		}
		if d.trailerBytes+2 > d.limits.MaxHeaderBytes {
			return 0, false, ErrHeadersTooLarge
		}
		return 2, true, nil
	case '\n':
		return 0, false, ErrBareLF
	}
	lf := d.lineEnd(b, 0)
	if lf < 0 {
		if d.trailerBytes+len(b) > d.limits.MaxHeaderBytes {
			return 0, false, ErrHeadersTooLarge
		}
		return 0, false, nil
	}
	if d.trailerBytes+lf+1 > d.limits.MaxHeaderBytes {
		return 0, false, ErrHeadersTooLarge
	}
	if b[lf-1] != '\r' {
		return 0, false, ErrBareLF
	}
	name, _, err := parseField(b[:lf-1])
	if err != nil {
		return 0, false, err
	}
	if forbiddenTrailer(name) {
		return 0, false, ErrForbiddenTrailer
	}
	if d.trailers >= d.limits.MaxHeaders {
		return 0, false, ErrTooManyHeaders
	}
	d.trailers++
	d.trailerBytes += lf + 1
	return lf + 1, false, nil
}
