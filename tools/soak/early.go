package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"time"
)

// earlyCloseClient abandons connections at every stage, until ctx is
// done: at once, mid-head, mid-body (read whole before the app runs, or
// streamed to it), before reading a large or streamed answer, while the
// app sleeps, after a pipelined batch, while a 100 Continue is due. Half
// of them end with a reset (SO_LINGER 0) rather than a FIN. Nothing is
// expected but that the server survives them (the valid traffic checks
// it) and, where the client reads, that the answer begins with 200.
func (s *soak) earlyCloseClient(ctx context.Context, id int) {
	rng := s.rng(kindSeedEarly, id)
	for seq := 0; ctx.Err() == nil; seq++ {
		tag := "e" + strconv.Itoa(id) + "-" + strconv.Itoa(seq)
		if err := s.earlyClose(rng, tag); err != nil {
			s.stats.fail("early-close", err)
			sleepCtx(ctx, 100*time.Millisecond)
			continue
		}
		s.stats.ok("early-close")
		sleepCtx(ctx, time.Duration(rng.IntN(20))*time.Millisecond)
	}
}

// earlyClose opens one connection and abandons it at a random stage.
func (s *soak) earlyClose(rng *rand.Rand, tag string) error {
	c, err := dial(s.addr)
	if err != nil {
		return err
	}
	if tc, ok := c.Conn.(*net.TCPConn); ok && rng.IntN(2) == 0 {
		_ = tc.SetLinger(0) // Close sends a reset
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(s.cfg.RequestTimeout))
	write := func(b []byte) error { _, err := c.Write(b); return err }
	switch rng.IntN(9) {
	case 0: // connect and leave
		return nil
	case 1: // mid-head
		head := getHello(tag).head()
		return write(head[:1+rng.IntN(len(head)-1)])
	case 2: // mid-body, read before the app runs
		req := postEcho(tag, s.body(rng, 1+rng.IntN(min(s.cfg.MaxBody, 64<<10))), nil)
		return write(append(req.head(), req.Body[:rng.IntN(len(req.Body))]...))
	case 3: // mid-body, streamed to the app
		size := min(s.cfg.MaxBody, 512<<10)
		req := postEcho(tag, s.body(rng, size), nil)
		return write(append(req.head(), req.Body[:rng.IntN(size)]...))
	case 4: // before reading a large answer, or after its first bytes
		if err := write(getBig(tag, 4<<20+rng.IntN(4<<20)).wire()); err != nil {
			return err
		}
		return s.readSome(c, rng)
	case 5: // during a streamed answer
		if err := write(getStream(tag, 20000).wire()); err != nil {
			return err
		}
		return s.readSome(c, rng)
	case 6: // while the app sleeps
		return write(getSlow(tag, 200+rng.IntN(800)).wire())
	case 7: // after a pipelined batch, reading at most part of the first answer
		var b bytes.Buffer
		for i, n := 0, 3+rng.IntN(4); i < n; i++ {
			t := tag + "-" + strconv.Itoa(i)
			switch i % 3 {
			case 0:
				b.Write(getBig(t, 1<<20).wire())
			case 1:
				b.Write(getSlow(t, 50).wire())
			default:
				b.Write(postEcho(t, s.body(rng, 8<<10), nil).wire())
			}
		}
		if err := write(b.Bytes()); err != nil {
			return err
		}
		return s.readSome(c, rng)
	default: // while a 100 Continue is due, or right after it
		req := postEcho(tag, s.body(rng, min(s.cfg.MaxBody, 256<<10)), nil)
		req.Expect100 = true
		if err := write(req.head()); err != nil {
			return err
		}
		if rng.IntN(2) == 0 {
			return nil
		}
		resp, err := readResponse(c.br, "POST")
		if err != nil {
			return err
		}
		if resp.Status != 100 {
			return mismatch("status", "%d where a 100 Continue was due", resp.Status)
		}
		return write(req.Body[:rng.IntN(len(req.Body))])
	}
}

// readSome reads nothing, or the answer's status line and up to 64 KiB
// more; the status must be 200.
func (s *soak) readSome(c *clientConn, rng *rand.Rand) error {
	if rng.IntN(3) == 0 {
		return nil
	}
	line, err := readLine(c.br)
	if err != nil {
		return err
	}
	if line != "HTTP/1.1 200 OK" {
		return mismatch("status", "answer %q to a valid request", clip(line))
	}
	_, err = io.CopyN(io.Discard, c.br, int64(rng.IntN(64<<10)))
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	return nil
}
