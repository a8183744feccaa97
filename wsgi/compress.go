package wsgi

import (
	"errors"
	"strings"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/httpparse"
)

// Errors Compress returns for options it cannot use.
var (
	ErrCompressCoding = errors.New("wsgi: compress: unknown content coding (want zstd or gzip)")
	ErrCompressLevel  = errors.New("wsgi: compress: compression level out of range (gzip 1..9, zstd 1..4)")
	ErrCompressType   = errors.New("wsgi: compress: invalid media type pattern (want type/subtype, type/* or +suffix)")
)

// Defaults of CompressOptions.
const (
	// DefaultCompressMinSize is MinSize when it is 0: below about a
	// kilobyte the coding's header and trailer (18 bytes for gzip, 12-17
	// for zstd) and the lost sendfile eat most of what is saved, as
	// nginx's and Django's thresholds (20 and 200 bytes) show too.
	DefaultCompressMinSize = 1024

	// DefaultGzipLevel is GzipLevel when it is 0. On 100 KiB of JSON
	// (BenchmarkCompressLevels, one core) klauspost's level 1 compresses
	// 245 MB/s to a ratio of 4.03, level 5 142 MB/s to 4.54, level 6
	// 129 MB/s to 4.63 (Go's compress/gzip level 6: 52 MB/s, 4.83). Level
	// 6's 13% smaller output costs twice the CPU, on the request's own
	// time: the 3 KiB it saves take 26 µs on a 1 Gbit/s link, the extra
	// compression 400 µs. nginx's default is 1 too; Django's is 6.
	DefaultGzipLevel = 1

	// DefaultZstdLevel is ZstdLevel when it is 0: zstd.SpeedFastest, which
	// on the same JSON compresses 224 MB/s to a ratio of 4.62: gzip level
	// 1's speed at gzip level 6's size. Level 2 (179 MB/s, 4.63) gains
	// nothing on responses of this size; level 3 gives 4.87 at 143 MB/s.
	DefaultZstdLevel = 1

	// CompressReleaseSize is how many bytes the encoder must have to
	// compress before the middleware lets the app's shared lock (the GIL)
	// go for it (Releaser). A Release/Reacquire pair costs two hand-offs
	// between threads when another request waits for the lock, about 15
	// µs each (a ping-pong between two OS threads takes 30 µs on the
	// machine that measured the levels); 32 KiB takes the default encoders
	// 130-145 µs, several times the pair's cost, while a smaller chunk
	// would spend on hand-offs much of what it frees.
	CompressReleaseSize = 32 << 10

	// compressBatch is how many bytes of a whole (Buffered or FileBody)
	// body are gathered before they are compressed: big enough that the encoder runs in few
	// calls, each worth letting the lock go for.
	compressBatch = 256 << 10
)

// DefaultCompressTypes are the media types compressed when
// CompressOptions.Types is nil: text, and the structured formats (JSON,
// XML, JavaScript, SVG, WebAssembly, fonts and icons without their own
// compression) that compress well. PNG, JPEG, WebP, WOFF2, audio, video
// and archives are compressed already and are left out.
var DefaultCompressTypes = []string{
	"text/*",
	"application/json",
	"+json",
	"application/x-ndjson",
	"application/javascript",
	"application/x-javascript",
	"application/ecmascript",
	"application/xml",
	"+xml",
	"image/svg+xml",
	"application/wasm",
	"application/x-yaml",
	"application/yaml",
	"application/toml",
	"application/vnd.ms-fontobject",
	"font/ttf",
	"font/otf",
	"image/x-icon",
	"image/vnd.microsoft.icon",
	"image/bmp",
}

// CompressOptions configure Compress. Zero values take the defaults.
type CompressOptions struct {
	// Types are the media types to compress: exact ("application/json"),
	// a whole type ("text/*"), a structured-syntax suffix ("+json",
	// "+xml"), or "*/*" for all. Case does not matter. nil or empty:
	// DefaultCompressTypes.
	Types []string
	// MinSize: responses whose Content-Length is known and below it are
	// left alone, and so are Buffered bodies without a Content-Length
	// whose whole body is below it. 0 means DefaultCompressMinSize; a
	// negative value means no minimum (every eligible body is compressed).
	MinSize int64
	// Encodings are the content codings offered, the server's preference
	// first, among "zstd" and "gzip". nil or empty: {"zstd", "gzip"}.
	Encodings []string
	// GzipLevel is gzip's level, 1 (fastest) to 9 (smallest); 0:
	// DefaultGzipLevel.
	GzipLevel int
	// ZstdLevel is zstd's level as zstd.EncoderLevel counts it, 1
	// (fastest) to 4 (smallest); 0: DefaultZstdLevel.
	ZstdLevel int
}

// compressor is the App Compress's middleware builds: the options
// resolved, read-only while serving.
type compressor struct {
	next      App
	types     []string // lower case: "type/subtype", "type/", "+suffix" or "*/*"
	minSize   int64
	encodings []string // lower case, valid
	gzipLevel int
	zstdLevel int
}

