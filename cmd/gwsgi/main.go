// Command gwsgi serves a WSGI app over HTTP/1.1.
//
//	gwsgi -b 127.0.0.1:8000
//
// Without an app argument it serves the built-in Go demo app.
package main

import (
	"fmt"
	"os"
)

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gwsgi:", err)
		os.Exit(2)
	}
	if err := run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "gwsgi:", err)
		os.Exit(1)
	}
}
