// Package environ turns one parsed HTTP/1.1 request into the CGI/WSGI
// variables of PEP 3333 and carries its body (wsgi.input).
//
// # Ownership
//
// An httpparse.Request points into the connection's inbound buffer, which
// the event loop reuses as soon as OnTraffic returns, while the application
// runs later on another goroutine. Fill therefore copies every byte the
// application can see, once, into an arena owned by the Environ: every
// []byte field of an Environ (and every Var in Headers) is a sub-slice of
// that arena, valid until Reset or Release. Nothing is shared with the
// request or the connection after Fill returns.
//
// Environs come from a sync.Pool (Acquire, Release). A warm Environ fills
// without allocating; Release drops arenas and buffers larger than a cap so
// that one huge request does not pin its memory in the pool, and hands a
// streamed body's buffer to a pool of its own, so that only the bodies
// streaming at once hold one.
//
// # Variables
//
// The CGI variables are REQUEST_METHOD, SCRIPT_NAME, PATH_INFO (percent
// decoded, bytes kept raw: the Python side exposes them as latin-1),
// QUERY_STRING (raw), CONTENT_TYPE, CONTENT_LENGTH, SERVER_NAME,
// SERVER_PORT, SERVER_PROTOCOL, REMOTE_ADDR and REMOTE_PORT, plus
// wsgi.url_scheme in URLScheme. Other header fields become HTTP_* variables
// named as in net/http/cgi: upper case, '-' turned into '_'. Fields whose
// name holds '_' are dropped so that they cannot pose as another field, and
// Proxy is dropped (httpoxy). Repeated fields are joined with ", " in
// arrival order, Cookie with "; ".
//
// # Body
//
// Body is wsgi.input. A small body is copied in whole before dispatch
// (SetBody, AppendBody) and reads never block. A large body streams through
// a bounded buffer: the event loop calls Feed and Finish, the application's
// Read blocks until bytes, end of body or an error arrive, and every read
// that frees space after a short Feed calls back into the loop so it can
// feed more (backpressure).
package environ
