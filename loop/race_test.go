//go:build race

package loop

// raceEnabled: sync.Pool drops items at random under the race detector, so
// allocation counts through the pools are meaningless there.
const raceEnabled = true
