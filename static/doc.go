// Package static serves files from directories without the app, like
// uWSGI's --static-map /prefix=DIR, nginx's location/alias or
// whitenoise: GET and HEAD requests under a URL prefix are answered from
// the files of the mounted directory, and whatever is not a file there
// goes on to the app.
//
// # Routing
//
// Match decides, on the event loop, without allocating or making a
// syscall, whether a request may name a file: its method is GET or HEAD
// and its raw path (RawURI up to '?', origin-form or absolute-form) is
// a prefix or under it ("/static" has "/static" and "/static/a.css",
// not "/staticx"). Prefixes are whole URL paths compared byte for byte
// with the raw path, whatever SCRIPT_NAME the app is mounted at; they
// hold no percent escapes. Several mounts may share a prefix or nest:
// the longest prefix is tried first, equal ones in the order given, and
// the first that has the file answers.
//
// Serve then looks for the file. It hands the request back (handled
// false, start not called) when the path names no file: it is missing,
// a directory (a path ending in '/', or the prefix itself, included: no
// index files, no listings), a FIFO, device or socket, or longer than
// 4000 bytes. The app answers those, as with uWSGI and whitenoise.
//
// # Paths
//
// The path is taken from RawURI, not PATH_INFO (already decoded, and
// shifted by SCRIPT_NAME), and percent-decoded into a pooled buffer.
// These are traversal attempts or malformed, and are answered 404 by
// the package: an encoded slash or backslash (%2F, %5C) anywhere, a raw
// backslash, a raw or encoded NUL, a bad percent escape, a "." or ".."
// segment (raw or encoded), and an empty segment ("a//b": each file has
// one URL). Other bytes are file name bytes: "...", "a..b" and dot files
// such as ".hidden" are served.
//
// Files are opened with openat2(2) beneath the directory's descriptor
// (RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS), so nothing outside it can be
// reached: relative symbolic links that stay inside work, links that
// leave it (and absolute links, even to a file inside) answer 404, as
// do link loops. A permission error answers 403. On kernels without
// openat2 (before 5.6, or where a seccomp filter refuses it) links are
// resolved in user space instead: filepath.EvalSymlinks, a check that
// the result is inside the directory, an open that follows no final
// link and a check through /proc/self/fd of what was opened. That path
// allocates, and serves absolute links that point inside.
//
// # Answers
//
// A file answer has Content-Type (a built-in table of web types, text
// ones with charset=utf-8, then mime.TypeByExtension, then
// application/octet-stream), Content-Length, Last-Modified (seconds),
// a strong ETag built from the modification time in nanoseconds and
// the size, Accept-Ranges: bytes, and Cache-Control: public,
// max-age=MaxAge when MaxAge is above 0. HEAD has the same headers and
// no body. The body is an Iterable that implements wsgi.FileBody, so the
// gateway sends it with sendfile(2); otherwise it is read with pread in
// 64 KiB pieces. It owns the file's descriptor until its Close.
//
// Conditional requests follow RFC 9110 §13.2.2: If-Match (strong
// comparison, "*" matches) then If-Unmodified-Since (only without
// If-Match) answer 412; If-None-Match (weak comparison) then
// If-Modified-Since (only without If-None-Match) answer 304, with ETag,
// Last-Modified, Cache-Control and Vary, and no body or Content-Length.
//
// Range (RFC 9110 §14) is honoured for GET only, and for one range:
// "bytes=a-b", "a-" or "-n" answer 206 with Content-Range; a range that
// starts past the end, or "-0", answers 416 with "Content-Range: bytes
// */size". Several ranges, another unit, a malformed value or an empty
// file are ignored and the whole file is sent with 200 (a server may
// ignore Range; multipart/byteranges is left out). If-Range takes an
// entity-tag (strong comparison) or a date (equal to Last-Modified);
// when it does not match the whole file is sent.
//
// # Precompressed files
//
// For FILE, the regular files FILE.zst, FILE.br and FILE.gz next to it
// are its zstd, br and gzip representations. The client's
// Accept-Encoding picks among those present (httpparse.Negotiate, the
// server preferring zstd, then br, then gzip at equal q); the one chosen
// is sent with Content-Encoding, FILE's Content-Type and its own ETag
// (its own time and size, and the coding). Only the siblings of codings
// the client accepts are looked for (each look is an openat2): a client
// that accepts none (no Accept-Encoding, as with curl or wrk) costs no
// look, and gets FILE without Vary, as with nginx's gzip_static. Every
// answer to a client for which a sibling was found, identity (its q
// higher) and 304 included, says Vary: Accept-Encoding. Conditionals
// and ranges apply to the representation sent. FILE.gz asked for by name is a plain application/gzip file. No
// siblings are looked for when FILE is itself .gz, .br or .zst, or a
// format compressed already (PNG, JPEG, GIF, WebP, AVIF, WOFF, WOFF2,
// MP4, WebM, MP3, Ogg, ZIP). Nothing is compressed on the fly.
//
// # Errors
//
// The package's own answers (404, 403, 412, 416) have a short
// text/plain body naming the status, and a Content-Length. Refused
// paths are logged at debug level when Options.Log has a Debugf method.
//
// # Cost
//
// A warm Serve allocates nothing. It makes one openat2 and one fstat
// for the file, one openat2 per sibling looked for, and the closes.
// Nothing is cached between requests: a file replaced on disk is served
// new at once.
package static
