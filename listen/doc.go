// Package listen opens the sockets a server accepts connections on, from
// the binds a gunicorn user writes: host:port, [v6]:port, unix:/path,
// fd://N, and the sockets systemd passes (LISTEN_FDS). It also hands them
// to worker processes and takes them back there.
//
// The master opens every socket once and keeps it for the server's whole
// life; workers get copies (Inherit). A worker that stops accepting closes
// only its copies, so connections waiting in the kernel's accept queue stay
// there for the other workers, or for the worker that replaces it.
package listen
