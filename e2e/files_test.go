package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startFilesServer serves e2e/testdata/filesapp.py with --compress and a
// --static-map of a new directory, which it returns with the server.
func startFilesServer(t *testing.T) (*server, string) {
	t.Helper()
	dir := t.TempDir()
	page := strings.Repeat("<p>static page, served from Go</p>\n", 300)
	writeFiles(t, map[string]string{
		filepath.Join(dir, "site", "page.html"): page,
		filepath.Join(dir, "site", "app.css"):   "body { color: black }\n",
		filepath.Join(dir, "secret.txt"):        "outside the mapped directory\n",
	})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(page))
	_ = zw.Close()
	writeFiles(t, map[string]string{filepath.Join(dir, "site", "page.html.gz"): gz.String()})
	if err := os.Symlink("../secret.txt", filepath.Join(dir, "site", "link-out")); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, nil, "--no-master", "--compress", "--static-map", "/static="+filepath.Join(dir, "site"),
		"--chdir", "e2e/testdata", "filesapp")
	return s, filepath.Join(dir, "site")
}

// TestCompressedResponsesDecompress fetches the app's JSON with gzip and
// with zstd over HTTP, and decompresses them with Python's gzip module and
// the zstd command: both give the identity body back byte for byte.
func TestCompressedResponsesDecompress(t *testing.T) {
	s, _ := startFilesServer(t)
	out := s.runPython(t, `
import gzip, http.client, os, subprocess, sys, tempfile
def get(path, accept):
    c = http.client.HTTPConnection("127.0.0.1", int(os.environ["PORT"]), timeout=10)
    c.request("GET", path, headers={"Accept-Encoding": accept} if accept else {})
    r = c.getresponse()
    return r, r.read()
r, identity = get("/json", None)
assert r.getheader("Content-Encoding") is None, r.getheaders()
assert r.getheader("Vary") == "Accept-Encoding", r.getheaders()
r, body = get("/json", "gzip")
assert r.getheader("Content-Encoding") == "gzip", r.getheaders()
assert r.getheader("ETag") == 'W/"doc1"', r.getheaders()
assert gzip.decompress(body) == identity, "gzip body differs"
print("gzip", len(identity), len(body))
r, body = get("/json", "gzip;q=0.5, zstd")
assert r.getheader("Content-Encoding") == "zstd", r.getheaders()
with tempfile.NamedTemporaryFile(suffix=".zst") as f:
    f.write(body); f.flush()
    plain = subprocess.run(["zstd", "-d", "-c", f.name], check=True, capture_output=True).stdout
assert plain == identity, "zstd body differs"
print("zstd", len(identity), len(body))
r, body = get("/small", "gzip")
assert r.getheader("Content-Encoding") is None and body == b'{"ok": true}', r.getheaders()
r, body = get("/json", "br")
assert r.getheader("Content-Encoding") is None and body == identity
`)
	t.Logf("%s", out)
	if !bytes.Contains(out, []byte("gzip ")) || !bytes.Contains(out, []byte("zstd ")) {
		t.Fatalf("python: %s", out)
	}
}

// TestCompressedEventsArriveOneByOne reads a gzip-compressed stream of
// server-sent events as it comes: each event decompresses from what has
// arrived well before the app produces the next one, 300 ms later.
func TestCompressedEventsArriveOneByOne(t *testing.T) {
	s, _ := startFilesServer(t)
	out := s.runPython(t, `
import http.client, os, time, zlib
c = http.client.HTTPConnection("127.0.0.1", int(os.environ["PORT"]), timeout=10)
c.request("GET", "/events", headers={"Accept-Encoding": "gzip"})
r = c.getresponse()
assert r.getheader("Content-Encoding") == "gzip", r.getheaders()
d = zlib.decompressobj(16 + zlib.MAX_WBITS)
text, seen = b"", 0
while True:
    data = r.read1(65536)
    if not data:
        break
    text += d.decompress(data)
    while text.count(b"\n\n") > seen:
        event = text.split(b"\n\n")[seen]
        lag = time.time() - float(event.split()[-1])
        print("event", seen, "lag %.3f" % lag)
        assert lag < 0.2, "event %d arrived %.3f s after it was produced" % (seen, lag)
        seen += 1
text += d.flush()
assert seen == 4 and text.count(b"\n\n") == 4, text
`)
	t.Logf("%s", out)
	if got := bytes.Count(out, []byte("event ")); got != 4 {
		t.Fatalf("%d events: %s", got, out)
	}
}

