package wsgi

import "errors"

// Errors an app's misuse of the gateway produces. Each names the mistake, so
// the log line says what to fix.
var (
	ErrStartedTwice    = errors.New("wsgi: start_response called a second time without exc_info")
	ErrNotStarted      = errors.New("wsgi: app returned a body chunk or called write() before start_response")
	ErrNoStartResponse = errors.New("wsgi: app returned without calling start_response")
	ErrNilIterable     = errors.New("wsgi: app returned no iterable")
	ErrBadStatus       = errors.New("wsgi: status must be a 3-digit code, a space and a reason phrase, without control characters")
	ErrBadHeaderName   = errors.New("wsgi: invalid response header name")
	ErrBadHeaderValue  = errors.New("wsgi: response header value contains CR, LF or another control character")
	ErrContentLength   = errors.New("wsgi: invalid Content-Length response header")
	ErrConnection      = errors.New("wsgi: connection lost")
	ErrNoSendfile      = errors.New("wsgi: sendfile not possible on this connection now")
)

// HeaderError names the header a validation error is about.
type HeaderError struct {
	Err  error
	Name string
}

func (e *HeaderError) Error() string { return e.Err.Error() + ": " + e.Name }

// Unwrap returns the sentinel error.
func (e *HeaderError) Unwrap() error { return e.Err }
