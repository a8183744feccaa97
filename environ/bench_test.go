package environ

import (
	"io"
	"testing"

	"github.com/gwsgi/gwsgi/httpparse"
)

func benchRequest() *httpparse.Request {
	r := newRequest("GET", "/app/api/v1/items/42?page=2&sort=asc",
		"Host: example.com:8080",
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"Accept-Language: en-US,en;q=0.5",
		"Accept-Encoding: gzip, deflate, br, zstd",
		"Connection: keep-alive",
		"Cookie: session=0123456789abcdef",
		"Cookie: theme=dark",
		"Upgrade-Insecure-Requests: 1",
		"Sec-Fetch-Dest: document",
		"Sec-Fetch-Mode: navigate",
	)
	return r
}

func BenchmarkFill(b *testing.B) {
	r := benchRequest()
	cfg := &Config{ScriptName: "/app"}
	b.ReportAllocs()
	for b.Loop() {
		e := Acquire()
		if err := e.Fill(r, testConn, cfg); err != nil {
			b.Fatal(err)
		}
		Release(e)
	}
}

func BenchmarkFillParallel(b *testing.B) {
	r := benchRequest()
	cfg := &Config{ScriptName: "/app"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e := Acquire()
			if err := e.Fill(r, testConn, cfg); err != nil {
				b.Error(err)
				return
			}
			Release(e)
		}
	})
}

func BenchmarkGet(b *testing.B) {
	e := new(Environ)
	if err := e.Fill(benchRequest(), testConn, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := e.Get("HTTP_SEC_FETCH_MODE"); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkBodyBuffered(b *testing.B) {
	body := make([]byte, 4096)
	p := make([]byte, 1024)
	var bd Body
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		bd.SetBody(body)
		for {
			if _, err := bd.Read(p); err == io.EOF {
				break
			}
		}
	}
}

// BenchmarkBodyStream moves 1 MiB per op from a feeding goroutine through
// a 64 KiB streamed body to the reader, with backpressure.
func BenchmarkBodyStream(b *testing.B) {
	const total = 1 << 20
	piece := make([]byte, 16<<10)
	p := make([]byte, 32<<10)
	bd, space := newStream(64 << 10)
	start := make(chan struct{})
	defer close(start)
	go func() {
		for range start {
			for fed := 0; fed < total; {
				n := bd.Feed(piece[:min(len(piece), total-fed)])
				fed += n
				if n < len(piece) && fed < total {
					<-space
				}
			}
		}
	}()
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		start <- struct{}{}
		for got := 0; got < total; {
			n, err := bd.Read(p[:min(len(p), total-got)])
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
}
