package proxyproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// payload follows every valid header in the tables, so that n is checked.
const payload = "GET / HTTP/1.1\r\n"

// v2 builds a binary header: version/command byte vc, family byte fam,
// then body, with the length field set to len(body).
func v2(vc, fam byte, body ...[]byte) []byte {
	b := []byte(sigV2)
	b = append(b, vc, fam, 0, 0)
	for _, p := range body {
		b = append(b, p...)
	}
	binary.BigEndian.PutUint16(b[14:16], uint16(len(b)-v2FixedLen))
	return b
}

// v2Len is v2 with the length field forced to length.
func v2Len(length uint16, vc, fam byte, body ...[]byte) []byte {
	b := v2(vc, fam, body...)
	binary.BigEndian.PutUint16(b[14:16], length)
	return b
}

// inet4 is a v2 AF_INET address block.
func inet4(src, dst string, sport, dport uint16) []byte {
	b := netip.MustParseAddr(src).AsSlice()
	b = append(b, netip.MustParseAddr(dst).AsSlice()...)
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(b, sport), dport)
}

// inet6 is a v2 AF_INET6 address block.
func inet6(src, dst string, sport, dport uint16) []byte {
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr(dst).As16()
	b := append(s[:], d[:]...)
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(b, sport), dport)
}

// unixAddrs is a v2 AF_UNIX address block.
func unixAddrs(src, dst string) []byte {
	b := make([]byte, 216)
	copy(b, src)
	copy(b[108:], dst)
	return b
}

// tlvs is a sample of TLVs: ALPN "h2", AUTHORITY and a NOOP.
var tlvs = []byte{0x01, 0, 2, 'h', '2', 0x02, 0, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 0x04, 0, 3, 0, 0, 0}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

type validCase struct {
	name string
	in   []byte // a header; payload is appended by the tests
	want Header
}

