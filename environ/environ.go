package environ

// Var is one CGI variable. Name and Value are sub-slices of the arena of the
// Environ that holds the Var: valid until that Environ is reset or released,
// and not to be modified.
type Var struct {
	Name  []byte
	Value []byte
}

// ConnInfo describes the connection a request came on; the server fills it
// once per connection. The fields are strings so that they are formatted
// once per connection, never per request; Fill copies them into the arena.
type ConnInfo struct {
	RemoteAddr string // "127.0.0.1" or "::1"
	RemotePort string // "53422"
	LocalAddr  string // listening host, used when the request has no Host
	LocalPort  string // listening port, used when the request has no Host
	URLScheme  string // "http" or "https"; "" means "http"
}

// Config is server-wide and read-only while serving.
type Config struct {
	// ScriptName is the mount point, e.g. "/app"; "" (or "/") for the root.
	// A trailing '/' is ignored.
	ScriptName string
}

// Environ is one request's CGI/WSGI variables and its body.
//
// Every []byte field, and every Var in Headers, is a sub-slice of an arena
// the Environ owns: Fill writes it, and it stays valid and unchanged until
// Reset or Release. Readers must not modify these slices or keep them after
// Release. The slices are capped at their length, so an append by a reader
// copies instead of overwriting a neighbour.
//
// An Environ holds a mutex (in Body) and must not be copied; get one with
// Acquire.
type Environ struct {
	Method, ScriptName, PathInfo, QueryString []byte
	ContentType, ContentLength                []byte
	ServerName, ServerPort, ServerProtocol    []byte
	RemoteAddr, RemotePort, URLScheme         []byte

	// RawURI is the request-target as sent (gunicorn's RAW_URI), for the
	// access log and Python apps' environ; it is not among the variables
	// Each hands out.
	RawURI []byte

	// Headers holds the HTTP_* variables in order of first appearance.
	Headers []Var

	// Body is wsgi.input; see Body.
	Body Body

	KeepAlive  bool  // the connection may serve another request after this one
	Head       bool  // REQUEST_METHOD is HEAD: the response carries no body
	Expect100  bool  // the client waits for "100 Continue" before sending the body
	Chunked    bool  // the body is chunked; BodyLength is -1
	ProtoMinor int   // 0 for HTTP/1.0, 1 for HTTP/1.1
	BodyLength int64 // Content-Length, or -1 when unknown (chunked or absent)

	hasContentType bool
	arena          []byte
}

// Names of the CGI variables, handed to Each's callback. Package-owned:
// callbacks must not modify them.
var (
	nameRequestMethod  = []byte("REQUEST_METHOD")
	nameScriptName     = []byte("SCRIPT_NAME")
	namePathInfo       = []byte("PATH_INFO")
	nameQueryString    = []byte("QUERY_STRING")
	nameContentType    = []byte("CONTENT_TYPE")
	nameContentLength  = []byte("CONTENT_LENGTH")
	nameServerName     = []byte("SERVER_NAME")
	nameServerPort     = []byte("SERVER_PORT")
	nameServerProtocol = []byte("SERVER_PROTOCOL")
	nameRemoteAddr     = []byte("REMOTE_ADDR")
	nameRemotePort     = []byte("REMOTE_PORT")
)

// Get returns the value of the CGI variable called name: REQUEST_METHOD,
// PATH_INFO, HTTP_USER_AGENT and so on, "wsgi.url_scheme" or "RAW_URI". ok is false
// when the request has no such variable (CONTENT_TYPE and CONTENT_LENGTH
// are absent when the request has no such field). The value is a slice of
// e's arena, valid until Reset or Release. Get does not allocate.
func (e *Environ) Get(name string) (value []byte, ok bool) {
	switch name {
	case "REQUEST_METHOD":
		return e.Method, true
	case "SCRIPT_NAME":
		return e.ScriptName, true
	case "PATH_INFO":
		return e.PathInfo, true
	case "QUERY_STRING":
		return e.QueryString, true
	case "CONTENT_TYPE":
		return e.ContentType, e.hasContentType
	case "CONTENT_LENGTH":
		return e.ContentLength, len(e.ContentLength) > 0
	case "SERVER_NAME":
		return e.ServerName, true
	case "SERVER_PORT":
		return e.ServerPort, true
	case "SERVER_PROTOCOL":
		return e.ServerProtocol, true
	case "REMOTE_ADDR":
		return e.RemoteAddr, true
	case "REMOTE_PORT":
		return e.RemotePort, true
	case "wsgi.url_scheme":
		return e.URLScheme, true
	case "RAW_URI":
		return e.RawURI, true
	}
	if len(name) <= len("HTTP_") || name[:len("HTTP_")] != "HTTP_" {
		return nil, false
	}
	for i := range e.Headers {
		if string(e.Headers[i].Name) == name {
			return e.Headers[i].Value, true
		}
	}
	return nil, false
}

// Each calls fn for every CGI variable of the request: REQUEST_METHOD,
// SCRIPT_NAME, PATH_INFO, QUERY_STRING, CONTENT_TYPE and CONTENT_LENGTH
// (when present), SERVER_NAME, SERVER_PORT, SERVER_PROTOCOL, REMOTE_ADDR,
// REMOTE_PORT, then the HTTP_* variables in Headers order. wsgi.url_scheme
// is not a CGI variable and is not included. name and value are valid only
// during the call and must not be modified. Each does not allocate.
func (e *Environ) Each(fn func(name, value []byte)) {
	fn(nameRequestMethod, e.Method)
	fn(nameScriptName, e.ScriptName)
	fn(namePathInfo, e.PathInfo)
	fn(nameQueryString, e.QueryString)
	if e.hasContentType {
		fn(nameContentType, e.ContentType)
	}
	if len(e.ContentLength) > 0 {
		fn(nameContentLength, e.ContentLength)
	}
	fn(nameServerName, e.ServerName)
	fn(nameServerPort, e.ServerPort)
	fn(nameServerProtocol, e.ServerProtocol)
	fn(nameRemoteAddr, e.RemoteAddr)
	fn(nameRemotePort, e.RemotePort)
	for i := range e.Headers {
		fn(e.Headers[i].Name, e.Headers[i].Value)
	}
}

// Reset empties e for reuse and keeps the capacity of its arena, header
// list and body buffer. Every slice handed out before is invalid after.
// The caller must make sure nobody reads or feeds e.Body any more.
func (e *Environ) Reset() {
	e.reset(0, 0, 0)
}

// reset empties e; a positive limit drops the arena, header list or body
// buffer whose capacity exceeds it.
func (e *Environ) reset(maxArena, maxHeaders, maxBody int) {
	e.Method, e.ScriptName, e.PathInfo, e.QueryString = nil, nil, nil, nil
	e.ContentType, e.ContentLength = nil, nil
	e.ServerName, e.ServerPort, e.ServerProtocol = nil, nil, nil
	e.RemoteAddr, e.RemotePort, e.URLScheme, e.RawURI = nil, nil, nil, nil
	e.KeepAlive, e.Head, e.Expect100, e.Chunked = false, false, false, false
	e.ProtoMinor = 0
	e.BodyLength = -1
	e.hasContentType = false

	clear(e.Headers) // drop references into the arena
	if maxHeaders > 0 && cap(e.Headers) > maxHeaders {
		e.Headers = nil
	} else {
		e.Headers = e.Headers[:0]
	}
	if maxArena > 0 && cap(e.arena) > maxArena {
		e.arena = nil
	} else {
		e.arena = e.arena[:0]
	}
	e.Body.reset(maxBody)
}
