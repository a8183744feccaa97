package environ

import "errors"

// The package's errors. They are values, compared with == or errors.Is.
var (
	// ErrNilRequest is returned by Fill when it is given no request.
	ErrNilRequest = errors.New("environ: nil request")

	// ErrNotMounted is returned by Fill when Config.ScriptName is set and
	// the decoded path is not under it. The Environ is filled all the same,
	// with an empty SCRIPT_NAME and the whole path in PATH_INFO; a server
	// usually answers 404.
	ErrNotMounted = errors.New("environ: path outside SCRIPT_NAME")

	// ErrAborted is what Body.Read returns after Body.Abort: the
	// connection died while the application was reading the body.
	ErrAborted = errors.New("environ: request body aborted")
)
