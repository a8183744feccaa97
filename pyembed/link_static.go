//go:build !pyshared

package pyembed

// The interpreter is linked statically from Debian's libpython3.11.a
// (libpython3.11-dev): the shared libpython is built as position-independent
// code and runs a Flask request about 20% slower than the same library
// linked into the executable. -Wl,-E exports the interpreter's symbols to
// the extension modules Python loads at run time. Build with the tag
// pyshared to link the shared library through pkg-config instead.
//
// The interpreter's own calls to PyEval_RestoreThread and
// PyEval_SaveThread are linked to wrappers (-Wl,--wrap, PE_WRAP_GIL) that
// time every wait for the GIL of a request, in the app too, and tell the
// gate's standby a thread that blocks from one the interpreter made let
// go (see interp.c and gilwait.c).

/*
#cgo CFLAGS: -I/usr/include/python3.11 -DPE_WRAP_GIL
#cgo LDFLAGS: -Wl,-E -Wl,--wrap=PyEval_RestoreThread -Wl,--wrap=PyEval_SaveThread -Wl,-Bstatic -lpython3.11 -Wl,-Bdynamic -lexpat -lz -lm -ldl -lutil
*/
import "C"

// gilTimed says waits for the GIL inside the app are timed (Gate.Waited).
const gilTimed = true
