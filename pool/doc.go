// Package pool holds gwsgi's goroutine budget and its buffer pools.
//
// A Budget bounds how many application calls run at once, the way
// eventlet's GreenPool bounds its green threads: a fixed set of worker
// goroutines, each optionally locked to its own OS thread for life (an
// embedded CPython keeps a thread state per thread), serves tasks handed
// over by Submit. Submit never blocks: when every worker is busy and the
// queue is full it reports false and the server answers 503. A worker may
// take more queued tasks itself (TryNext), so one that holds the GIL can
// serve several requests before it lets go of it.
//
// The buffer pools wrap bytebufferpool for response assembly (GetBuffer,
// PutBuffer) and keep [][]byte vectors for vectored writes (GetVec,
// PutVec). Both drop what grew too large instead of pinning it.
package pool
