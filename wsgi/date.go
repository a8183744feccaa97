package wsgi

import (
	"net/http"
	"sync/atomic"
	"time"
)

// dateLine holds "Date: <IMF-fixdate>\r\n", refreshed once a second by
// the goroutine started in init. Readers load the pointer; the slice it
// points to is never modified after it is stored.
var dateLine atomic.Pointer[[]byte]

func init() {
	refreshDate(time.Now())
	go func() {
		for now := range time.Tick(time.Second) {
			refreshDate(now)
		}
	}()
}

func refreshDate(now time.Time) {
	b := make([]byte, 0, 40)
	b = append(b, "Date: "...)
	b = now.UTC().AppendFormat(b, http.TimeFormat)
	b = append(b, "\r\n"...)
	dateLine.Store(&b)
}

// appendDate appends the current Date header line to dst.
func appendDate(dst []byte) []byte {
	return append(dst, *dateLine.Load()...)
}
