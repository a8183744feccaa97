package static

import (
	"strconv"
	"strings"
	"testing"
)

func TestPrecompressed(t *testing.T) {
	tr := makeTree(t)
	h := newHandler(t, tr, 0)
	js := strings.Repeat("console.log('static');\n", 40)
	tests := []struct {
		target, accept string
		enc, body      string
		vary           bool
	}{
		{"/static/app.js", "", "", js, false}, // siblings are looked for when the client takes a coding
		{"/static/app.js", "gzip", "gzip", string(tr.jsGzip), true},
		{"/static/app.js", "x-gzip", "gzip", string(tr.jsGzip), true},
		{"/static/app.js", "GZIP;q=0.5", "gzip", string(tr.jsGzip), true},
		{"/static/app.js", "gzip, deflate, br, zstd", "zstd", "ZSTD-BYTES!", true},
		{"/static/app.js", "br", "br", "BROTLI-BYTES", true},
		{"/static/app.js", "gzip;q=0.5, br;q=0.9", "br", "BROTLI-BYTES", true},
		{"/static/app.js", "*", "zstd", "ZSTD-BYTES!", true},
		{"/static/app.js", "*, zstd;q=0", "br", "BROTLI-BYTES", true},
		{"/static/app.js", "identity", "", js, false},
		{"/static/app.js", "gzip;q=0", "", js, false},
		{"/static/app.js", "deflate", "", js, false},
		{"/static/style.css", "br, zstd", "", "body{color:red}\n", false}, // only style.css.gz exists
		{"/static/style.css", "br, gzip", "gzip", "GZIP-CSS", true},
		{"/static/mostly.txt", "gzip", "", "mostly\n", false}, // mostly.txt.gz is a directory
		{"/static/mostly.txt", "br", "br", "BR", true},
		{"/static/hello.txt", "gzip, br, zstd", "", helloText, false},
		{"/static/logo.png", "gzip", "", "PNG", false}, // compressed formats have no siblings
		{"/static/app.js.gz", "gzip", "", string(tr.jsGzip), false},
		{"/static/app.js.br", "br", "", "BROTLI-BYTES", false},
	}
	etags := map[string]string{}
	bothModes(t, func(t *testing.T) {
		for _, tt := range tests {
			var hdr []string
			if tt.accept != "" {
				hdr = append(hdr, "Accept-Encoding: "+tt.accept)
			}
			r := get(t, h, "GET", tt.target, hdr...)
			if r.StatusCode != 200 || r.body != tt.body || r.Header.Get("Content-Encoding") != tt.enc {
				t.Errorf("%s %q: %d %q %q, want %q %q", tt.target, tt.accept, r.StatusCode, r.Header.Get("Content-Encoding"), r.body, tt.enc, tt.body)
				continue
			}
			if got := r.Header.Get("Vary") == "Accept-Encoding"; got != tt.vary {
				t.Errorf("%s %q: Vary %q", tt.target, tt.accept, r.Header.Get("Vary"))
			}
			wantType := contentType([]byte(tt.target))
			if r.Header.Get("Content-Type") != wantType {
				t.Errorf("%s %q: Content-Type %q, want %q", tt.target, tt.accept, r.Header.Get("Content-Type"), wantType)
			}
			key := tt.target + " " + tt.enc
			if old, ok := etags[key]; ok && old != r.Header.Get("ETag") {
				t.Errorf("%s: ETag %s, then %s", key, old, r.Header.Get("ETag"))
			}
			etags[key] = r.Header.Get("ETag")
		}
	})
	if etags["/static/app.js "] == etags["/static/app.js gzip"] || etags["/static/app.js gzip"] == etags["/static/app.js br"] {
		t.Errorf("representations share ETags: %v", etags)
	}
	if !strings.HasSuffix(etags["/static/app.js gzip"], `-gz"`) {
		t.Errorf("gzip ETag %s", etags["/static/app.js gzip"])
	}
	// app.js.gz asked for by name is a plain file: not the ETag of the
	// gzip representation of app.js.
	if etags["/static/app.js.gz "] == etags["/static/app.js gzip"] {
		t.Errorf("app.js.gz and app.js as gzip share the ETag %s", etags["/static/app.js.gz "])
	}
	if ct := get(t, h, "GET", "/static/app.js.gz").Header.Get("Content-Type"); ct != "application/gzip" {
		t.Errorf("app.js.gz: Content-Type %q", ct)
	}

	// Conditionals and ranges apply to the representation served.
	gzTag := etags["/static/app.js gzip"]
	r := get(t, h, "GET", "/static/app.js", "Accept-Encoding: gzip", "If-None-Match: "+gzTag)
	if r.StatusCode != 304 || r.Header.Get("Vary") != "Accept-Encoding" || r.Header.Get("ETag") != gzTag {
		t.Errorf("gzip If-None-Match: %d %v", r.StatusCode, r.Header)
	}
	r = get(t, h, "GET", "/static/app.js", "If-None-Match: "+gzTag)
	if r.StatusCode != 200 || r.body != js {
		t.Errorf("identity with the gzip ETag in If-None-Match: %d", r.StatusCode)
	}
	r = get(t, h, "GET", "/static/app.js", "If-None-Match: "+etags["/static/app.js "])
	if r.StatusCode != 304 || r.Header.Get("ETag") != etags["/static/app.js "] {
		t.Errorf("identity 304: %d %v", r.StatusCode, r.Header)
	}
	r = get(t, h, "GET", "/static/app.js", "Accept-Encoding: gzip", "Range: bytes=0-9")
	if r.StatusCode != 206 || r.body != string(tr.jsGzip[:10]) || r.Header.Get("Content-Encoding") != "gzip" ||
		r.Header.Get("Content-Range") != "bytes 0-9/"+strconv.Itoa(len(tr.jsGzip)) {
		t.Errorf("gzip range: %d %v %q", r.StatusCode, r.Header, r.body)
	}
	r = get(t, h, "GET", "/static/app.js", "Accept-Encoding: br", "Range: bytes=100-")
	if r.StatusCode != 416 || r.Header.Get("Content-Range") != "bytes */12" || r.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("br range beyond the br file: %d %v", r.StatusCode, r.Header)
	}
	r = get(t, h, "GET", "/static/app.js", "Accept-Encoding: gzip", `If-Match: "nope"`)
	if r.StatusCode != 412 || r.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("412: %d %v", r.StatusCode, r.Header)
	}
}
