package static

import (
	"bytes"
	"testing"
)

// FuzzDecodeRel checks that whatever the raw path, a path decodeRel
// lets through is relative and has no segment that could climb.
func FuzzDecodeRel(f *testing.F) {
	for _, seed := range []string{"/a", "/..%2f", "/%2e%2e/x", "/a%00b", "/a\\b", "/./a", "//", "/a/b/", "/%", "/%2", "/...", "/%252e%252e/"} {
		f.Add([]byte(seed))
	}
	var buf relBuf
	f.Fuzz(func(t *testing.T, rest []byte) {
		if len(rest) > 0 && rest[0] != '/' {
			rest = append([]byte{'/'}, rest...)
		}
		rel, v, _ := decodeRel(&buf, rest)
		if v != relFile {
			return
		}
		if len(rel) == 0 || rel[0] == '/' || buf[len(rel)] != 0 ||
			bytes.IndexByte(rel, 0) >= 0 || bytes.IndexByte(rel, '\\') >= 0 {
			t.Fatalf("decodeRel(%q) = %q", rest, rel)
		}
		for _, seg := range bytes.Split(rel, []byte("/")) {
			if len(seg) == 0 || string(seg) == "." || string(seg) == ".." {
				t.Fatalf("decodeRel(%q) = %q: segment %q", rest, rel, seg)
			}
		}
	})
}
