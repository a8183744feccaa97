//go:build pyshared

package pyembed

/*
#cgo pkg-config: python3-embed
*/
import "C"

// gilTimed says waits for the GIL inside the app are timed (Gate.Waited):
// not with the shared library, whose calls cannot be wrapped.
const gilTimed = false
