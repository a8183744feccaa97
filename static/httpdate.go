package static

import "net/http"

const (
	maxDate    = 253402300799 // 9999-12-31 23:59:59
	dayNames   = "SunMonTueWedThuFriSat"
	monthNames = "JanFebMarAprMayJunJulAugSepOctNovDec"
)

// appendHTTPDate appends sec (Unix seconds, clamped to years 1970 to
// 9999) as an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", without
// allocating.
func appendHTTPDate(b []byte, sec int64) []byte {
	sec = min(max(sec, 0), maxDate)
	days, rem := floorDiv(sec, 86400)
	y, m, d := civil(days)
	_, wd := floorDiv(days+4, 7) // 1970-01-01 was a Thursday
	b = append(b, dayNames[wd*3:wd*3+3]...)
	b = append(b, ", "...)
	b = append2(b, d)
	b = append(b, ' ')
	b = append(b, monthNames[(m-1)*3:(m-1)*3+3]...)
	b = append(b, ' ')
	b = append2(b, y/100)
	b = append2(b, y%100)
	b = append(b, ' ')
	b = append2(b, rem/3600)
	b = append(b, ':')
	b = append2(b, rem/60%60)
	b = append(b, ':')
	b = append2(b, rem%60)
	return append(b, " GMT"...)
}

func append2(b []byte, n int64) []byte {
	return append(b, byte('0'+n/10%10), byte('0'+n%10))
}

func floorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q, r = q-1, r+b
	}
	return q, r
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's civil_from_days).
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era, _ := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFrom is civil's inverse: days since 1970-01-01.
func daysFrom(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era, _ := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
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
	return daysFrom(y, m, d)*86400 + hh*3600 + mm*60 + ss, true
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