// TestStaticFiles serves files of a --static-map directory over HTTP:
// the file itself, a 304, a range, its precompressed sibling, paths that
// try to leave the directory (404) and paths with no file (the app).
func TestStaticFiles(t *testing.T) {
	s, site := startFilesServer(t)
	page, _ := os.ReadFile(filepath.Join(site, "page.html"))
	get := func(path string, hdr ...string) (*http.Response, []byte) { return getRaw(t, s.url(path), hdr...) }
	resp, body := get("/static/page.html")
	if resp.StatusCode != 200 || !bytes.Equal(body, page) || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("page: %d %q, %d bytes", resp.StatusCode, resp.Header, len(body))
	}
	etag := resp.Header.Get("ETag")
	if resp, _ := get("/static/page.html", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	if resp, body := get("/static/page.html", "Range", "bytes=100-199"); resp.StatusCode != 206 || !bytes.Equal(body, page[100:200]) {
		t.Errorf("Range: %d, %d bytes", resp.StatusCode, len(body))
	}
	resp, body = get("/static/page.html", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("precompressed: %q", resp.Header)
	}
	if !bytes.Equal(gunzip(t, body), page) {
		t.Errorf("the .gz sibling does not decompress to the page")
	}
	if resp, body := get("/static/nothere.html"); resp.StatusCode != 200 || string(body) != "app: /static/nothere.html" {
		t.Errorf("no such file: %d %q, want the app's answer", resp.StatusCode, body)
	}
	for _, target := range []string{"/static/../filesapp.py", "/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt",
		"/static/link-out", "/static/page.html%00", "/static/a%5c..%5csecret.txt"} {
		c := s.dial(t)
		c.send(t, "GET "+target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if resp, body := c.read(t, "GET"); resp.StatusCode != 404 || bytes.Contains(body, []byte("outside")) {
			t.Errorf("GET %s: %d %q, want 404", target, resp.StatusCode, body)
		}
	}
}

// TestStaticFilesWhileTheGILIsHeld fetches a file while the app holds the
// GIL for a second: the file is answered without waiting for it.
func TestStaticFilesWhileTheGILIsHeld(t *testing.T) {
	s, _ := startFilesServer(t)
	spun := make(chan time.Duration, 1)
	go func() {
		t0 := time.Now()
		resp, err := http.Get(s.url("/spin"))
		if err == nil {
			resp.Body.Close()
		}
		spun <- time.Since(t0)
	}()
	time.Sleep(200 * time.Millisecond) // the app is spinning
	t0 := time.Now()
	resp, body := s.get(t, "/static/app.css")
	took := time.Since(t0)
	if resp.StatusCode != 200 || string(body) != "body { color: black }\n" {
		t.Fatalf("file: %d %q", resp.StatusCode, body)
	}
	if d := <-spun; took > 400*time.Millisecond || d < 900*time.Millisecond {
		t.Errorf("the file took %v while the app held the GIL for %v; want it answered without waiting", took, d)
	}
	var v any
	if resp, body := s.get(t, "/json"); resp.StatusCode != 200 || json.Unmarshal(body, &v) != nil {
		t.Errorf("json after: %d", resp.StatusCode)
	}
}

// TestGoAppFilesAndCompression runs --compress and --static-map around
// the Go demo app: they serve a Go-native app as they serve a Python one.
func TestGoAppFilesAndCompression(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, map[string]string{filepath.Join(dir, "a.txt"): "from a file\n"})
	s := startServer(t, nil, "--no-master", "--compress", "--compress-min-size", "0", "--static-map", "/files="+dir)
	if resp, body := s.get(t, "/files/a.txt"); resp.StatusCode != 200 || string(body) != "from a file\n" {
		t.Fatalf("file: %d %q", resp.StatusCode, body)
	}
	_, identity := getRaw(t, s.url("/stream?n=40"))
	resp, body := getRaw(t, s.url("/stream?n=40"), "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("stream: %q", resp.Header)
	}
	if plain := gunzip(t, body); !bytes.Equal(plain, identity) || len(identity) == 0 {
		t.Errorf("gzip stream decodes to %d bytes, identity %d", len(plain), len(identity))
	}
}

// getRaw fetches url with the headers hdr (name, value, ...), without
// the client's transparent decompression, and reads the whole body.
func getRaw(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// gunzip decompresses a gzip body.
func gunzip(t *testing.T, body []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}
