package pool

import (
	"testing"
)

func TestBuffer(t *testing.T) {
	buf := GetBuffer()
	if buf.Len() != 0 {
		t.Fatalf("new buffer holds %d bytes", buf.Len())
	}
	buf.WriteString("HTTP/1.1 200 OK\r\n")
	PutBuffer(buf)
	buf = GetBuffer()
	if buf.Len() != 0 {
		t.Fatalf("reused buffer holds %d bytes", buf.Len())
	}
	PutBuffer(buf)
	PutBuffer(nil)

	big := GetBuffer()
	big.B = make([]byte, 0, MaxPooledBuffer+1)
	PutBuffer(big) // dropped, must not panic
}

func TestVecClearsReferences(t *testing.T) {
	v := GetVec()
	if len(*v) != 0 {
		t.Fatalf("new vec has %d slices", len(*v))
	}
	for i := 0; i < 40; i++ {
		*v = append(*v, []byte("chunk"))
	}
	*v = (*v)[:3] // references past len must be cleared too
	all := (*v)[:cap(*v)]
	PutVec(v)
	for i, s := range all {
		if s != nil {
			t.Fatalf("slice %d still referenced after PutVec", i)
		}
	}
	v = GetVec()
	if len(*v) != 0 {
		t.Fatalf("reused vec has %d slices", len(*v))
	}
	PutVec(v)
	PutVec(nil)

	big := make([][]byte, 0, MaxPooledVec+1)
	PutVec(&big) // dropped
}

func BenchmarkBuffer(b *testing.B) {
	line := []byte("Content-Type: text/plain; charset=utf-8\r\n")
	b.ReportAllocs()
	for b.Loop() {
		buf := GetBuffer()
		buf.Write(line)
		PutBuffer(buf)
	}
}

func BenchmarkVec(b *testing.B) {
	head, body := []byte("HTTP/1.1 200 OK\r\n\r\n"), []byte("hello")
	b.ReportAllocs()
	for b.Loop() {
		v := GetVec()
		*v = append(*v, head, body)
		PutVec(v)
	}
}
