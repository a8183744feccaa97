//go:build pyshared

package pyembed

/*
#cgo pkg-config: python3-embed
*/
import "C"
