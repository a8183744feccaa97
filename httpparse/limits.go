package httpparse

// Limits bound what a request may hold. A zero field means the default.
type Limits struct {
	// MaxRequestLine is the longest request line in bytes, CRLF excluded.
	// Longer: 414 URI Too Long. Default 8190 (gunicorn: 4094).
	MaxRequestLine int
	// MaxHeaders is the most header fields a request (or a chunked body's
	// trailer section) may have. More: 431. Default 100.
	MaxHeaders int
	// MaxHeaderBytes bounds the header section after the request line, and
	// separately a chunked body's trailer section. Larger: 431. Default 65536.
	MaxHeaderBytes int
	// MaxFieldSize is the longest header field line ("Name: value",
	// CRLF excluded); negative: no limit but MaxHeaderBytes. Longer: 431.
	// Default 8190 (gunicorn's --limit-request-field_size).
	MaxFieldSize int
	// MaxBodySize is the largest request body in bytes; 0 or less means no
	// limit. Larger: 413.
	MaxBodySize int64
}

// Defaults for the zero fields of Limits.
const (
	DefaultMaxRequestLine = 8190
	DefaultMaxHeaders     = 100
	DefaultMaxHeaderBytes = 64 << 10
	DefaultMaxFieldSize   = 8190
)

// WithDefaults returns l with its zero fields set to the defaults.
func (l Limits) WithDefaults() Limits {
	if l.MaxRequestLine <= 0 {
		l.MaxRequestLine = DefaultMaxRequestLine
	}
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = DefaultMaxHeaders
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	switch {
	case l.MaxFieldSize == 0:
		l.MaxFieldSize = DefaultMaxFieldSize
	case l.MaxFieldSize < 0 || l.MaxFieldSize > l.MaxHeaderBytes:
		l.MaxFieldSize = l.MaxHeaderBytes
	}
	return l
}
