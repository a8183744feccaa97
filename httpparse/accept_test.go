package httpparse

import "testing"

func TestNegotiate(t *testing.T) {
	both := []string{"zstd", "gzip"}
	for _, c := range []struct {
		accept string
		want   string
	}{
		{"", ""},
		{"gzip", "gzip"},
		{"GZIP", "gzip"},
		{"x-gzip", "gzip"},
		{"gzip, deflate, br, zstd", "zstd"},
		{"gzip;q=1.0, zstd;q=0.5", "gzip"},
		{"gzip ; q=0.8 , zstd ; q=0.8", "zstd"},
		{"zstd;q=0, gzip", "gzip"},
		{"zstd;q=0, gzip;q=0", ""},
		{"*", "zstd"},
		{"*;q=0.5, zstd;q=0.1", "gzip"},
		{"*;q=0, gzip", "gzip"},
		{"identity", ""},
		{"br", ""},
		{"gzip;q=1.5", ""},
		{"gzip;q=0.0001", ""},
		{"gzip;q=0.001", "gzip"},
		{"gzip;level=1;q=0.3, zstd;q=0.2", "gzip"},
		{" , ,gzip", "gzip"},
		{"deflate;q=0.9,gzip;q=", ""},
	} {
		if got := Negotiate([]byte(c.accept), both); got != c.want {
			t.Errorf("Negotiate(%q) = %q, want %q", c.accept, got, c.want)
		}
	}
	if got := Negotiate([]byte("gzip, zstd"), []string{"gzip"}); got != "gzip" {
		t.Errorf("only gzip offered: %q", got)
	}
}

func TestNegotiateAllocs(t *testing.T) {
	accept := []byte("gzip, deflate, br;q=0.9, zstd;q=0.8, *;q=0.1")
	offered := []string{"zstd", "gzip"}
	if n := testing.AllocsPerRun(100, func() { Negotiate(accept, offered) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
