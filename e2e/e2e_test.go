package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

const mib = 1 << 20

// TestDefaultApp serves examples/app.py, gwsgi's default Python app.
func TestDefaultApp(t *testing.T) {
	s := startServer(t, nil, "--chdir", "examples", "app")

	t.Run("hello", func(t *testing.T) {
		resp, body := s.get(t, "/")
		expect(t, resp, body, 200, []byte("Hello, World!"))
		if resp.ContentLength != 13 || resp.Header.Get("Content-Length") != "13" {
			t.Errorf("Content-Length %q (%d), want 13", resp.Header.Get("Content-Length"), resp.ContentLength)
		}
		if len(resp.TransferEncoding) != 0 {
			t.Errorf("Transfer-Encoding %q on a sized body", resp.TransferEncoding)
		}
		if got := resp.Header.Get("Content-Type"); got != "text/plain" {
			t.Errorf("Content-Type %q", got)
		}
		if resp.Header.Get("Date") == "" || resp.Header.Get("Server") != "gwsgi" {
			t.Errorf("Date %q, Server %q", resp.Header.Get("Date"), resp.Header.Get("Server"))
		}
	})

	t.Run("head", func(t *testing.T) {
		resp, body := s.do(t, newRequest(t, http.MethodHead, s.url("/"), nil, ""))
		expect(t, resp, body, 200, []byte{})
		if resp.ContentLength != 13 {
			t.Errorf("HEAD Content-Length %d, want 13", resp.ContentLength)
		}
		// No body bytes on the wire: the GET after it parses cleanly.
		c := s.dial(t)
		c.send(t, "HEAD / HTTP/1.1\r\nHost: e2e\r\n\r\nGET / HTTP/1.1\r\nHost: e2e\r\n\r\n")
		if resp, body := c.read(t, "HEAD"); resp.StatusCode != 200 || len(body) != 0 {
			t.Errorf("raw HEAD: %d %q", resp.StatusCode, body)
		}
		if resp, body := c.read(t, "GET"); resp.StatusCode != 200 || string(body) != "Hello, World!" {
			t.Errorf("GET after HEAD: %d %q", resp.StatusCode, body)
		}
	})

	t.Run("not-found", func(t *testing.T) {
		resp, body := s.get(t, "/nowhere")
		expect(t, resp, body, 404, []byte("Not Found\n"))
	})

	t.Run("echo-needs-post", func(t *testing.T) {
		resp, body := s.get(t, "/echo")
		expect(t, resp, body, 405, nil)
		if got := resp.Header.Get("Allow"); got != "POST" {
			t.Errorf("Allow %q", got)
		}
	})

	t.Run("post-echo", func(t *testing.T) {
		resp, body := s.post(t, "/echo", "application/x-www-form-urlencoded", strings.NewReader("a=1&b=two"))
		expect(t, resp, body, 200, []byte("a=1&b=two"))
		if got := resp.Header.Get("Content-Type"); got != "application/x-www-form-urlencoded" {
			t.Errorf("echoed Content-Type %q", got)
		}
		if resp.ContentLength != 9 {
			t.Errorf("Content-Length %d, want 9", resp.ContentLength)
		}
	})

	t.Run("post-echo-empty", func(t *testing.T) {
		resp, body := s.post(t, "/echo", "text/plain", strings.NewReader(""))
		expect(t, resp, body, 200, []byte{})
	})

	t.Run("chunked-post-raw", func(t *testing.T) {
		c := s.dial(t)
		c.send(t, "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
		// Pieces arrive separately, split inside chunk sizes and data;
		// a chunk extension and a trailer field are legal too.
		for _, piece := range []string{"5\r\nhel", "lo\r\n", "7;ext=1\r\n, world\r", "\n1", "\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n"} {
			c.send(t, piece)
			time.Sleep(10 * time.Millisecond)
		}
		resp, body := c.read(t, "POST")
		if resp.StatusCode != 200 || string(body) != "hello, world!" {
			t.Errorf("chunked echo: %d %q", resp.StatusCode, body)
		}
		// The connection is still good.
		c.send(t, "GET / HTTP/1.1\r\nHost: e2e\r\n\r\n")
		if resp, body := c.read(t, "GET"); resp.StatusCode != 200 || string(body) != "Hello, World!" {
			t.Errorf("GET after a chunked POST: %d %q", resp.StatusCode, body)
		}
	})

	t.Run("chunked-post-5MiB", func(t *testing.T) {
		data := pattern(5*mib, 1)
		req := newRequest(t, http.MethodPost, s.url("/echo"), pipeBody(data, 48<<10), "application/octet-stream")
		resp, body := s.do(t, req)
		expect(t, resp, nil, 200, nil)
		if !bytes.Equal(body, data) {
			t.Errorf("chunked 5 MiB echo: got %d bytes, not identical to the %d sent", len(body), len(data))
		}
	})

	t.Run("upload-5MiB", func(t *testing.T) {
		data := pattern(5*mib, 2)
		resp, body := s.post(t, "/echo", "application/octet-stream", bytes.NewReader(data))
		expect(t, resp, nil, 200, nil)
		if resp.ContentLength != int64(len(data)) || !bytes.Equal(body, data) {
			t.Errorf("5 MiB echo: Content-Length %d, %d bytes, identical %v", resp.ContentLength, len(body), bytes.Equal(body, data))
		}
	})

	t.Run("expect-100-continue", func(t *testing.T) {
		c := s.dial(t)
		c.send(t, "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
		line, err := c.br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
			t.Fatalf("interim response %q, %v; want 100 Continue", line, err)
		}
		if blank, err := c.br.ReadString('\n'); err != nil || blank != "\r\n" {
			t.Fatalf("after the 100 line: %q, %v", blank, err)
		}
		c.send(t, "ping")
		if resp, body := c.read(t, "POST"); resp.StatusCode != 200 || string(body) != "ping" {
			t.Errorf("after 100-continue: %d %q", resp.StatusCode, body)
		}
	})

	t.Run("stream", func(t *testing.T) {
		resp, body := s.get(t, "/stream?n=1000")
		expect(t, resp, nil, 200, nil)
		if !reflect.DeepEqual(resp.TransferEncoding, []string{"chunked"}) {
			t.Errorf("streamed response: Transfer-Encoding %q, want chunked", resp.TransferEncoding)
		}
		var want strings.Builder
		for i := range 1000 {
			fmt.Fprintf(&want, "chunk %d\n", i)
		}
		if string(body) != want.String() {
			t.Errorf("stream body: %d bytes, want %d: %q", len(body), want.Len(), clip(body))
		}
	})

	t.Run("pipelined", func(t *testing.T) {
		c := s.dial(t)
		c.send(t, "GET / HTTP/1.1\r\nHost: e2e\r\n\r\n"+
			"POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nfirst"+
			"GET /stream?n=3 HTTP/1.1\r\nHost: e2e\r\n\r\n"+
			"POST /echo HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nsecond\r\n0\r\n\r\n"+
			"HEAD / HTTP/1.1\r\nHost: e2e\r\n\r\n"+
			"HEAD /stream?n=3 HTTP/1.1\r\nHost: e2e\r\n\r\n"+
			"POST / HTTP/1.1\r\nHost: e2e\r\nContent-Length: 6\r\n\r\nunread"+
			"GET /nowhere HTTP/1.1\r\nHost: e2e\r\n\r\n"+
			"GET / HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n")
		for i, want := range []struct {
			method string
			status int
			body   string
		}{
			{"GET", 200, "Hello, World!"},
			{"POST", 200, "first"},
			{"GET", 200, "chunk 0\nchunk 1\nchunk 2\n"},
			{"POST", 200, "second"},
			{"HEAD", 200, ""},
			{"HEAD", 200, ""},
			{"POST", 200, "Hello, World!"},
			{"GET", 404, "Not Found\n"},
			{"GET", 200, "Hello, World!"},
		} {
			resp, body := c.read(t, want.method)
			if resp.StatusCode != want.status || string(body) != want.body {
				t.Errorf("pipelined response %d: %d %q, want %d %q", i, resp.StatusCode, body, want.status, want.body)
			}
		}
		c.expectEOF(t)
	})

	t.Run("unread-large-body", func(t *testing.T) {
		// The app ignores a 1 MiB body; the next request on the
		// connection is still parsed from the right place (or the server
		// says it closes the connection).
		c := s.dial(t)
		body := pattern(mib, 9)
		c.send(t, fmt.Sprintf("POST / HTTP/1.1\r\nHost: e2e\r\nContent-Length: %d\r\n\r\n", len(body)))
		go func() { _, _ = c.Write(append(body, "GET /stream?n=1 HTTP/1.1\r\nHost: e2e\r\n\r\n"...)) }()
		resp, got := c.read(t, "POST")
		if resp.StatusCode != 200 || string(got) != "Hello, World!" {
			t.Fatalf("POST / with an unread body: %d %q", resp.StatusCode, got)
		}
		if resp.Close {
			c.expectEOF(t)
			return
		}
		if resp, got := c.read(t, "GET"); resp.StatusCode != 200 || string(got) != "chunk 0\n" {
			t.Errorf("the request after an unread body: %d %q", resp.StatusCode, got)
		}
	})

	t.Run("client-gone-mid-stream", func(t *testing.T) {
		c := s.dial(t)
		c.send(t, "GET /stream?n=100000 HTTP/1.1\r\nHost: e2e\r\n\r\n")
		if _, err := c.br.Peek(4096); err != nil {
			t.Fatal(err)
		}
		c.Close()
		resp, body := s.get(t, "/stream?n=3")
		expect(t, resp, body, 200, []byte("chunk 0\nchunk 1\nchunk 2\n"))
	})

	t.Run("keep-alive", func(t *testing.T) {
		reused := 0
		for range 5 {
			req := newRequest(t, http.MethodGet, s.url("/"), nil, "")
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
				GotConn: func(info httptrace.GotConnInfo) {
					if info.Reused {
						reused++
					}
				},
			}))
			resp, body := s.do(t, req)
			expect(t, resp, body, 200, []byte("Hello, World!"))
		}
		if reused < 4 {
			t.Errorf("%d of 5 requests reused a connection, want at least 4", reused)
		}
	})

	t.Run("http10", func(t *testing.T) {
		c := s.dial(t)
		c.send(t, "GET / HTTP/1.0\r\n\r\n")
		if resp, body := c.read(t, "GET"); resp.StatusCode != 200 || string(body) != "Hello, World!" || resp.ContentLength != 13 {
			t.Errorf("HTTP/1.0 GET: %d %q Content-Length %d", resp.StatusCode, body, resp.ContentLength)
		}
		c.expectEOF(t)
		// A streamed body without chunking ends with the connection.
		c = s.dial(t)
		c.send(t, "GET /stream?n=2 HTTP/1.0\r\n\r\n")
		resp, body := c.read(t, "GET")
		if resp.StatusCode != 200 || string(body) != "chunk 0\nchunk 1\n" || len(resp.TransferEncoding) != 0 {
			t.Errorf("HTTP/1.0 stream: %d %q Transfer-Encoding %q", resp.StatusCode, body, resp.TransferEncoding)
		}
		c.expectEOF(t)
	})

	// A response after which the server closes the connection must be
	// followed by the close at once: an HTTP/1.0 client of a streamed body
	// waits for it to know the body is complete.
	t.Run("close-follows-response", func(t *testing.T) {
		for _, req := range []string{
			"GET /stream?n=2 HTTP/1.0\r\n\r\n",
			"GET / HTTP/1.0\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n",
		} {
			best := time.Hour
			for range 3 {
				c := s.dial(t)
				start := time.Now()
				c.send(t, req)
				if _, err := io.ReadAll(c); err != nil {
					t.Fatal(err)
				}
				best = min(best, time.Since(start))
				c.Close()
			}
			if best > 100*time.Millisecond {
				t.Errorf("%q: the connection closed %v after the request (best of 3), want well under 100 ms", strings.SplitN(req, "\r", 2)[0], best.Round(time.Millisecond))
			}
		}
	})

	t.Run("malformed", func(t *testing.T) {
		// A keep-alive connection opened before the bad requests.
		before := s.dial(t)
		before.send(t, "GET / HTTP/1.1\r\nHost: e2e\r\n\r\n")
		before.read(t, "GET")
		for _, tc := range []struct {
			name, req string
			status    int
		}{
			{"no colon", "GET / HTTP/1.1\r\nHost: e2e\r\nno colon here\r\n\r\n", 400},
			{"garbage line", "GARBAGE\r\n\r\n", 400},
			{"bad length", "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Length: ten\r\n\r\n", 400},
			{"bad chunk size", "POST /echo HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
			{"unknown version", "GET / HTTP/3.0\r\nHost: e2e\r\n\r\n", 505},
		} {
			c := s.dial(t)
			c.send(t, tc.req)
			resp, _ := c.read(t, "GET")
			if resp.StatusCode != tc.status {
				t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.status)
			}
			c.expectEOF(t)
			s.waitLog(t, fmt.Sprintf("gwsgi: %d %s from 127.0.0.1:", tc.status, http.StatusText(tc.status)))
		}
		before.send(t, "GET / HTTP/1.1\r\nHost: e2e\r\n\r\n")
		if resp, body := before.read(t, "GET"); resp.StatusCode != 200 || string(body) != "Hello, World!" {
			t.Errorf("older connection after the bad requests: %d %q", resp.StatusCode, body)
		}
		resp, body := s.get(t, "/")
		expect(t, resp, body, 200, []byte("Hello, World!"))
	})

	t.Run("python-http.client", func(t *testing.T) {
		out := s.runPython(t, `
import http.client, json, os
c = http.client.HTTPConnection("127.0.0.1", int(os.environ["PORT"]), timeout=10)
out, socks = [], set()
def call(method, path, **kw):
    c.request(method, path, **kw)
    socks.add(id(c.sock))
    r = c.getresponse()
    out.append([r.status, r.getheader("Content-Length"), r.getheader("Transfer-Encoding"), r.read().decode()])
call("GET", "/")
call("HEAD", "/")
call("POST", "/echo", body=b"plain body", headers={"Content-Type": "text/plain"})
call("POST", "/echo", body=iter([b"chunked ", b"body"]), headers={"Content-Type": "text/plain"}, encode_chunked=True)
call("GET", "/stream?n=2")
out.append(len(socks))
print(json.dumps(out))
`)
		var got []any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		want := []any{
			[]any{200.0, "13", nil, "Hello, World!"},
			[]any{200.0, "13", nil, ""},
			[]any{200.0, "10", nil, "plain body"},
			[]any{200.0, "12", nil, "chunked body"},
			[]any{200.0, nil, "chunked", "chunk 0\nchunk 1\n"},
			1.0, // one connection for all
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("http.client saw\n%v\nwant\n%v", got, want)
		}
	})
}

