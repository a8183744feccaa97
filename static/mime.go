package static

import (
	"maps"
	"mime"
	"sync"
	"sync/atomic"
)

const octetStream = "application/octet-stream"

// mediaType is what a file's extension says about it.
type mediaType struct {
	ctype string
	// packed: the format is compressed already (images but SVG and
	// ICO, fonts but TTF, OTF and EOT, audio, video, archives), so no
	// precompressed sibling is looked for.
	packed bool
}

// webTypes are the media types of the usual web files, by lower-case
// extension. Text, JavaScript, JSON, SVG and XML say charset=utf-8.
var webTypes = map[string]mediaType{
	"html":        {"text/html; charset=utf-8", false},
	"htm":         {"text/html; charset=utf-8", false},
	"css":         {"text/css; charset=utf-8", false},
	"js":          {"text/javascript; charset=utf-8", false},
	"mjs":         {"text/javascript; charset=utf-8", false},
	"json":        {"application/json; charset=utf-8", false},
	"map":         {"application/json; charset=utf-8", false},
	"webmanifest": {"application/manifest+json; charset=utf-8", false},
	"txt":         {"text/plain; charset=utf-8", false},
	"csv":         {"text/csv; charset=utf-8", false},
	"xml":         {"application/xml; charset=utf-8", false},
	"svg":         {"image/svg+xml; charset=utf-8", false},
	"png":         {"image/png", true},
	"jpg":         {"image/jpeg", true},
	"jpeg":        {"image/jpeg", true},
	"gif":         {"image/gif", true},
	"webp":        {"image/webp", true},
	"avif":        {"image/avif", true},
	"ico":         {"image/x-icon", false},
	"woff":        {"font/woff", true},
	"woff2":       {"font/woff2", true},
	"ttf":         {"font/ttf", false},
	"otf":         {"font/otf", false},
	"eot":         {"application/vnd.ms-fontobject", false},
	"pdf":         {"application/pdf", false},
	"wasm":        {"application/wasm", false},
	"mp4":         {"video/mp4", true},
	"webm":        {"video/webm", true},
	"mp3":         {"audio/mpeg", true},
	"ogg":         {"audio/ogg", true},
	"zip":         {"application/zip", true},
	"gz":          {"application/gzip", true},
	"zst":         {"application/zstd", true},
}

// otherTypes caches what mime.TypeByExtension said about extensions
// webTypes lacks, so that a repeated lookup does not allocate: a map
// replaced whole on each addition (copy on write), at most maxOther.
var (
	otherTypes atomic.Pointer[map[string]string]
	otherMu    sync.Mutex
)

const maxOther = 256

// contentType is the Content-Type of a file called name (the last path
// segment's extension decides): webTypes, then mime.TypeByExtension,
// then application/octet-stream. The result is a string the caller may
// keep.
func contentType(name []byte) string {
	return typeOf(name).ctype
}

// typeOf is the mediaType of a file called name.
func typeOf(name []byte) mediaType {
	dot := -1
	for i := len(name) - 1; i >= 0 && name[i] != '/'; i-- {
		if name[i] == '.' {
			dot = i
			break
		}
	}
	if dot < 0 || len(name)-dot-1 > 16 || dot == len(name)-1 {
		return mediaType{ctype: octetStream}
	}
	var low [16]byte
	ext := low[:len(name)-dot-1]
	for i, c := range name[dot+1:] {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		ext[i] = c
	}
	if t, ok := webTypes[string(ext)]; ok {
		return t
	}
	if m := otherTypes.Load(); m != nil {
		if t, ok := (*m)[string(ext)]; ok {
			return mediaType{ctype: t}
		}
	}
	return mediaType{ctype: learnType(string(ext))}
}

// learnType asks the mime package about ext and caches the answer.
func learnType(ext string) string {
	t := mime.TypeByExtension("." + ext)
	if t == "" {
		t = octetStream
	}
	otherMu.Lock()
	defer otherMu.Unlock()
	old := otherTypes.Load()
	if old != nil && len(*old) >= maxOther {
		return t
	}
	m := make(map[string]string, 8)
	if old != nil {
		m = maps.Clone(*old)
	}
	m[ext] = t
	otherTypes.Store(&m)
	return t
}
