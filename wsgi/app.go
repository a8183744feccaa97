package wsgi

import "github.com/gwsgi/gwsgi/environ"

// Header is one response header. The strings are borrowed for the duration
// of the StartResponse call: the gateway copies what it keeps.
type Header struct {
	Name  string
	Value string
}

// StartResponse is PEP 3333's start_response. status is "200 OK"-style;
// hop-by-hop fields in headers are left out (Connection: close is honoured
// by closing the connection after the response). excInfo is nil on a first call;
// an app that fails after calling it may call it again with the error as
// excInfo: the headers are replaced if nothing was sent yet, and excInfo is
// returned (re-raised) otherwise. The returned Writer is the write callable.
type StartResponse interface {
	StartResponse(status string, headers []Header, excInfo error) (Writer, error)
}

// Writer is PEP 3333's write callable: the bytes are sent before Write
// returns (or copied to the connection's outbound buffer), never delayed.
type Writer interface {
	Write(p []byte) (int, error)
}

// Iterable is an app's response body. Next returns the next chunk, or io.EOF
// after the last one; it may return the last chunk with io.EOF, which lets
// the gateway send a Buffered body's head with its length however big that
// chunk is. A chunk is borrowed by the gateway until the next call to Next
// or Close. Close is always called, exactly once, whatever happened.
type Iterable interface {
	Next() ([]byte, error)
	Close() error
}

// Buffered is implemented by iterables whose chunks all exist already (a
// Python list, a Bytes body). The gateway may then gather every chunk before
// sending and compute Content-Length, since nothing is delayed by waiting.
type Buffered interface {
	Buffered() bool
}

// FileBody is implemented by iterables that are the rest of a regular file
// (wsgi.file_wrapper over an open file): the gateway may send those count
// bytes from offset with sendfile(2) instead of iterating. fd must stay
// open until Close. ok false means: iterate instead.
type FileBody interface {
	File() (fd int, offset, count int64, ok bool)
}

// App is a WSGI application. Call may be invoked concurrently from several
// goroutines; env and start are valid until the returned Iterable is closed.
type App interface {
	Call(env *environ.Environ, start StartResponse) (Iterable, error)
}

// AppFunc adapts a function to App.
type AppFunc func(env *environ.Environ, start StartResponse) (Iterable, error)

// Call calls f.
func (f AppFunc) Call(env *environ.Environ, start StartResponse) (Iterable, error) {
	return f(env, start)
}

// Middleware wraps an App.
type Middleware func(App) App

// Chain wraps app in mws so that mws[0] is outermost: it sees the request
// first and the response last.
func Chain(app App, mws ...Middleware) App {
	for i := len(mws) - 1; i >= 0; i-- {
		app = mws[i](app)
	}
	return app
}

// Releaser is implemented by a StartResponse (the gateway's Response) and
// by a Sink whose app goroutine holds a lock every request shares, such
// as an embedded interpreter's GIL. CPU work that needs no such lock (a
// middleware compressing a body) runs between Release and Reacquire, so
// that other requests run meanwhile. Both do nothing when no lock is held.
// They are called on the app's goroutine, in pairs.
type Releaser interface {
	Release()
	Reacquire()
}
