package pyembed

import "errors"

// Errors of the package. Errors raised by Python code are *Error values.
var (
	// ErrFinalized is returned by Load after the interpreter was finalized:
	// CPython cannot be started twice in one process.
	ErrFinalized = errors.New("pyembed: the Python interpreter was finalized")
	// ErrInit is returned by Load when the interpreter fails to start.
	ErrInit = errors.New("pyembed: cannot initialize Python")
	// ErrClosed is returned by Call on a closed App.
	ErrClosed = errors.New("pyembed: app closed")
)

// Error is a failure of Python code or of the app's use of WSGI. Msg is a
// formatted Python traceback (traceback.format_exception) or a sentence
// naming the mistake.
type Error struct {
	Op  string // what failed: "import", "app", "iterate", "close"
	Msg string
}

func (e *Error) Error() string {
	switch e.Op {
	case "import":
		return "pyembed: cannot load the app:\n" + e.Msg
	case "app":
		return "pyembed: app failed:\n" + e.Msg
	case "iterate":
		return "pyembed: app's body iteration failed:\n" + e.Msg
	case "close":
		return "pyembed: app's close() failed:\n" + e.Msg
	}
	return "pyembed: " + e.Msg
}
