//go:build !race

package environ

const raceEnabled = false
