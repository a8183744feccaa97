//go:build !race

package wsgi

const compressRace = false
