package e2e

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// whoami sends raw (which may start with a PROXY header) from the local
// address from ("": any) and returns the status and the app's view of
// the client.
func whoami(t *testing.T, addr, from string, raw []byte) (int, map[string]string) {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var got map[string]string
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%q: %v", body, err)
		}
	}
	return resp.StatusCode, got
}

const getWho = "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"

// TestForwardedScheme: a trusted peer's X-Forwarded-Proto or Forwarded
// sets wsgi.url_scheme; an untrusted one's is ignored; contradictory
// scheme headers get 400.
func TestForwardedScheme(t *testing.T) {
	s := startServer(t, nil, "--chdir", "e2e/testdata", "whoami")
	cases := []struct {
		from, headers string
		status        int
		scheme, port  string
	}{
		{"127.0.0.1", "X-Forwarded-Proto: https\r\n", 200, "https", "443"},
		{"127.0.0.1", "Forwarded: for=192.0.2.1;proto=https\r\n", 200, "https", "443"},
		{"127.0.0.1", "X-Forwarded-Ssl: on\r\n", 200, "https", "443"},
		{"127.0.0.1", "X-Forwarded-Proto: http\r\n", 200, "http", "80"},
		{"127.0.0.1", "", 200, "http", "80"},
		{"127.0.0.2", "X-Forwarded-Proto: https\r\n", 200, "http", "80"}, // not in --forwarded-allow-ips
		{"127.0.0.1", "X-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n", 400, "", ""},
	}
	for _, c := range cases {
		status, got := whoami(t, s.addr, c.from, []byte(getWho+c.headers+"\r\n"))
		if status != c.status || (status == 200 && (got["wsgi.url_scheme"] != c.scheme || got["SERVER_PORT"] != c.port)) {
			t.Errorf("from %s with %q: %d %v; want %d %s:%s", c.from, c.headers, status, got, c.status, c.scheme, c.port)
		}
	}
	// After an https request, the next one on the connection is http again.
	s2 := startServer(t, nil, "--forwarded-allow-ips", "*", "--chdir", "e2e/testdata", "whoami")
	if _, got := whoami(t, s2.addr, "127.0.0.2", []byte(getWho+"X-Forwarded-Proto: https\r\n\r\n")); got["wsgi.url_scheme"] != "https" {
		t.Errorf("--forwarded-allow-ips '*': %v", got)
	}
	s.waitLog(t, "400 Bad Request", "contradictory scheme headers")
}

// proxyV2 builds a PROXY protocol v2 header for a TCP over IPv4 client.
func proxyV2(src, dst net.IP, sport, dport uint16) []byte {
	b := []byte("\r\n\r\n\x00\r\nQUIT\n")
	b = append(b, 0x21, 0x11, 0, 12) // v2 PROXY, AF_INET STREAM, 12 address bytes
	b = append(b, src.To4()...)
	b = append(b, dst.To4()...)
	b = binary.BigEndian.AppendUint16(b, sport)
	return binary.BigEndian.AppendUint16(b, dport)
}

// TestProxyProtocol: PROXY v1 and v2 headers from an allowed peer set
// REMOTE_ADDR and REMOTE_PORT; from another peer they get 403; without
// a header the connection is plain HTTP.
func TestProxyProtocol(t *testing.T) {
	s := startServer(t, nil, "--proxy-protocol", "--chdir", "e2e/testdata", "whoami")
	v1 := "PROXY TCP4 203.0.113.7 10.0.0.1 56324 80\r\n"
	v1six := "PROXY TCP6 2001:db8::7 2001:db8::1 4000 443\r\n"
	v2 := proxyV2(net.ParseIP("198.51.100.9"), net.ParseIP("10.0.0.1"), 40000, 8000)
	cases := []struct {
		from       string
		raw        []byte
		status     int
		addr, port string
	}{
		{"127.0.0.1", []byte(v1 + getWho + "\r\n"), 200, "203.0.113.7", "56324"},
		{"127.0.0.1", []byte(v1six + getWho + "\r\n"), 200, "2001:db8::7", "4000"},
		{"127.0.0.1", append(v2, getWho+"\r\n"...), 200, "198.51.100.9", "40000"},
		{"127.0.0.1", []byte(getWho + "\r\n"), 200, "127.0.0.1", ""},
		{"127.0.0.1", []byte("PROXY TCP4 nonsense\r\n" + getWho + "\r\n"), 400, "", ""},
		{"127.0.0.2", []byte(v1 + getWho + "\r\n"), 403, "", ""},
	}
	for _, c := range cases {
		status, got := whoami(t, s.addr, c.from, c.raw)
		if status != c.status || (status == 200 && (got["REMOTE_ADDR"] != c.addr || (c.port != "" && got["REMOTE_PORT"] != c.port))) {
			t.Errorf("from %s, %q: %d %v; want %d %s:%s", c.from, c.raw, status, got, c.status, c.addr, c.port)
		}
	}
	// A header split across packets is waited for.
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	for _, piece := range []string{"PRO", "XY TCP4 203.0.113.8 10.0.0.1 1 80\r", "\n" + getWho + "\r\n"} {
		_, _ = io.WriteString(c, piece)
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&got)
	if got["REMOTE_ADDR"] != "203.0.113.8" {
		t.Errorf("split header: %v", got)
	}
	s.waitLog(t, "403 Forbidden")
}