// Compress returns a middleware that compresses responses with zstd or
// gzip, as the request's Accept-Encoding allows, as nginx's gzip module
// and Django's GZipMiddleware do. Bodies are compressed in Go, letting the
// app's shared lock (the GIL) go around big chunks when the StartResponse
// it is given is a Releaser. It returns an error for an unknown coding, a
// level out of range or a malformed type.
//
// A response is compressed when the request is not HEAD and has no Range
// header; Accept-Encoding accepts one of the codings; the status is 200 or
// above and neither 204, 205, 206 nor 304; the response has no
// Content-Encoding, no Cache-Control: no-transform, a Content-Type in
// Types, and no Content-Length below MinSize. Then Content-Length is
// dropped, Content-Encoding set, Accept-Encoding added to Vary and a
// strong ETag made weak. A response that would have been compressed but
// for the client's Accept-Encoding gets the Vary too, so that caches keep
// the variants apart (nginx's gzip_vary).
//
// Buffered and FileBody bodies are compressed whole, the gateway computes
// their Content-Length; other bodies and write() calls stream, each chunk
// compressed and flushed at once, so that server-sent events and other
// streams reach the client as they are produced.
//
// The middleware delays the app's start_response until the first body
// bytes or until the app returns (PEP 3333 allows it), so the gateway's
// checks of status and headers report then. It must sit outside every
// middleware that looks at the body, and is best right around the app,
// so that it receives the gateway's Response as its StartResponse and can
// let the GIL go (see Releaser).
func Compress(o CompressOptions) (Middleware, error) {
	c := &compressor{minSize: o.MinSize, gzipLevel: o.GzipLevel, zstdLevel: o.ZstdLevel}
	switch {
	case c.minSize == 0:
		c.minSize = DefaultCompressMinSize
	case c.minSize < 0:
		c.minSize = 0
	}
	if c.gzipLevel == 0 {
		c.gzipLevel = DefaultGzipLevel
	}
	if c.zstdLevel == 0 {
		c.zstdLevel = DefaultZstdLevel
	}
	if c.gzipLevel < 1 || c.gzipLevel > 9 || c.zstdLevel < 1 || c.zstdLevel > 4 {
		return nil, ErrCompressLevel
	}
	encodings := o.Encodings
	if len(encodings) == 0 {
		encodings = []string{"zstd", "gzip"}
	}
	for _, e := range encodings {
		e = strings.ToLower(strings.TrimSpace(e))
		if e != "zstd" && e != "gzip" {
			return nil, errors.Join(ErrCompressCoding, errors.New(e))
		}
		if !containsString(c.encodings, e) {
			c.encodings = append(c.encodings, e)
		}
	}
	types := o.Types
	if len(types) == 0 {
		types = DefaultCompressTypes
	}
	for _, t := range types {
		p, ok := typePattern(t)
		if !ok {
			return nil, errors.Join(ErrCompressType, errors.New(t))
		}
		c.types = append(c.types, p)
	}
	return func(next App) App {
		cc := *c
		cc.next = next
		return &cc
	}, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// typePattern turns a Types entry into the form matchType compares with:
// lower case, "type/*" as "type/".
func typePattern(t string) (string, bool) {
	t = strings.ToLower(strings.TrimSpace(t))
	switch {
	case t == "*/*" || t == "*":
		return "*/*", true
	case len(t) > 1 && t[0] == '+' && !strings.ContainsAny(t[1:], "/+*; "):
		return t, true
	}
	slash := strings.IndexByte(t, '/')
	if slash <= 0 || slash == len(t)-1 || strings.ContainsAny(t, "; ") || strings.Contains(t[slash+1:], "/") {
		return "", false
	}
	if t[slash+1:] == "*" {
		return t[:slash+1], true
	}
	if strings.Contains(t, "*") {
		return "", false
	}
	return t, true
}

// Call implements App. HEAD and Range requests go straight to the app:
// a HEAD's headers would not match the body a GET gets compressed, and
// the ranges are of the identity body.
func (c *compressor) Call(env *environ.Environ, start StartResponse) (Iterable, error) {
	if env.Head {
		return c.next.Call(env, start)
	}
	if _, ok := env.Get("HTTP_RANGE"); ok {
		return c.next.Call(env, start)
	}
	s := compressCalls.Get().(*compressCall)
	s.c, s.start = c, start
	s.rel, _ = start.(Releaser)
	accept, _ := env.Get("HTTP_ACCEPT_ENCODING")
	s.coding = httpparse.Negotiate(accept, c.encodings)
	it, err := c.next.Call(env, s)
	if err != nil {
		if it != nil {
			if cerr := it.Close(); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}
		s.free()
		return nil, err
	}
	if it == nil {
		s.free()
		return nil, nil // the gateway reports ErrNilIterable
	}
	s.setInner(it)
	if err := s.prepare(); err != nil {
		if cerr := it.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		s.free()
		return nil, err
	}
	return s, nil
}
