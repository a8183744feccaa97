package environ

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestBodyBufferedRead(t *testing.T) {
	var b Body
	if n, err := b.Read(make([]byte, 4)); n != 0 || err != io.EOF {
		t.Fatalf("zero Body: %d, %v", n, err)
	}
	src := []byte("hello, world")
	b.SetBody(src)
	src[0] = 'J' // SetBody copied
	got, err := io.ReadAll(&b)
	if err != nil || string(got) != "hello, world" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	if n, err := b.Read(make([]byte, 4)); n != 0 || err != io.EOF {
		t.Fatalf("after end: %d, %v", n, err)
	}

	b.reset(0)
	for _, piece := range []string{"chunk1;", "", "chunk2;", "chunk3"} {
		b.AppendBody([]byte(piece))
	}
	if b.Len() != 20 {
		t.Fatalf("Len = %d", b.Len())
	}
	p := make([]byte, 3)
	var out []byte
	for {
		n, err := b.Read(p)
		out = append(out, p[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil || n == 0 {
			t.Fatalf("Read = %d, %v", n, err)
		}
	}
	if string(out) != "chunk1;chunk2;chunk3" {
		t.Fatalf("chunks = %q", out)
	}
}

func TestBodyBufferedReadLine(t *testing.T) {
	tests := []struct {
		body string
		max  int
		want []string
	}{
		{"a\nbb\nccc", 0, []string{"a\n", "bb\n", "ccc"}},
		{"a\nbb\nccc\n", 0, []string{"a\n", "bb\n", "ccc\n"}},
		{"abcdef\ngh", 4, []string{"abcd", "ef\n", "gh"}},
		{"\n\n", 1, []string{"\n", "\n"}},
		{"", 0, nil},
	}
	for _, tt := range tests {
		var b Body
		b.SetBody([]byte(tt.body))
		var got []string
		for {
			line, err := b.ReadLine(tt.max)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(line))
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%q max %d: lines %q, want %q", tt.body, tt.max, got, tt.want)
		}
	}
}

func TestBodyReadLineThenRead(t *testing.T) {
	var b Body
	b.SetBody([]byte("line\nrest"))
	line, _ := b.ReadLine(0)
	rest, _ := io.ReadAll(&b)
	if string(line) != "line\n" || string(rest) != "rest" {
		t.Fatalf("%q %q", line, rest)
	}
}

// feeder feeds data into b in pieces of up to step bytes, waiting for
// onSpace whenever Feed comes back short, then finishes with finErr.
func feeder(b *Body, space <-chan struct{}, data []byte, step int, finErr error) {
	for len(data) > 0 {
		n := b.Feed(data[:min(step, len(data))])
		data = data[n:]
		if n < step && len(data) > 0 {
			<-space
		}
	}
	b.Finish(finErr)
}

func newStream(capacity int) (*Body, chan struct{}) {
	b := new(Body)
	space := make(chan struct{}, 1)
	b.Stream(capacity, func() {
		select {
		case space <- struct{}{}:
		default:
		}
	})
	return b, space
}

func testData(n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte('a' + i%26)
		if i%53 == 52 {
			data[i] = '\n'
		}
	}
	return data
}

