package loop

import "log"

// quietLogger passes gnet's warnings and errors to the server's log and
// drops its debug and info chatter.
type quietLogger struct{ l *log.Logger }

func (q quietLogger) Debugf(string, ...any) {}
func (q quietLogger) Infof(string, ...any)  {}
func (q quietLogger) Warnf(f string, a ...any) {
	q.l.Printf("gnet: "+f, a...)
}
func (q quietLogger) Errorf(f string, a ...any) {
	q.l.Printf("gnet: "+f, a...)
}
func (q quietLogger) Fatalf(f string, a ...any) {
	q.l.Fatalf("gnet: "+f, a...)
}
