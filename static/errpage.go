package static

import (
	"strconv"

	"github.com/gwsgi/gwsgi/wsgi"
)

// errPage is an error answer of the package's own: a short text/plain
// body, distinct from what an app would say, so a log reader sees who
// answered.
type errPage struct {
	status, length string
	body           []byte
}

func newErrPage(status string) errPage {
	body := status + "\n"
	return errPage{status: status, length: strconv.Itoa(len(body)), body: []byte(body)}
}

var (
	notFound            = newErrPage("404 Not Found")
	forbidden           = newErrPage("403 Forbidden")
	preconditionFailed  = newErrPage("412 Precondition Failed")
	rangeNotSatisfiable = newErrPage("416 Range Not Satisfiable")
)

// fail answers with p; contentRange, when set, is the 416's
// Content-Range. The page's body is package-owned and never modified.
func (c *call) fail(start wsgi.StartResponse, p *errPage, vary bool, contentRange string) (wsgi.Iterable, bool, error) {
	c.closeExcept(-1)
	hs := append(c.hdr[:0],
		wsgi.Header{Name: "Content-Type", Value: "text/plain; charset=utf-8"},
		wsgi.Header{Name: "Content-Length", Value: p.length})
	if contentRange != "" {
		hs = append(hs, wsgi.Header{Name: "Content-Range", Value: contentRange})
	}
	if vary {
		hs = append(hs, wsgi.Header{Name: "Vary", Value: "Accept-Encoding"})
	}
	if _, err := start.StartResponse(p.status, hs, nil); err != nil {
		return nil, true, err
	}
	return wsgi.Bytes(p.body), true, nil
}
