package static

import (
	"net/http"
	"time"
)

// maxDate is 9999-12-31 23:59:59: later times have no IMF-fixdate.
const maxDate = 253402300799

// monthNames are the IMF-fixdate's months, three letters each.
const monthNames = "JanFebMarAprMayJunJulAugSepOctNovDec"

// appendHTTPDate appends sec (Unix seconds, clamped to years 1970 to
// 9999) as an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", without
// allocating.
func appendHTTPDate(b []byte, sec int64) []byte {
	return time.Unix(min(max(sec, 0), maxDate), 0).UTC().AppendFormat(b, http.TimeFormat)
}

// parseHTTPDate parses an HTTP-date (RFC 9110 §5.6.7) into Unix seconds.
// IMF-fixdate is parsed without allocating; the obsolete RFC 850 and
// asctime forms go through net/http.
func parseHTTPDate(v []byte) (int64, bool) {
	if sec, ok := parseIMFFixdate(v); ok {
		return sec, true
	}
	if len(v) < 20 || len(v) > 40 {
		return 0, false
	}
	t, err := http.ParseTime(string(v))
	if err != nil {
		return 0, false
	}
	return t.Unix(), true
}

// parseIMFFixdate parses "Sun, 06 Nov 1994 08:49:37 GMT"; the day name
// is not checked against the date.
func parseIMFFixdate(v []byte) (int64, bool) {
	if len(v) != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' ||
		v[16] != ' ' || v[19] != ':' || v[22] != ':' || string(v[25:]) != " GMT" {
		return 0, false
	}
	d, ok1 := digits(v[5:7])
	y, ok2 := digits(v[12:16])
	hh, ok3 := digits(v[17:19])
	mm, ok4 := digits(v[20:22])
	ss, ok5 := digits(v[23:25])
	m := int64(0)
	for i := int64(0); i < 12; i++ {
		if string(v[8:11]) == monthNames[i*3:i*3+3] {
			m = i + 1
		}
	}
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || m == 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 {
		return 0, false
	}
	return time.Date(int(y), time.Month(m), int(d), int(hh), int(mm), int(ss), 0, time.UTC).Unix(), true
}

func digits(b []byte) (int64, bool) {
	n := int64(0)
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
