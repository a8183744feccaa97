package static

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/wsgi"
)

// coding is a precompressed sibling: FILE+suffix holds FILE encoded
// with token.
type coding struct {
	token  string // Content-Encoding and Accept-Encoding token
	suffix string // file name suffix
	tag    string // appended to the sibling's ETag
}

// codings in the server's order of preference.
var codings = [3]coding{
	{"zstd", ".zst", "-zst"},
	{"br", ".br", "-br"},
	{"gzip", ".gz", "-gz"},
}

// offers[mask] lists the tokens of the codings whose bit (1<<index) is
// in mask, in preference order: what httpparse.Negotiate chooses from.
var offers [1 << len(codings)][]string

func init() {
	for mask := range offers {
		for k, c := range codings {
			if mask&(1<<k) != 0 {
				offers[mask] = append(offers[mask], c.token)
			}
		}
	}
}

// call is one Serve's scratch space, from a pool: the decoded path, the
// open files and their stat, the request fields and the response
// headers. Header values are built in val; the strings handed to
// StartResponse point into it, so they are valid only until Serve
// returns (StartResponse copies them).
type call struct {
	rel relBuf
	fd  [1 + len(codings)]int         // 0: the file; 1+k: its sibling for codings[k]; -1: none
	st  [1 + len(codings)]unix.Stat_t // their stat, when open
	req reqHeaders
	hdr [10]wsgi.Header
	val [256]byte
}

var callPool = sync.Pool{New: func() any { return new(call) }}

func getCall() *call {
	c := callPool.Get().(*call)
	for i := range c.fd {
		c.fd[i] = -1
	}
	return c
}

// release closes what is still open and returns c to its pool.
func (c *call) release() {
	c.closeExcept(-1)
	clear(c.hdr[:])
	c.req = reqHeaders{}
	callPool.Put(c)
}

// closeExcept closes every open file but c.fd[keep] (keep -1: all).
func (c *call) closeExcept(keep int) {
	for i, fd := range c.fd {
		if fd >= 0 && i != keep {
			unix.Close(fd)
			c.fd[i] = -1
		}
	}
}

// take hands c.fd[i] over to the caller.
func (c *call) take(i int) int {
	fd := c.fd[i]
	c.fd[i] = -1
	return fd
}

// str returns b[from:] as a string sharing b's memory: b is c.val's, and
// the string lives as long as the call.
func str(b []byte, from int) string {
	if from == len(b) {
		return ""
	}
	return unsafe.String(&b[from], len(b)-from)
}

// scan collects the request fields a file answer depends on, in one pass
// over the headers.
func (r *reqHeaders) scan(env *environ.Environ) {
	*r = reqHeaders{}
	for i := range env.Headers {
		v := env.Headers[i].Value
		switch string(env.Headers[i].Name) {
		case "HTTP_ACCEPT_ENCODING":
			r.acceptEncoding = v
		case "HTTP_IF_MATCH":
			r.ifMatch, r.hasIfMatch = v, true
		case "HTTP_IF_NONE_MATCH":
			r.ifNoneMatch, r.hasIfNoneMatch = v, true
		case "HTTP_IF_MODIFIED_SINCE":
			r.ifModifiedSince, r.hasIfModifiedSince = v, true
		case "HTTP_IF_UNMODIFIED_SINCE":
			r.ifUnmodifiedSince, r.hasIfUnmodifiedSince = v, true
		case "HTTP_RANGE":
			r.rangeSpec, r.hasRange = v, true
		case "HTTP_IF_RANGE":
			r.ifRange, r.hasIfRange = v, true
		}
	}
}