func TestBodyStreamConcurrent(t *testing.T) {
	data := testData(200_000)
	for _, c := range []struct{ capacity, step, read int }{
		{7, 3, 5}, {7, 11, 2}, {64, 64, 64}, {1000, 333, 4096}, {1 << 16, 1 << 15, 100},
	} {
		t.Run(fmt.Sprintf("cap%d_step%d_read%d", c.capacity, c.step, c.read), func(t *testing.T) {
			b, space := newStream(c.capacity)
			go feeder(b, space, data, c.step, nil)
			p := make([]byte, c.read)
			var got bytes.Buffer
			for {
				n, err := b.Read(p)
				got.Write(p[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got.Bytes(), data) {
				t.Fatalf("read %d bytes, differ from the %d fed", got.Len(), len(data))
			}
		})
	}
}

func TestBodyStreamReadLineConcurrent(t *testing.T) {
	data := testData(100_000)
	for _, c := range []struct{ capacity, step, max int }{
		{7, 3, 0}, {16, 5, 10}, {100, 37, 0}, {4096, 1000, 30},
	} {
		t.Run(fmt.Sprintf("cap%d_step%d_max%d", c.capacity, c.step, c.max), func(t *testing.T) {
			b, space := newStream(c.capacity)
			go feeder(b, space, data, c.step, nil)
			var got bytes.Buffer
			limit := c.capacity
			if c.max > 0 {
				limit = min(limit, c.max)
			}
			for {
				line, err := b.ReadLine(c.max)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(line) == 0 || len(line) > limit {
					t.Fatalf("line of %d bytes, limit %d", len(line), limit)
				}
				if i := bytes.IndexByte(line, '\n'); i >= 0 && i != len(line)-1 {
					t.Fatalf("line %q goes past its newline", line)
				}
				got.Write(line)
			}
			if !bytes.Equal(got.Bytes(), data) {
				t.Fatalf("read %d bytes, differ from the %d fed", got.Len(), len(data))
			}
		})
	}
}

func TestBodyStreamReadLineWhole(t *testing.T) {
	b, _ := newStream(16)
	b.Feed([]byte("0123456789\nab")) // r=0, w=13
	if line, err := b.ReadLine(0); string(line) != "0123456789\n" || err != nil {
		t.Fatalf("%q %v", line, err)
	}
	b.Feed([]byte("cdefgh\nxyz")) // wraps around the ring
	if line, err := b.ReadLine(0); string(line) != "abcdefgh\n" || err != nil {
		t.Fatalf("wrapped line %q %v", line, err)
	}
	b.Finish(nil)
	if line, err := b.ReadLine(0); string(line) != "xyz" || err != nil {
		t.Fatalf("last line %q %v", line, err)
	}
	if line, err := b.ReadLine(0); line != nil || err != io.EOF {
		t.Fatalf("end %q %v", line, err)
	}
}

func TestBodyStreamFinishError(t *testing.T) {
	gone := errors.New("client went away")
	b, space := newStream(8)
	go feeder(b, space, []byte("partial body"), 5, gone)
	got, err := io.ReadAll(b)
	if err != gone || string(got) != "partial body" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	if _, err := b.Read(make([]byte, 1)); err != gone {
		t.Fatalf("again: %v", err)
	}
	if _, err := b.ReadLine(0); err != gone {
		t.Fatalf("ReadLine: %v", err)
	}
	if n := b.Feed([]byte("late")); n != 4 {
		t.Fatalf("Feed after Finish = %d", n)
	}
}

func TestBodyAbortWakesReader(t *testing.T) {
	for _, readLine := range []bool{false, true} {
		b, _ := newStream(8)
		b.Feed([]byte("abc")) // a line without newline: ReadLine waits for more
		if !readLine {
			if n, _ := b.Read(make([]byte, 8)); n != 3 {
				t.Fatal("short read")
			}
		}
		done := make(chan error)
		go func() {
			var err error
			if readLine {
				_, err = b.ReadLine(0)
			} else {
				_, err = b.Read(make([]byte, 8))
			}
			done <- err
		}()
		select {
		case err := <-done:
			t.Fatalf("reader returned before Abort: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		b.Abort()
		select {
		case err := <-done:
			if err != ErrAborted {
				t.Fatalf("err = %v, want ErrAborted", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Abort did not wake the reader")
		}
		if n := b.Feed([]byte("xy")); n != 2 {
			t.Fatalf("Feed after Abort = %d", n)
		}
		b.Finish(nil) // no effect after Abort
		if _, err := b.Read(make([]byte, 1)); err != ErrAborted {
			t.Fatalf("after Abort: %v", err)
		}
	}
}

func TestBodyOnSpaceOnlyWhenStarved(t *testing.T) {
	calls := 0
	var b Body
	b.Stream(4, func() { calls++ })
	if n := b.Feed([]byte("ab")); n != 2 {
		t.Fatal(n)
	}
	b.Read(make([]byte, 1))
	if calls != 0 {
		t.Fatalf("onSpace called %d times without a short Feed", calls)
	}
	if n := b.Feed([]byte("cdefg")); n != 3 {
		t.Fatalf("Feed = %d, want 3", n)
	}
	if b.Len() != 4 {
		t.Fatalf("Len = %d", b.Len())
	}
	b.Read(make([]byte, 1))
	b.Read(make([]byte, 1))
	if calls != 1 {
		t.Fatalf("onSpace called %d times, want 1", calls)
	}
}

func TestBodyStreamDefaultsAndReset(t *testing.T) {
	e := Acquire()
	e.Body.Stream(0, nil)
	if !e.Body.Streaming() || len(e.Body.buf) != DefaultStreamBuffer {
		t.Fatalf("Stream(0): streaming %v, %d bytes", e.Body.Streaming(), len(e.Body.buf))
	}
	e.Body.Feed([]byte("x"))
	e.Reset()
	if e.Body.Streaming() || e.Body.Len() != 0 {
		t.Fatal("Reset kept the stream")
	}
	if n, err := e.Body.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after Reset: %d, %v", n, err)
	}
	Release(e)
}

func TestBodyBufferedZeroAllocs(t *testing.T) {
	body := []byte(strings.Repeat("field=value&", 100) + "\nline two\nend")
	var b Body
	p := make([]byte, 256)
	run := func() {
		b.SetBody(body)
		if _, err := b.ReadLine(64); err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := b.Read(p); err != nil {
				break
			}
		}
	}
	run()
	if n := testing.AllocsPerRun(1000, run); n != 0 {
		t.Fatalf("buffered SetBody+ReadLine+Read: %v allocs, want 0", n)
	}
}

func TestBodyStreamZeroAllocs(t *testing.T) {
	b, _ := newStream(1024)
	piece := testData(700)
	p := make([]byte, 512)
	run := func() {
		b.Feed(piece)
		b.ReadLine(0)
		for b.Len() > 0 {
			b.Read(p)
		}
	}
	run()
	if n := testing.AllocsPerRun(1000, run); n != 0 {
		t.Fatalf("streamed Feed+ReadLine+Read: %v allocs, want 0", n)
	}
}

// TestBodyFreeThenOnSpace follows the event loop's pattern: feed only what
// Free allows, stop at Free() == 0 and wait for onSpace.
func TestBodyFreeThenOnSpace(t *testing.T) {
	data := testData(50_000)
	b, space := newStream(13)
	if (&Body{}).Free() != 0 {
		t.Fatal("Free on a buffered body")
	}
	go func() {
		for rest := data; len(rest) > 0; {
			free := b.Free()
			if free == 0 {
				<-space
				continue
			}
			n := b.Feed(rest[:min(free, len(rest))])
			if n != min(free, len(rest)) {
				panic("Feed took less than Free promised")
			}
			rest = rest[n:]
		}
		b.Finish(nil)
	}()
	got, err := io.ReadAll(b)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if b.Free() != 13 {
		t.Fatalf("Free after Finish = %d", b.Free())
	}
}

func TestEnvironSetBody(t *testing.T) {
	e := Acquire()
	defer Release(e)
	e.SetBody([]byte("ab"))
	e.AppendBody([]byte("cd"))
	got, err := io.ReadAll(&e.Body)
	if err != nil || string(got) != "abcd" {
		t.Fatalf("%q %v", got, err)
	}
}
