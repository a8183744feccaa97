// Package wsgi is gwsgi's gateway contract: PEP 3333 in Go.
//
// An App is called with a request's environ.Environ and a StartResponse; it
// calls StartResponse with a status and headers, optionally writes through
// the returned Writer (PEP 3333's write callable), and returns an Iterable
// whose chunks form the body. Serve drives one call from the server side:
// it validates what the app sends, frames the response (Content-Length when
// it is known, chunked for HTTP/1.1 otherwise, close-delimited for HTTP/1.0),
// coalesces the status line, headers and body into vectored writes, always
// closes the iterable, and turns app errors into a 500 or, once headers are
// on the wire, into a dropped connection.
//
// The embedded Python host implements App as well; to the server it is just
// one more app. Middleware wraps an App in another App.
package wsgi
