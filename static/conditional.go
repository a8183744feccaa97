package static

import "github.com/gwsgi/gwsgi/httpparse"

// reqHeaders are the request fields a file answer depends on: slices of
// the Environ's arena, valid while it is.
type reqHeaders struct {
	acceptEncoding                     []byte
	ifMatch, ifNoneMatch               []byte
	ifModifiedSince, ifUnmodifiedSince []byte
	rangeSpec, ifRange                 []byte

	hasIfMatch, hasIfNoneMatch, hasIfModifiedSince, hasIfUnmodifiedSince bool
	hasRange, hasIfRange                                                 bool
}

// validators are a representation's ETag (quoted, strong) and its
// modification time in Unix seconds.
type validators struct {
	etag    string
	modTime int64
}

// precondition evaluates the conditional fields in RFC 9110 §13.2.2
// order for a GET or HEAD: it returns 412, 304, or 0 to go on.
func precondition(r *reqHeaders, v validators) int {
	if r.hasIfMatch {
		if !matchETags(r.ifMatch, v.etag, true) {
			return 412
		}
	} else if r.hasIfUnmodifiedSince {
		if t, ok := parseHTTPDate(httpparse.TrimOWS(r.ifUnmodifiedSince)); ok && v.modTime > t {
			return 412
		}
	}
	if r.hasIfNoneMatch {
		if matchETags(r.ifNoneMatch, v.etag, false) {
			return 304
		}
	} else if r.hasIfModifiedSince {
		if t, ok := parseHTTPDate(httpparse.TrimOWS(r.ifModifiedSince)); ok && v.modTime <= t {
			return 304
		}
	}
	return 0
}

// rangeApplies evaluates If-Range (RFC 9110 §13.1.5): an entity-tag must
// match strongly, a date must equal the modification time exactly; true
// when there is no If-Range.
func rangeApplies(r *reqHeaders, v validators) bool {
	if !r.hasIfRange {
		return true
	}
	ir := httpparse.TrimOWS(r.ifRange)
	if len(ir) > 0 && ir[0] == '"' || len(ir) > 1 && ir[0] == 'W' && ir[1] == '/' {
		return string(ir) == v.etag // a weak tag never matches
	}
	t, ok := parseHTTPDate(ir)
	return ok && t == v.modTime
}

// matchETags reports whether the If-Match or If-None-Match list has etag
// (a strong, quoted entity-tag), or is "*". strong selects the strong
// comparison, which no weak tag passes; the weak one ignores "W/". A
// malformed list matches only through the tags before the fault.
func matchETags(list []byte, etag string, strong bool) bool {
	list = httpparse.TrimOWS(list)
	if string(list) == "*" {
		return true
	}
	for len(list) > 0 {
		for len(list) > 0 && (list[0] == ',' || list[0] == ' ' || list[0] == '\t') {
			list = list[1:]
		}
		if len(list) == 0 {
			return false
		}
		weak := false
		if len(list) >= 2 && list[0] == 'W' && list[1] == '/' {
			weak, list = true, list[2:]
		}
		if len(list) == 0 || list[0] != '"' {
			return false
		}
		end := 1
		for end < len(list) && list[end] != '"' {
			end++
		}
		if end == len(list) {
			return false
		}
		tag := list[:end+1]
		list = list[end+1:]
		if string(tag) == etag && !(strong && weak) {
			return true
		}
	}
	return false
}
