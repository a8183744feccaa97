package wsgi

import (
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// compressCall is one request's state in the Compress middleware: the
// StartResponse and Writer the app is given, and the Iterable the gateway
// is given. It comes from compressCalls in Call and goes back in Close (or
// in Call, when the app returns no body); neither the app nor the gateway
// may use it after that.
type compressCall struct {
	c     *compressor
	start StartResponse // the one the middleware was called with
	rel   Releaser      // start as a Releaser, or nil
	w     Writer        // what start returned, once committed
	inner Iterable      // the app's body, nil until the app returned it

	coding string // the coding Accept-Encoding negotiated, "" for identity

	// The app's response, copied by record into arena.
	status   string
	hdrs     []Header
	arena    []byte
	length   int64 // the app's Content-Length, -1 if none
	eligible bool  // the status and headers allow compression

	outHdrs []Header // the headers commit passes on
	extra   []byte   // values rewrite builds

	started     bool     // the app called start_response
	committed   bool     // start was called: the decision is taken
	compressing bool     // the body goes through enc
	gather      bool     // inner is Buffered
	whole       bool     // inner's chunks exist already: Buffered or FileBody
	file        FileBody // inner as a FileBody, or nil
	fileSize    int64    // the bytes File gave, -1 if it is no file
	eof         bool     // the body is over: Next returns io.EOF

	enc   compressEncoder // the stream encoder, nil until first used
	pool  *sync.Pool      // where enc goes back
	raw   int             // bytes written to enc since its last Flush or Close
	out   compressBuf     // enc's output not yet handed on
	stage []byte          // a whole body's bytes gathered before compressing
}

var compressCalls = sync.Pool{New: func() any { return new(compressCall) }}

// setInner takes the app's body and what it can tell about its chunks. A
// FileBody counts as one only when File says so: an iterable type may
// implement it for its file kind only (pyembed's does), and a generator
// must still stream.
func (s *compressCall) setInner(it Iterable) {
	s.inner = it
	if b, ok := it.(Buffered); ok {
		s.gather = b.Buffered()
	}
	s.whole, s.fileSize = s.gather, -1
	if f, ok := it.(FileBody); ok {
		s.file = f
		if _, _, count, isFile := f.File(); isFile {
			s.whole, s.fileSize = true, count
		}
	}
}

// StartResponse implements StartResponse for the app. Before the
// decision is taken it only records status and headers (copied); a call
// with excInfo replaces them, and drops what a whole body gathered so far,
// as the gateway does. Once the decision is taken, a call with excInfo
// takes it again and is passed on, and the gateway either replaces its
// headers or re-raises excInfo. The Writer returned is s.
func (s *compressCall) StartResponse(status string, headers []Header, excInfo error) (Writer, error) {
	switch {
	case excInfo == nil && s.started:
		return nil, ErrStartedTwice
	case excInfo != nil && s.committed:
		return s.restart(status, headers, excInfo)
	}
	s.record(status, headers)
	s.started = true
	s.stage = s.stage[:0]
	return s, nil
}

// restart handles start_response with excInfo after the decision: the
// new headers decide again, without waiting for the body's size.
func (s *compressCall) restart(status string, headers []Header, excInfo error) (Writer, error) {
	s.record(status, headers)
	if err := s.commit(s.eligible && s.coding != "", excInfo); err != nil {
		return nil, err
	}
	s.stage, s.out.B = s.stage[:0], s.out.B[:0]
	return s, nil
}

// prepare takes the decision once the app has started the response,
// unless it must wait for the size of a whole body without a
// Content-Length. A file's size stands for a missing Content-Length.
func (s *compressCall) prepare() error {
	if !s.started || s.committed {
		return nil
	}
	compress := s.eligible && s.coding != ""
	if compress && s.length < 0 && s.c.minSize > 0 {
		switch {
		case s.fileSize >= 0:
			compress = s.fileSize >= s.c.minSize
		case s.whole:
			return nil // the chunks tell
		}
	}
	return s.commit(compress, nil)
}

// commit passes the response's status and headers on to start, rewritten
// when compress or when only the client's Accept-Encoding kept the
// response from being compressed (Vary). A stream begun before (exc_info)
// is dropped: the encoder is taken afresh when needed. Nothing changes
// when start fails.
func (s *compressCall) commit(compress bool, excInfo error) error {
	hdrs := s.hdrs
	if compress || (s.eligible && s.coding == "") {
		hdrs = s.rewrite(compress)
	}
	w, err := s.start.StartResponse(s.status, hdrs, excInfo)
	if err != nil {
		return err
	}
	s.w, s.committed, s.compressing, s.raw = w, true, compress, 0
	if s.enc != nil {
		s.pool.Put(s.enc)
		s.enc, s.pool = nil, nil
	}
	return nil
}

// encoder returns the stream encoder, taken from its pool and Reset to
// write to s.out on first use.
func (s *compressCall) encoder() compressEncoder {
	if s.enc == nil {
		s.pool = s.c.encoderPool(s.coding)
		s.enc = s.pool.Get().(compressEncoder)
		s.enc.Reset(&s.out)
	}
	return s.enc
}

// Write is the write callable the app is given: p is compressed and
// flushed, or passed on, before Write returns. p is not kept.
func (s *compressCall) Write(p []byte) (int, error) {
	if !s.started {
		return 0, ErrNotStarted
	}
	if !s.committed {
		if err := s.commit(s.eligible && s.coding != "", nil); err != nil {
			return 0, err
		}
	}
	if !s.compressing {
		if len(s.stage) > 0 { // a body gathered before its size was known
			if _, err := s.w.Write(s.stage); err != nil {
				return 0, err
			}
			s.stage = s.stage[:0]
		}
		return s.w.Write(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(s.stage) > 0 {
		if err := s.encode(s.stage, encodeMore); err != nil {
			return 0, err
		}
		s.stage = s.stage[:0]
	}
	if err := s.encode(p, encodeFlush); err != nil {
		return 0, err
	}
	_, err := s.w.Write(s.out.B)
	s.out.B = s.out.B[:0]
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Next implements Iterable for the gateway. The chunk returned is owned
// by s and valid until the next call to Next or Close: the app's chunk
// itself when the body is not compressed, else compressed bytes. A
// streamed body gives one compressed, flushed chunk per app chunk; a
// whole (Buffered or FileBody) body is compressed in batches of
// compressBatch bytes and gives what the encoder produced.
func (s *compressCall) Next() ([]byte, error) {
	if s.eof {
		return nil, io.EOF
	}
	s.out.B = s.out.B[:0]
	for {
		p, err := s.inner.Next()
		if err != nil && err != io.EOF {
			return nil, err
		}
		if !s.committed {
			if perr := s.prepare(); perr != nil {
				return nil, perr
			}
		}
		switch {
		case !s.started:
			return p, err // the gateway reports the missing start_response
		case !s.committed:
			// A whole body without Content-Length: gather until it is
			// big enough to compress, or over.
			s.stage = append(s.stage, p...)
			p = nil
			if int64(len(s.stage)) < s.c.minSize {
				if err == nil {
					continue
				}
				if cerr := s.commit(false, nil); cerr != nil {
					return nil, cerr
				}
				s.eof = true
				return s.stage, io.EOF // the last chunk: the gateway sends it with its length
			}
			if cerr := s.commit(true, nil); cerr != nil {
				return nil, cerr
			}
		case !s.compressing:
			return p, err
		}
		if werr := s.add(p, err == io.EOF); werr != nil {
			return nil, werr
		}
		switch {
		case s.eof && len(s.out.B) == 0:
			return nil, io.EOF
		case s.eof && s.whole:
			return s.out.B, io.EOF // the last chunk: the gateway sends it with its length
		case s.eof, !s.whole, len(s.out.B) > 0:
			return s.out.B, nil
		}
	}
}

// add compresses p, the body's last chunk when last: flushed at once for
// a streamed body, gathered in s.stage for a whole one.
func (s *compressCall) add(p []byte, last bool) error {
	if !s.whole {
		if len(p) > 0 {
			if err := s.encode(p, encodeFlush); err != nil {
				return err
			}
		}
		if last {
			s.eof = true
			return s.encode(nil, encodeClose)
		}
		return nil
	}
	switch {
	case len(s.stage) == 0 && len(p) >= compressBatch:
		if err := s.encode(p, encodeMore); err != nil {
			return err
		}
	case len(p) > 0:
		s.stage = append(s.stage, p...)
		if len(s.stage) >= compressBatch {
			if err := s.encode(s.stage, encodeMore); err != nil {
				return err
			}
			s.stage = s.stage[:0]
		}
	}
	if !last {
		return nil
	}
	s.eof = true
	var err error
	if s.enc == nil && s.coding == "zstd" {
		s.encodeAll(s.stage) // all in one piece
	} else {
		err = s.encode(s.stage, encodeClose)
	}
	s.stage = s.stage[:0]
	return err
}

// encodeAll appends p's zstd frame to s.out, in one call and without a
// stream: the whole body is p. The lock is let go of as encode does.
func (s *compressCall) encodeAll(p []byte) {
	if s.rel != nil && len(p) >= CompressReleaseSize {
		s.rel.Release()
		defer s.rel.Reacquire()
	}
	pool := &zstdWhole[s.c.zstdLevel]
	e := pool.Get().(*zstd.Encoder)
	s.out.B = e.EncodeAll(p, s.out.B)
	pool.Put(e)
}

// How encode ends.
const (
	encodeMore  = iota // more input follows
	encodeFlush        // flush: what was written can be decoded
	encodeClose        // end the stream
)

// encode writes p to the encoder, then flushes or closes it as end says;
// the output is appended to s.out. When the encoder may have at least
// CompressReleaseSize bytes to compress, the app's shared lock is let go
// of meanwhile; p is not touched by anyone else then, since the chunk
// the app gave stays valid until the next Next or Close.
func (s *compressCall) encode(p []byte, end int) error {
	pending := s.raw + len(p)
	if s.rel != nil && (len(p) >= CompressReleaseSize || (end != encodeMore && pending >= CompressReleaseSize)) {
		s.rel.Release()
		defer s.rel.Reacquire()
	}
	if len(p) > 0 {
		if _, err := s.encoder().Write(p); err != nil {
			return fmt.Errorf("wsgi: compress %s: %w", s.coding, err)
		}
	}
	s.raw = pending
	var err error
	switch end {
	case encodeFlush:
		err = s.encoder().Flush()
		s.raw = 0
	case encodeClose:
		err = s.encoder().Close()
		s.raw = 0
	}
	if err != nil {
		return fmt.Errorf("wsgi: compress %s: %w", s.coding, err)
	}
	return nil
}

// Buffered implements Buffered: the body is gathered by the gateway when
// the app's is.
func (s *compressCall) Buffered() bool { return s.gather }

// File implements FileBody: the app's file when the body is passed on as
// it is; ok is false when it is compressed (or not decided yet), so that
// the gateway iterates and the bytes go through the encoder.
func (s *compressCall) File() (fd int, offset, count int64, ok bool) {
	if s.file == nil || !s.committed || s.compressing {
		return 0, 0, 0, false
	}
	return s.file.File()
}

// Close implements Iterable: it closes the app's body, exactly once, and
// puts s and its encoder back in their pools.
func (s *compressCall) Close() error {
	defer s.free()
	return s.inner.Close()
}

// Release implements Releaser for the app and middleware inside: it
// forwards to the StartResponse the middleware was given.
func (s *compressCall) Release() {
	if s.rel != nil {
		s.rel.Release()
	}
}

// Reacquire implements Releaser, as Release does.
func (s *compressCall) Reacquire() {
	if s.rel != nil {
		s.rel.Reacquire()
	}
}

// free puts the encoder and s back in their pools, keeping the buffers
// that are not too big.
func (s *compressCall) free() {
	if s.enc != nil {
		s.pool.Put(s.enc)
	}
	clear(s.hdrs)
	clear(s.outHdrs)
	*s = compressCall{
		hdrs:    s.hdrs[:0],
		outHdrs: s.outHdrs[:0],
		arena:   trim(s.arena),
		extra:   trim(s.extra),
		out:     compressBuf{trim(s.out.B)},
		stage:   trim(s.stage),
	}
	compressCalls.Put(s)
}
