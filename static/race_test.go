//go:build race

package static

// raceEnabled: sync.Pool drops items at random under the race detector, so
// allocation counts through the pools are meaningless there.
const raceEnabled = true
