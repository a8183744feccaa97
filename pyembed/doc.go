// Package pyembed embeds CPython and runs a Python WSGI (PEP 3333) app as a
// wsgi.App. It is gwsgi's only cgo package; its C lives in the .c and .h
// files beside this one, and no C type leaks into its Go API.
//
// # Life cycle
//
// Load initializes the interpreter (once per process, on an OS thread that
// is kept for it), imports the app and releases the GIL. Close finalizes
// the interpreter on that same thread once the last App is closed; the
// interpreter cannot be started again in the same process.
//
// # Threads
//
// Each budget goroutine of the server is locked to its OS thread for life
// (loop.Config.LockOSThread) and gets a persistent PyThreadState from
// App.WorkerInit; every request then takes the GIL with
// PyEval_RestoreThread and gives it back with PyEval_SaveThread. The GIL is
// released around everything that is not Python: the write callable's
// flush to the connection, wsgi.input reads that wait for the body, and the
// gateway's sending of the chunks. Calls from a goroutine without
// WorkerInit still work: they use PyGILState_Ensure/Release per C call.
//
// # One request
//
// Call builds the environ dict in one cgo call (keys interned at start-up,
// values decoded as latin-1 straight from the Environ's arena), calls the
// app and inspects what it returned: a list or tuple of bytes becomes a
// Buffered Iterable whose chunks are read without the GIL; any other
// iterable is advanced one cgo call per chunk. Close drops every reference
// and calls the result's close(). Python exceptions become errors whose
// text holds the formatted traceback.
package pyembed
