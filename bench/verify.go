package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// answer is one response as the check read it.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// maxCheckBody bounds what the check reads of a body.
const maxCheckBody = 16 << 20

// headerPairs splits "Name: value" lines, as wrk's -H takes them.
func headerPairs(lines []string) [][2]string {
	var out [][2]string
	for _, l := range lines {
		k, v, _ := strings.Cut(l, ":")
		out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return out
}

// A workload's verifier says what is wrong with the checked answer, or
// what it found right; fetch asks the same URL again with other headers.
type verifier func(a answer, fetch func(headers []string) (answer, error)) (string, error)

// verifyGzip says whether a is the gzip-json answer: gzip-encoded, and
// decoding to the identity answer the same URL gives without
// Accept-Encoding, which must be JSON.
func verifyGzip(a answer, fetch func(headers []string) (answer, error)) (string, error) {
	if ce := a.Header.Get("Content-Encoding"); ce != "gzip" {
		return "", fmt.Errorf("Content-Encoding %q, want gzip", ce)
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.Body))
	if err != nil {
		return "", fmt.Errorf("not gzip: %v", err)
	}
	decoded, err := io.ReadAll(io.LimitReader(zr, maxCheckBody))
	if err == nil {
		err = zr.Close()
	}
	if err != nil {
		return "", fmt.Errorf("gzip stream: %v", err)
	}
	plain, err := fetch(nil)
	if err != nil {
		return "", fmt.Errorf("identity request: %v", err)
	}
	switch {
	case plain.Status != http.StatusOK:
		return "", fmt.Errorf("identity request: status %d", plain.Status)
	case plain.Header.Get("Content-Encoding") != "":
		return "", fmt.Errorf("identity request: Content-Encoding %q without Accept-Encoding", plain.Header.Get("Content-Encoding"))
	case !json.Valid(plain.Body):
		return "", errors.New("identity answer is not JSON")
	case !bytes.Equal(decoded, plain.Body):
		return "", fmt.Errorf("decodes to %d bytes that differ from the %d-byte identity answer", len(decoded), len(plain.Body))
	}
	return fmt.Sprintf("decodes to the %d-byte identity JSON", len(plain.Body)), nil
}

// verifyStatic says whether a's body is the static file.
func verifyStatic(a answer, _ func([]string) (answer, error)) (string, error) {
	if ce := a.Header.Get("Content-Encoding"); ce != "" {
		return "", fmt.Errorf("Content-Encoding %q", ce)
	}
	if !bytes.Equal(a.Body, staticPage) {
		return "", fmt.Errorf("body differs from %s/%s (%d bytes)", staticDir, staticFile, len(staticPage))
	}
	return "the file's bytes", nil
}

// describe is what checkOnce reports of a good answer: "200, 13 bytes",
// with the coding and decoded length when it has one.
func describe(a answer) string {
	s := fmt.Sprintf("%d, %d bytes", a.Status, len(a.Body))
	if ce := a.Header.Get("Content-Encoding"); ce != "" {
		s += ", Content-Encoding " + ce
	}
	return s
}
