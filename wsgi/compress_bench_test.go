package wsgi

import (
	"bytes"
	stdgzip "compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/gwsgi/gwsgi/environ"
)

// benchRecord is one element of the JSON API response the benchmarks and
// tests compress: ids, names, timestamps, nested objects, as a list
// endpoint of a web app returns them.
type benchRecord struct {
	ID        int64          `json:"id"`
	UUID      string         `json:"uuid"`
	Name      string         `json:"name"`
	Email     string         `json:"email"`
	Active    bool           `json:"active"`
	Score     float64        `json:"score"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	Tags      []string       `json:"tags"`
	Address   benchAddress   `json:"address"`
	Orders    []benchOrder   `json:"orders"`
	Meta      map[string]any `json:"meta"`
}

type benchAddress struct {
	Street  string  `json:"street"`
	City    string  `json:"city"`
	Zip     string  `json:"zip"`
	Country string  `json:"country"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
}

type benchOrder struct {
	OrderID  string    `json:"order_id"`
	Amount   float64   `json:"amount"`
	Currency string    `json:"currency"`
	Items    int       `json:"items"`
	Status   string    `json:"status"`
	PlacedAt time.Time `json:"placed_at"`
}

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Ken", "Dennis", "Margaret", "Linus", "Guido", "Rob", "Frances", "John", "Radia", "Niklaus"}
	lastNames  = []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Thompson", "Ritchie", "Hamilton", "Torvalds", "van Rossum", "Pike", "Allen", "McCarthy", "Perlman", "Wirth"}
	cities     = []string{"London", "Paris", "Berlin", "Zürich", "Amsterdam", "Lisbon", "Oslo", "Vienna", "Prague", "Dublin"}
	countries  = []string{"GB", "FR", "DE", "CH", "NL", "PT", "NO", "AT", "CZ", "IE"}
	tagWords   = []string{"admin", "beta", "premium", "trial", "staff", "partner", "vip", "legacy", "eu", "newsletter"}
	statuses   = []string{"pending", "paid", "shipped", "delivered", "refunded"}
)

// testJSON returns a JSON array of records of at least size bytes, the
// same for the same size.
func testJSON(size int) []byte {
	rng := rand.New(rand.NewPCG(1, uint64(size)))
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	var recs []benchRecord
	var out []byte
	for len(out) < size {
		for range 16 {
			id := int64(len(recs) + 1000)
			first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
			c := rng.IntN(len(cities))
			r := benchRecord{
				ID:        id,
				UUID:      fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()&(1<<48-1)),
				Name:      first + " " + last,
				Email:     fmt.Sprintf("%s.%s%d@example.com", first, last, id),
				Active:    rng.IntN(4) != 0,
				Score:     float64(rng.IntN(100000)) / 100,
				CreatedAt: base.Add(-time.Duration(rng.IntN(1<<30)) * time.Second),
				UpdatedAt: base.Add(-time.Duration(rng.IntN(1<<20)) * time.Second),
				Address: benchAddress{
					Street:  fmt.Sprintf("%d %s Street", 1+rng.IntN(300), lastNames[rng.IntN(len(lastNames))]),
					City:    cities[c],
					Zip:     fmt.Sprintf("%05d", rng.IntN(100000)),
					Country: countries[c],
					Lat:     float64(rng.IntN(18000000))/100000 - 90,
					Lon:     float64(rng.IntN(36000000))/100000 - 180,
				},
				Meta: map[string]any{"source": "web", "version": 1 + rng.IntN(5), "referrer": nil},
			}
			for range rng.IntN(4) {
				r.Tags = append(r.Tags, tagWords[rng.IntN(len(tagWords))])
			}
			for range rng.IntN(4) {
				r.Orders = append(r.Orders, benchOrder{
					OrderID:  fmt.Sprintf("ORD-%06d", rng.IntN(1000000)),
					Amount:   float64(rng.IntN(100000)) / 100,
					Currency: "EUR",
					Items:    1 + rng.IntN(9),
					Status:   statuses[rng.IntN(len(statuses))],
					PlacedAt: base.Add(-time.Duration(rng.IntN(1<<24)) * time.Second),
				})
			}
			recs = append(recs, r)
		}
		var err error
		if out, err = json.Marshal(recs); err != nil {
			panic(err)
		}
	}
	return out
}

