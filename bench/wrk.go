package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
)

// wrkResult is what wrk --latency prints.
type wrkResult struct {
	RPS      float64 `json:"requests_per_second"`
	Requests int64   `json:"requests"`
	AvgMs    float64 `json:"latency_avg_ms"`
	P50Ms    float64 `json:"latency_p50_ms"`
	P75Ms    float64 `json:"latency_p75_ms"`
	P90Ms    float64 `json:"latency_p90_ms"`
	P99Ms    float64 `json:"latency_p99_ms"`
	MaxMs    float64 `json:"latency_max_ms"`
	Connect  int64   `json:"socket_errors_connect"`
	Read     int64   `json:"socket_errors_read"`
	Write    int64   `json:"socket_errors_write"`
	Timeout  int64   `json:"socket_errors_timeout"`
	Non2xx   int64   `json:"non_2xx_3xx"`
}

// SocketErrors is the sum of wrk's four socket error counts.
func (r wrkResult) SocketErrors() int64 { return r.Connect + r.Read + r.Write + r.Timeout }

// allTimedOut says wrk has no latency figures because every answer it
// counted came after its timeout (it leaves those out of the histogram).
func (r wrkResult) allTimedOut() bool {
	return r.Requests > 0 && r.Timeout >= r.Requests && r.MaxMs == 0
}

// parseWrk reads wrk's report. Lines it does not know are skipped; a
// report without a Requests/sec line is an error.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	seenRPS := false
	inDist := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "Latency" && len(f) >= 4 && !inDist:
			r.AvgMs, _ = parseDuration(f[1])
			r.MaxMs, _ = parseDuration(f[3])
		case line == "Latency Distribution":
			inDist = true
		case inDist && len(f) == 2 && strings.HasSuffix(f[0], "%"):
			ms, _ := parseDuration(f[1])
			switch f[0] {
			case "50%":
				r.P50Ms = ms
			case "75%":
				r.P75Ms = ms
			case "90%":
				r.P90Ms = ms
			case "99%":
				r.P99Ms = ms
			}
		case len(f) >= 3 && f[1] == "requests" && f[2] == "in":
			inDist = false
			r.Requests, _ = strconv.ParseInt(f[0], 10, 64)
		case strings.HasPrefix(line, "Socket errors:"):
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for _, part := range strings.Split(strings.TrimPrefix(line, "Socket errors:"), ",") {
				kv := strings.Fields(part)
				if len(kv) != 2 {
					continue
				}
				n, _ := strconv.ParseInt(kv[1], 10, 64)
				switch kv[0] {
				case "connect":
					r.Connect = n
				case "read":
					r.Read = n
				case "write":
					r.Write = n
				case "timeout":
					r.Timeout = n
				}
			}
		case strings.HasPrefix(line, "Non-2xx or 3xx responses:"):
			r.Non2xx, _ = strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, "Non-2xx or 3xx responses:")), 10, 64)
		case f[0] == "Requests/sec:" && len(f) == 2:
			r.RPS, _ = strconv.ParseFloat(f[1], 64)
			seenRPS = true
		}
	}
	if !seenRPS {
		return r, fmt.Errorf("no Requests/sec in wrk output")
	}
	return r, nil
}

// parseDuration reads wrk's "812.00us", "1.25ms", "2.00s", "1.00m" into
// milliseconds.
func parseDuration(s string) (float64, error) {
	units := []struct {
		suffix string
		ms     float64
	}{{"us", 1e-3}, {"ms", 1}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}}
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, err
			}
			return f * u.ms, nil
		}
	}
	return 0, fmt.Errorf("unknown duration %q", s)
}
