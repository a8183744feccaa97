package pyembed

/*
#include "pyembed.h"
*/
import "C"

import (
	"io"
	"unsafe"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/wsgi"
)

// Call implements wsgi.App: it runs the Python app for one request. env
// and start stay in use until the returned Iterable is closed.
func (a *App) Call(env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
	if a.closed.Load() {
		return nil, ErrClosed
	}
	w, eph := acquire()
	w.env, w.start, w.out = env, start, nil
	base, nh := w.pack(env)
	var basePtr *C.char
	if len(base) > 0 {
		basePtr = (*C.char)(unsafe.Pointer(unsafe.SliceData(base)))
	}
	rc := C.pyembed_call(w.cw, a.callable, basePtr, (*C.int32_t)(unsafe.Pointer(&w.vars[0])), C.int(nh))
	if rc == C.PE_ERROR {
		err := w.takeErr("app")
		w.release(eph)
		return nil, err
	}
	it := &w.it
	it.kind, it.pos, it.eph, it.open = rc, 0, eph, true
	return it, nil
}

// takeErr turns the C side's error text into an *Error and frees it.
func (w *worker) takeErr(op string) error {
	cw := w.cw
	msg := "unknown error"
	if cw.err != nil {
		msg = C.GoStringN(cw.err, C.int(cw.errlen))
		C.free(unsafe.Pointer(cw.err))
		cw.err, cw.errlen = nil, 0
	}
	return &Error{Op: op, Msg: msg}
}

// pack lays out env's variables for pyembed_call as offsets into one base
// slice: env's arena when every variable lies in it (always, after Fill),
// else a copy in w.scratch. It returns the base and the count of HTTP_*
// variables; w.vars holds the offsets and lengths (see pyembed.h).
func (w *worker) pack(env *environ.Environ) (base []byte, nheaders int) {
	_, hasType := env.Get("CONTENT_TYPE")
	fixed := [C.PE_NFIXED][]byte{
		C.PE_REQUEST_METHOD:  env.Method,
		C.PE_SCRIPT_NAME:     env.ScriptName,
		C.PE_PATH_INFO:       env.PathInfo,
		C.PE_QUERY_STRING:    env.QueryString,
		C.PE_CONTENT_TYPE:    env.ContentType,
		C.PE_CONTENT_LENGTH:  env.ContentLength,
		C.PE_SERVER_NAME:     env.ServerName,
		C.PE_SERVER_PORT:     env.ServerPort,
		C.PE_SERVER_PROTOCOL: env.ServerProtocol,
		C.PE_REMOTE_ADDR:     env.RemoteAddr,
		C.PE_REMOTE_PORT:     env.RemotePort,
		C.PE_URL_SCHEME:      env.URLScheme,
		C.PE_RAW_URI:         env.RawURI,
	}
	if len(fixed[C.PE_URL_SCHEME]) == 0 {
		fixed[C.PE_URL_SCHEME] = httpScheme
	}
	if len(fixed[C.PE_SERVER_PROTOCOL]) == 0 {
		fixed[C.PE_SERVER_PROTOCOL] = defaultProto
	}
	absent := [C.PE_NFIXED]bool{
		C.PE_CONTENT_TYPE:   !hasType,
		C.PE_CONTENT_LENGTH: len(env.ContentLength) == 0,
		C.PE_RAW_URI:        len(env.RawURI) == 0,
	}
	n := 2*C.PE_NFIXED + 4*len(env.Headers)
	if cap(w.vars) < n {
		w.vars = make([]int32, n, n+32)
	}
	vars := w.vars[:n]

	arena := env.Arena()
	inside := true
	for i := range fixed {
		inside = inside && within(arena, fixed[i])
	}
	for i := range env.Headers {
		inside = inside && within(arena, env.Headers[i].Name) && within(arena, env.Headers[i].Value)
	}
	if inside {
		base = arena
		for i := range fixed {
			vars[2*i], vars[2*i+1] = offset(arena, fixed[i]), int32(len(fixed[i]))
		}
		for i := range env.Headers {
			h := &env.Headers[i]
			j := 2*C.PE_NFIXED + 4*i
			vars[j], vars[j+1] = offset(arena, h.Name), int32(len(h.Name))
			vars[j+2], vars[j+3] = offset(arena, h.Value), int32(len(h.Value))
		}
	} else {
		s := w.scratch[:0]
		for i := range fixed {
			vars[2*i], vars[2*i+1] = int32(len(s)), int32(len(fixed[i]))
			s = append(s, fixed[i]...)
		}
		for i := range env.Headers {
			h := &env.Headers[i]
			j := 2*C.PE_NFIXED + 4*i
			vars[j], vars[j+1] = int32(len(s)), int32(len(h.Name))
			s = append(s, h.Name...)
			vars[j+2], vars[j+3] = int32(len(s)), int32(len(h.Value))
			s = append(s, h.Value...)
		}
		w.scratch = s
		base = s
	}
	for i, a := range absent {
		if a {
			vars[2*i+1] = -1
		}
	}
	w.vars = vars
	return base, len(env.Headers)
}

