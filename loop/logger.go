package loop

import (
	"fmt"
	"os"
)

// quietLogger passes gnet's warnings and errors to the server's log and
// drops its debug and info chatter.
type quietLogger struct{ l Logger }

func (q quietLogger) Debugf(string, ...any) {}
func (q quietLogger) Infof(string, ...any)  {}
func (q quietLogger) Warnf(f string, a ...any) {
	q.l.Printf("gnet: "+f, a...)
}
func (q quietLogger) Errorf(f string, a ...any) {
	q.l.Printf("gnet: "+f, a...)
}
func (q quietLogger) Fatalf(f string, a ...any) {
	q.l.Printf("gnet: "+f, a...)
	fmt.Fprintf(os.Stderr, "gnet: "+f+"\n", a...)
	os.Exit(1)
}
