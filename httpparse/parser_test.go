package httpparse

import (
	"fmt"
	"strings"
	"testing"
)

// describe renders the parsed fields of req as one line, so that a table
// case can state everything it expects at once. Nil slices are left out;
// empty non-nil ones are shown as "field=".
func describe(req *Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", req.Method, req.Target, req.Proto)
	if req.Path != nil {
		fmt.Fprintf(&b, " path=%s", req.Path)
	}
	if req.Query != nil {
		fmt.Fprintf(&b, " query=%s", req.Query)
	}
	if req.Host != nil {
		fmt.Fprintf(&b, " host=%s", req.Host)
	}
	fmt.Fprintf(&b, " cl=%d", req.ContentLength)
	if req.KeepAlive {
		b.WriteString(" ka")
	}
	if req.Chunked {
		b.WriteString(" chunked")
	}
	if req.Expect100 {
		b.WriteString(" e100")
	}
	return b.String()
}

func headerList(req *Request) string {
	var b strings.Builder
	for i, h := range req.Headers {
		if i > 0 {
			b.WriteString("|")
		}
		fmt.Fprintf(&b, "%s=%s", h.Name, h.Value)
	}
	return b.String()
}

type parseCase struct {
	name    string
	in      string // the request line and header section
	rest    string // bytes after it (body, next request), not consumed
	lim     Limits
	want    string // describe(req) on success
	headers string // headerList(req) when not empty
	err     error
}

const h11 = "Host: example.com\r\n"

