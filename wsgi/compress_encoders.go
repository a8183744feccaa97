package wsgi

import (
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// compressEncoder is what *gzip.Writer and *zstd.Encoder share: a stream
// encoder that writes to the io.Writer Reset gives it. Write copies what
// it keeps of p; Flush ends a block so that what was written so far can
// be decoded; Close ends the stream.
type compressEncoder interface {
	Write(p []byte) (int, error)
	Flush() error
	Close() error
	Reset(w io.Writer)
}

// zstdWindow is the zstd encoders' window. With it and
// WithLowerEncoderMem, a pooled encoder that compressed 100 KiB holds about
// 1.1 MiB (SpeedFastest); with zstd's default window (4-8 MiB) it holds
// 8.9 MiB. Speed and ratio are the same on 100 KiB and 1 MiB of JSON, and
// clients need no more than this much memory to decode.
const zstdWindow = 512 << 10

// Encoder pools, one per level. An encoder in a pool may be in the middle
// of a stream and still refer to its last writer: it is Reset when it is
// taken out, never when it is put back. zstdWhole's encoders are used
// through EncodeAll only, for bodies compressed in one piece: EncodeAll
// keeps an encoder of its own inside the zstd.Encoder, and an Encoder used
// both ways would hold the memory of two.
var (
	gzipEncoders [gzip.BestCompression + 1]sync.Pool
	zstdEncoders [zstd.SpeedBestCompression + 1]sync.Pool
	zstdWhole    [zstd.SpeedBestCompression + 1]sync.Pool
)

func init() {
	for l := gzip.BestSpeed; l <= gzip.BestCompression; l++ {
		gzipEncoders[l].New = func() any {
			w, err := gzip.NewWriterLevel(nil, l)
			if err != nil {
				panic(err) // l is a valid level
			}
			return w
		}
	}
	for l := zstd.SpeedFastest; l <= zstd.SpeedBestCompression; l++ {
		zstdEncoders[l].New = func() any { return newZstdEncoder(l) }
		zstdWhole[l].New = func() any { return newZstdEncoder(l) }
	}
}

// newZstdEncoder returns a zstd encoder at level l that compresses on the
// caller's goroutine.
func newZstdEncoder(l zstd.EncoderLevel) *zstd.Encoder {
	e, err := zstd.NewWriter(nil,
		zstd.WithEncoderConcurrency(1), // no goroutines, no hand-offs
		zstd.WithEncoderLevel(l),
		zstd.WithWindowSize(zstdWindow),
		zstd.WithLowerEncoderMem(true))
	if err != nil {
		panic(err) // the options are valid
	}
	return e
}

// encoderPool returns the pool of coding's encoders at c's level.
func (c *compressor) encoderPool(coding string) *sync.Pool {
	if coding == "gzip" {
		return &gzipEncoders[c.gzipLevel]
	}
	return &zstdEncoders[c.zstdLevel]
}

// compressBuf collects an encoder's output.
type compressBuf struct{ B []byte }

// Write appends p; it never fails.
func (b *compressBuf) Write(p []byte) (int, error) {
	b.B = append(b.B, p...)
	return len(p), nil
}
