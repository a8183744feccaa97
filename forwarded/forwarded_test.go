package forwarded

import (
	"errors"
	"testing"

	"github.com/gwsgi/gwsgi/httpparse"
)

func TestTrust(t *testing.T) {
	tr, err := ParseTrust("127.0.0.1, ::1,10.0.0.0/8, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "10.9.8.7": true, "fd00::5": true, "::ffff:10.1.1.1": true,
		"127.0.0.2": false, "192.168.1.1": false, "fe80::1": false, "": true, "/run/gwsgi.sock": true,
	} {
		if got := tr.Allows(addr); got != want {
			t.Errorf("Allows(%q) = %v", addr, got)
		}
	}
	all, _ := ParseTrust("*")
	if !all.Allows("8.8.8.8") {
		t.Error("* does not allow everyone")
	}
	none, _ := ParseTrust("")
	if !none.None() || none.Allows("127.0.0.1") {
		t.Error("an empty list trusts someone")
	}
	for _, bad := range []string{"localhost", "10.0.0.0/33", "1.2.3"} {
		if _, err := ParseTrust(bad); err == nil {
			t.Errorf("ParseTrust(%q): no error", bad)
		}
	}
}

func hdrs(kv ...string) []httpparse.Header {
	var h []httpparse.Header
	for i := 0; i < len(kv); i += 2 {
		h = append(h, httpparse.Header{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return h
}

func TestScheme(t *testing.T) {
	s := DefaultSchemes()
	cases := []struct {
		h    []httpparse.Header
		want string
		err  error
	}{
		{hdrs("Host", "x"), "", nil},
		{hdrs("X-Forwarded-Proto", "https"), "https", nil},
		{hdrs("x-forwarded-proto", "http"), "http", nil},
		{hdrs("X-Forwarded-Proto", "HTTPS"), "http", nil}, // gunicorn compares exactly
		{hdrs("X-Forwarded-Ssl", "on"), "https", nil},
		{hdrs("X-Forwarded-Protocol", "ssl"), "https", nil},
		{hdrs("Forwarded", `for=1.2.3.4;proto=https;by=x, proto=http`), "https", nil},
		{hdrs("Forwarded", `for="[::1]";Proto="http"`), "http", nil},
		{hdrs("Forwarded", `for=1.2.3.4`), "", nil},
		{hdrs("X-Forwarded-Proto", "https", "X-Forwarded-Ssl", "on"), "https", nil},
		{hdrs("X-Forwarded-Proto", "https", "X-Forwarded-Ssl", "off"), "", ErrContradictory},
		{hdrs("X-Forwarded-Proto", "https", "Forwarded", "proto=http"), "", ErrContradictory},
	}
	for _, c := range cases {
		got, err := s.Scheme(c.h)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%q: %q, %v; want %q, %v", c.h, got, err, c.want, c.err)
		}
	}
	own, err := ParseSchemes([]string{"X-Scheme=https"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := own.Scheme(hdrs("X-Forwarded-Proto", "https", "X-Scheme", "https")); got != "https" {
		t.Errorf("own header: %q", got)
	}
	if got, _ := own.Scheme(hdrs("X-Forwarded-Proto", "https")); got != "" {
		t.Errorf("replaced default still counts: %q", got)
	}
	if _, err := ParseSchemes([]string{"novalue"}); err == nil {
		t.Error("ParseSchemes without =: no error")
	}
}

func TestSchemeDoesNotAllocate(t *testing.T) {
	s := DefaultSchemes()
	h := hdrs("Host", "x", "User-Agent", "y", "X-Forwarded-Proto", "https", "Forwarded", "proto=https")
	if n := testing.AllocsPerRun(100, func() { _, _ = s.Scheme(h) }); n != 0 {
		t.Errorf("Scheme allocates %v times", n)
	}
}
