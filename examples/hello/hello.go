// Package hello is gwsgi's built-in Go demo app, served by `make run` when
// no Python app is named, and used by the server's tests. It implements
// wsgi.App directly, as a Go-native WSGI app.
package hello

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gwsgi/gwsgi/environ"
	"github.com/gwsgi/gwsgi/wsgi"
)

// Greeting is the body of GET /: 13 bytes, the benchmarks' hello workload.
var Greeting = []byte("Hello, World!")

var textPlain = []wsgi.Header{{Name: "Content-Type", Value: "text/plain; charset=utf-8"}}

// App routes:
//
//	/             "Hello, World!"
//	/echo         the request body, with the request's Content-Type
//	/stream?n=N   N chunks, each sent as it is produced (chunked encoding)
//	/write?n=N    N chunks through the write callable
//	/env          the CGI variables, one "NAME=value" per line
//	/sleep?ms=N   sleeps N milliseconds, then answers
//	/panic        panics: the server answers 500
//	anything else 404
type App struct{}

// Call implements wsgi.App.
func (App) Call(env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
	switch string(env.PathInfo) {
	case "/":
		if _, err := start.StartResponse("200 OK", textPlain, nil); err != nil {
			return nil, err
		}
		return wsgi.Bytes(Greeting), nil
	case "/echo":
		return echo(env, start)
	case "/stream":
		if _, err := start.StartResponse("200 OK", textPlain, nil); err != nil {
			return nil, err
		}
		return &counter{n: queryInt(env, "n", 3)}, nil
	case "/write":
		return write(env, start)
	case "/env":
		return dump(env, start)
	case "/sleep":
		time.Sleep(time.Duration(queryInt(env, "ms", 10)) * time.Millisecond)
		if _, err := start.StartResponse("200 OK", textPlain, nil); err != nil {
			return nil, err
		}
		return wsgi.Bytes([]byte("slept\n")), nil
	case "/panic":
		panic("hello: /panic asked for it")
	}
	if _, err := start.StartResponse("404 Not Found", textPlain, nil); err != nil {
		return nil, err
	}
	return wsgi.Bytes([]byte("Not Found\n")), nil
}

func echo(env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
	body, err := io.ReadAll(&env.Body)
	if err != nil {
		return nil, err
	}
	ct := string(env.ContentType)
	if ct == "" {
		ct = "application/octet-stream"
	}
	headers := []wsgi.Header{{Name: "Content-Type", Value: ct}}
	if _, err := start.StartResponse("200 OK", headers, nil); err != nil {
		return nil, err
	}
	return wsgi.Bytes(body), nil
}

func write(env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
	w, err := start.StartResponse("200 OK", textPlain, nil)
	if err != nil {
		return nil, err
	}
	for i := 0; i < queryInt(env, "n", 3); i++ {
		if _, err := w.Write(chunkLine(i)); err != nil {
			return nil, err
		}
	}
	return wsgi.Empty(), nil
}

func dump(env *environ.Environ, start wsgi.StartResponse) (wsgi.Iterable, error) {
	var out []byte
	env.Each(func(name, value []byte) {
		out = append(out, name...)
		out = append(out, '=')
		out = append(out, value...)
		out = append(out, '\n')
	})
	if _, err := start.StartResponse("200 OK", textPlain, nil); err != nil {
		return nil, err
	}
	return wsgi.Bytes(out), nil
}

// counter yields n lines, one per Next: an unbuffered, generator-like body.
type counter struct{ i, n int }

func (c *counter) Next() ([]byte, error) {
	if c.i >= c.n {
		return nil, io.EOF
	}
	c.i++
	return chunkLine(c.i - 1), nil
}

func (c *counter) Close() error { return nil }

func chunkLine(i int) []byte {
	return append(strconv.AppendInt([]byte("chunk "), int64(i), 10), '\n')
}

// queryInt reads an integer query parameter, def when absent or invalid.
func queryInt(env *environ.Environ, name string, def int) int {
	q := string(env.QueryString)
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k == name {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				return n
			}
		}
	}
	return def
}
