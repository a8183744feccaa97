package logs

import (
	"context"
	"io"
	"log/slog"
	"strconv"
)

// textHandler writes gunicorn's error-log lines:
// "[2026-11-22 10:00:00 +0000] [1234] [INFO] message", then any
// attributes as " key=value".
type textHandler struct {
	w     io.Writer
	level slog.Level
	pid   int
	attrs []slog.Attr
}

func (h *textHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *textHandler) Handle(_ context.Context, r slog.Record) error {
	b := make([]byte, 0, 64+len(r.Message))
	b = append(b, '[')
	b = r.Time.AppendFormat(b, "2006-01-02 15:04:05 -0700")
	b = append(b, "] ["...)
	b = strconv.AppendInt(b, int64(h.pid), 10)
	b = append(b, "] ["...)
	b = append(b, levelName(r.Level)...)
	b = append(b, "] "...)
	b = append(b, r.Message...)
	for _, a := range h.attrs {
		b = appendAttr(b, a)
	}
	r.Attrs(func(a slog.Attr) bool { b = appendAttr(b, a); return true })
	b = append(b, '\n')
	_, err := h.w.Write(b)
	return err
}

func appendAttr(b []byte, a slog.Attr) []byte {
	b = append(b, ' ')
	b = append(b, a.Key...)
	b = append(b, '=')
	return append(b, a.Value.String()...)
}

func (h *textHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}

func (h *textHandler) WithGroup(string) slog.Handler { return h }
