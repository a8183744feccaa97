package httpparse

// Header is one header field. Name and Value are sub-slices of the buffer
// passed to Parser.Parse; Value has its leading and trailing whitespace
// removed. They are valid only as long as that buffer is.
type Header struct {
	Name  []byte
	Value []byte
}

// Request is a parsed request line and header section. Every []byte field
// is a sub-slice of the buffer passed to Parser.Parse and is valid only as
// long as that buffer is unchanged: a caller that needs the request after
// the buffer is reused must copy what it needs.
//
// A Request is meant to be reused: Reset keeps the capacity of Headers so a
// warmed-up Request parses without allocating.
type Request struct {
	Method []byte // e.g. "GET"
	Target []byte // request-target as sent: origin, absolute, authority or asterisk form
	Path   []byte // target up to '?' (for absolute-form, the path after the authority, "/" if empty; "*" for asterisk-form; nil for CONNECT's authority-form), not decoded
	Query  []byte // target after the first '?', without it; nil when there is no '?'
	Proto  []byte // "HTTP/1.0" or "HTTP/1.1"

	ProtoMinor int // 0 or 1

	Headers []Header // in arrival order, trailers excluded

	Host []byte // Host header value, or the target's authority for absolute-form (RFC 9112 §3.2.2) and CONNECT's authority-form; nil for HTTP/1.0 without either

	ContentLength int64 // -1 when the request has no Content-Length
	Chunked       bool  // Transfer-Encoding: chunked
	KeepAlive     bool  // the connection may be reused after this request (version and Connection tokens)
	Expect100     bool  // Expect: 100-continue

	HeaderSize int // bytes of request line and header section, through the closing CRLF CRLF
}

// Reset clears r for reuse and keeps the capacity of r.Headers.
func (r *Request) Reset() {
	h := r.Headers[:0]
	*r = Request{Headers: h, ContentLength: -1}
}

// HasBody reports whether a message body follows the header section.
func (r *Request) HasBody() bool {
	return r.Chunked || r.ContentLength > 0
}
