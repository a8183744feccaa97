package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// validClient sends valid requests one after another on keep-alive
// connections until ctx is done, checking every answer; the request in
// flight when ctx ends is finished. A connection the server ends (it
// said Connection: close, or the request was HTTP/1.0) is replaced.
func (s *soak) validClient(ctx context.Context, id int) {
	rng := s.rng(kindSeedValid, id)
	var c *clientConn
	defer dropConn(&c)
	for seq := 0; ctx.Err() == nil; seq++ {
		req := s.validRequest(rng, "v"+strconv.Itoa(id)+"-"+strconv.Itoa(seq))
		t0 := time.Now()
		resp, err := s.send(&c, req)
		if err == nil {
			s.stats.status("valid", resp.Status)
			err = req.check(resp)
		}
		if err != nil {
			s.stats.fail("valid", fmt.Errorf("%s: %w", describe([]*request{req}), err))
			dropConn(&c)
			sleepCtx(ctx, 100*time.Millisecond)
			continue
		}
		s.stats.took("valid", time.Since(t0))
		s.stats.ok("valid")
		if resp.Close || req.Close || req.Proto == "HTTP/1.0" {
			dropConn(&c)
		}
	}
}

// send sends req on *c (connecting first when *c is nil) and reads its
// answer; when a reused connection turns out to have been closed by the
// server for idling (see clientConn.idleClosed), it retries once on a
// new one.
func (s *soak) send(c **clientConn, req *request) (*response, error) {
	for attempt := 0; ; attempt++ {
		reused := *c != nil
		if !reused {
			nc, err := dial(s.addr)
			if err != nil {
				return nil, err
			}
			*c = nc
		}
		before := (*c).received
		resp, err := (*c).do(req, s.cfg.RequestTimeout)
		if err != nil && reused && attempt == 0 && (*c).idleClosed(err, before, s.cfg.KeepAlive) {
			s.stats.closed("valid", err)
			dropConn(c)
			continue
		}
		return resp, err
	}
}

// validRequest picks a valid request: GET / and HEAD /, echo POSTs of
// random sizes up to MaxBody with Content-Length, chunked (with chunk
// extensions and trailers now and then) or after a 100 Continue,
// streamed and large responses, short sleeps; a few ask to close the
// connection or are HTTP/1.0.
func (s *soak) validRequest(rng *rand.Rand, tag string) *request {
	var r *request
	switch p := rng.IntN(100); {
	case p < 25:
		r = getHello(tag)
	case p < 30:
		r = headHello(tag)
	case p < 50:
		r = postEcho(tag, s.body(rng, s.bodySize(rng)), nil)
	case p < 62:
		body := s.body(rng, s.bodySize(rng))
		r = postEcho(tag, body, chunkSizes(rng, len(body)))
		r.ChunkExt = rng.IntN(4) == 0
		r.Trailer = rng.IntN(4) == 0
	case p < 67:
		r = postEcho(tag, s.body(rng, min(s.cfg.MaxBody, 16<<10+rng.IntN(s.cfg.MaxBody+1))), nil)
		r.Expect100 = true
	case p < 77:
		r = getStream(tag, rng.IntN(2001))
	case p < 87:
		r = getBig(tag, rng.IntN(2<<20+1))
	default:
		r = getSlow(tag, rng.IntN(301))
	}
	switch p := rng.IntN(100); {
	case p < 3:
		r.Close = true
	case p < 5 && r.Chunks == nil && !r.Expect100:
		r.Proto = "HTTP/1.0"
	}
	return r
}

// bodySize picks a request body size: half up to 4 KiB, a third up to
// 64 KiB (read whole before the app runs), the rest up to MaxBody
// (mostly streamed to wsgi.input).
func (s *soak) bodySize(rng *rand.Rand) int {
	var n int
	switch p := rng.IntN(10); {
	case p < 5:
		n = rng.IntN(4<<10 + 1)
	case p < 8:
		n = rng.IntN(64<<10 + 1)
	default:
		n = rng.IntN(s.cfg.MaxBody + 1)
	}
	return min(n, s.cfg.MaxBody)
}

// body returns n random bytes (a slice of s.bodies: not to be modified).
func (s *soak) body(rng *rand.Rand, n int) []byte {
	off := rng.IntN(len(s.bodies) - n + 1)
	return s.bodies[off : off+n : off+n]
}

// chunkSizes splits n bytes into 1 to 8 chunks of random sizes (the
// last takes the rest).
func chunkSizes(rng *rand.Rand, n int) []int {
	k := 1 + rng.IntN(8)
	sizes := make([]int, k)
	for i := range sizes {
		sizes[i] = 1 + rng.IntN(max(1, 2*n/k))
	}
	return sizes
}
