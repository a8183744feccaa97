// Package looptest starts a loop.Server on a free port for the tests of
// the packages that serve through it (static, pyembed), and stops it when
// the test ends. The loop package's own tests keep their own helper: they
// cannot import this one.
package looptest

import (
	"context"
	"log"
	"testing"
	"time"

	"github.com/gwsgi/gwsgi/internal/syncbuf"
	"github.com/gwsgi/gwsgi/loop"
)

// shutdownWait is how long the end of a test waits for the server's
// requests to finish; a test that leaves one running longer fails.
const shutdownWait = 10 * time.Second

// Start serves cfg on a free 127.0.0.1 port with two event loops and
// returns the server and the buffer its log goes to (cfg.Addr, cfg.Loops
// and cfg.Log are set here). When the test ends the server is shut down;
// a shutdown that cuts requests short, or an error from Serve, fails the
// test.
func Start(t testing.TB, cfg loop.Config) (*loop.Server, *syncbuf.Buffer) {
	t.Helper()
	lb := &syncbuf.Buffer{}
	cfg.Addr, cfg.Loops, cfg.Log = "127.0.0.1:0", 2, log.New(lb, "", 0)
	srv, err := loop.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	<-srv.Ready()
	if srv.Addr() == nil {
		t.Fatalf("server did not start: %v", <-errc)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv, lb
}
