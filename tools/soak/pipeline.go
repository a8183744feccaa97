package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// maxBatch is the most requests a pipelined client writes at once; their
// bytes stay well under the 1 MiB a server may queue behind a running
// request.
const maxBatch = 8

// pipelinedClient writes batches of 2 to maxBatch requests in one write
// on a keep-alive connection and reads their answers, each checked
// against its request in order (the X-Tag header), until ctx is done.
func (s *soak) pipelinedClient(ctx context.Context, id int) {
	rng := s.rng(kindSeedPipelined, id)
	var c *clientConn
	defer dropConn(&c)
	for batch := 0; ctx.Err() == nil; batch++ {
		reqs := s.pipelineBatch(rng, "p"+strconv.Itoa(id)+"-"+strconv.Itoa(batch))
		t0 := time.Now()
		last, err := s.sendBatch(&c, reqs)
		if err == nil {
			s.stats.took("pipelined", time.Since(t0))
		}
		if err != nil {
			s.stats.fail("pipelined", err)
			dropConn(&c)
			sleepCtx(ctx, 100*time.Millisecond)
			continue
		}
		if last.Close || reqs[len(reqs)-1].Close {
			dropConn(&c)
		}
	}
}

// pipelineBatch picks 2 to maxBatch small valid requests; now and then
// the last one asks to close the connection.
func (s *soak) pipelineBatch(rng *rand.Rand, tag string) []*request {
	reqs := make([]*request, 2+rng.IntN(maxBatch-1))
	for i := range reqs {
		t := tag + "-" + strconv.Itoa(i)
		switch rng.IntN(7) {
		case 0:
			reqs[i] = getHello(t)
		case 1:
			reqs[i] = headHello(t)
		case 2:
			reqs[i] = postEcho(t, s.body(rng, rng.IntN(min(s.cfg.MaxBody, 16<<10)+1)), nil)
		case 3:
			body := s.body(rng, rng.IntN(min(s.cfg.MaxBody, 16<<10)+1))
			reqs[i] = postEcho(t, body, chunkSizes(rng, len(body)))
		case 4:
			reqs[i] = getStream(t, rng.IntN(201))
		case 5:
			reqs[i] = getSlow(t, rng.IntN(51))
		default:
			reqs[i] = getBig(t, rng.IntN(64<<10+1))
		}
	}
	reqs[len(reqs)-1].Close = rng.IntN(20) == 0
	return reqs
}

// sendBatch writes reqs in one write on *c (connecting first when *c is
// nil) while it reads and checks their answers in order; it returns the
// last answer. Each answer checked counts as a pipelined request served.
// A reused connection the server closed for idling is replaced once, as
// in send.
func (s *soak) sendBatch(c **clientConn, reqs []*request) (*response, error) {
	var wire bytes.Buffer
	for _, r := range reqs {
		wire.Write(r.wire())
	}
	for attempt := 0; ; attempt++ {
		reused := *c != nil
		if !reused {
			nc, err := dial(s.addr)
			if err != nil {
				return nil, err
			}
			*c = nc
		}
		cc := *c
		before := cc.received
		if err := cc.SetDeadline(time.Now().Add(s.cfg.RequestTimeout)); err != nil {
			return nil, err
		}
		written := make(chan error, 1)
		go func() {
			_, err := cc.Write(wire.Bytes())
			written <- err
		}()
		last, err := s.readBatch(cc, reqs)
		if err != nil && reused && attempt == 0 && cc.idleClosed(err, before, s.cfg.KeepAlive) {
			s.stats.closed("pipelined", err)
			dropConn(c)
			<-written
			continue
		}
		if err != nil {
			dropConn(c) // ends the write if it is blocked
			if werr := <-written; werr != nil && cause(err) == "eof" {
				err = werr // the server stopped reading: say so
			}
			return nil, err
		}
		if werr := <-written; werr != nil {
			return nil, werr
		}
		return last, nil
	}
}

// readBatch reads and checks the answers to reqs in order.
func (s *soak) readBatch(cc *clientConn, reqs []*request) (*response, error) {
	var last *response
	for i, r := range reqs {
		resp, err := cc.final(r.Method)
		if err == nil {
			s.stats.status("pipelined", resp.Status)
			err = r.check(resp)
		}
		if err != nil {
			return nil, fmt.Errorf("answer %d of %d (batch %s): %w", i+1, len(reqs), describe(reqs), err)
		}
		s.stats.ok("pipelined")
		if resp.Close && i < len(reqs)-1 {
			return nil, &outcomeError{"closed-mid-pipeline", fmt.Sprintf("answer %d of %d ends the connection, unasked", i+1, len(reqs))}
		}
		last = resp
	}
	return last, nil
}

// describe lists a batch's requests for a message.
func describe(reqs []*request) string {
	parts := make([]string, len(reqs))
	for i, r := range reqs {
		parts[i] = r.Method + " " + strings.SplitN(r.Target, "&tag=", 2)[0]
		switch {
		case r.Chunks != nil:
			parts[i] += fmt.Sprintf(" chunked %d", len(r.Body))
		case r.Body != nil:
			parts[i] += fmt.Sprintf(" CL %d", len(r.Body))
		}
		if r.Chunks != nil && r.ChunkExt {
			parts[i] += " ext"
		}
		if r.Chunks != nil && r.Trailer {
			parts[i] += " trailer"
		}
		if r.Expect100 {
			parts[i] += " 100-continue"
		}
		if r.Proto != "" {
			parts[i] += " " + r.Proto
		}
		if r.Close {
			parts[i] += " close"
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
