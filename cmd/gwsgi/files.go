package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/gwsgi/gwsgi/static"
	"github.com/gwsgi/gwsgi/wsgi"
)

// fileOptions are the flags of what gwsgi serves in Go, without the app's
// Python: files (--static-map) and compressed responses (--compress).
type fileOptions struct {
	staticMaps []string // --static-map, as given
	mounts     []static.Mount
	maxAge     int

	compress  bool
	minSize   int64
	types     []string // nil: wsgi.DefaultCompressTypes
	encodings []string // nil: zstd, gzip
	gzipLevel int
	zstdLevel int
}

// addFileFlags defines the flags of o onto fs.
func addFileFlags(fs *flag.FlagSet, o *fileOptions, lists *sources) {
	fs.Func("static-map", "serve the files of `/PREFIX=DIR` under the URL path PREFIX, from Go with sendfile, without the app (uWSGI's --static-map; repeatable). A path with no file there goes to the app; one that would leave DIR gets 404", func(v string) error {
		lists.reset("static-map", func() { o.staticMaps, o.mounts = nil, nil })
		m, err := static.ParseMount(v)
		if err != nil {
			return err
		}
		o.staticMaps = append(o.staticMaps, v)
		o.mounts = append(o.mounts, m)
		return nil
	})
	fs.IntVar(&o.maxAge, "static-max-age", 0, "`seconds` of Cache-Control: public, max-age for --static-map files (0: no Cache-Control)")
	fs.BoolVar(&o.compress, "compress", false, "compress the app's responses with zstd or gzip, as the client's Accept-Encoding asks, in Go and without the GIL")
	fs.Int64Var(&o.minSize, "compress-min-size", 1024, "`bytes`: responses known to be smaller are sent as they are (0: compress whatever the size)")
	fs.Func("compress-types", "comma-separated media `types` to compress: type/subtype, type/* or +suffix (default text/*, JSON, JavaScript, XML, SVG)", func(v string) error {
		o.types = splitList(v)
		return nil
	})
	fs.Func("compress-encodings", "comma-separated content `codings` offered, the preferred first: zstd, gzip (default zstd,gzip)", func(v string) error {
		o.encodings = splitList(v)
		return nil
	})
	fs.IntVar(&o.gzipLevel, "compress-gzip-level", 0, "gzip `level`, 1 (fastest) to 9 (smallest); 0: the default")
	fs.IntVar(&o.zstdLevel, "compress-zstd-level", 0, "zstd `level`, 1 (fastest) to 4 (smallest); 0: the default")
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var items []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, s)
		}
	}
	return items
}

// middleware returns the compression middleware the flags ask for, or
// nil.
func (o *fileOptions) middleware() (wsgi.Middleware, error) {
	if !o.compress {
		return nil, nil
	}
	minSize := o.minSize
	if minSize == 0 {
		minSize = -1 // the flag's 0 is no minimum; the option's 0 the default
	}
	mw, err := wsgi.Compress(wsgi.CompressOptions{
		Types:     o.types,
		MinSize:   minSize,
		Encodings: o.encodings,
		GzipLevel: o.gzipLevel,
		ZstdLevel: o.zstdLevel,
	})
	if err != nil {
		return nil, fmt.Errorf("--compress: %w", err)
	}
	return mw, nil
}

// handler returns the static files' handler the flags ask for, or nil.
func (o *fileOptions) handler(log wsgi.Logger) (*static.Handler, error) {
	if len(o.mounts) == 0 {
		return nil, nil
	}
	h, err := static.New(static.Options{Mounts: o.mounts, MaxAge: o.maxAge, Log: log})
	if err != nil {
		return nil, fmt.Errorf("--static-map: %w", err)
	}
	return h, nil
}

// check checks the flags' values.
func (o *fileOptions) check() error {
	if o.maxAge < 0 || o.minSize < 0 {
		return fmt.Errorf("--static-max-age and --compress-min-size must be at least 0")
	}
	if _, err := o.middleware(); err != nil {
		return err
	}
	return nil
}
