//go:build race

package environ

// raceEnabled: sync.Pool drops items at random under the race detector, so
// allocation counts through the pool are meaningless there.
const raceEnabled = true
