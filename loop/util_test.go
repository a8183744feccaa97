package loop

import "github.com/gwsgi/gwsgi/httpparse"

func limits(line, fields, headerBytes int, body int64) httpparse.Limits {
	return httpparse.Limits{MaxRequestLine: line, MaxHeaders: fields, MaxHeaderBytes: headerBytes, MaxBodySize: body}
}
