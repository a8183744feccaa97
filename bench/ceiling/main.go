// Command ceiling is the benchmark's ceiling: a gnet v2 responder that
// answers every request it finds with the same 13-byte "Hello, World!"
// response and does nothing else. It is not an HTTP server (no parsing, no
// bodies, no app); its throughput is what one CPU of this machine can push
// through the kernel's socket layer with wrk on the other CPU, the bound
// no server in the table can pass.
//
//	ceiling -addr 127.0.0.1:8000
//
// Requests are counted by their "\r\n\r\n" terminators, so pipelined
// requests and heads split across reads are answered correctly; requests
// with bodies are not supported.
package main

import (
	"flag"
	"log"

	"github.com/panjf2000/gnet/v2"
)

// response is the one answer, 13 bytes of body.
var response = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")

// terminator is what ends a request head.
const terminator = "\r\n\r\n"

// responder is the gnet event handler.
type responder struct {
	gnet.BuiltinEventEngine
}

// conn is a connection's state, touched only by its event loop.
type conn struct {
	matched int      // how much of a terminator the previous read ended with (0 to 3 bytes)
	out     [][]byte // scratch for the answers to pipelined requests
}

func (r *responder) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	c.SetContext(&conn{})
	return nil, gnet.None
}

func (r *responder) OnTraffic(c gnet.Conn) gnet.Action {
	st, _ := c.Context().(*conn)
	if st == nil {
		return gnet.Close
	}
	buf, err := c.Next(-1)
	if err != nil {
		return gnet.Close
	}
	n := count(buf, &st.matched)
	if n == 0 {
		return gnet.None
	}
	if n == 1 {
		_, err = c.Write(response)
	} else {
		st.out = st.out[:0]
		for i := 0; i < n; i++ {
			st.out = append(st.out, response)
		}
		_, err = c.Writev(st.out)
	}
	if err != nil {
		return gnet.Close
	}
	return gnet.None
}

// count returns how many request terminators end in buf, carrying a partial
// match across calls in *matched.
func count(buf []byte, matched *int) int {
	n, m := 0, *matched
	for _, b := range buf {
		switch {
		case b == terminator[m]:
			m++
			if m == len(terminator) {
				n, m = n+1, 0
			}
		case b == '\r':
			m = 1
		default:
			m = 0
		}
	}
	*matched = m
	return n
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "`address` to listen on")
	loops := flag.Int("loops", 0, "event loops (0: one per CPU)")
	flag.Parse()
	err := gnet.Run(&responder{}, "tcp://"+*addr,
		gnet.WithMulticore(true),
		gnet.WithNumEventLoop(*loops),
		gnet.WithReuseAddr(true),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
	)
	if err != nil {
		log.Fatal(err)
	}
}