var (
	json100KiBOnce sync.Once
	json100KiB     []byte
)

// testJSON100KiB is testJSON(100 KiB), made once.
func testJSON100KiB() []byte {
	json100KiBOnce.Do(func() { json100KiB = testJSON(100 << 10) })
	return json100KiB
}

// discardSink takes a response and forgets it.
type discardSink struct{ n int }

func (d *discardSink) Flush(vec [][]byte) error {
	for _, b := range vec {
		d.n += len(b)
	}
	return nil
}

func (d *discardSink) Finish(vec [][]byte, _ bool) {
	for _, b := range vec {
		d.n += len(b)
	}
}

func (d *discardSink) Abort() {}

func benchmarkCompressServe(b *testing.B, accept string) {
	body := testJSON100KiB()
	mw, err := Compress(CompressOptions{})
	if err != nil {
		b.Fatal(err)
	}
	headers := []Header{{"Content-Type", "application/json"}}
	app := Chain(AppFunc(func(_ *environ.Environ, st StartResponse) (Iterable, error) {
		_, err := st.StartResponse("200 OK", headers, nil)
		return Bytes(body), err
	}), mw)
	env := &environ.Environ{KeepAlive: true, ProtoMinor: 1, Method: []byte("GET"), PathInfo: []byte("/api/users"),
		Headers: []environ.Var{{Name: []byte("HTTP_ACCEPT_ENCODING"), Value: []byte(accept)}}}
	s := &discardSink{}
	var r Response
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		s.n = 0
		r.Reset(s, env, nil)
		Serve(app, env, &r)
	}
	b.ReportMetric(float64(len(body))/float64(s.n), "ratio")
}

// BenchmarkCompress100KiBJSONGzip is a 100 KiB JSON response compressed
// with gzip at the default level, through the gateway.
func BenchmarkCompress100KiBJSONGzip(b *testing.B) { benchmarkCompressServe(b, "gzip") }

// BenchmarkCompress100KiBJSONZstd is the same with zstd.
func BenchmarkCompress100KiBJSONZstd(b *testing.B) { benchmarkCompressServe(b, "zstd") }

// BenchmarkCompress100KiBJSONIdentity is the same for a client that takes
// no coding: the middleware's own cost.
func BenchmarkCompress100KiBJSONIdentity(b *testing.B) { benchmarkCompressServe(b, "identity") }

// BenchmarkCompressLevels compares the encoders and levels on 100 KiB of
// JSON: MB/s of input, and the ratio (input/output).
func BenchmarkCompressLevels(b *testing.B) {
	body := testJSON100KiB()
	type enc interface {
		io.WriteCloser
		Reset(io.Writer)
	}
	cases := []struct {
		name string
		new  func() enc
	}{
		{"klauspost-gzip-1", func() enc { w, _ := gzip.NewWriterLevel(nil, 1); return w }},
		{"klauspost-gzip-5", func() enc { w, _ := gzip.NewWriterLevel(nil, 5); return w }},
		{"klauspost-gzip-6", func() enc { w, _ := gzip.NewWriterLevel(nil, 6); return w }},
		{"klauspost-gzip-9", func() enc { w, _ := gzip.NewWriterLevel(nil, 9); return w }},
		{"zstd-1", func() enc { return newBenchZstd(zstd.SpeedFastest) }},
		{"zstd-2", func() enc { return newBenchZstd(zstd.SpeedDefault) }},
		{"zstd-3", func() enc { return newBenchZstd(zstd.SpeedBetterCompression) }},
		{"std-gzip-6", func() enc { w, _ := stdgzip.NewWriterLevel(nil, 6); return w }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			w := c.new()
			var out bytes.Buffer
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				w.Reset(&out)
				if _, err := w.Write(body); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(body))/float64(out.Len()), "ratio")
		})
	}
}

func newBenchZstd(l zstd.EncoderLevel) *zstd.Encoder {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(l), zstd.WithWindowSize(zstdWindow), zstd.WithLowerEncoderMem(true))
	if err != nil {
		panic(err)
	}
	return e
}
