package httpparse

import (
	"bytes"
	"encoding/binary"
)

// parseField splits one field line (RFC 9112 §5), CRLF excluded, into its
// name and value. Both are sub-slices of line; value has OWS trimmed. The
// same rules serve the header section and a chunked body's trailers.
//
//   - a line starting with SP or HTAB is obs-fold: ErrObsFold;
//   - the name is one or more token bytes: ErrBadHeaderName;
//   - SP or HTAB between name and colon: ErrSpaceBeforeColon;
//   - no colon: ErrMissingColon;
//   - the value holds no CTL but HTAB (obs-text is allowed):
//     ErrBadHeaderValue, or ErrBareLF for a stray CR.
func parseField(line []byte) (name, value []byte, err error) {
	if len(line) > 0 && isOWS(line[0]) {
		return nil, nil, ErrObsFold
	}
	i := 0
	for i < len(line) && tokenChar[line[i]] {
		i++
	}
	if i == len(line) {
		return nil, nil, ErrMissingColon
	}
	if c := line[i]; c != ':' {
		if isOWS(c) {
			if bytes.IndexByte(line[i:], ':') < 0 {
				return nil, nil, ErrMissingColon
			}
			return nil, nil, ErrSpaceBeforeColon
		}
		return nil, nil, badByte(c, ErrBadHeaderName)
	}
	if i == 0 {
		return nil, nil, ErrBadHeaderName
	}
	v := line[i+1:]
	if j := invalidValueByte(v); j >= 0 {
		return nil, nil, badByte(v[j], ErrBadHeaderValue)
	}
	return line[:i], trimOWS(v), nil
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// invalidValueByte returns the index of the first byte of v that may not
// appear in a field value, or -1. It tests eight bytes at a time for the
// common case: no byte below 0x20 and no DEL (obs-text, with its high bit
// set, is never flagged); a word with a candidate, often just an HTAB, is
// rechecked byte by byte.
func invalidValueByte(v []byte) int {
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := binary.LittleEndian.Uint64(v[i:])
		below20 := (x - 0x20*lsb) &^ x & msb
		del := ((x ^ 0x7f*lsb) - lsb) &^ (x ^ 0x7f*lsb) & msb
		if below20|del != 0 {
			for j := i; j < i+8; j++ {
				if !valueChar[v[j]] {
					return j
				}
			}
		}
	}
	for ; i < len(v); i++ {
		if !valueChar[v[i]] {
			return i
		}
	}
	return -1
}
