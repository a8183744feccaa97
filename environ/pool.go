package environ

import "sync"

// Retention caps: Release drops what grew beyond them, so that one huge
// request does not pin its memory in the pool.
const (
	// MaxPooledArena is the largest arena, in bytes, kept by Release.
	MaxPooledArena = 256 << 10
	// MaxPooledHeaders is the largest HTTP_* list capacity kept by Release.
	MaxPooledHeaders = 256
	// MaxPooledBody is the largest body buffer, in bytes, kept by Release.
	MaxPooledBody = 256 << 10
)

var environPool = sync.Pool{
	New: func() any {
		e := new(Environ)
		e.BodyLength = -1
		return e
	},
}

// Acquire returns an empty Environ from the pool. The caller owns it until
// it passes it to Release.
func Acquire() *Environ {
	return environPool.Get().(*Environ)
}

// Release resets e and returns it to the pool; e and every slice it handed
// out must not be used after. The event loop must have stopped feeding
// e.Body and the application must have stopped reading it. Release(nil)
// does nothing.
func Release(e *Environ) {
	if e == nil {
		return
	}
	e.reset(MaxPooledArena, MaxPooledHeaders, MaxPooledBody)
	environPool.Put(e)
}
