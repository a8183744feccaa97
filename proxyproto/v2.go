package proxyproto

import (
	"encoding/binary"
	"net/netip"
)

// Version 2 is binary: the 12-byte signature, a version/command byte, a
// family/transport byte, a big-endian 16-bit length, then that many bytes
// of addresses followed by TLVs.

// v2FixedLen is the length of the part before the addresses.
const v2FixedLen = 16

// Commands, the low nibble of byte 12.
const (
	cmdLocal = 0x0
	cmdProxy = 0x1
)

// Family and transport bytes (byte 13) the specification defines.
const (
	famUnspec     = 0x00
	famTCP4       = 0x11
	famUDP4       = 0x12
	famTCP6       = 0x21
	famUDP6       = 0x22
	famUnixStream = 0x31
	famUnixDgram  = 0x32
)

// parseV2 parses a binary header; buf starts with the v2 signature.
func parseV2(buf []byte, h *Header) (int, error) {
	if len(buf) == len(sigV2) {
		return 0, ErrNeedMore
	}
	verCmd := buf[12]
	if verCmd>>4 != 2 {
		return 0, errV2Version
	}
	cmd := verCmd & 0x0F
	if cmd != cmdLocal && cmd != cmdProxy {
		return 0, errV2Command
	}
	if len(buf) == 13 {
		return 0, ErrNeedMore
	}
	fam := buf[13]
	need := 0 // address bytes the length must cover
	if cmd == cmdProxy {
		var ok bool
		if need, ok = addrLen(fam); !ok {
			return 0, errV2Family
		}
	}
	if len(buf) < v2FixedLen {
		return 0, ErrNeedMore
	}
	length := int(binary.BigEndian.Uint16(buf[14:16]))
	if length < need {
		return 0, errV2Length
	}
	n := v2FixedLen + length
	if len(buf) < n {
		return 0, ErrNeedMore
	}
	hdr := Header{Version: 2, Local: cmd == cmdLocal}
	if cmd == cmdProxy {
		addrs(&hdr, fam, buf[v2FixedLen:n])
	}
	*h = hdr
	return n, nil
}

// addrLen returns the length of the address block of the family and
// transport byte fam, and whether fam is one the specification defines.
func addrLen(fam byte) (int, bool) {
	switch fam {
	case famUnspec:
		return 0, true
	case famTCP4, famUDP4:
		return 2*4 + 2*2, true
	case famTCP6, famUDP6:
		return 2*16 + 2*2, true
	case famUnixStream, famUnixDgram:
		return 2 * 108, true
	}
	return 0, false
}

// addrs fills h from the address block b of a PROXY command; b is at least
// addrLen(fam) bytes long. AF_UNSPEC makes the header Local; AF_UNIX
// leaves Src and Dst zero.
func addrs(h *Header, fam byte, b []byte) {
	switch fam {
	case famUnspec:
		h.Local = true
	case famTCP4, famUDP4:
		h.Src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[0:4])), binary.BigEndian.Uint16(b[8:10]))
		h.Dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), binary.BigEndian.Uint16(b[10:12]))
	case famTCP6, famUDP6:
		h.Src = netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[0:16])), binary.BigEndian.Uint16(b[32:34]))
		h.Dst = netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[16:32])), binary.BigEndian.Uint16(b[34:36]))
	}
}
