//go:build race

package wsgi

// compressRace: sync.Pool drops items at random under the race detector,
// so allocation counts through the pools are meaningless there.
const compressRace = true
