//go:build !pyshared

package pyembed

// The interpreter is linked statically from Debian's libpython3.11.a
// (libpython3.11-dev): the shared libpython is built as position-independent
// code and runs a Flask request about 20% slower than the same library
// linked into the executable. -Wl,-E exports the interpreter's symbols to
// the extension modules Python loads at run time. Build with the tag
// pyshared to link the shared library through pkg-config instead.
//
// The interpreter's own calls to PyEval_RestoreThread are linked to a
// wrapper (-Wl,--wrap, PE_WRAP_GIL) that times every wait for the GIL of a
// request, in the app too (see interp.c).

/*
#cgo CFLAGS: -I/usr/include/python3.11 -DPE_WRAP_GIL
#cgo LDFLAGS: -Wl,-E -Wl,--wrap=PyEval_RestoreThread -Wl,-Bstatic -lpython3.11 -Wl,-Bdynamic -lexpat -lz -lm -ldl -lutil
*/
import "C"

// gilTimed says waits for the GIL inside the app are timed (Gate.Waited).
const gilTimed = true
