// Package proxyproto parses the PROXY protocol header, versions 1 (text)
// and 2 (binary), that a load balancer such as HAProxy sends at the start
// of a connection to pass on the original client's addresses. The format is
// specified in https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt.
//
// Parse is incremental and allocation-free. It is given the bytes received
// so far on a connection; when they are a valid but incomplete header it
// returns ErrNeedMore and the caller calls it again, with the same bytes
// plus whatever has arrived since, from the start. Anything that is not a
// valid header yields an error that matches ErrInvalid (use errors.Is). On
// success Parse returns the header's length; the bytes after it belong to
// the application protocol.
//
// Memory ownership: a Header holds only values (netip.AddrPort is a value
// type); it never refers to the buffer it was parsed from, which the caller
// may reuse or release as soon as Parse returns.
//
// Limits: a version 1 header is at most MaxV1Len (107) bytes, CRLF included,
// and Parse declares a buffer of that many bytes without a complete line
// invalid. A version 2 header announces its own length, up to MaxV2Len
// (16+65535) bytes; Parse accepts that maximum, so a caller that does not
// want to buffer that much must bound it itself, for example by closing the
// connection when Parse still returns ErrNeedMore after some smaller number
// of bytes.
//
// Validation follows the specification strictly. Version 1: exactly one
// space between fields, CRLF and nothing else to end the line, TCP4
// addresses as dotted quads and TCP6 addresses as IPv6 text (RFC 4291 forms,
// embedded dotted quad allowed, zones not), decimal ports in [0, 65535];
// numbers carry no sign and no leading zero. After "UNKNOWN" anything but CR
// and LF may precede the CRLF. Version 2: version 2, command LOCAL or PROXY,
// and for PROXY one of the seven family/transport bytes the specification
// defines, with a length that covers its addresses. LOCAL is accepted with
// any family byte and length, since its address block must be ignored.
// TLVs are skipped without being checked.
//
// Detect tells from the first bytes of a connection whether a PROXY header
// is there at all, for listeners that accept connections with and without
// one.
//
// Files: proxyproto.go (API), v1.go (text format), v2.go (binary format),
// addr.go (allocation-free IPv4, IPv6 and port parsers).
package proxyproto
