package metrics

import (
	"errors"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Region is one process's statistics in shared memory. Its recording
// methods are safe from any goroutine, take no lock and allocate nothing; on
// a nil *Region they do nothing.
type Region struct {
	l   *layout
	mem []byte   // the mapping; nil once closed
	f   *os.File // the memfd NewRegion created; nil for OpenRegion
}

// regionBytes is the size of a region's file and mapping: layoutSize rounded
// up to whole pages.
func regionBytes() int {
	page := os.Getpagesize()
	return (int(layoutSize) + page - 1) / page * page
}

// NewRegion creates a zeroed region backed by a new memfd and maps it. The
// returned file is the memfd, to be passed to the worker process, typically
// in exec.Cmd.ExtraFiles, whose OpenRegion maps it; the worker learns its
// descriptor number the same way it learns any other inherited one. The file
// is close-on-exec in this process and sealed against resizing.
//
// The file belongs to the region: Close closes it. The caller may close it
// sooner, once the worker has started, since the mapping does not need it.
func NewRegion() (*Region, *os.File, error) {
	fd, err := unix.MemfdCreate("gwsgi-metrics", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, nil, fmt.Errorf("metrics: memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "gwsgi-metrics")
	r, err := newRegion(fd)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	r.f = f
	return r, f, nil
}

// newRegion sizes, seals and maps the memfd fd and writes the header.
func newRegion(fd int) (*Region, error) {
	size := regionBytes()
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		return nil, fmt.Errorf("metrics: ftruncate: %w", err)
	}
	seals := unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		return nil, fmt.Errorf("metrics: seal memfd: %w", err)
	}
	r, err := mapRegion(fd, size)
	if err != nil {
		return nil, err
	}
	r.l.magic.Store(regionMagic)
	r.l.version.Store(regionVersion)
	r.l.size.Store(uint64(layoutSize))
	return r, nil
}

// OpenRegion maps a region NewRegion created, given its inherited
// descriptor fd, and checks its header. It takes fd over: fd is closed
// before OpenRegion returns, whether it succeeds or not, because the mapping
// does not need it.
func OpenRegion(fd uintptr) (*Region, error) {
	defer unix.Close(int(fd))
	var st unix.Stat_t
	if err := unix.Fstat(int(fd), &st); err != nil {
		return nil, fmt.Errorf("metrics: fstat region: %w", err)
	}
	if st.Size < int64(layoutSize) {
		return nil, fmt.Errorf("metrics: region is %d bytes, need %d", st.Size, layoutSize)
	}
	r, err := mapRegion(int(fd), int(st.Size))
	if err != nil {
		return nil, err
	}
	if err := r.l.check(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// check reports whether l carries the header this build writes.
func (l *layout) check() error {
	if m := l.magic.Load(); m != regionMagic {
		return fmt.Errorf("metrics: not a region (magic %#x)", m)
	}
	if v := l.version.Load(); v != regionVersion {
		return fmt.Errorf("metrics: region version %d, want %d", v, regionVersion)
	}
	if s := l.size.Load(); s != uint64(layoutSize) {
		return fmt.Errorf("metrics: region layout is %d bytes, want %d", s, layoutSize)
	}
	return nil
}

// mapRegion maps size bytes of fd shared, read-write.
func mapRegion(fd, size int) (*Region, error) {
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("metrics: mmap region: %w", err)
	}
	// mmap returns page-aligned memory, which satisfies layout's alignment.
	return &Region{l: (*layout)(unsafe.Pointer(&mem[0])), mem: mem}, nil
}

// Close unmaps the region and closes its memfd if this process created it
// and it is still open. No method may be called on r afterwards (except
// Close, which then does nothing): the memory is gone. Close on a nil
// *Region does nothing.
func (r *Region) Close() error {
	if r == nil || r.mem == nil {
		return nil
	}
	err := unix.Munmap(r.mem)
	r.mem, r.l = nil, nil
	if r.f != nil {
		if cerr := r.f.Close(); cerr != nil && !errors.Is(cerr, os.ErrClosed) && err == nil {
			err = cerr
		}
		r.f = nil
	}
	return err
}

// Request records one served request: its status code for
// gwsgi_http_requests_total (codes outside 100..599 count as "other") and
// its duration for gwsgi_http_request_duration_seconds.
func (r *Region) Request(code int, d time.Duration) {
	if r == nil {
		return
	}
	r.l.codes[codeSlot(code)].Add(1)
	r.l.duration.observe(d, durationBounds)
}

// AddInflight adds delta to gwsgi_inflight_requests, the requests being
// served.
func (r *Region) AddInflight(delta int64) {
	if r == nil {
		return
	}
	r.l.inflight.Add(delta)
}

// AddQueued adds delta to gwsgi_queue_depth, the requests waiting for a
// thread.
func (r *Region) AddQueued(delta int64) {
	if r == nil {
		return
	}
	r.l.queued.Add(delta)
}

// AddConns adds delta to gwsgi_connections, the open client connections.
func (r *Region) AddConns(delta int64) {
	if r == nil {
		return
	}
	r.l.conns.Add(delta)
}

// GILWait records one wait for the GIL in gwsgi_gil_wait_seconds.
func (r *Region) GILWait(d time.Duration) {
	if r == nil {
		return
	}
	r.l.gilWait.observe(d, gilBounds)
}

// load reads r's statistics into s; a closed region reads as zero.
func (r *Region) load(s *snapshot) {
	if r.l == nil {
		*s = snapshot{}
		return
	}
	s.load(r.l)
}
