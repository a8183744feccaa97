package listen

import "golang.org/x/sys/unix"

const nonblock = unix.O_NONBLOCK

func fcntlGetfl(fd int) (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0) }