var validCases = []validCase{
	{"v1 tcp4", []byte("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"),
		Header{Version: 1, Src: ap("192.168.0.1:56324"), Dst: ap("192.168.0.11:443")}},
	{"v1 tcp4 max", []byte("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n"),
		Header{Version: 1, Src: ap("255.255.255.255:65535"), Dst: ap("255.255.255.255:65535")}},
	{"v1 tcp4 zeros", []byte("PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n"),
		Header{Version: 1, Src: ap("0.0.0.0:0"), Dst: ap("0.0.0.0:0")}},
	{"v1 tcp4 mixed", []byte("PROXY TCP4 10.0.100.9 172.16.20.1 1 10\r\n"),
		Header{Version: 1, Src: ap("10.0.100.9:1"), Dst: ap("172.16.20.1:10")}},
	{"v1 tcp6", []byte("PROXY TCP6 2001:db8::1 2001:db8::2 1234 80\r\n"),
		Header{Version: 1, Src: ap("[2001:db8::1]:1234"), Dst: ap("[2001:db8::2]:80")}},
	{"v1 tcp6 full", []byte("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF 65535 65535\r\n"),
		Header{Version: 1, Src: ap("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"), Dst: ap("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")}},
	{"v1 tcp6 unspecified and loopback", []byte("PROXY TCP6 :: ::1 0 8000\r\n"),
		Header{Version: 1, Src: ap("[::]:0"), Dst: ap("[::1]:8000")}},
	{"v1 tcp6 trailing ellipsis", []byte("PROXY TCP6 fe80:: 1:2:3:4:5:6:7:: 1 2\r\n"),
		Header{Version: 1, Src: ap("[fe80::]:1"), Dst: ap("[1:2:3:4:5:6:7:0]:2")}},
	{"v1 tcp6 embedded ipv4", []byte("PROXY TCP6 ::ffff:192.0.2.1 64:ff9b::1:2:3:1.2.3.4 1 2\r\n"),
		Header{Version: 1, Src: ap("[::ffff:192.0.2.1]:1"), Dst: ap("[64:ff9b:0:1:2:3:102:304]:2")}},
	{"v1 tcp6 full embedded ipv4", []byte("PROXY TCP6 1:2:3:4:5:6:7.8.9.10 0:0:0:0:0:0:0:1 1 2\r\n"),
		Header{Version: 1, Src: ap("[1:2:3:4:5:6:708:90a]:1"), Dst: ap("[::1]:2")}},
	{"v1 tcp6 ellipsis and embedded ipv4", []byte("PROXY TCP6 1:2:3:4:5::1.2.3.4 ::0.0.0.0 1 2\r\n"),
		Header{Version: 1, Src: ap("[1:2:3:4:5:0:102:304]:1"), Dst: ap("[::]:2")}},
	{"v1 unknown short", []byte("PROXY UNKNOWN\r\n"), Header{Version: 1, Local: true}},
	{"v1 unknown with addresses", []byte("PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n"), Header{Version: 1, Local: true}},
	{"v1 unknown anything", []byte("PROXY UNKNOWN  whatever\x00\xff \t goes\r\n"), Header{Version: 1, Local: true}},
	{"v1 unknown worst case 107", []byte("PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
		Header{Version: 1, Local: true}},

	{"v2 tcp4", v2(0x21, famTCP4, inet4("192.0.2.1", "198.51.100.7", 40000, 443)),
		Header{Version: 2, Src: ap("192.0.2.1:40000"), Dst: ap("198.51.100.7:443")}},
	{"v2 tcp4 tlvs", v2(0x21, famTCP4, inet4("10.1.2.3", "10.3.2.1", 1, 65535), tlvs),
		Header{Version: 2, Src: ap("10.1.2.3:1"), Dst: ap("10.3.2.1:65535")}},
	{"v2 udp4", v2(0x21, famUDP4, inet4("10.1.2.3", "10.3.2.1", 53, 5353)),
		Header{Version: 2, Src: ap("10.1.2.3:53"), Dst: ap("10.3.2.1:5353")}},
	{"v2 tcp6", v2(0x21, famTCP6, inet6("2001:db8::1", "2001:db8::ff", 51000, 8443)),
		Header{Version: 2, Src: ap("[2001:db8::1]:51000"), Dst: ap("[2001:db8::ff]:8443")}},
	{"v2 tcp6 tlvs", v2(0x21, famTCP6, inet6("::ffff:1.2.3.4", "::1", 1, 2), tlvs),
		Header{Version: 2, Src: ap("[::ffff:1.2.3.4]:1"), Dst: ap("[::1]:2")}},
	{"v2 udp6", v2(0x21, famUDP6, inet6("fe80::1", "fe80::2", 3, 4)),
		Header{Version: 2, Src: ap("[fe80::1]:3"), Dst: ap("[fe80::2]:4")}},
	{"v2 local", v2(0x20, famUnspec), Header{Version: 2, Local: true}},
	{"v2 local tlvs", v2(0x20, famUnspec, tlvs), Header{Version: 2, Local: true}},
	{"v2 local ignores inet addresses", v2(0x20, famTCP4, inet4("1.2.3.4", "5.6.7.8", 1, 2)), Header{Version: 2, Local: true}},
	{"v2 local ignores family", v2(0x20, 0xff, []byte{1, 2, 3}), Header{Version: 2, Local: true}},
	{"v2 local short inet block", v2(0x20, famTCP6, []byte{1, 2, 3}), Header{Version: 2, Local: true}},
	{"v2 proxy unspec", v2(0x21, famUnspec), Header{Version: 2, Local: true}},
	{"v2 proxy unspec tlvs", v2(0x21, famUnspec, tlvs), Header{Version: 2, Local: true}},
	{"v2 unix stream", v2(0x21, famUnixStream, unixAddrs("/run/a.sock", "/run/b.sock")), Header{Version: 2}},
	{"v2 unix dgram tlvs", v2(0x21, famUnixDgram, unixAddrs("/a", "/b"), tlvs), Header{Version: 2}},
}

type invalidCase struct {
	name string
	in   []byte
}

func lines(kv ...string) []invalidCase {
	var cs []invalidCase
	for i := 0; i < len(kv); i += 2 {
		cs = append(cs, invalidCase{kv[i], []byte(kv[i+1])})
	}
	return cs
}

var invalidCases = append(lines(
	"not proxy http", "GET / HTTP/1.1\r\n",
	"not proxy tls", "\x16\x03\x01\x02\x00",
	"lower case signature", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
	"signature typo", "PROXX TCP4",
	"no space after PROXY", "PROXYTCP4",
	"double space after PROXY", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
	"lower case protocol", "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n",
	"protocol TCP5", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
	"protocol UDP4", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
	"protocol TCP", "PROXY TCP 1.2.3.4 5.6.7.8 1 2\r\n",
	"protocol then CRLF", "PROXY TCP4\r\n",
	"empty protocol", "PROXY \r\n",
	"UNKNOWNX", "PROXY UNKNOWNX\r\n",
	"UNKNOWN bare LF", "PROXY UNKNOWN\n",
	"UNKNOWN CR without LF", "PROXY UNKNOWN\rX",
	"UNKNOWN LF inside", "PROXY UNKNOWN a\nb\r\n",
	"UNKNOWN CR inside", "PROXY UNKNOWN a\rb\r\n",
	"UNKNOWN 108 bytes", "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 655350\r\n",
	"UNKNOWN no CRLF in 107", "PROXY UNKNOWN "+strings.Repeat("a", 93),
	"UNKNOWN no CRLF in 200", "PROXY UNKNOWN "+strings.Repeat("a", 186),
	"tcp6 longer than 107", "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 65535 65535\r\n",
	"tcp4 double space", "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n",
	"tcp4 double space mid", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",
	"tcp4 tab", "PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n",
	"tcp4 ipv6 source", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n",
	"tcp4 ipv6 destination", "PROXY TCP4 1.2.3.4 ::1 1 2\r\n",
	"tcp6 ipv4 source", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n",
	"tcp6 ipv4 destination", "PROXY TCP6 ::1 1.2.3.4 1 2\r\n",
	"octet 256", "PROXY TCP4 256.2.3.4 5.6.7.8 1 2\r\n",
	"octet 999", "PROXY TCP4 1.2.3.999 5.6.7.8 1 2\r\n",
	"octet leading zero", "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n",
	"octet 00", "PROXY TCP4 1.2.00.4 5.6.7.8 1 2\r\n",
	"three octets", "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n",
	"five octets", "PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n",
	"empty octet", "PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n",
	"leading dot", "PROXY TCP4 .1.2.3 5.6.7.8 1 2\r\n",
	"trailing dot", "PROXY TCP4 1.2.3.4. 5.6.7.8 1 2\r\n",
	"hex octet", "PROXY TCP4 0x1.2.3.4 5.6.7.8 1 2\r\n",
	"signed octet", "PROXY TCP4 +1.2.3.4 5.6.7.8 1 2\r\n",
	"missing address", "PROXY TCP4 1.2.3.4 1 2\r\n",
	"port 65536", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n",
	"port 100000", "PROXY TCP4 1.2.3.4 5.6.7.8 1 100000\r\n",
	"port leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n",
	"port 00", "PROXY TCP4 1.2.3.4 5.6.7.8 1 00\r\n",
	"port plus", "PROXY TCP4 1.2.3.4 5.6.7.8 +80 2\r\n",
	"port minus", "PROXY TCP4 1.2.3.4 5.6.7.8 1 -2\r\n",
	"port hex", "PROXY TCP4 1.2.3.4 5.6.7.8 0x50 2\r\n",
	"port letters", "PROXY TCP4 1.2.3.4 5.6.7.8 8a 2\r\n",
	"empty port", "PROXY TCP4 1.2.3.4 5.6.7.8  2\r\n",
	"missing port", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
	"extra field", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
	"space before CRLF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",
	"bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
	"CR without LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX",
	"CR CR LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n",
	"ipv6 zone", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n",
	"ipv6 brackets", "PROXY TCP6 [::1] ::1 1 2\r\n",
	"ipv6 triple colon", "PROXY TCP6 ::: ::1 1 2\r\n",
	"ipv6 two ellipses", "PROXY TCP6 1::2::3 ::1 1 2\r\n",
	"ipv6 nine groups", "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n",
	"ipv6 seven groups", "PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n",
	"ipv6 eight groups and ellipsis", "PROXY TCP6 1:2:3:4:5:6:7::8 ::1 1 2\r\n",
	"ipv6 eight groups then ellipsis", "PROXY TCP6 1:2:3:4:5:6:7:8:: ::1 1 2\r\n",
	"ipv6 five digits", "PROXY TCP6 12345:: ::1 1 2\r\n",
	"ipv6 bad digit", "PROXY TCP6 g:: ::1 1 2\r\n",
	"ipv6 leading colon", "PROXY TCP6 :1:2:3:4:5:6:7 ::1 1 2\r\n",
	"ipv6 trailing colon", "PROXY TCP6 1:2:3:4:5:6:7: ::1 1 2\r\n",
	"ipv6 early ipv4", "PROXY TCP6 1:2:3:4:5:1.2.3.4 ::1 1 2\r\n",
	"ipv6 ipv4 too late", "PROXY TCP6 1:2:3:4:5:6:7:1.2.3.4 ::1 1 2\r\n",
	"ipv6 ipv4 with full ellipsis", "PROXY TCP6 1:2:3:4:5:6::1.2.3.4 ::1 1 2\r\n",
	"ipv6 ipv4 leading zero", "PROXY TCP6 ::ffff:1.02.3.4 ::1 1 2\r\n",
	"ipv6 ipv4 then group", "PROXY TCP6 ::1.2.3.4:5 ::1 1 2\r\n",
	"ipv6 hex ipv4", "PROXY TCP6 ::ffff:a.2.3.4 ::1 1 2\r\n",
	"ipv6 empty", "PROXY TCP6  ::1 1 2\r\n",
	"v2 signature typo", "\r\n\r\n\x00\r\nQUIT\r",
	"v2 signature truncated then other", "\r\n\r\nGET",
),
	invalidCase{"v2 version 1", v2(0x11, famTCP4, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
	invalidCase{"v2 version 3", v2(0x31, famTCP4, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
	invalidCase{"v2 version 0", v2(0x01, famTCP4, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
	invalidCase{"v2 command 2", v2(0x22, famTCP4, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
	invalidCase{"v2 command 15", v2(0x2f, famUnspec)},
	invalidCase{"v2 family 4", v2(0x21, 0x41, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
	invalidCase{"v2 inet unspec transport", v2(0x21, 0x10, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
	invalidCase{"v2 inet transport 3", v2(0x21, 0x13, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
	invalidCase{"v2 unspec stream", v2(0x21, 0x01)},
	invalidCase{"v2 inet6 unspec transport", v2(0x21, 0x20, inet6("::1", "::2", 1, 2))},
	invalidCase{"v2 inet length 11", v2Len(11, 0x21, famTCP4, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
	invalidCase{"v2 inet length 0", v2Len(0, 0x21, famUDP4)},
	invalidCase{"v2 inet6 length 35", v2Len(35, 0x21, famTCP6, inet6("::1", "::2", 1, 2))},
	invalidCase{"v2 inet6 with inet block", v2(0x21, famTCP6, inet4("1.2.3.4", "5.6.7.8", 1, 2))},
	invalidCase{"v2 unix length 215", v2Len(215, 0x21, famUnixStream, unixAddrs("/a", "/b"))},
)

// needMoreCases are incomplete but valid so far.
var needMoreCases = []string{
	"", "P", "PROXY", "PROXY ", "PROXY T", "PROXY TCP", "PROXY TCP4", "PROXY U", "PROXY UNKNOWN",
	"PROXY UNKNOWN ", "PROXY UNKNOWN junk", "PROXY UNKNOWN\r",
	"PROXY TCP4 ", "PROXY TCP4 1", "PROXY TCP4 1.", "PROXY TCP4 255.255.255.25", "PROXY TCP4 1.2.3.4",
	"PROXY TCP4 1.2.3.4 5.6.7.8 6553", "PROXY TCP4 1.2.3.4 5.6.7.8 1 0", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r",
	"PROXY TCP6 :", "PROXY TCP6 ::", "PROXY TCP6 1:2:3:4:5:6:7", "PROXY TCP6 1:2:3:4:5:6:7:",
	"PROXY TCP6 ::ffff:1.2", "PROXY TCP6 ::ffff:1.2.", "PROXY TCP6 1:2:3:4:5:6:1.2.3.",
	"PROXY TCP6 1:2:3:4:5:6:7::", "PROXY TCP6 ::1 ::2 1 2",
	"\r", "\r\n\r\n\x00", sigV2, sigV2 + "\x21", sigV2 + "\x21\x11", sigV2 + "\x21\x11\x00", sigV2 + "\x21\x11\x00\x0c",
	sigV2 + "\x21\x11\x00\x0c\x01\x02\x03\x04\x05\x06\x07\x08\x00\x01\x00",
	sigV2 + "\x20\xff\xff\xff",
}

func withPayload(b []byte) []byte {
	return append(append([]byte(nil), b...), payload...)
}

func TestParseValid(t *testing.T) {
	for _, c := range validCases {
		t.Run(c.name, func(t *testing.T) {
			in := withPayload(c.in)
			var h Header
			n, err := Parse(in, &h)
			if err != nil || n != len(c.in) || h != c.want {
				t.Fatalf("Parse = %d, %v, %+v; want %d, nil, %+v", n, err, h, len(c.in), c.want)
			}
			if Detect(in) != Yes {
				t.Errorf("Detect = %v, want Yes", Detect(in))
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	for _, c := range invalidCases {
		t.Run(c.name, func(t *testing.T) {
			in := withPayload(c.in)
			h := Header{Version: 9}
			n, err := Parse(in, &h)
			if !errors.Is(err, ErrInvalid) || n != 0 {
				t.Fatalf("Parse(%q) = %d, %v; want 0, ErrInvalid", in, n, err)
			}
			if h != (Header{Version: 9}) {
				t.Errorf("Parse changed the header on error: %+v", h)
			}
			if err.Error() == "" || !strings.HasPrefix(err.Error(), ErrInvalid.Error()) {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestParseNeedMore(t *testing.T) {
	for _, in := range needMoreCases {
		var h Header
		if n, err := Parse([]byte(in), &h); err != ErrNeedMore || n != 0 {
			t.Errorf("Parse(%q) = %d, %v; want 0, ErrNeedMore", in, n, err)
		}
	}
}

// TestParsePrefixes feeds every prefix of each valid header: all but the
// whole give ErrNeedMore, the whole parses. Invalid headers must never
// parse, whatever prefix is given.
func TestParsePrefixes(t *testing.T) {
	for _, c := range validCases {
		t.Run(c.name, func(t *testing.T) {
			in := withPayload(c.in)
			for k := 0; k < len(c.in); k++ {
				var h Header
				if n, err := Parse(in[:k], &h); err != ErrNeedMore || n != 0 {
					t.Fatalf("Parse(prefix %d %q) = %d, %v; want ErrNeedMore", k, in[:k], n, err)
				}
			}
			for k := len(c.in); k <= len(in); k++ {
				var h Header
				if n, err := Parse(in[:k], &h); err != nil || n != len(c.in) || h != c.want {
					t.Fatalf("Parse(prefix %d) = %d, %v, %+v", k, n, err, h)
				}
			}
		})
	}
	for _, c := range invalidCases {
		in := withPayload(c.in)
		for k := 0; k <= len(in); k++ {
			var h Header
			if _, err := Parse(in[:k], &h); err == nil {
				t.Fatalf("%s: Parse(prefix %d %q) succeeded", c.name, k, in[:k])
			}
		}
	}
}

// TestParseIncremental feeds a header byte by byte, as an event loop would
// with tiny reads, reparsing from the start each time.
func TestParseIncremental(t *testing.T) {
	for _, c := range validCases {
		in := withPayload(c.in)
		var h Header
		got := 0
		for k := 0; k <= len(in); k++ {
			n, err := Parse(in[:k], &h)
			if err == ErrNeedMore {
				continue
			}
			if err != nil {
				t.Fatalf("%s: at %d bytes: %v", c.name, k, err)
			}
			got = n
			break
		}
		if got != len(c.in) || h != c.want {
			t.Errorf("%s: got %d, %+v; want %d, %+v", c.name, got, h, len(c.in), c.want)
		}
	}
}

// TestV1Limit checks that 107 bytes without CRLF are always a verdict.
func TestV1Limit(t *testing.T) {
	in := []byte("PROXY UNKNOWN " + strings.Repeat("x", MaxV1Len))
	var h Header
	for k := 0; k <= len(in); k++ {
		_, err := Parse(in[:k], &h)
		switch {
		case k < MaxV1Len && err != ErrNeedMore:
			t.Fatalf("%d bytes: %v, want ErrNeedMore", k, err)
		case k >= MaxV1Len && !errors.Is(err, ErrInvalid):
			t.Fatalf("%d bytes: %v, want ErrInvalid", k, err)
		}
	}
	// A prefix well-formed so far but too long to complete in 107 bytes.
	long := []byte("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 65535")
	if _, err := Parse(long[:MaxV1Len-1], &h); err != ErrNeedMore {
		t.Errorf("106 bytes: %v, want ErrNeedMore", err)
	}
	if _, err := Parse(long, &h); !errors.Is(err, ErrInvalid) {
		t.Errorf("%d bytes: %v, want ErrInvalid", len(long), err)
	}
}

// TestV2MaxLength checks the largest header the length field allows.
func TestV2MaxLength(t *testing.T) {
	body := make([]byte, 0xFFFF)
	copy(body, inet4("1.2.3.4", "5.6.7.8", 1, 2))
	in := v2(0x21, famTCP4, body)
	var h Header
	if _, err := Parse(in[:len(in)-1], &h); err != ErrNeedMore {
		t.Fatalf("short by one: %v", err)
	}
	n, err := Parse(in, &h)
	if err != nil || n != MaxV2Len || h.Src != ap("1.2.3.4:1") {
		t.Fatalf("Parse = %d, %v, %+v", n, err, h)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		in   string
		want Presence
	}{
		{"", Maybe},
		{"P", Maybe},
		{"PROXY", Maybe},
		{"PROXY ", Yes},
		{"PROXY TCP4 garbage", Yes},
		{"PROXYX", No},
		{"PRI * HTTP/2.0", No},
		{"GET / HTTP/1.1\r\n", No},
		{"\r", Maybe},
		{"\r\n\r\n", Maybe},
		{"\r\n\r\n\x00\r\nQUIT", Maybe},
		{sigV2, Yes},
		{sigV2 + "\xff", Yes},
		{"\r\n\r\n\x01", No},
		{"\r\n\r\n\x00\r\nQUIT\r", No},
		{"\x16\x03\x01", No},
		{"p", No},
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.in)); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if No.String() != "No" || Maybe.String() != "Maybe" || Yes.String() != "Yes" {
		t.Error("Presence.String")
	}
}

// addr6Samples are IPv6 texts, valid and not, for comparison with netip.
var addr6Samples = []string{
	"::", "::1", "1::", "1::2", "::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5::1.2.3.4",
	"1:2:3:4::1.2.3.4", "1::1.2.3.4", "ABCD:ef01::", "0:0:0:0:0:0:0:0", "0000:0000::0000",
	":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::8",
	"12345::", "::12345", ":1::", "1:", "1::2:", "1.2.3.4", "::1.2.3", "::1.2.3.4.5",
	"::1.2.3.04", "::256.1.1.1", "::1.2.3.4:1", "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:1.2.3.4",
	"::a.b.c.d", "::1.2.3.4.", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7", "::1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6::1.2.3.4", "::ffff:0.0.0.0", "fffff::", "::.", ".::", "1.2.3.4::",
}

// TestParse6 compares the IPv6 parser with netip.ParseAddr, and checks that
// every prefix of a valid address is reported as a valid prefix.
func TestParse6(t *testing.T) {
	samples := append([]string(nil), addr6Samples...)
	rng := rand.New(rand.NewSource(1))
	const alphabet = "0123abcF:::..."
	for range 200000 {
		b := make([]byte, 1+rng.Intn(20))
		for i := range b {
			b[i] = alphabet[rng.Intn(len(alphabet))]
		}
		samples = append(samples, string(b))
	}
	for _, s := range samples {
		checkParse6(t, s)
	}
}

func checkParse6(t *testing.T, s string) {
	t.Helper()
	ip, ok := parse6([]byte(s), true)
	want, err := netip.ParseAddr(s)
	wantOK := err == nil && want.Is6() && want.Zone() == ""
	if ok != wantOK || ok && ip != want.As16() {
		t.Fatalf("parse6(%q) = %v, %v; netip: %v, %v", s, netip.AddrFrom16(ip), ok, want, err)
	}
	_, live := parse6([]byte(s), false)
	if live != completes6(s) {
		t.Fatalf("parse6(%q, false) = %v, but completing it gives %v", s, live, !live)
	}
	if !ok {
		return
	}
	for k := 0; k <= len(s); k++ {
		if _, live := parse6([]byte(s[:k]), false); !live {
			t.Fatalf("parse6(%q, false) = false; it is a prefix of %q", s[:k], s)
		}
	}
}

// completions is enough to complete any valid prefix of an IPv6 address.
var completions = []string{"", "0", ":", "::", ":0", ".0", ".0.0", ".0.0.0", "0.0", "0.0.0"}

// completes6 reports whether netip accepts s followed by one of completions.
func completes6(s string) bool {
	for _, c := range completions {
		if a, err := netip.ParseAddr(s + c); err == nil && a.Is6() && a.Zone() == "" {
			return true
		}
	}
	return false
}

// FuzzAddr6 compares the IPv6 parser with netip.ParseAddr.
func FuzzAddr6(f *testing.F) {
	for _, s := range addr6Samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkParse6(t, s)
	})
}

func TestParse4AndPort(t *testing.T) {
	for _, s := range []string{"0.0.0.0", "1.2.3.4", "255.255.255.255", "10.0.0.1", "256.0.0.0", "1.2.3", "01.2.3.4",
		"1.2.3.4.", "1..2.3", "", ".", "1.2.3.4.5", "a.b.c.d", "1.2.3.00", "100.200.250.199"} {
		ip, ok := parse4([]byte(s), true)
		want, err := netip.ParseAddr(s)
		wantOK := err == nil && want.Is4()
		if ok != wantOK || ok && ip != want.As4() {
			t.Errorf("parse4(%q) = %v, %v; netip: %v, %v", s, ip, ok, want, err)
		}
	}
	ports := map[string]int{"0": 0, "1": 1, "80": 80, "65535": 65535, "65536": -1, "00": -1, "01": -1,
		"": -1, "+1": -1, "-1": -1, "1a": -1, "999999": -1, "10000": 10000}
	for s, want := range ports {
		p, ok := parsePort([]byte(s), true)
		if ok != (want >= 0) || ok && int(p) != want {
			t.Errorf("parsePort(%q) = %d, %v; want %d", s, p, ok, want)
		}
	}
	for _, s := range []string{"", "6", "655", "6553", "0"} {
		if _, ok := parsePort([]byte(s), false); !ok {
			t.Errorf("parsePort(%q, false) = false", s)
		}
	}
	for _, s := range []string{"00", "65536", "x"} {
		if _, ok := parsePort([]byte(s), false); ok {
			t.Errorf("parsePort(%q, false) = true", s)
		}
	}
}

func TestAllocs(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"v1 tcp4", []byte("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n" + payload)},
		{"v1 tcp6", []byte("PROXY TCP6 2001:db8:85a3::8a2e:370:7334 ::ffff:192.0.2.128 56324 443\r\n" + payload)},
		{"v1 unknown", []byte("PROXY UNKNOWN\r\n" + payload)},
		{"v2 tcp4", withPayload(v2(0x21, famTCP4, inet4("192.0.2.1", "198.51.100.7", 40000, 443)))},
		{"v2 tcp6", withPayload(v2(0x21, famTCP6, inet6("2001:db8::1", "2001:db8::ff", 51000, 8443), tlvs))},
		{"v2 local", withPayload(v2(0x20, famUnspec))},
		{"need more", []byte("PROXY TCP6 2001:db8:85a3::8a2e:370:7334 ::ffff:192.0")},
		{"invalid", []byte("PROXY TCP6 2001:db8:85a3::8a2e:370:7334 ::ffff:192.0.2.1289")},
	}
	for _, tt := range tests {
		var h Header
		allocs := testing.AllocsPerRun(100, func() {
			Parse(tt.in, &h)
			Detect(tt.in)
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per Parse, want 0", tt.name, allocs)
		}
	}
}

// FuzzParse checks that Parse never panics, that its results are
// consistent with each other and with Detect, and, for v1 addresses, with
// netip.ParseAddr.
func FuzzParse(f *testing.F) {
	for _, c := range validCases {
		f.Add(withPayload(c.in))
	}
	for _, c := range invalidCases {
		f.Add(c.in)
	}
	for _, s := range needMoreCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, buf []byte) {
		var h Header
		n, err := Parse(buf, &h)
		if len(buf) > 0 && buf[0] == 'P' {
			checkV1Reference(t, buf, n, h, err)
		}
		switch {
		case err == nil:
			checkParsed(t, buf, n, h)
		case err == ErrNeedMore:
			if n != 0 || Detect(buf) == No {
				t.Fatalf("ErrNeedMore with n=%d, Detect %v", n, Detect(buf))
			}
			if len(buf) > 0 && buf[0] == 'P' && len(buf) >= MaxV1Len {
				t.Fatalf("ErrNeedMore for %d v1 bytes", len(buf))
			}
			if len(buf) > 0 {
				if _, err := Parse(buf[:len(buf)-1], &h); err != ErrNeedMore {
					t.Fatalf("prefix of ErrNeedMore input gives %v", err)
				}
			}
		case errors.Is(err, ErrInvalid):
			if n != 0 {
				t.Fatalf("ErrInvalid with n=%d", n)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// checkParsed checks a successful Parse of buf.
func checkParsed(t *testing.T, buf []byte, n int, h Header) {
	t.Helper()
	if n <= 0 || n > len(buf) {
		t.Fatalf("n = %d, len(buf) = %d", n, len(buf))
	}
	if Detect(buf) != Yes {
		t.Fatalf("parsed but Detect = %v", Detect(buf))
	}
	var h2 Header
	if n2, err := Parse(buf[:n], &h2); err != nil || n2 != n || h2 != h {
		t.Fatalf("Parse(buf[:n]) = %d, %v, %+v; Parse(buf) = %d, %+v", n2, err, h2, n, h)
	}
	for k := 0; k < n; k += 1 + k/256 {
		if _, err := Parse(buf[:k], &h2); err != ErrNeedMore {
			t.Fatalf("prefix %d of a %d-byte header gives %v", k, n, err)
		}
	}
	if h.Local && (h.Src.IsValid() || h.Dst.IsValid()) {
		t.Fatalf("Local header with addresses: %+v", h)
	}
	switch h.Version {
	case 1:
		if n > MaxV1Len || buf[0] != 'P' || !bytes.HasSuffix(buf[:n], []byte("\r\n")) {
			t.Fatalf("bad v1 header %q", buf[:n])
		}
		if !h.Local {
			checkV1Fields(t, buf[:n], h)
		}
	case 2:
		if n < v2FixedLen || buf[0] != '\r' {
			t.Fatalf("bad v2 header, n = %d", n)
		}
	default:
		t.Fatalf("version %d", h.Version)
	}
}

// checkV1Reference compares Parse on a v1 candidate with refV1.
func checkV1Reference(t *testing.T, buf []byte, n int, h Header, err error) {
	t.Helper()
	wn, wh, ok := refV1(buf)
	switch {
	case wn == 0 && err == nil:
		t.Fatalf("%q: parsed, but has no complete line", buf)
	case wn > 0 && ok && (err != nil || n != wn || h != wh):
		t.Fatalf("%q: Parse = %d, %v, %+v; reference %d, %+v", buf, n, err, h, wn, wh)
	case wn > 0 && !ok && !errors.Is(err, ErrInvalid):
		t.Fatalf("%q: Parse = %d, %v; reference rejects the line", buf, n, err)
	}
}

// refV1 is a simple v1 parser built on strings and netip. n is 0 when buf
// holds no complete line within MaxV1Len bytes; otherwise n is its length
// and ok says whether it is valid.
func refV1(buf []byte) (n int, h Header, ok bool) {
	end := bytes.Index(buf, []byte("\r\n"))
	if end < 0 || end+2 > MaxV1Len {
		return 0, h, false
	}
	n = end + 2
	line := string(buf[:end])
	if strings.ContainsAny(line, "\r\n") {
		return n, h, false
	}
	if line == "PROXY UNKNOWN" || strings.HasPrefix(line, "PROXY UNKNOWN ") {
		return n, Header{Version: 1, Local: true}, true
	}
	f := strings.Split(line, " ")
	if len(f) != 6 || f[0] != "PROXY" || f[1] != "TCP4" && f[1] != "TCP6" {
		return n, h, false
	}
	var addrs [2]netip.Addr
	for i := range addrs {
		a, err := netip.ParseAddr(f[2+i])
		if err != nil || a.Zone() != "" || a.Is4() != (f[1] == "TCP4") {
			return n, h, false
		}
		addrs[i] = a
	}
	var ports [2]uint16
	for i := range ports {
		p, err := strconv.ParseUint(f[4+i], 10, 16)
		if err != nil || f[4+i][0] == '+' || len(f[4+i]) > 1 && f[4+i][0] == '0' {
			return n, h, false
		}
		ports[i] = uint16(p)
	}
	return n, Header{
		Version: 1,
		Src:     netip.AddrPortFrom(addrs[0], ports[0]),
		Dst:     netip.AddrPortFrom(addrs[1], ports[1]),
	}, true
}

// checkV1Fields compares a parsed TCP4/TCP6 line with a parse by netip.
func checkV1Fields(t *testing.T, line []byte, h Header) {
	t.Helper()
	f := strings.Split(strings.TrimSuffix(string(line), "\r\n"), " ")
	if len(f) != 6 {
		t.Fatalf("fields of %q", line)
	}
	src, err1 := netip.ParseAddrPort(bracket(f[2]) + ":" + f[4])
	dst, err2 := netip.ParseAddrPort(bracket(f[3]) + ":" + f[5])
	if err1 != nil || err2 != nil || src != h.Src || dst != h.Dst {
		t.Fatalf("%q: netip %v %v %v %v; Parse %+v", line, src, dst, err1, err2, h)
	}
	if (f[1] == "TCP4") != h.Src.Addr().Is4() || (f[1] == "TCP4") != h.Dst.Addr().Is4() {
		t.Fatalf("%q: family mismatch %+v", line, h)
	}
}

func bracket(a string) string {
	if strings.Contains(a, ":") {
		return "[" + a + "]"
	}
	return a
}

func BenchmarkParse(b *testing.B) {
	benches := []struct {
		name string
		in   []byte
	}{
		{"v1_tcp4", []byte("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n" + payload)},
		{"v1_tcp6", []byte("PROXY TCP6 2001:db8:85a3::8a2e:370:7334 2001:db8::1 56324 443\r\n" + payload)},
		{"v1_unknown", []byte("PROXY UNKNOWN\r\n" + payload)},
		{"v2_tcp4", withPayload(v2(0x21, famTCP4, inet4("192.0.2.1", "198.51.100.7", 40000, 443)))},
		{"v2_tcp6_tlvs", withPayload(v2(0x21, famTCP6, inet6("2001:db8::1", "2001:db8::ff", 51000, 8443), tlvs))},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			var h Header
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.in)))
			for b.Loop() {
				if _, err := Parse(bb.in, &h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
