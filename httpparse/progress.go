package httpparse

import "unsafe"

// Progress is how far Parser.Resume got into a head that has not fully
// arrived. The zero value starts a new request; once Resume has parsed or
// rejected a head, its next call starts a new one.
type Progress struct {
	started    bool
	lineDone   bool // the request line is parsed
	methodDone bool // the method of a partial request line is complete
	method     int  // bytes of the partial request line's method checked so far
	pos        int  // offset of the next line to parse
	scan       int  // offset where the search for the next LF resumes
	hstart     int  // offset of the header section (after the request line)
	authority  []byte
	fs         fieldState
	scanned    int64 // bytes searched for line ends, for tests of the work done

	base unsafe.Pointer // &buf[0] of the last call, to notice a moved buffer
	size int            // len(buf) of the last call
}

// Reset forgets a partly parsed head.
func (pr *Progress) Reset() { *pr = Progress{} }

// Follow moves req's sub-slices to buf, which starts with the bytes the
// head was parsed from (its body is still arriving) but may lie elsewhere
// in memory. It applies to the request Resume parsed last with pr.
func (pr *Progress) Follow(buf []byte, req *Request) {
	if pr.base != nil && !pr.started {
		pr.rebase(buf, req)
	}
}

// mark records buf as the bytes req and pr point into.
func (pr *Progress) mark(buf []byte) {
	pr.base, pr.size = unsafe.Pointer(unsafe.SliceData(buf)), len(buf)
}

// rebase moves req's and pr's sub-slices from the buffer of the last call
// to buf, which starts with the same bytes, when it has moved.
func (pr *Progress) rebase(buf []byte, req *Request) {
	if unsafe.Pointer(unsafe.SliceData(buf)) == pr.base {
		return
	}
	mv := mover{old: uintptr(pr.base), size: pr.size, buf: buf}
	req.Method, req.Target, req.Path, req.Query, req.Proto, req.Host =
		mv.move(req.Method), mv.move(req.Target), mv.move(req.Path), mv.move(req.Query), mv.move(req.Proto), mv.move(req.Host)
	for i := range req.Headers {
		h := &req.Headers[i]
		h.Name, h.Value = mv.move(h.Name), mv.move(h.Value)
	}
	pr.authority, pr.fs.host = mv.move(pr.authority), mv.move(pr.fs.host)
	pr.base, pr.size = unsafe.Pointer(unsafe.SliceData(buf)), len(buf)
}

// mover re-slices sub-slices of an old buffer in a new one.
type mover struct {
	old  uintptr // address of the old buffer's first byte
	size int     // its length
	buf  []byte  // the new buffer
}

// move returns b's bytes in the new buffer, or b itself when it does not
// point into the old one (nil, or a constant).
func (m mover) move(b []byte) []byte {
	if b == nil {
		return nil
	}
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) - m.old)
	if uintptr(unsafe.Pointer(unsafe.SliceData(b))) < m.old || off+len(b) > m.size {
		return b
	}
	return m.buf[off : off+len(b) : off+len(b)]
}
