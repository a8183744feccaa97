package pyembed

/*
#include "pyembed.h"
*/
import "C"

import (
	"errors"
	"io"
	"unsafe"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/wsgi"
)

// The C objects of a request call back into Go through these functions.
// slot names the worker; the C side has checked that the object belongs to
// the worker's current request. Functions called with the GIL held say so;
// the others run with the GIL released and must not touch Python: on
// failure they leave the exception in w.code and w.msg, and C raises it
// through pyembedRaise once it holds the GIL again.

// errExcInfo stands for the Python exc_info given to start_response: the
// gateway returns it when the headers were sent already, and C re-raises
// the real exception.
var errExcInfo = errors.New("pyembed: exc_info")

// pyembedStartResponse runs start_response with the GIL held. hdrs holds
// 2n strings, name and value, borrowed from Python for the call.
//
//export pyembedStartResponse
func pyembedStartResponse(slot C.int, status *C.char, slen C.Py_ssize_t, hdrs *C.pe_str, n C.Py_ssize_t, hasExc C.int) C.int {
	w := lookup(slot)
	cs := unsafe.Slice(hdrs, 2*int(n))
	h := w.hdrs[:0]
	for i := 0; i < len(cs); i += 2 {
		h = append(h, wsgi.Header{Name: cstr(cs[i].p, cs[i].n), Value: cstr(cs[i+1].p, cs[i+1].n)})
	}
	var exc error
	if hasExc != 0 {
		exc = errExcInfo
	}
	out, err := w.start.StartResponse(cstr(status, slen), h, exc)
	clear(h) // the strings are Python's: keep none
	w.hdrs = h[:0]
	switch {
	case err == errExcInfo:
		return C.PE_RERAISE
	case err != nil:
		return w.fail(startCode(err), "start_response: "+err.Error())
	}
	w.out = out
	return C.PE_OK
}

func startCode(err error) C.int {
	if errors.Is(err, wsgi.ErrStartedTwice) {
		return C.PE_RUNTIME_ERROR
	}
	return C.PE_VALUE_ERROR
}

// pyembedWrite is the write callable; the GIL is released.
//
//export pyembedWrite
func pyembedWrite(slot C.int, p *C.char, n C.Py_ssize_t) C.int {
	w := lookup(slot)
	if w.out == nil {
		return w.fail(C.PE_RUNTIME_ERROR, "write() called before start_response")
	}
	if _, err := w.out.Write(unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))); err != nil {
		if errors.Is(err, wsgi.ErrConnection) {
			return w.fail(C.PE_OS_ERROR, "write(): "+err.Error())
		}
		return w.fail(C.PE_RUNTIME_ERROR, "write(): "+err.Error())
	}
	return C.PE_OK
}

// pyembedRead fills dst from the body until it is full or the body ends
// (*eof = 1); the GIL is released. Returns the count, or -1 on error.
//
//export pyembedRead
func pyembedRead(slot C.int, dst *C.char, n C.Py_ssize_t, eof *C.int) C.Py_ssize_t {
	w := lookup(slot)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(dst)), int(n))
	got := 0
	for got < len(buf) {
		k, err := w.env.Body.Read(buf[got:])
		got += k
		if err == io.EOF {
			*eof = 1
			break
		}
		if err != nil {
			return C.Py_ssize_t(w.bodyFail(err))
		}
	}
	return C.Py_ssize_t(got)
}

// pyembedReadLine reads the next line (at most max bytes when max > 0)
// into the worker's C buffer; the GIL is released. Returns its length, 0
// at the end of the body, -1 on error.
//
//export pyembedReadLine
func pyembedReadLine(slot C.int, max C.Py_ssize_t) C.Py_ssize_t {
	w := lookup(slot)
	body := &w.env.Body
	n := 0
	for max <= 0 || n < int(max) {
		limit := 0
		if max > 0 {
			limit = int(max) - n
		}
		line, err := body.ReadLine(limit)
		if err == io.EOF {
			break
		}
		if err != nil {
			return C.Py_ssize_t(w.bodyFail(err))
		}
		buf := C.pyembed_reserve(w.cw, C.Py_ssize_t(n+len(line)))
		if buf == nil {
			return C.Py_ssize_t(w.fail(C.PE_RUNTIME_ERROR, "wsgi.input: out of memory"))
		}
		copy(unsafe.Slice((*byte)(unsafe.Pointer(buf)), n+len(line))[n:], line)
		n += len(line)
		if len(line) > 0 && line[len(line)-1] == '\n' {
			break
		}
	}
	return C.Py_ssize_t(n)
}

// bodyFail records a body read error (the client went away, the body was
// cut or too large) as an OSError; it returns -1.
func (w *worker) bodyFail(err error) int {
	if errors.Is(err, environ.ErrAborted) {
		w.fail(C.PE_OS_ERROR, "wsgi.input: client disconnected")
	} else {
		w.fail(C.PE_OS_ERROR, "wsgi.input: "+err.Error())
	}
	return -1
}

// fail records the exception for pyembedRaise and returns code.
func (w *worker) fail(code C.int, msg string) C.int {
	w.code, w.msg = code, msg
	return code
}

// pyembedRaise sets the exception a failed callback recorded; GIL held.
//
//export pyembedRaise
func pyembedRaise(slot C.int) {
	w := lookup(slot)
	code, msg := w.code, w.msg
	if code == C.PE_OK {
		code, msg = C.PE_RUNTIME_ERROR, "gwsgi: unknown error"
	}
	w.code, w.msg = C.PE_OK, ""
	C.pyembed_set_error(code, (*C.char)(unsafe.Pointer(unsafe.StringData(msg))), C.Py_ssize_t(len(msg)))
}

// pyembedLog writes one wsgi.errors line; the GIL is released.
//
//export pyembedLog
func pyembedLog(p *C.char, n C.Py_ssize_t) {
	logf("%s", cstr(p, n))
}

// cstr borrows n bytes of C memory as a string.
func cstr(p *C.char, n C.Py_ssize_t) string {
	if n == 0 {
		return ""
	}
	return unsafe.String((*byte)(unsafe.Pointer(p)), int(n))
}
