// Package loop is gwsgi's network side: a gnet event handler that owns every
// client socket and speaks HTTP/1.1 over it.
//
// For each connection it parses requests as bytes arrive (httpparse), copies
// each one into a pooled environ.Environ, and hands it to the goroutine
// budget (pool.Budget), which runs the app through the wsgi gateway. One
// request per connection is in flight at a time, so pipelined responses go
// out in request order; the next request is parsed when the previous
// response has been handed to the socket. The loop also sends 100 Continue,
// reads small bodies before dispatch and streams large ones into wsgi.input,
// enforces the idle and header-read timeouts, answers malformed requests
// with their status code, and shuts down gracefully.
//
// The loop never blocks and never runs app code.
package loop