// multipartBody builds a multipart/form-data body with fields and one
// file per name in files.
func multipartBody(t *testing.T, fields map[string]string, files map[string][]byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		fw, err := w.CreateFormFile(name, name+".bin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

// decode unmarshals a JSON response body.
func decode(t *testing.T, resp *http.Response, body []byte) map[string]any {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want JSON", resp.Request.URL.Path, ct)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v: %q", resp.Request.URL.Path, err, clip(body))
	}
	return v
}

func expectJSON(t *testing.T, got map[string]any, want string) {
	t.Helper()
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		t.Errorf("got %s\nwant %s", g, want)
	}
}

// TestFlask serves examples/flaskapp.
func TestFlask(t *testing.T) {
	s := startServer(t, nil, "--chdir", "examples/flaskapp", "app:app")

	s.checkIndex(t, "Hello from Flask on gwsgi!\n")

	t.Run("json", func(t *testing.T) {
		resp, body := s.get(t, "/json")
		expect(t, resp, body, 200, nil)
		expectJSON(t, decode(t, resp, body), `{"message":"hello","numbers":[1,2,3],"server":"gwsgi"}`)
	})

	t.Run("query", func(t *testing.T) {
		q := url.Values{"name": {"x", "y z"}, "accent": {"é"}, "empty": {""}}
		resp, body := s.get(t, "/query?"+q.Encode())
		expect(t, resp, body, 200, nil)
		expectJSON(t, decode(t, resp, body), `{"args":{"name":["x","y z"],"accent":["é"],"empty":[""]}}`)
	})

	t.Run("json-post", func(t *testing.T) {
		resp, body := s.post(t, "/json", "application/json", strings.NewReader(`{"a":[1,"two",null],"b":{"c":true}}`))
		expect(t, resp, body, 200, nil)
		expectJSON(t, decode(t, resp, body), `{"received":{"a":[1,"two",null],"b":{"c":true}}}`)
	})

	t.Run("form-post", func(t *testing.T) {
		resp, body := s.get(t, "/form")
		expect(t, resp, body, 200, nil)
		if !bytes.Contains(body, []byte("<form")) {
			t.Errorf("GET /form: %q", body)
		}
		form := url.Values{"name": {"Ada", "Grace"}, "note": {"a&b=c é"}}
		resp, body = s.post(t, "/form", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		expect(t, resp, body, 200, nil)
		expectJSON(t, decode(t, resp, body), `{"form":{"name":["Ada","Grace"],"note":["a&b=c é"]}}`)
	})

	t.Run("multipart-upload", func(t *testing.T) {
		data, ct := multipartBody(t, map[string]string{"title": "two files"},
			map[string][]byte{"small": []byte("tiny\n"), "big": pattern(300<<10, 3)})
		resp, body := s.post(t, "/upload", ct, bytes.NewReader(data))
		expect(t, resp, body, 200, nil)
		expectJSON(t, decode(t, resp, body), `{"files":{
			"small":{"filename":"small.bin","size":5,"content_type":"application/octet-stream"},
			"big":{"filename":"big.bin","size":307200,"content_type":"application/octet-stream"}},
			"form":{"title":"two files"}}`)
	})

	t.Run("cookies", func(t *testing.T) {
		resp, body := s.get(t, "/cookie")
		expect(t, resp, body, 200, nil)
		sc := resp.Header.Get("Set-Cookie")
		if !strings.HasPrefix(sc, "flavour=oatmeal") || !strings.Contains(sc, "HttpOnly") {
			t.Errorf("Set-Cookie %q", sc)
		}
		resp, body = s.get(t, "/cookie/read")
		expect(t, resp, body, 200, nil)
		expectJSON(t, decode(t, resp, body), `{"cookies":{"flavour":"oatmeal"}}`)
	})

	t.Run("redirect", func(t *testing.T) { s.checkRedirect(t) })

	t.Run("not-found", func(t *testing.T) {
		resp, body := s.get(t, "/missing")
		expect(t, resp, body, 404, nil)
		if !bytes.Contains(body, []byte("Not Found")) {
			t.Errorf("404 body %q", body)
		}
	})

	t.Run("stream", func(t *testing.T) {
		resp, body := s.get(t, "/stream")
		expect(t, resp, body, 200, []byte("line 0\nline 1\nline 2\nline 3\nline 4\n"))
		if !reflect.DeepEqual(resp.TransferEncoding, []string{"chunked"}) {
			t.Errorf("Transfer-Encoding %q, want chunked", resp.TransferEncoding)
		}
	})

	t.Run("exception", func(t *testing.T) {
		resp, body := s.get(t, "/boom")
		expect(t, resp, body, 500, nil)
		s.waitLog(t, "Exception on /boom [GET]", "Traceback (most recent call last):", `raise RuntimeError("boom from Flask")`, "RuntimeError: boom from Flask")
		resp, body = s.get(t, "/")
		expect(t, resp, body, 200, []byte("Hello from Flask on gwsgi!\n"))
	})

	t.Run("python-http.client", func(t *testing.T) {
		out := s.runPython(t, `
import http.client, json, os
c = http.client.HTTPConnection("127.0.0.1", int(os.environ["PORT"]), timeout=10)
c.request("POST", "/json", body=json.dumps({"from": "http.client"}), headers={"Content-Type": "application/json"})
r = c.getresponse()
print(r.status, json.loads(r.read())["received"]["from"])
c.request("GET", "/missing")
r = c.getresponse()
r.read()
print(r.status)
`)
		if got := string(out); got != "200 http.client\n404\n" {
			t.Errorf("http.client: %q", got)
		}
	})
}

// TestDjango serves examples/djangoapp.
func TestDjango(t *testing.T) {
	s := startServer(t, nil, "--chdir", "examples/djangoapp", "djangoapp.wsgi:application")

	s.checkIndex(t, "Hello from Django on gwsgi!\n")

	t.Run("json-query", func(t *testing.T) {
		resp, body := s.get(t, "/json?name=Ada&city=S%C3%A3o+Paulo")
		expect(t, resp, body, 200, nil)
		expectJSON(t, decode(t, resp, body), `{"message":"hello","query":{"name":"Ada","city":"São Paulo"},"method":"GET"}`)
	})

	t.Run("form-post", func(t *testing.T) {
		form := url.Values{"name": {"Ada", "Grace"}, "note": {"x+y=z"}}
		resp, body := s.post(t, "/form", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		expect(t, resp, body, 200, nil)
		expectJSON(t, decode(t, resp, body), `{"form":{"name":["Ada","Grace"],"note":["x+y=z"]}}`)
	})

	t.Run("multipart-upload", func(t *testing.T) {
		data, ct := multipartBody(t, map[string]string{"title": "x"},
			map[string][]byte{"doc": []byte("hello\n"), "blob": pattern(3*mib, 4)})
		resp, body := s.post(t, "/upload", ct, bytes.NewReader(data))
		expect(t, resp, body, 200, nil)
		expectJSON(t, decode(t, resp, body), `{"files":{"doc":{"name":"doc.bin","size":6},"blob":{"name":"blob.bin","size":3145728}}}`)
	})

	t.Run("cookies", func(t *testing.T) {
		resp, body := s.get(t, "/cookie")
		expect(t, resp, body, 200, nil)
		expectJSON(t, decode(t, resp, body), `{"cookies":{}}`)
		if sc := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(sc, "flavour=oatmeal") || !strings.Contains(sc, "HttpOnly") {
			t.Errorf("Set-Cookie %q", sc)
		}
		resp, body = s.get(t, "/cookie")
		expectJSON(t, decode(t, resp, body), `{"cookies":{"flavour":"oatmeal"}}`)
	})

	t.Run("redirect", func(t *testing.T) { s.checkRedirect(t) })

	t.Run("not-found", func(t *testing.T) {
		for _, path := range []string{"/missing", "/no/such/route"} {
			resp, body := s.get(t, path)
			expect(t, resp, body, 404, nil)
		}
	})

	t.Run("stream", func(t *testing.T) {
		resp, body := s.get(t, "/stream")
		expect(t, resp, body, 200, []byte("line 0\nline 1\nline 2\nline 3\nline 4\n"))
		if !reflect.DeepEqual(resp.TransferEncoding, []string{"chunked"}) {
			t.Errorf("Transfer-Encoding %q, want chunked", resp.TransferEncoding)
		}
	})
}

// TestValidated serves e2e/testdata/validated.py, whose routes run inside
// wsgiref.validate with warnings as errors, on 4 threads.
func TestValidated(t *testing.T) {
	file := filepath.Join(t.TempDir(), "served.bin")
	fileData := pattern(200<<10+17, 5)
	if err := os.WriteFile(file, fileData, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, []string{"E2E_FILE=" + file}, "--chdir", "e2e/testdata", "--threads", "4", "validated:application")

	var mustClose []string // bodies the subtests that ran expect closed
	readResult := func(t *testing.T, resp *http.Response, body []byte, data []byte) {
		t.Helper()
		expect(t, resp, body, 200, nil)
		sum := sha256.Sum256(data)
		got := decode(t, resp, body)
		if got["length"] != float64(len(data)) || got["sha256"] != hex.EncodeToString(sum[:]) {
			t.Errorf("read %v bytes (sha256 %v), want %d (%x)", got["length"], got["sha256"], len(data), sum)
		}
	}
	lines := func(n int) ([]byte, []any) {
		var b bytes.Buffer
		var want []any
		for i := range n {
			line := fmt.Sprintf("line %d %s\n", i, strings.Repeat("x", i%50))
			b.WriteString(line)
			want = append(want, line)
		}
		b.WriteString("no newline at the end")
		return b.Bytes(), append(want, "no newline at the end")
	}

	t.Run("get", func(t *testing.T) {
		resp, body := s.get(t, "/")
		expect(t, resp, body, 200, []byte("Hello, World!"))
		if resp.ContentLength != 13 {
			t.Errorf("Content-Length %d", resp.ContentLength)
		}
	})

	t.Run("head", func(t *testing.T) {
		resp, body := s.do(t, newRequest(t, http.MethodHead, s.url("/"), nil, ""))
		expect(t, resp, body, 200, []byte{})
		if resp.ContentLength != 13 {
			t.Errorf("Content-Length %d", resp.ContentLength)
		}
	})

	t.Run("environ", func(t *testing.T) {
		req := newRequest(t, http.MethodGet, s.url("/env/a%20b/%C3%A9?x=1&y=%20"), nil, "")
		req.Header.Set("X-Custom", "one")
		req.Header.Add("X-Custom", "two")
		resp, body := s.do(t, req)
		expect(t, resp, body, 200, nil)
		env := decode(t, resp, body)
		for k, want := range map[string]any{
			"REQUEST_METHOD":        "GET",
			"SCRIPT_NAME":           "",
			"PATH_INFO":             "/env/a b/\u00c3\u00a9", // WSGI: bytes as latin-1
			"QUERY_STRING":          "x=1&y=%20",
			"SERVER_PROTOCOL":       "HTTP/1.1",
			"SERVER_PORT":           s.port,
			"HTTP_X_CUSTOM":         "one, two",
			"wsgi.url_scheme":       "http",
			"wsgi.multithread":      true,
			"wsgi.multiprocess":     false,
			"wsgi.run_once":         false,
			"wsgi.input_terminated": true,
		} {
			if got := env[k]; !reflect.DeepEqual(got, want) {
				t.Errorf("%s = %#v, want %#v", k, got, want)
			}
		}
		if v := env["wsgi.version"]; !reflect.DeepEqual(v, []any{1.0, 0.0}) {
			t.Errorf("wsgi.version %v", v)
		}
	})

	t.Run("post-read", func(t *testing.T) {
		data := []byte("a small body")
		resp, body := s.post(t, "/read?block=5", "text/plain", bytes.NewReader(data))
		readResult(t, resp, body, data)
		if got := decode(t, resp, body)["reads"]; got != 3.0 {
			t.Errorf("read(5) calls returning data: %v, want 3", got)
		}
	})

	t.Run("post-read-empty", func(t *testing.T) {
		resp, body := s.post(t, "/read", "text/plain", strings.NewReader(""))
		readResult(t, resp, body, nil)
	})

	t.Run("chunked-post", func(t *testing.T) {
		data := pattern(100<<10, 6)
		resp, body := s.post(t, "/read?block=1000", "application/octet-stream", pipeBody(data, 7000))
		readResult(t, resp, body, data)
	})

	t.Run("large-upload", func(t *testing.T) {
		data := pattern(5*mib, 7)
		resp, body := s.post(t, "/read?block=65536", "application/octet-stream", bytes.NewReader(data))
		readResult(t, resp, body, data)
	})

	t.Run("large-chunked-upload", func(t *testing.T) {
		data := pattern(5*mib, 8)
		resp, body := s.post(t, "/read?block=100000", "application/octet-stream", pipeBody(data, 32<<10))
		readResult(t, resp, body, data)
	})

	for _, route := range []string{"/readline", "/readline?size=7", "/readlines", "/iter"} {
		t.Run("lines"+route, func(t *testing.T) {
			for _, n := range []int{3, 5000} { // in memory, and streamed (over 64 KiB)
				data, want := lines(n)
				resp, body := s.post(t, route, "text/plain", bytes.NewReader(data))
				expect(t, resp, body, 200, nil)
				got := decode(t, resp, body)["lines"].([]any)
				if strings.Contains(route, "size=") {
					// Lines come in pieces of at most 7 bytes: join them.
					var all strings.Builder
					for _, l := range got {
						if len(l.(string)) > 7 {
							t.Fatalf("readline(7) returned %q", l)
						}
						all.WriteString(l.(string))
					}
					if all.String() != string(data) {
						t.Errorf("%d lines: readline(7) pieces do not add up to the body", n)
					}
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%d lines: got %d lines, want %d", n, len(got), len(want))
				}
			}
		})
	}

	t.Run("chunked-lines", func(t *testing.T) {
		data, want := lines(2000)
		resp, body := s.post(t, "/iter", "text/plain", pipeBody(data, 999))
		expect(t, resp, body, 200, nil)
		if got := decode(t, resp, body)["lines"]; !reflect.DeepEqual(got, want) {
			t.Errorf("iterating a chunked body: wrong lines")
		}
	})

	t.Run("generator", func(t *testing.T) {
		mustClose = append(mustClose, "/gen", "/closeable")
		resp, body := s.get(t, "/gen?n=500")
		var want strings.Builder
		for i := range 500 {
			fmt.Fprintf(&want, "chunk %d\n", i)
		}
		expect(t, resp, body, 200, []byte(want.String()))
		resp, body = s.get(t, "/closeable")
		expect(t, resp, body, 200, []byte("xy"))
	})

	t.Run("generator-fails-mid-body", func(t *testing.T) {
		mustClose = append(mustClose, "failed")
		resp, err := s.client.Get(s.url("/gen?n=5&fail=2&tag=failed"))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("the body of a failed generator read cleanly: %q; want a cut connection", body)
		}
		if !strings.HasPrefix("chunk 0\nchunk 1\n", string(body)) {
			t.Errorf("partial body %q", body)
		}
		s.waitLog(t, "RuntimeError: e2e: generator failed")
		r, b := s.get(t, "/")
		expect(t, r, b, 200, []byte("Hello, World!"))
	})

	t.Run("client-gone-mid-stream", func(t *testing.T) {
		c := s.dial(t)
		c.send(t, "GET /gen?n=10000000&tag=gone HTTP/1.1\r\nHost: e2e\r\n\r\n")
		if _, err := c.br.Peek(4096); err != nil {
			t.Fatal(err)
		}
		c.Close()
		deadline := time.Now().Add(5 * time.Second)
		for {
			resp, body := s.get(t, "/problems")
			if bytes.Contains(body, []byte(`"gone"`)) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the generator was not closed after the client left: %s %s", resp.Status, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("streams-as-produced", func(t *testing.T) {
		mustClose = append(mustClose, "/gated")
		resp, err := s.client.Get(s.url("/gated"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		first := make([]byte, len("first\n"))
		done := make(chan error, 1)
		go func() {
			_, err := resp.Body.Read(first[:1])
			if err == nil {
				_, err = io.ReadFull(resp.Body, first[1:])
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil || string(first) != "first\n" {
				t.Fatalf("first chunk %q, %v", first, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the first chunk did not arrive while the generator waited: the body is not streamed")
		}
		r, b := s.get(t, "/release")
		expect(t, r, b, 200, []byte("released"))
		rest, err := io.ReadAll(resp.Body)
		if err != nil || string(rest) != "second\n" {
			t.Errorf("after release: %q, %v", rest, err)
		}
	})

	t.Run("write-callable", func(t *testing.T) {
		resp, body := s.get(t, "/write")
		expect(t, resp, body, 200, []byte("one,two,three"))
	})

	t.Run("exc-info-before-head", func(t *testing.T) {
		resp, body := s.get(t, "/excinfo")
		expect(t, resp, body, 503, []byte("error page"))
	})

	t.Run("file-wrapper", func(t *testing.T) {
		mustClose = append(mustClose, "/file")
		resp, body := s.get(t, "/file")
		expect(t, resp, nil, 200, nil)
		if resp.ContentLength != int64(len(fileData)) || !bytes.Equal(body, fileData) {
			t.Errorf("file: Content-Length %d, %d bytes, identical %v; want %d", resp.ContentLength, len(body), bytes.Equal(body, fileData), len(fileData))
		}
	})

	t.Run("errors-stream", func(t *testing.T) {
		resp, body := s.get(t, "/errors")
		expect(t, resp, body, 200, []byte("logged"))
		s.waitLog(t, "e2e: a line for the error log")
	})

	t.Run("app-exception", func(t *testing.T) {
		resp, body := s.get(t, "/raise")
		expect(t, resp, body, 500, nil)
		s.waitLog(t, "Traceback (most recent call last):", `raise RuntimeError("e2e: intentional failure")`, "RuntimeError: e2e: intentional failure")
		resp, body = s.get(t, "/")
		expect(t, resp, body, 200, []byte("Hello, World!"))
	})

	t.Run("not-found", func(t *testing.T) {
		resp, body := s.get(t, "/nowhere")
		expect(t, resp, body, 404, []byte("not found"))
	})

	t.Run("python-http.client", func(t *testing.T) {
		out := s.runPython(t, `
import hashlib, http.client, json, os
data = bytes(range(256)) * 1000
c = http.client.HTTPConnection("127.0.0.1", int(os.environ["PORT"]), timeout=10)
c.request("POST", "/read?block=4096", body=(data[i:i + 3000] for i in range(0, len(data), 3000)), encode_chunked=True)
r = c.getresponse()
got = json.loads(r.read())
print(r.status, got["length"] == len(data), got["sha256"] == hashlib.sha256(data).hexdigest())
`)
		if got := string(out); got != "200 True True\n" {
			t.Errorf("http.client chunked upload: %q", got)
		}
	})

	// With 4 threads, a sleeping request leaves room for quick ones.
	t.Run("threads", func(t *testing.T) {
		start := time.Now()
		slept := make(chan time.Duration, 1)
		go func() {
			resp, err := s.client.Get(s.url("/sleep?ms=500"))
			if err == nil {
				resp.Body.Close()
			}
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("sleeper: %v", err)
			}
			slept <- time.Since(start)
		}()
		time.Sleep(50 * time.Millisecond) // the sleeper is in the app
		var wg sync.WaitGroup
		var mu sync.Mutex
		var slowest time.Duration
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := s.client.Get(s.url("/"))
				if err != nil {
					t.Errorf("quick request: %v", err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				slowest = max(slowest, time.Since(start))
				mu.Unlock()
			}()
		}
		wg.Wait()
		sleeper := <-slept
		if sleeper < 500*time.Millisecond {
			t.Errorf("the sleeper answered after %v, before its 500 ms", sleeper)
		}
		if slowest > 400*time.Millisecond || slowest >= sleeper {
			t.Errorf("20 quick requests took until %v; the sleeper until %v", slowest, sleeper)
		}
	})

	t.Run("validator-saw-no-problem", func(t *testing.T) {
		resp, body := s.get(t, "/problems")
		expect(t, resp, body, 200, nil)
		got := decode(t, resp, body)
		if p := got["problems"].([]any); len(p) != 0 {
			t.Errorf("wsgiref.validate problems: %q", p)
		}
		closed := map[string]bool{}
		for _, p := range got["closed"].([]any) {
			closed[p.(string)] = true
		}
		for _, p := range mustClose {
			if !closed[p] {
				t.Errorf("the body of %s was not closed (closed: %v)", p, got["closed"])
			}
		}
	})

	// Last: SIGTERM while a request is in the app; it still gets its answer.
	t.Run("graceful-shutdown", func(t *testing.T) {
		type result struct {
			status int
			body   string
			err    error
		}
		res := make(chan result, 1)
		go func() {
			resp, err := s.client.Get(s.url("/sleep?ms=700"))
			if err != nil {
				res <- result{err: err}
				return
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			res <- result{resp.StatusCode, string(b), err}
		}()
		time.Sleep(200 * time.Millisecond)
		s.stop(t)
		r := <-res
		if r.err != nil || r.status != 200 || r.body != "slept" {
			t.Errorf("in-flight request across SIGTERM: %d %q %v", r.status, r.body, r.err)
		}
	})

	log := s.log.String()
	for _, bad := range []string{"AssertionError", "Warning", "garbage collected"} {
		if strings.Contains(log, bad) {
			t.Errorf("server log mentions %q:\n%s", bad, log)
		}
	}
}

// TestImportError: an app that cannot be loaded stops gwsgi with a
// non-zero status and the Python traceback on stderr; under --no-master
// before it binds (a master binds first, as gunicorn's does, and its
// worker fails to boot).
func TestImportError(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no-module", []string{"--chdir", "examples", "nosuchmodule:app"}, "ModuleNotFoundError: No module named 'nosuchmodule'"},
		{"raises", []string{"--chdir", "e2e/testdata", "broken:application"}, "RuntimeError: e2e: broken at import"},
		{"no-attribute", []string{"--chdir", "examples", "app:nosuch"}, "AttributeError: module 'app' has no attribute 'nosuch'"},
		{"not-callable", []string{"--chdir", "examples", "app:HELLO"}, "TypeError: app 'app:HELLO' is a list, which is not callable"},
		{"no-chdir", []string{"--chdir", "e2e/testdata/nosuchdir", "app"}, "FileNotFoundError"},
	} {
		t.Run(tc.name, func(t *testing.T) { loadFails(t, tc.args, tc.want, true) })
		t.Run(tc.name+"/no-master", func(t *testing.T) {
			loadFails(t, append([]string{"--no-master"}, tc.args...), tc.want, false)
		})
	}
}

// loadFails runs gwsgi with args and checks that it exits with a
// non-zero status and want in its log; binds says whether it may bind
// the port meanwhile.
func loadFails(t *testing.T, args []string, want string, binds bool) {
	addr := "127.0.0.1:" + freePort(t)
	var log syncBuffer
	cmd := command(addr, &log, nil, args...)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
poll:
	for {
		if c, derr := net.DialTimeout("tcp", addr, 100*time.Millisecond); derr == nil && !binds {
			c.Close()
			t.Errorf("%s accepted a connection: the port was bound", addr)
		}
		select {
		case err = <-done:
			break poll
		case <-time.After(10 * time.Millisecond):
		}
		if time.Since(start) > 10*time.Second {
			_ = cmd.Process.Kill()
			<-done
			t.Fatalf("gwsgi still running after 10 s:\n%s", log.String())
		}
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Errorf("exit: %v, want a non-zero status", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to fail", d)
	}
	out := log.String()
	for _, w := range []string{"Traceback (most recent call last):", want} {
		if !strings.Contains(out, w) {
			t.Errorf("stderr lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "serving") {
		t.Errorf("stderr says it served:\n%s", out)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s accepts connections after gwsgi exited", addr)
	}
}

// checkRedirect checks /redirect: 302 to /json, followed and not followed.
func (s *server) checkRedirect(t *testing.T) {
	resp, body := s.get(t, "/redirect")
	expect(t, resp, body, 200, nil)
	if resp.Request.URL.Path != "/json" {
		t.Errorf("redirect followed to %s, want /json", resp.Request.URL)
	}
	resp, err := s.noRedirect().Get(s.url("/redirect"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/json" {
		t.Errorf("redirect: %d Location %q, want 302 /json", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// checkIndex checks that / answers greeting, and HEAD / its length only.
func (s *server) checkIndex(t *testing.T, greeting string) {
	t.Run("index", func(t *testing.T) {
		resp, body := s.get(t, "/")
		expect(t, resp, body, 200, []byte(greeting))
	})
	t.Run("head", func(t *testing.T) {
		resp, body := s.do(t, newRequest(t, http.MethodHead, s.url("/"), nil, ""))
		expect(t, resp, body, 200, []byte{})
		if want := int64(len(greeting)); resp.ContentLength != want {
			t.Errorf("HEAD Content-Length %d, want %d", resp.ContentLength, want)
		}
	})
}
