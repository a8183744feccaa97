package proxyproto

import (
	"errors"
	"net/netip"
)

// Header is a parsed PROXY header.
//
// Local reports that the addresses of the connection itself stand: the v2
// LOCAL command (health checks from the proxy), v1 "UNKNOWN", and the v2
// PROXY command with the AF_UNSPEC family, which the specification lets a
// receiver treat as the real endpoints. Src and Dst are then zero.
//
// A v2 PROXY command with the AF_UNIX family gives Local false with Src and
// Dst zero: the connection was relayed, but from a peer that has no IP
// address. Callers must not substitute the socket's own addresses then.
//
// IPv6 addresses are reported as sent: an IPv4-mapped address stays a
// 16-byte address (use netip.Addr.Unmap if wanted). The transport (TCP or
// UDP) and any v2 TLVs are not reported.
type Header struct {
	Version  int            // 1 or 2
	Local    bool           // the connection's own addresses stand
	Src, Dst netip.AddrPort // original client and the address it connected to; zero when Local or not IP
}

// Maximum header lengths in bytes.
const (
	// MaxV1Len is the longest version 1 line, CRLF included.
	MaxV1Len = 107
	// MaxV2Len is the longest version 2 header: 16 fixed bytes plus a
	// 16-bit length of addresses and TLVs.
	MaxV2Len = 16 + 0xFFFF
)

// The two signatures a header starts with.
const (
	sigV1 = "PROXY "
	sigV2 = "\r\n\r\n\x00\r\nQUIT\n"
)

// ErrNeedMore means buf is a valid prefix of a header: call Parse again
// once more bytes have arrived. It is returned as is, never wrapped.
var ErrNeedMore = errors.New("proxyproto: incomplete header")

// ErrInvalid means buf does not start with a valid PROXY header. Parse
// returns errors that wrap it with a detail; test with errors.Is.
var ErrInvalid = errors.New("proxyproto: invalid header")

// invalidError is ErrInvalid with a fixed detail. All values are created
// once, below, so that rejecting a header allocates nothing.
type invalidError struct{ detail string }

func (e *invalidError) Error() string { return ErrInvalid.Error() + ": " + e.detail }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *invalidError) Unwrap() error { return ErrInvalid }

var (
	errSignature = &invalidError{"no PROXY signature"}

	errV1TooLong  = &invalidError{"v1: no CRLF within 107 bytes"}
	errV1Protocol = &invalidError{"v1: protocol is not TCP4, TCP6 or UNKNOWN"}
	errV1Addr     = &invalidError{"v1: malformed address"}
	errV1Port     = &invalidError{"v1: malformed port"}
	errV1Syntax   = &invalidError{"v1: malformed line"}

	errV2Version = &invalidError{"v2: version is not 2"}
	errV2Command = &invalidError{"v2: command is not LOCAL or PROXY"}
	errV2Family  = &invalidError{"v2: unknown address family or transport"}
	errV2Length  = &invalidError{"v2: length too short for the addresses"}
)

// Presence says whether bytes start like a PROXY header.
type Presence int

// Values of Presence.
const (
	No    Presence = iota // not a PROXY header
	Maybe                 // a prefix of a signature: more bytes are needed to tell
	Yes                   // a complete v1 or v2 signature
)

// String returns "No", "Maybe" or "Yes".
func (p Presence) String() string {
	switch p {
	case No:
		return "No"
	case Maybe:
		return "Maybe"
	case Yes:
		return "Yes"
	}
	return "Presence(?)"
}

// Detect reports whether buf starts like a PROXY header, as far as buf
// goes: Yes when it starts with the v1 signature "PROXY " or the 12-byte v2
// signature, Maybe when it is a proper prefix of either (including when it
// is empty), No otherwise. Yes says nothing about the rest of the header.
func Detect(buf []byte) Presence {
	if len(buf) == 0 {
		return Maybe
	}
	switch buf[0] {
	case sigV1[0]:
		return match(buf, sigV1)
	case sigV2[0]:
		return match(buf, sigV2)
	}
	return No
}

// match compares the start of buf with sig.
func match(buf []byte, sig string) Presence {
	if len(buf) < len(sig) {
		if string(buf) == sig[:len(buf)] {
			return Maybe
		}
		return No
	}
	if string(buf[:len(sig)]) == sig {
		return Yes
	}
	return No
}

// Parse parses a PROXY header at the start of buf; n is the header's length
// in bytes (v2: including TLVs, which are skipped). On success *h is
// overwritten; on error it is left unchanged and n is 0.
//
// The error is ErrNeedMore when buf is a valid prefix of a header (empty
// buf included), or wraps ErrInvalid. A version 1 buffer of MaxV1Len bytes
// or more always gets a definite answer; so does a version 2 buffer holding
// the whole announced length. ErrNeedMore can be returned for a v1 prefix
// that is well-formed so far but could only be completed beyond MaxV1Len.
func Parse(buf []byte, h *Header) (n int, err error) {
	switch Detect(buf) {
	case Maybe:
		return 0, ErrNeedMore
	case No:
		return 0, errSignature
	}
	if buf[0] == sigV1[0] {
		return parseV1(buf, h)
	}
	return parseV2(buf, h)
}