var (
	httpScheme   = []byte("http")
	defaultProto = []byte("HTTP/1.1")
)

// within reports whether p lies inside arena (empty slices always do).
func within(arena, p []byte) bool {
	if len(p) == 0 {
		return true
	}
	if len(arena) == 0 {
		return false
	}
	a := uintptr(unsafe.Pointer(unsafe.SliceData(arena)))
	b := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return b >= a && b+uintptr(len(p)) <= a+uintptr(len(arena))
}

// offset returns p's offset in arena; p lies within it (or is empty).
func offset(arena, p []byte) int32 {
	if len(p) == 0 {
		return 0
	}
	return int32(uintptr(unsafe.Pointer(unsafe.SliceData(p))) - uintptr(unsafe.Pointer(unsafe.SliceData(arena))))
}

// iterable is the response body of one Call; it lives in its worker and is
// reused. PE_LIST chunks are read from C memory without the GIL.
type iterable struct {
	w    *worker
	kind C.int
	pos  int
	eph  bool
	open bool
}

// Buffered reports whether every chunk exists already (a list or tuple).
func (it *iterable) Buffered() bool { return it.kind == C.PE_LIST }

// File implements wsgi.FileBody: a wsgi.file_wrapper over a regular file
// tells where its bytes are, so the server can sendfile them. The
// descriptor belongs to the app's file object and stays open until Close.
func (it *iterable) File() (fd int, offset, count int64, ok bool) {
	if !it.open || it.kind != C.PE_FILE {
		return 0, 0, 0, false
	}
	cw := it.w.cw
	return int(cw.file_fd), int64(cw.file_off), int64(cw.file_len), true
}

// Next returns the next chunk, borrowed until the next call to Next or
// Close.
func (it *iterable) Next() ([]byte, error) {
	if !it.open {
		return nil, io.EOF
	}
	cw := it.w.cw
	if it.kind == C.PE_LIST {
		chunks := unsafe.Slice(cw.chunks, cw.nchunks)
		for it.pos < len(chunks) {
			c := chunks[it.pos]
			it.pos++
			if c.n > 0 {
				return unsafe.Slice((*byte)(unsafe.Pointer(c.p)), int(c.n)), nil
			}
		}
		return nil, io.EOF
	}
	switch C.pyembed_next(cw) {
	case 1:
		return unsafe.Slice((*byte)(unsafe.Pointer(cw.out_p)), int(cw.out_n)), nil
	case 0:
		return nil, io.EOF
	}
	return nil, it.w.takeErr("iterate")
}

// Close drops the chunks and calls the result's close(), if any.
func (it *iterable) Close() error {
	if !it.open {
		return nil
	}
	it.open = false
	if it.kind == C.PE_LIST && C.pyembed_defer(it.w.cw) == 0 {
		it.w.release(it.eph)
		return nil
	}
	var err error
	if C.pyembed_close(it.w.cw) == C.PE_ERROR {
		err = it.w.takeErr("close")
	}
	it.w.release(it.eph)
	return err
}
