package wsgi

import (
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/valyala/bytebufferpool"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/httpparse"
)

// Sink is the connection side of one response; the server's loop implements
// it. The gateway calls it only from the goroutine running the app.
type Sink interface {
	// Flush sends vec as one vectored write. vec and the bytes it refers to
	// are borrowed for the call: Flush returns once the connection has
	// written them or copied them to its outbound buffer, and its backlog of
	// unsent bytes is below its high-water mark (backpressure).
	Flush(vec [][]byte) error
	// Finish sends vec as the response's last write and returns at once. The
	// bytes vec refers to belong to the Response, which its owner must not
	// reset before the write completed. keepAlive says whether the
	// connection may carry another request.
	Finish(vec [][]byte, keepAlive bool)
	// Abort drops the connection: the response cannot be completed.
	Abort()
}

// FileSink is implemented by sinks that can send a file's bytes from the
// kernel (sendfile). SendFile returns ErrNoSendfile, having sent nothing,
// when it cannot now; the gateway then iterates the body instead.
type FileSink interface {
	SendFile(fd int, offset, count int64) error
	// SendsFiles reports whether SendFile may send now: when it is false
	// the gateway iterates the body at once, and sends the head with its
	// first bytes.
	SendsFiles() bool
}

// Logger receives the gateway's error lines.
type Logger interface {
	Printf(format string, args ...any)
}

const (
	bigChunk    = 16 << 10 // chunks this big are sent from the app's memory, not copied
	flushAt     = 64 << 10 // buffered body bytes that force a flush
	keepBufsMax = 1 << 20  // buffers larger than this are dropped on Reset
)

var (
	crlf          = []byte("\r\n")
	lastChunk     = []byte("0\r\n\r\n")
	crlfLastChunk = []byte("\r\n0\r\n\r\n")
	serverLine    = "Server: gwsgi\r\n"
)

// Response is the gateway's state for one response: what start_response was
// given, what was sent, and the buffers that coalesce output into vectored
// writes. It implements StartResponse and Writer. A Response is owned by the
// server's per-request struct and reused through Reset; its buffers stay
// with it between requests.
type Response struct {
	sink Sink
	env  *environ.Environ
	log  Logger

	hdr  bytebufferpool.ByteBuffer // status line and the app's header lines
	pre  bytebufferpool.ByteBuffer // head on first send, then chunk-size lines
	body bytebufferpool.ByteBuffer // body bytes not sent yet
	vec  [][]byte

	status    int
	appLength int64 // the app's Content-Length, -1 if none
	accepted  int64 // body bytes the app produced, after truncation

	started, headSent, hasDate, hasServer bool
	chunked, closeAfter, bodyless         bool
	appClose                              bool // the app said Connection: close
	truncated                             bool
	lost                                  error // sticky: the connection is gone

	// ForceClose makes the response end with Connection: close (the
	// connection must not carry another request).
	ForceClose bool
	// Draining, when set and true as the head is written, also makes the
	// response end with Connection: close: the server is shutting down.
	Draining *atomic.Bool
}

// Reset prepares r for a new request. sink and env must stay valid until the
// Sink's Finish or Abort is called.
func (r *Response) Reset(sink Sink, env *environ.Environ, log Logger) {
	r.hdr.B = trim(r.hdr.B)
	r.pre.B = trim(r.pre.B)
	r.body.B = trim(r.body.B)
	vec := r.vec[:0]
	*r = Response{sink: sink, env: env, log: log, hdr: r.hdr, pre: r.pre, body: r.body, vec: vec, appLength: -1}
}

func trim(b []byte) []byte {
	if cap(b) > keepBufsMax {
		return nil
	}
	return b[:0]
}

// StartResponse implements PEP 3333's start_response. A call that fails
// validation changes nothing.
func (r *Response) StartResponse(status string, headers []Header, excInfo error) (Writer, error) {
	if excInfo != nil {
		if r.headSent {
			return nil, excInfo
		}
	} else if r.started {
		return nil, ErrStartedTwice
	}
	code, err := parseStatus(status)
	if err != nil {
		return nil, err
	}
	if code < 200 {
		return nil, ErrBadStatus
	}
	length, hasDate, hasServer, err := checkHeaders(headers)
	if err != nil {
		return nil, err
	}
	b := append(r.hdr.B[:0], "HTTP/1.1 "...)
	b = append(b, status...)
	b = append(b, crlf...)
	r.appClose = false
	for _, h := range headers {
		if hopByHop(h.Name) {
			r.dropHeader(h, "the hop-by-hop header")
			continue
		}
		if code == 204 && equalFold(h.Name, "content-length") {
			r.dropHeader(h, "Content-Length, which a 204 may not have (RFC 9110 §8.6),")
			length = -1
			continue
		}
		b = append(b, h.Name...)
		b = append(b, ": "...)
		b = append(b, h.Value...)
		b = append(b, crlf...)
	}
	r.hdr.B = b
	r.status, r.appLength, r.hasDate, r.hasServer = code, length, hasDate, hasServer
	r.started = true
	r.bodyless = r.env.Head || code == 204 || code == 304
	r.body.Reset()
	r.accepted, r.truncated = 0, false
	return r, nil
}

