// Package loop is gwsgi's network side: a gnet event handler that owns every
// client socket and speaks HTTP/1.1 over it.
//
// Connections come from the listeners the server is given (sockets a
// master owns and shares with other worker processes): a goroutine per
// listener accepts and registers each connection with a gnet event loop.
// Under Config.MaxConns it accepts only while fewer connections are open,
// leaving the others queued in the kernel (gunicorn's worker_connections).
// Shutdown stops accepting first, so that connections still queued in the
// kernel go to the other processes, then drains: requests in flight or
// arriving on open connections are answered with Connection: close, idle
// connections are closed after a moment, and at the graceful timeout what
// is left is cut. A request that runs past Config.Timeout without sending
// response bytes is interrupted, then answered 500 and given up.
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
