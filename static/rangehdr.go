package static

import (
	"math"

	"github.com/gwsgi/gwsgi/httpparse"
)

// rangeResult is what a Range field asks of a representation.
type rangeResult uint8

const (
	rangeNone          rangeResult = iota // no usable range: answer 200 with the whole
	rangePartial                          // one satisfiable range: 206
	rangeUnsatisfiable                    // 416
)

// parseRange reads a Range field value (RFC 9110 §14.2) against a
// representation of size bytes. Only one byte range is served: several
// ranges, another unit, a malformed value or an empty representation
// give rangeNone, and the whole representation is sent, as a server may
// do. On rangePartial, start and n are the part's first byte and length.
func parseRange(v []byte, size int64) (start, n int64, res rangeResult) {
	v = httpparse.TrimOWS(v)
	eq := 0
	for eq < len(v) && v[eq] != '=' {
		eq++
	}
	if eq == len(v) || !httpparse.EqualFold(httpparse.TrimOWS(v[:eq]), "bytes") {
		return 0, 0, rangeNone
	}
	spec := httpparse.TrimOWS(v[eq+1:])
	dash := -1
	for i, c := range spec {
		switch {
		case c == ',':
			return 0, 0, rangeNone // several ranges
		case c == '-' && dash < 0:
			dash = i
		case c < '0' || c > '9':
			return 0, 0, rangeNone
		}
	}
	if dash < 0 || size == 0 {
		return 0, 0, rangeNone
	}
	first, last := spec[:dash], spec[dash+1:]
	if len(first) == 0 { // suffix: the last n bytes
		if len(last) == 0 {
			return 0, 0, rangeNone
		}
		n = number(last)
		if n == 0 {
			return 0, 0, rangeUnsatisfiable
		}
		n = min(n, size)
		return size - n, n, rangePartial
	}
	start = number(first)
	end := size - 1
	if len(last) > 0 {
		l := number(last)
		if l < start {
			return 0, 0, rangeNone // invalid
		}
		end = min(end, l)
	}
	if start >= size {
		return 0, 0, rangeUnsatisfiable
	}
	return start, end - start + 1, rangePartial
}

// number parses decimal digits, saturating at math.MaxInt64.
func number(b []byte) int64 {
	n := int64(0)
	for _, c := range b {
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return math.MaxInt64
		}
		n = n*10 + d
	}
	return n
}
