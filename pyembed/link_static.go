//go:build !pyshared

package pyembed

// The interpreter is linked statically from Debian's libpython3.11.a
// (libpython3.11-dev): the shared libpython is built as position-independent
// code and runs a Flask request about 20% slower than the same library
// linked into the executable. -Wl,-E exports the interpreter's symbols to
// the extension modules Python loads at run time. Build with the tag
// pyshared to link the shared library through pkg-config instead.

/*
#cgo CFLAGS: -I/usr/include/python3.11
#cgo LDFLAGS: -Wl,-E -Wl,-Bstatic -lpython3.11 -Wl,-Bdynamic -lexpat -lz -lm -ldl -lutil
*/
import "C"
