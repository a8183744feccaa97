package httpparse

import "errors"

// ErrNeedMore means the input ended before the request (or chunk) was
// complete: call again with more bytes. It is not a protocol error.
var ErrNeedMore = errors.New("httpparse: need more data")

// Error is a protocol error with the HTTP status a server answers it with.
type Error struct {
	Status int    // 400, 413, 414, 417, 431, 501 or 505
	Reason string // short, fixed text safe to log and to send
}

func (e *Error) Error() string { return "httpparse: " + e.Reason }

// StatusOf returns the HTTP status for err: e.Status for an *Error, 400 for
// anything else.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 400
}

// The parser's errors. They are values, compared with ==.
var (
	ErrRequestLineTooLong = &Error{414, "request line too long"}
	ErrTooManyHeaders     = &Error{431, "too many header fields"}
	ErrHeadersTooLarge    = &Error{431, "header section too large"}
	ErrFieldTooLarge      = &Error{431, "header field too large"}
	ErrBodyTooLarge       = &Error{413, "request body too large"}
	ErrTransferEncoding   = &Error{501, "unsupported transfer coding"}
	ErrVersion            = &Error{505, "HTTP version not supported"}

	ErrBadRequestLine   = &Error{400, "malformed request line"}
	ErrBadMethod        = &Error{400, "invalid method"}
	ErrBadTarget        = &Error{400, "invalid request target"}
	ErrBadHeaderName    = &Error{400, "invalid header name"}
	ErrBadHeaderValue   = &Error{400, "invalid header value"}
	ErrObsFold          = &Error{400, "obsolete line folding"}
	ErrSpaceBeforeColon = &Error{400, "whitespace before colon"}
	ErrMissingColon     = &Error{400, "header line without colon"}
	ErrBareLF           = &Error{400, "bare LF or CR"}
	ErrCLAndTE          = &Error{400, "both Content-Length and Transfer-Encoding"}
	ErrBadContentLength = &Error{400, "invalid Content-Length"}
	ErrConflictingCL    = &Error{400, "conflicting Content-Length values"}
	ErrMissingHost      = &Error{400, "missing or repeated Host header"}
	ErrBadChunk         = &Error{400, "malformed chunked body"}
	ErrForbiddenTrailer = &Error{400, "field not allowed in a trailer"}
	ErrExpectation      = &Error{417, "unsupported expectation"}
)
