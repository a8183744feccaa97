package static

import "errors"

// The package's errors. They are values, compared with == or errors.Is;
// ParseMount and New wrap them with the offending text.
var (
	// ErrMountSyntax: a --static-map value is not "/prefix=DIR".
	ErrMountSyntax = errors.New("static: mount must be /prefix=DIR")

	// ErrPrefix: a mount's prefix is not a plain absolute URL path: it
	// must start with "/" and hold only unreserved and sub-delim ASCII
	// characters, ':', '@' and '/', without "." or ".." segments or "//".
	ErrPrefix = errors.New("static: invalid mount prefix")

	// ErrNotDir: a mount's directory does not exist or is not a directory.
	ErrNotDir = errors.New("static: mount directory is not a directory")

	// ErrNoMounts: New was given no mount.
	ErrNoMounts = errors.New("static: no mounts")

	// ErrClosed: Serve was called after Close.
	ErrClosed = errors.New("static: handler closed")
)
