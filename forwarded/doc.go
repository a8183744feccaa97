// Package forwarded decides what a request's proxy headers may change, the
// way gunicorn does: only a peer in --forwarded-allow-ips (addresses,
// CIDRs or "*"; a unix-socket peer is always trusted) may set
// wsgi.url_scheme through its secure scheme headers (X-Forwarded-Proto:
// https, X-Forwarded-Ssl: on, X-Forwarded-Protocol: ssl, and RFC 7239's
// Forwarded: proto=https). Headers that contradict each other are a 400.
//
// Everything here is read-only after construction and safe for concurrent
// use; Scheme does not allocate and keeps no reference to the headers.
package forwarded
