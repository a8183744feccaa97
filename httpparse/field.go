package httpparse

import "bytes"

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
	for _, c := range v {
		if !valueChar[c] {
			return nil, nil, badByte(c, ErrBadHeaderValue)
		}
	}
	return line[:i], trimOWS(v), nil
}
