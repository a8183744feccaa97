package httpparse

// forbiddenTrailers are the fields a trailer section may not carry (RFC
// 9110 §6.5.1): those that frame the message (Content-Length,
// Transfer-Encoding, Trailer), route it (Host), modify the request
// (controls and conditionals), authenticate it, or describe its content,
// and the connection's own (Connection and the hop-by-hop fields it
// names). A server that merged any of them into the request's headers
// after the body would let a client change what a proxy in front saw.
var forbiddenTrailers = []string{
	"content-length", "transfer-encoding", "trailer", "te", "host",
	"connection", "keep-alive", "upgrade", "proxy-connection",
	"expect", "max-forwards", "range", "if-match", "if-none-match",
	"if-modified-since", "if-unmodified-since", "if-range",
	"cache-control", "pragma",
	"authorization", "proxy-authorization", "cookie", "set-cookie",
	"content-type", "content-encoding", "content-range", "content-location",
}

// forbiddenTrailer reports whether a trailer field named name must be
// rejected.
func forbiddenTrailer(name []byte) bool {
	for _, f := range forbiddenTrailers {
		if len(f) == len(name) && equalFold(name, f) {
			return true
		}
	}
	return false
}