var parseCases = []parseCase{
	// Basics.
	{name: "minimal", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", want: "GET / HTTP/1.1 path=/ host=a cl=-1 ka", headers: "Host=a"},
	{name: "query", in: "GET /p/q?a=1&b=%20 HTTP/1.1\r\n" + h11 + "\r\n", want: "GET /p/q?a=1&b=%20 HTTP/1.1 path=/p/q query=a=1&b=%20 host=example.com cl=-1 ka"},
	{name: "empty query", in: "GET /p? HTTP/1.1\r\n" + h11 + "\r\n", want: "GET /p? HTTP/1.1 path=/p query= host=example.com cl=-1 ka"},
	{name: "second ?", in: "GET /p?a?b HTTP/1.1\r\n" + h11 + "\r\n", want: "GET /p?a?b HTTP/1.1 path=/p query=a?b host=example.com cl=-1 ka"},
	{name: "double slash path", in: "GET //x HTTP/1.1\r\n" + h11 + "\r\n", want: "GET //x HTTP/1.1 path=//x host=example.com cl=-1 ka"},
	{name: "all visible target bytes but #", in: "GET /!\"$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~ HTTP/1.1\r\n" + h11 + "\r\n",
		want: "GET /!\"$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~ HTTP/1.1 path=/!\"$%&'()*+,-./09:;<=> query=@AZ[\\]^_`az{|}~ host=example.com cl=-1 ka"},
	{name: "fragment", in: "GET /a?b=1#frag HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "fragment in path", in: "GET /a#b HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "http/1.0 no host", in: "GET / HTTP/1.0\r\n\r\n", want: "GET / HTTP/1.0 path=/ cl=-1"},
	{name: "http/1.0 keep-alive", in: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", want: "GET / HTTP/1.0 path=/ cl=-1 ka"},
	{name: "http/1.0 keep-alive and close", in: "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", want: "GET / HTTP/1.0 path=/ cl=-1"},
	{name: "http/1.0 keep-alive second line", in: "GET / HTTP/1.0\r\nConnection: foo\r\nConnection: ,KEEP-ALIVE ,\r\n\r\n", want: "GET / HTTP/1.0 path=/ cl=-1 ka"},
	{name: "close", in: "GET / HTTP/1.1\r\n" + h11 + "Connection: close\r\n\r\n", want: "GET / HTTP/1.1 path=/ host=example.com cl=-1"},
	{name: "close in list", in: "GET / HTTP/1.1\r\n" + h11 + "connection: Upgrade,\tClose \r\n\r\n", want: "GET / HTTP/1.1 path=/ host=example.com cl=-1"},
	{name: "close not a token", in: "GET / HTTP/1.1\r\n" + h11 + "Connection: closed, xclose\r\n\r\n", want: "GET / HTTP/1.1 path=/ host=example.com cl=-1 ka"},
	{name: "leading empty lines", in: "\r\n\r\nGET / HTTP/1.1\r\n" + h11 + "\r\n", want: "GET / HTTP/1.1 path=/ host=example.com cl=-1 ka"},
	{name: "four leading empty lines", in: "\r\n\r\n\r\n\r\nGET / HTTP/1.0\r\n\r\n", want: "GET / HTTP/1.0 path=/ cl=-1"},
	{name: "extension method", in: "M-SEARCH * HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "token method", in: "PROPFIND!#$%&'*+-.^_`|~9 /x HTTP/1.1\r\n" + h11 + "\r\n", want: "PROPFIND!#$%&'*+-.^_`|~9 /x HTTP/1.1 path=/x host=example.com cl=-1 ka"},
	{name: "lower-case method", in: "get / HTTP/1.1\r\n" + h11 + "\r\n", want: "get / HTTP/1.1 path=/ host=example.com cl=-1 ka"},

	// Target forms.
	{name: "absolute-form", in: "GET http://example.com:8080/p?q HTTP/1.1\r\nHost: other\r\n\r\n", want: "GET http://example.com:8080/p?q HTTP/1.1 path=/p query=q host=example.com:8080 cl=-1 ka", headers: "Host=other"},
	{name: "absolute-form no path", in: "GET http://example.com HTTP/1.1\r\n" + h11 + "\r\n", want: "GET http://example.com HTTP/1.1 path=/ host=example.com cl=-1 ka"},
	{name: "absolute-form query only", in: "GET HTTPS://ex.com?x=1 HTTP/1.1\r\n" + h11 + "\r\n", want: "GET HTTPS://ex.com?x=1 HTTP/1.1 path=/ query=x=1 host=ex.com cl=-1 ka"},
	{name: "absolute-form ipv6", in: "GET http://[::1]:80/ HTTP/1.1\r\n" + h11 + "\r\n", want: "GET http://[::1]:80/ HTTP/1.1 path=/ host=[::1]:80 cl=-1 ka"},
	{name: "absolute-form http/1.0 no host", in: "GET http://a.b/c HTTP/1.0\r\n\r\n", want: "GET http://a.b/c HTTP/1.0 path=/c host=a.b cl=-1"},
	{name: "absolute-form needs Host in 1.1", in: "GET http://a.b/c HTTP/1.1\r\n\r\n", err: ErrMissingHost},
	{name: "absolute-form userinfo", in: "GET http://u@a.b/ HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "absolute-form empty authority", in: "GET http:///p HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "absolute-form one slash", in: "GET http:/p HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "absolute-form other scheme", in: "GET ftp://a/ HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "absolute-form no scheme", in: "GET ://a/ HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "absolute-form fragment", in: "GET http://a#f HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "asterisk-form", in: "OPTIONS * HTTP/1.1\r\n" + h11 + "\r\n", want: "OPTIONS * HTTP/1.1 path=* host=example.com cl=-1 ka"},
	{name: "asterisk-form not OPTIONS", in: "GET * HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "double asterisk", in: "OPTIONS ** HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "authority-form", in: "CONNECT example.com:443 HTTP/1.1\r\n" + h11 + "\r\n", want: "CONNECT example.com:443 HTTP/1.1 host=example.com:443 cl=-1 ka"},
	{name: "authority-form ipv6", in: "CONNECT [::1]:443 HTTP/1.1\r\n" + h11 + "\r\n", want: "CONNECT [::1]:443 HTTP/1.1 host=[::1]:443 cl=-1 ka"},
	{name: "authority-form no port", in: "CONNECT example.com HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "authority-form empty port", in: "CONNECT example.com: HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "authority-form bad port", in: "CONNECT example.com:4a3 HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "authority-form long port", in: "CONNECT example.com:123456 HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "authority-form no host", in: "CONNECT :443 HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "authority-form userinfo", in: "CONNECT u@h:443 HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "CONNECT origin-form", in: "CONNECT / HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "authority-form not CONNECT", in: "GET example.com:80 HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "relative target", in: "GET p HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},

	// Request line syntax.
	{name: "bad method byte", in: "G@T / HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadMethod},
	{name: "method tab", in: "GET\t/ HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadMethod},
	{name: "method obs-text", in: "G\xc3\xa9T / HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadMethod},
	{name: "method NUL", in: "GET\x00 / HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadMethod},
	{name: "leading SP", in: " GET / HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "method only", in: "GET\r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "no version", in: "GET /\r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "HTTP/0.9 style", in: "GET /\r\n\r\n", err: ErrBadRequestLine},
	{name: "empty target", in: "GET  HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "double SP before target", in: "GET  / HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "double SP before version", in: "GET /  HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "trailing SP", in: "GET / HTTP/1.1 \r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "target obs-text", in: "GET /\xc3\xa9 HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "target NUL", in: "GET /\x00 HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "target DEL", in: "GET /\x7f HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "target tab", in: "GET /a\tb HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBadTarget},
	{name: "target CR", in: "GET /a\rb HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBareLF},
	{name: "version 1.2", in: "GET / HTTP/1.2\r\n" + h11 + "\r\n", err: ErrVersion},
	{name: "version 2.0", in: "GET / HTTP/2.0\r\n" + h11 + "\r\n", err: ErrVersion},
	{name: "version 0.9", in: "GET / HTTP/0.9\r\n\r\n", err: ErrVersion},
	{name: "version lower case", in: "GET / http/1.1\r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "version no dot", in: "GET / HTTP/11\r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "version 1.10", in: "GET / HTTP/1.10\r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "version garbage", in: "GET / FOO\r\n" + h11 + "\r\n", err: ErrBadRequestLine},
	{name: "version extra", in: "GET / HTTP/1.1 x\r\n" + h11 + "\r\n", err: ErrBadRequestLine},

	// Line endings.
	{name: "request line bare LF", in: "GET / HTTP/1.1\n" + h11 + "\r\n", err: ErrBareLF},
	{name: "request line bare CR", in: "GET / HTTP/1.1\rHost: a\r\n\r\n", err: ErrBareLF},
	{name: "request line CR CR LF", in: "GET / HTTP/1.1\r\r\n" + h11 + "\r\n", err: ErrBareLF},
	{name: "header bare LF", in: "GET / HTTP/1.1\r\nHost: a\n\r\n", err: ErrBareLF},
	{name: "header bare CR", in: "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", err: ErrBareLF},
	{name: "end bare LF", in: "GET / HTTP/1.1\r\n" + h11 + "\n", err: ErrBareLF},
	{name: "end bare CR", in: "GET / HTTP/1.1\r\n" + h11 + "\rX", err: ErrBareLF},
	{name: "end LF LF", in: "GET / HTTP/1.1\n\n", err: ErrBareLF},
	{name: "leading LF", in: "\nGET / HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBareLF},
	{name: "leading CR", in: "\rGET / HTTP/1.1\r\n" + h11 + "\r\n", err: ErrBareLF},
	{name: "five leading empty lines", in: "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.0\r\n\r\n", err: ErrBadRequestLine},

	// Header fields.
	{name: "values trimmed", in: "GET / HTTP/1.1\r\n" + h11 + "A:b\r\nB: \t c d \t \r\nC:\r\nD: \t \r\n\r\n",
		want: "GET / HTTP/1.1 path=/ host=example.com cl=-1 ka", headers: "Host=example.com|A=b|B=c d|C=|D="},
	{name: "obs-text value", in: "GET / HTTP/1.1\r\n" + h11 + "X: caf\xc3\xa9 \xff\r\n\r\n",
		want: "GET / HTTP/1.1 path=/ host=example.com cl=-1 ka", headers: "Host=example.com|X=caf\xc3\xa9 \xff"},
	{name: "token name", in: "GET / HTTP/1.1\r\n" + h11 + "x-!#$%&'*+.^_`|~9: v\r\n\r\n",
		want: "GET / HTTP/1.1 path=/ host=example.com cl=-1 ka", headers: "Host=example.com|x-!#$%&'*+.^_`|~9=v"},
	{name: "colon in value", in: "GET / HTTP/1.1\r\n" + h11 + "X: a:b: c\r\n\r\n",
		want: "GET / HTTP/1.1 path=/ host=example.com cl=-1 ka", headers: "Host=example.com|X=a:b: c"},
	{name: "empty name", in: "GET / HTTP/1.1\r\n" + h11 + ": v\r\n\r\n", err: ErrBadHeaderName},
	{name: "bad name byte", in: "GET / HTTP/1.1\r\n" + h11 + "X(: v\r\n\r\n", err: ErrBadHeaderName},
	{name: "name obs-text", in: "GET / HTTP/1.1\r\n" + h11 + "X\xe9: v\r\n\r\n", err: ErrBadHeaderName},
	{name: "name NUL", in: "GET / HTTP/1.1\r\n" + h11 + "X\x00: v\r\n\r\n", err: ErrBadHeaderName},
	{name: "space before colon", in: "GET / HTTP/1.1\r\n" + h11 + "X-Y : v\r\n\r\n", err: ErrSpaceBeforeColon},
	{name: "tab before colon", in: "GET / HTTP/1.1\r\n" + h11 + "X\t: v\r\n\r\n", err: ErrSpaceBeforeColon},
	{name: "space before colon Transfer-Encoding", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding : chunked\r\n\r\n", err: ErrSpaceBeforeColon},
	{name: "space in name", in: "GET / HTTP/1.1\r\n" + h11 + "X Y: v\r\n\r\n", err: ErrSpaceBeforeColon},
	{name: "no colon", in: "GET / HTTP/1.1\r\n" + h11 + "NoColon\r\n\r\n", err: ErrMissingColon},
	{name: "no colon with space", in: "GET / HTTP/1.1\r\n" + h11 + "No Colon\r\n\r\n", err: ErrMissingColon},
	{name: "obs-fold", in: "GET / HTTP/1.1\r\n" + h11 + "X: a\r\n b\r\n\r\n", err: ErrObsFold},
	{name: "obs-fold tab", in: "GET / HTTP/1.1\r\n" + h11 + "X: a\r\n\tb\r\n\r\n", err: ErrObsFold},
	{name: "space before first header", in: "GET / HTTP/1.1\r\n Host: a\r\n\r\n", err: ErrObsFold},
	{name: "value NUL", in: "GET / HTTP/1.1\r\n" + h11 + "X: a\x00b\r\n\r\n", err: ErrBadHeaderValue},
	{name: "value DEL", in: "GET / HTTP/1.1\r\n" + h11 + "X: a\x7f\r\n\r\n", err: ErrBadHeaderValue},
	{name: "value ESC", in: "GET / HTTP/1.1\r\n" + h11 + "X: \x1b[0m\r\n\r\n", err: ErrBadHeaderValue},
	{name: "value VT", in: "GET / HTTP/1.1\r\n" + h11 + "X: \x0b\r\n\r\n", err: ErrBadHeaderValue},

	// Host.
	{name: "missing host", in: "GET / HTTP/1.1\r\n\r\n", err: ErrMissingHost},
	{name: "two hosts", in: "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", err: ErrMissingHost},
	{name: "empty host", in: "GET / HTTP/1.1\r\nHost:\r\n\r\n", want: "GET / HTTP/1.1 path=/ host= cl=-1 ka"},
	{name: "host ipv6", in: "GET / HTTP/1.1\r\nHOST: [::1]:8080\r\n\r\n", want: "GET / HTTP/1.1 path=/ host=[::1]:8080 cl=-1 ka"},
	{name: "host with space", in: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", err: ErrBadHeaderValue},
	{name: "host with userinfo", in: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", err: ErrBadHeaderValue},
	{name: "host with slash", in: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", err: ErrBadHeaderValue},
	{name: "host obs-text", in: "GET / HTTP/1.1\r\nHost: \xe9\r\n\r\n", err: ErrBadHeaderValue},

	// Content-Length.
	{name: "content-length", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 5\r\n\r\n", rest: "helloGET / HTTP/1.1\r\n",
		want: "POST / HTTP/1.1 path=/ host=example.com cl=5 ka"},
	{name: "content-length zero", in: "POST / HTTP/1.1\r\n" + h11 + "content-length: 0\r\n\r\n", want: "POST / HTTP/1.1 path=/ host=example.com cl=0 ka"},
	{name: "content-length leading zeros", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 0005\r\n\r\n", want: "POST / HTTP/1.1 path=/ host=example.com cl=5 ka"},
	{name: "content-length list", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 5, 5,5\r\n\r\n", want: "POST / HTTP/1.1 path=/ host=example.com cl=5 ka"},
	{name: "content-length repeated", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 5\r\nCONTENT-LENGTH: 5\r\n\r\n", want: "POST / HTTP/1.1 path=/ host=example.com cl=5 ka"},
	{name: "content-length max int64", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 9223372036854775807\r\n\r\n", want: "POST / HTTP/1.1 path=/ host=example.com cl=9223372036854775807 ka"},
	{name: "content-length overflow", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 9223372036854775808\r\n\r\n", err: ErrBadContentLength},
	{name: "content-length huge", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 99999999999999999999999\r\n\r\n", err: ErrBadContentLength},
	{name: "content-length negative", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: -1\r\n\r\n", err: ErrBadContentLength},
	{name: "content-length plus", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: +5\r\n\r\n", err: ErrBadContentLength},
	{name: "content-length inner space", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 5 5\r\n\r\n", err: ErrBadContentLength},
	{name: "content-length hex", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 0x5\r\n\r\n", err: ErrBadContentLength},
	{name: "content-length empty", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length:\r\n\r\n", err: ErrBadContentLength},
	{name: "content-length empty element", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 5,\r\n\r\n", err: ErrBadContentLength},
	{name: "content-length decimal", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 5.0\r\n\r\n", err: ErrBadContentLength},
	{name: "content-length list differs", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 5, 6\r\n\r\n", err: ErrConflictingCL},
	{name: "content-length lines differ", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", err: ErrConflictingCL},
	{name: "content-length over limit", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 11\r\n\r\n", lim: Limits{MaxBodySize: 10}, err: ErrBodyTooLarge},
	{name: "content-length at limit", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 10\r\n\r\n", lim: Limits{MaxBodySize: 10}, want: "POST / HTTP/1.1 path=/ host=example.com cl=10 ka"},

	// Transfer-Encoding.
	{name: "chunked", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: chunked\r\n\r\n", rest: "5\r\nhello\r\n0\r\n\r\n",
		want: "POST / HTTP/1.1 path=/ host=example.com cl=-1 ka chunked"},
	{name: "chunked case", in: "POST / HTTP/1.1\r\n" + h11 + "transfer-encoding:  CHUNKED \r\n\r\n", want: "POST / HTTP/1.1 path=/ host=example.com cl=-1 ka chunked"},
	{name: "chunked http/1.0", in: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", want: "POST / HTTP/1.0 path=/ cl=-1 chunked"},
	{name: "chunked http/1.0 never keeps alive", in: "POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n", want: "POST / HTTP/1.0 path=/ cl=-1 chunked"},
	{name: "chunked over limit is the decoder's business", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: chunked\r\n\r\n", lim: Limits{MaxBodySize: 1},
		want: "POST / HTTP/1.1 path=/ host=example.com cl=-1 ka chunked"},
	{name: "CL then TE", in: "POST / HTTP/1.1\r\n" + h11 + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrCLAndTE},
	{name: "TE then CL", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", err: ErrCLAndTE},
	{name: "TE gzip and CL", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n", err: ErrCLAndTE},
	{name: "TE gzip", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: gzip\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE gzip, chunked", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: gzip, chunked\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE chunked, chunked", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: chunked, chunked\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE chunked twice", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE gzip then chunked lines", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE identity", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: identity\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE empty", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding:\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE trailing comma", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: chunked,\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE parameter", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: chunked;q=1\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE chunk", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: chunk\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE obs-text", in: "POST / HTTP/1.1\r\n" + h11 + "Transfer-Encoding: \xe7hunked\r\n\r\n", err: ErrTransferEncoding},
	{name: "TE http/1.0 gzip", in: "POST / HTTP/1.0\r\nTransfer-Encoding: gzip\r\n\r\n", err: ErrTransferEncoding},

	// Expect.
	{name: "expect", in: "POST / HTTP/1.1\r\n" + h11 + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\n", want: "POST / HTTP/1.1 path=/ host=example.com cl=3 ka e100"},
	{name: "expect case", in: "POST / HTTP/1.1\r\n" + h11 + "expect:  100-Continue\r\n\r\n", want: "POST / HTTP/1.1 path=/ host=example.com cl=-1 ka e100"},
	{name: "expect http/1.0 ignored", in: "POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", want: "POST / HTTP/1.0 path=/ cl=-1"},
	{name: "expect empty", in: "POST / HTTP/1.1\r\n" + h11 + "Expect:\r\n\r\n", want: "POST / HTTP/1.1 path=/ host=example.com cl=-1 ka"},
	{name: "expect other", in: "POST / HTTP/1.1\r\n" + h11 + "Expect: 200-ok\r\n\r\n", err: ErrExpectation},
	{name: "expect list", in: "POST / HTTP/1.1\r\n" + h11 + "Expect: 100-continue, foo\r\n\r\n", err: ErrExpectation},

	// Limits.
	{name: "request line at limit", in: "GET /23456789 HTTP/1.0\r\n\r\n", lim: Limits{MaxRequestLine: 22}, want: "GET /23456789 HTTP/1.0 path=/23456789 cl=-1"},
	{name: "request line over limit", in: "GET /234567890 HTTP/1.0\r\n\r\n", lim: Limits{MaxRequestLine: 22}, err: ErrRequestLineTooLong},
	{name: "request line over limit bare LF", in: "GET /234567890 HTTP/1.0\n\r\n", lim: Limits{MaxRequestLine: 22}, err: ErrRequestLineTooLong},
	{name: "headers at count limit", in: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\n\r\n", lim: Limits{MaxHeaders: 2}, want: "GET / HTTP/1.1 path=/ host=a cl=-1 ka"},
	{name: "headers over count limit", in: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", lim: Limits{MaxHeaders: 2}, err: ErrTooManyHeaders},
	// "Host: a\r\nA: 1\r\n\r\n" is 17 bytes.
	{name: "header bytes at limit", in: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\n\r\n", lim: Limits{MaxHeaderBytes: 17}, want: "GET / HTTP/1.1 path=/ host=a cl=-1 ka"},
	{name: "header bytes over limit", in: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\n\r\n", lim: Limits{MaxHeaderBytes: 16}, err: ErrHeadersTooLarge},
	{name: "header bytes over limit in a line", in: "GET / HTTP/1.1\r\nHost: a\r\nA: 1234567890\r\n\r\n", lim: Limits{MaxHeaderBytes: 16}, err: ErrHeadersTooLarge},
	// "X: 12345" is 8 bytes.
	{name: "field at size limit", in: "GET / HTTP/1.1\r\nHost: a\r\nX: 12345\r\n\r\n", lim: Limits{MaxFieldSize: 8}, want: "GET / HTTP/1.1 path=/ host=a cl=-1 ka"},
	{name: "field over size limit", in: "GET / HTTP/1.1\r\nHost: a\r\nX: 123456\r\n\r\n", lim: Limits{MaxFieldSize: 8}, err: ErrFieldTooLarge},
	{name: "field size unlimited", in: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("v", 9000) + "\r\n\r\n", lim: Limits{MaxFieldSize: -1}, want: "GET / HTTP/1.1 path=/ host=a cl=-1 ka"},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			p := Parser{Limits: tc.lim}
			var req Request
			buf := []byte(tc.in + tc.rest)
			n, err := p.Parse(buf, &req)
			if tc.err != nil {
				if err != tc.err {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				if n != 0 {
					t.Fatalf("n = %d on error", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
			if n != len(tc.in) || req.HeaderSize != n {
				t.Fatalf("n = %d, HeaderSize = %d, want %d", n, req.HeaderSize, len(tc.in))
			}
			if got := describe(&req); got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
			if tc.headers != "" {
				if got := headerList(&req); got != tc.headers {
					t.Fatalf("headers %q, want %q", got, tc.headers)
				}
			}
			if want := int(req.Proto[7] - '0'); req.ProtoMinor != want {
				t.Fatalf("ProtoMinor = %d for %s", req.ProtoMinor, req.Proto)
			}
			checkInside(t, buf, &req)
		})
	}
}

// TestParsePrefixes feeds every proper prefix of every table case: a
// prefix of a valid request must give ErrNeedMore, of an invalid one
// ErrNeedMore or the case's own error (limits and bad methods are caught
// early; the rest when their line is complete).
func TestParsePrefixes(t *testing.T) {
	for _, tc := range parseCases {
		p := Parser{Limits: tc.lim}
		var req Request
		for i := 0; i < len(tc.in); i++ {
			_, err := p.Parse([]byte(tc.in[:i]), &req)
			if err == ErrNeedMore {
				continue
			}
			if tc.err == nil || err != tc.err {
				t.Errorf("%s: prefix %q: err = %v, want ErrNeedMore", tc.name, tc.in[:i], err)
				break
			}
		}
	}
}

func TestParseEarlyLimits(t *testing.T) {
	p := Parser{}
	var req Request
	long := "GET /" + strings.Repeat("a", DefaultMaxRequestLine)
	if _, err := p.Parse([]byte(long), &req); err != ErrRequestLineTooLong {
		t.Fatalf("long request line without LF: %v", err)
	}
	if _, err := p.Parse([]byte(long[:DefaultMaxRequestLine]+"\r"), &req); err != ErrNeedMore {
		t.Fatalf("request line at the limit, CR pending: %v", err)
	}
	big := "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("b", DefaultMaxHeaderBytes)
	if _, err := (&Parser{Limits: Limits{MaxFieldSize: -1}}).Parse([]byte(big), &req); err != ErrHeadersTooLarge {
		t.Fatalf("big header without LF: %v", err)
	}
	field := "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("b", DefaultMaxFieldSize)
	if _, err := p.Parse([]byte(field), &req); err != ErrFieldTooLarge {
		t.Fatalf("long field without LF: %v", err)
	}
	if _, err := p.Parse([]byte(field[:len(field)-3]+"\r"), &req); err != ErrNeedMore {
		t.Fatalf("field at the limit, LF pending: %v", err)
	}
	many := "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X: y\r\n", DefaultMaxHeaders)
	if _, err := p.Parse([]byte(many), &req); err != ErrTooManyHeaders {
		t.Fatalf("too many headers, section not finished: %v", err)
	}
	// A TLS ClientHello or other binary garbage fails at once.
	if _, err := p.Parse([]byte("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), &req); err != ErrBadMethod {
		t.Fatalf("TLS handshake: %v", err)
	}
	if _, err := p.Parse([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), &req); err != ErrVersion {
		t.Fatalf("HTTP/2 preface: %v", err)
	}
}

func TestParsePipelined(t *testing.T) {
	buf := []byte("GET /a HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n" +
		"POST /b HTTP/1.1\r\nHost: b\r\nContent-Length: 2\r\n\r\nhi" +
		"\r\nGET /c HTTP/1.0\r\n\r\n" + "GET /d HT")
	var p Parser
	var req Request
	var got []string
	off := 0
	for {
		n, err := p.Parse(buf[off:], &req)
		if err == ErrNeedMore {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, describe(&req)+" "+headerList(&req))
		off += n
		if req.ContentLength > 0 {
			off += int(req.ContentLength)
		}
	}
	want := []string{
		"GET /a HTTP/1.1 path=/a host=a cl=-1 ka Host=a|X=1",
		"POST /b HTTP/1.1 path=/b host=b cl=2 ka Host=b|Content-Length=2",
		"GET /c HTTP/1.0 path=/c cl=-1 ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if string(buf[off:]) != "GET /d HT" {
		t.Fatalf("left %q", buf[off:])
	}
}

func TestStatusOf(t *testing.T) {
	for err, want := range map[error]int{
		ErrRequestLineTooLong: 414, ErrTooManyHeaders: 431, ErrHeadersTooLarge: 431, ErrFieldTooLarge: 431,
		ErrBodyTooLarge: 413, ErrTransferEncoding: 501, ErrVersion: 505,
		ErrExpectation: 417, ErrBadChunk: 400, ErrNeedMore: 400,
	} {
		if got := StatusOf(err); got != want {
			t.Errorf("StatusOf(%v) = %d, want %d", err, got, want)
		}
	}
}

// TestInvalidValueByte checks the word-at-a-time scan against the table,
// for every byte at every offset, alone and after a tab or obs-text.
func TestInvalidValueByte(t *testing.T) {
	naive := func(v []byte) int {
		for i, c := range v {
			if !valueChar[c] {
				return i
			}
		}
		return -1
	}
	for _, fill := range []byte{'a', '\t', 0xff, ' '} {
		for n := 0; n <= 19; n++ {
			for pos := 0; pos < n; pos++ {
				for c := 0; c < 256; c++ {
					var v []byte
					for i := 0; i < n; i++ {
						v = append(v, fill)
					}
					v[pos] = byte(c)
					if got, want := invalidValueByte(v), naive(v); got != want {
						t.Fatalf("fill %#x, %d bytes, %#x at %d: got %d, want %d", fill, n, c, pos, got, want)
					}
				}
			}
		}
	}
}
