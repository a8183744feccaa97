package httpparse

import (
	"testing"
	"unsafe"
)

// inside reports whether s is empty or lies within buf's bytes.
func inside(buf, s []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(buf) == 0 {
		return false
	}
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	s0 := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return s0 >= b0 && s0+uintptr(len(s)) <= b0+uintptr(len(buf))
}

// checkInside fails t when any slice of req is not a sub-slice of buf.
func checkInside(t testing.TB, buf []byte, req *Request) {
	t.Helper()
	for _, f := range []struct {
		name string
		s    []byte
	}{
		{"Method", req.Method}, {"Target", req.Target}, {"Path", req.Path},
		{"Query", req.Query}, {"Proto", req.Proto}, {"Host", req.Host},
	} {
		if !inside(buf, f.s) {
			t.Fatalf("%s %q is not inside the buffer", f.name, f.s)
		}
	}
	for _, h := range req.Headers {
		if !inside(buf, h.Name) || !inside(buf, h.Value) {
			t.Fatalf("header %q: %q is not inside the buffer", h.Name, h.Value)
		}
	}
}
