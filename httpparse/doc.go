// Package httpparse is gwsgi's incremental HTTP/1.1 request parser.
//
// Parse reads a request line and header section from a byte slice and fills
// a Request whose fields are sub-slices of that slice: nothing is copied and,
// once a Request's header array has grown to its working size, nothing is
// allocated. When the input ends before the blank line that closes the
// header section, Parse returns ErrNeedMore and the caller calls it again
// with the same bytes plus whatever has arrived since.
//
// Validation is strict, per RFC 9112: invalid bytes in the method, target,
// header names or values, obs-fold, whitespace before a colon, Content-Length
// together with Transfer-Encoding, conflicting Content-Length values, any
// transfer coding but chunked and any version but HTTP/1.0 and HTTP/1.1 are
// errors, and so are an HTTP/1.1 request without exactly one Host field
// and an Expect other than 100-continue. Every error is an *Error that
// carries the HTTP status a server should answer with (400, 413, 414, 417,
// 431, 501, 505); the errors are sentinel values in errors.go, compared
// with ==.
//
// ChunkedDecoder decodes a chunked message body incrementally, also without
// copying: the payload it returns is a sub-slice of its input.
//
// Files: parser.go (Parse and its framing), requestline.go (request line
// and target forms), field.go (field lines, shared with trailers),
// semantics.go (Host, Content-Length, Transfer-Encoding, Connection,
// Expect), chars.go (byte-class tables), chunked.go (ChunkedDecoder).
package httpparse