// checkHeaders validates the app's headers and reports its Content-Length
// (-1 if none) and whether it set Date or Server itself.
func checkHeaders(headers []Header) (length int64, hasDate, hasServer bool, err error) {
	length = -1
	for _, h := range headers {
		switch {
		case !validName(h.Name):
			return 0, false, false, &HeaderError{ErrBadHeaderName, h.Name}
		case !validValue(h.Value):
			return 0, false, false, &HeaderError{ErrBadHeaderValue, h.Name}
		case equalFold(h.Name, "content-length"):
			n, ok := parseLength(h.Value)
			if !ok || (length >= 0 && n != length) {
				return 0, false, false, &HeaderError{ErrContentLength, h.Value}
			}
			length = n
		case equalFold(h.Name, "date"):
			hasDate = true
		case equalFold(h.Name, "server"):
			hasServer = true
		}
	}
	return length, hasDate, hasServer, nil
}

// Write is the write callable: p is sent before Write returns.
func (r *Response) Write(p []byte) (int, error) {
	if !r.started {
		return 0, ErrNotStarted
	}
	if err := r.chunk(p, true); err != nil {
		return 0, err
	}
	return len(p), nil
}

// chunk takes one body chunk. p is borrowed until chunk returns. flush says
// the chunk must not wait for later ones.
func (r *Response) chunk(p []byte, flush bool) error {
	if r.lost != nil {
		return r.lost
	}
	if len(p) == 0 {
		return nil
	}
	if !r.started {
		return ErrNotStarted
	}
	p = r.limit(p)
	r.accepted += int64(len(p))
	if r.bodyless || len(p) == 0 {
		return nil
	}
	if len(p) >= bigChunk {
		return r.flush(p)
	}
	r.body.B = append(r.body.B, p...)
	if flush || r.body.Len() >= flushAt {
		return r.flush(nil)
	}
	return nil
}

// limit cuts p so the body does not exceed the app's Content-Length.
func (r *Response) limit(p []byte) []byte {
	if r.appLength < 0 {
		return p
	}
	if left := r.appLength - r.accepted; int64(len(p)) > left {
		if !r.truncated {
			r.truncated = true
			r.logf("app sent more body than its Content-Length %d; truncated", r.appLength)
		}
		return p[:left]
	}
	return p
}

// flush sends the head if not sent yet, the buffered body and extra (a
// borrowed big chunk) as one vectored write, and waits for the sink.
func (r *Response) flush(extra []byte) error {
	r.vec = r.vec[:0]
	r.pre.Reset()
	if !r.headSent {
		r.writeHead(-1)
	}
	n := r.body.Len() + len(extra)
	if r.chunked {
		r.pre.B = strconv.AppendInt(r.pre.B, int64(n), 16)
		r.pre.B = append(r.pre.B, crlf...)
	}
	r.vec = appendNonEmpty(r.vec, r.pre.B, r.body.B, extra)
	if r.chunked {
		r.vec = append(r.vec, crlf)
	}
	err := r.sink.Flush(r.vec)
	r.body.Reset()
	if err != nil {
		r.lost = errors.Join(ErrConnection, err)
	}
	return r.lost
}

// last takes the body's last chunk p, borrowed until last returns, when
// nothing was sent yet: the head goes with the body's length, and with
// the buffered body and p in one vectored write, however big p is.
func (r *Response) last(p []byte) error {
	if !r.started {
		return ErrNotStarted
	}
	p = r.limit(p)
	r.accepted += int64(len(p))
	if r.bodyless {
		return nil
	}
	r.vec = r.vec[:0]
	r.pre.Reset()
	r.writeHead(r.accepted)
	r.vec = appendNonEmpty(r.vec, r.pre.B, r.body.B, p)
	err := r.sink.Flush(r.vec)
	r.body.Reset()
	if err != nil {
		r.lost = errors.Join(ErrConnection, err)
	}
	return r.lost
}

func appendNonEmpty(vec [][]byte, bufs ...[]byte) [][]byte {
	for _, b := range bufs {
		if len(b) > 0 {
			vec = append(vec, b)
		}
	}
	return vec
}

// flushHead sends the head, framed for a body of total bytes, and what
// body is buffered.
func (r *Response) flushHead(total int64) {
	r.vec = r.vec[:0]
	r.pre.Reset()
	r.writeHead(total)
	r.vec = appendNonEmpty(r.vec, r.pre.B, r.body.B)
	if err := r.sink.Flush(r.vec); err != nil {
		r.lost = errors.Join(ErrConnection, err)
	}
	r.body.Reset()
}

