package pool

import "errors"

// Errors for callers that turn a refused Submit into an error value; Submit
// itself reports a plain false.
var (
	// ErrClosed: the Budget is closed.
	ErrClosed = errors.New("pool: budget closed")
	// ErrFull: every worker is busy and the queue is full. A server answers
	// it with 503 and Retry-After.
	ErrFull = errors.New("pool: all workers busy and queue full")
)
