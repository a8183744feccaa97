package wsgi

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/gwsgi/gwsgi/environ"
)

// Serve runs app for one request and sends its response through r, which
// the caller has Reset with the request's Sink and Environ. It always ends
// with exactly one call to the Sink's Finish or Abort, and always closes the
// app's iterable. A panic in the app is turned into an error: a 500, or a
// dropped connection once headers are sent.
func Serve(app App, env *environ.Environ, r *Response) {
	var it Iterable
	closed := false
	defer func() {
		if p := recover(); p != nil {
			if it != nil && !closed {
				closeQuietly(it, r)
			}
			r.fail(fmt.Errorf("wsgi: app panicked: %v\n%s", p, debug.Stack()))
		}
	}()
	it, err := app.Call(env, r)
	if err == nil && it == nil {
		err = ErrNilIterable
	}
	if err == nil {
		err = r.drain(it)
		closed = true
		if cerr := it.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("wsgi: iterable close: %w", cerr)
		}
	}
	if err == nil && !r.started {
		err = ErrNoStartResponse
	}
	if err != nil {
		r.fail(err)
		return
	}
	r.finish()
}

// drain reads the iterable to its end. Chunks of a Buffered iterable are
// gathered; others are sent as they come.
func (r *Response) drain(it Iterable) error {
	if fb, ok := it.(FileBody); ok {
		if sent, err := r.sendFile(fb); sent || err != nil {
			return err
		}
	}
	gather := false
	if b, ok := it.(Buffered); ok {
		gather = b.Buffered()
	}
	for {
		p, err := it.Next()
		if len(p) > 0 && err == io.EOF && gather && !r.headSent && r.lost == nil {
			return r.last(p) // the whole body is known: sent with its length
		}
		if len(p) > 0 {
			if cerr := r.chunk(p, !gather); cerr != nil {
				return cerr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// sendFile sends a file body with the sink's sendfile when the framing
// allows it (a known length, not chunked); sent false means iterate.
func (r *Response) sendFile(fb FileBody) (sent bool, err error) {
	fs, ok := r.sink.(FileSink)
	if !ok || !r.started || r.chunked || r.lost != nil || !fs.SendsFiles() {
		return false, nil
	}
	fd, offset, count, ok := fb.File()
	if !ok {
		return false, nil
	}
	if r.appLength >= 0 {
		count = min(count, r.appLength-r.accepted)
	}
	if r.bodyless {
		r.accepted += count
		return true, nil
	}
	if !r.headSent {
		r.flushHead(r.accepted + count)
		if r.lost != nil {
			return false, r.lost
		}
	}
	switch err := fs.SendFile(fd, offset, count); {
	case err == ErrNoSendfile:
		return false, nil
	case err != nil:
		r.lost = errors.Join(ErrConnection, err)
		return false, r.lost
	}
	r.accepted += count
	return true, nil
}

func closeQuietly(it Iterable, r *Response) {
	defer func() {
		if p := recover(); p != nil {
			r.logf("iterable close panicked: %v", p)
		}
	}()
	if err := it.Close(); err != nil {
		r.logf("iterable close: %v", err)
	}
}
