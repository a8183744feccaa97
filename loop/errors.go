package loop

import "errors"

// ErrCut is returned by Shutdown when requests were still running at the
// graceful timeout, or had been given up after their timeout: their
// connections were closed, but their threads may still be in the app. An
// embedded interpreter must not be finalized then.
var ErrCut = errors.New("loop: requests still running at the graceful timeout were cut")