// writeHead renders the status line and headers into r.pre and decides the
// framing: total is the whole body's length when it is known, else -1.
func (r *Response) writeHead(total int64) {
	b := append(r.pre.B[:0], r.hdr.B...)
	if !r.hasDate {
		b = appendDate(b)
	}
	if !r.hasServer {
		b = append(b, serverLine...)
	}
	keep := r.env.KeepAlive && !r.ForceClose && !r.appClose && (r.Draining == nil || !r.Draining.Load()) && r.env.Body.Received()
	switch {
	case r.appLength >= 0, r.status == 204, r.status == 304:
	case total >= 0:
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, total, 10)
		b = append(b, crlf...)
	case r.env.ProtoMinor >= 1:
		r.chunked = true
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	default:
		keep = false // HTTP/1.0 without a length: the close delimits the body
	}
	switch {
	case !keep:
		b = append(b, "Connection: close\r\n"...)
	case r.env.ProtoMinor == 0:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	r.pre.B = append(b, crlf...)
	r.closeAfter = !keep
	r.headSent = true
}

// finish sends what is left and completes the response.
func (r *Response) finish() {
	if r.lost != nil {
		r.sink.Abort()
		return
	}
	r.vec = r.vec[:0]
	r.pre.Reset()
	switch {
	case !r.headSent:
		r.writeHead(r.accepted)
		r.vec = appendNonEmpty(r.vec, r.pre.B, r.body.B)
	case r.chunked && r.body.Len() > 0:
		r.pre.B = strconv.AppendInt(r.pre.B, int64(r.body.Len()), 16)
		r.pre.B = append(r.pre.B, crlf...)
		r.vec = append(r.vec, r.pre.B, r.body.B, crlfLastChunk)
	case r.chunked:
		r.vec = append(r.vec, lastChunk)
	default:
		r.vec = appendNonEmpty(r.vec, r.body.B)
	}
	if r.appLength >= 0 && r.accepted < r.appLength && !r.bodyless {
		r.logf("app sent %d body bytes of its Content-Length %d; closing the connection", r.accepted, r.appLength)
		r.closeAfter = true
	}
	r.sink.Finish(r.vec, !r.closeAfter)
}

// fail answers an app error: a 500 if nothing was sent yet, else a dropped
// connection.
func (r *Response) fail(err error) {
	if r.lost != nil || errors.Is(err, ErrConnection) {
		r.sink.Abort()
		return
	}
	r.logf("%v", err)
	if r.headSent {
		r.sink.Abort()
		return
	}
	r.hdr.B = append(r.hdr.B[:0], "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n"...)
	r.body.B = append(r.body.B[:0], "Internal Server Error\n"...)
	r.status, r.appLength, r.accepted = 500, -1, int64(r.body.Len())
	r.started, r.hasDate, r.hasServer = true, false, false
	r.bodyless = r.env.Head
	if r.bodyless {
		r.body.Reset()
	}
	r.finish()
}

// dropHeader leaves out a hop-by-hop header the app set, as gunicorn
// does: the server owns the connection's framing. A Connection: close is
// honoured: the connection closes after this response.
func (r *Response) dropHeader(h Header, what string) {
	if equalFold(h.Name, "connection") && httpparse.HasToken([]byte(h.Value), "close") {
		r.appClose = true
	}
	if d, ok := r.log.(debugLogger); ok {
		d.Debugf("%s %s: dropped %s %s: %s set by the app", r.env.Method, r.env.PathInfo, what, h.Name, h.Value)
	}
}

// debugLogger is a Logger that also takes debug lines.
type debugLogger interface {
	Debugf(format string, args ...any)
}

// Status is the response's status code: 0 until start_response.
func (r *Response) Status() int { return r.status }

// Sent is how many body bytes the app produced, after truncation at its
// Content-Length (gunicorn's resp.sent).
func (r *Response) Sent() int64 { return r.accepted }

// Head is the status line and the app's header lines, each ending in
// CRLF; owned by r, valid until the next StartResponse or Reset.
func (r *Response) Head() []byte { return r.hdr.B }

// errorLogger is a Logger that also takes error lines.
type errorLogger interface {
	Errorf(format string, args ...any)
}

// logf logs an app error, at error level when the log has levels.
func (r *Response) logf(format string, args ...any) {
	if r.log == nil {
		return
	}
	if e, ok := r.log.(errorLogger); ok {
		e.Errorf("%s %s: "+format, append([]any{r.env.Method, r.env.PathInfo}, args...)...)
		return
	}
	r.log.Printf("%s %s: "+format, append([]any{r.env.Method, r.env.PathInfo}, args...)...)
}

// Release implements Releaser: it lets go of the app's shared lock when
// the Sink holds one.
func (r *Response) Release() {
	if rl, ok := r.sink.(Releaser); ok {
		rl.Release()
	}
}

// Reacquire implements Releaser: it takes back what Release let go of.
func (r *Response) Reacquire() {
	if rl, ok := r.sink.(Releaser); ok {
		rl.Reacquire()
	}
}
