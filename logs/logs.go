package logs

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// LevelCritical is gunicorn's critical, above slog's error.
const LevelCritical = slog.LevelError + 4

// PythonLevel maps a level of Python's logging module (10 debug, 20 info,
// 30 warning, 40 error, 50 critical) onto slog's.
func PythonLevel(py int) slog.Level {
	switch {
	case py >= 50:
		return LevelCritical
	case py >= 40:
		return slog.LevelError
	case py >= 30:
		return slog.LevelWarn
	case py >= 20:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

// Options configures a Log.
type Options struct {
	Path          string // file to append to; "" or "-": standard error
	Level         string // debug, info, warning, error or critical ("": info)
	Format        string // text (gunicorn's) or json ("": text)
	CaptureOutput bool   // send standard output and error to the file too
}

// Log is an error log. It is safe for concurrent use.
type Log struct {
	opts   Options
	out    *file
	logger *slog.Logger
}

// Open opens the error log o describes.
func Open(o Options) (*Log, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	level, _ := ParseLevel(o.Level)
	out := &file{path: o.Path, capture: o.CaptureOutput}
	if err := out.open(); err != nil {
		return nil, err
	}
	var h slog.Handler
	switch o.Format {
	case "", "text":
		h = &textHandler{w: out, level: level, pid: os.Getpid()}
	default: // json
		h = slog.NewJSONHandler(out, &slog.HandlerOptions{Level: level, ReplaceAttr: levelNames}).
			WithAttrs([]slog.Attr{slog.Int("pid", os.Getpid())})
	}
	return &Log{opts: o, out: out, logger: slog.New(h)}, nil
}

// Check reports a level or format Open would refuse, before anything is
// opened.
func (o Options) Check() error {
	if _, err := ParseLevel(o.Level); err != nil {
		return err
	}
	if o.Format != "" && o.Format != "text" && o.Format != "json" {
		return fmt.Errorf("--log-format %q: text or json", o.Format)
	}
	return nil
}

// ParseLevel reads gunicorn's --log-level names.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warning", "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	case "critical":
		return LevelCritical, nil
	}
	return 0, fmt.Errorf("--log-level %q: debug, info, warning, error or critical", s)
}

// levelName is gunicorn's (Python logging's) name of a level.
func levelName(l slog.Level) string {
	switch {
	case l >= LevelCritical:
		return "CRITICAL"
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARNING"
	case l >= slog.LevelInfo:
		return "INFO"
	}
	return "DEBUG"
}

// levelNames renders JSON levels with gunicorn's names.
func levelNames(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.LevelKey {
		if l, ok := a.Value.Any().(slog.Level); ok {
			a.Value = slog.StringValue(levelName(l))
		}
	}
	return a
}

func (l *Log) logf(level slog.Level, format string, args []any) {
	ctx := context.Background()
	if !l.logger.Enabled(ctx, level) {
		return
	}
	l.logger.Log(ctx, level, strings.TrimSuffix(fmt.Sprintf(format, args...), "\n"))
}

// Debugf logs at debug level.
func (l *Log) Debugf(format string, args ...any) { l.logf(slog.LevelDebug, format, args) }

// Printf logs at info level.
func (l *Log) Printf(format string, args ...any) { l.logf(slog.LevelInfo, format, args) }

// Warnf logs at warning level.
func (l *Log) Warnf(format string, args ...any) { l.logf(slog.LevelWarn, format, args) }

// Errorf logs at error level.
func (l *Log) Errorf(format string, args ...any) { l.logf(slog.LevelError, format, args) }

// Std returns a *log.Logger whose lines go to l at level.
func (l *Log) Std(level slog.Level) *log.Logger {
	return slog.NewLogLogger(l.logger.Handler(), level)
}

// Slog is the underlying structured logger.
func (l *Log) Slog() *slog.Logger { return l.logger }

// Reopen reopens the file (SIGUSR1, after a rotation); on standard error
// it does nothing.
func (l *Log) Reopen() error { return l.out.open() }

// Close closes the file.
func (l *Log) Close() error { return l.out.close() }

// file is the log's destination, reopened in place.
type file struct {
	path    string
	capture bool

	mu sync.Mutex
	f  *os.File
}

// open opens path (again) for appending, and with capture makes it this
// process's standard output and error.
func (w *file) open() error {
	if w.path == "" || w.path == "-" {
		w.mu.Lock()
		w.f = os.Stderr
		w.mu.Unlock()
		return nil
	}
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("error log: %w", err)
	}
	if w.capture {
		for _, fd := range []int{1, 2} {
			if err := unix.Dup2(int(f.Fd()), fd); err != nil {
				f.Close()
				return fmt.Errorf("--capture-output: %w", err)
			}
		}
	}
	w.mu.Lock()
	old := w.f
	w.f = f
	w.mu.Unlock()
	if old != nil && old != os.Stderr {
		old.Close()
	}
	return nil
}

// Write writes one line.
func (w *file) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.f.Write(p)
}

func (w *file) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil || w.f == os.Stderr {
		return nil
	}
	return w.f.Close()
}

var _ io.Writer = (*file)(nil)
