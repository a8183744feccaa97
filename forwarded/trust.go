package forwarded

import (
	"fmt"
	"net/netip"
	"strings"
)

// Trust is a set of peers allowed to set proxy headers.
type Trust struct {
	all      bool
	prefixes []netip.Prefix
}

// DefaultAllowIPs is the default --forwarded-allow-ips, as gunicorn's
// (where the FORWARDED_ALLOW_IPS environment variable does not say).
const DefaultAllowIPs = "127.0.0.1,::1"

// ParseTrust reads a comma-separated list of addresses, CIDR prefixes and
// "*" (everyone).
func ParseTrust(list string) (Trust, error) {
	var t Trust
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
		case item == "*":
			t.all = true
		case strings.Contains(item, "/"):
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return Trust{}, fmt.Errorf("%q is not an address, a CIDR prefix or *", item)
			}
			t.prefixes = append(t.prefixes, p.Masked())
		default:
			a, err := netip.ParseAddr(item)
			if err != nil {
				return Trust{}, fmt.Errorf("%q is not an address, a CIDR prefix or *", item)
			}
			t.prefixes = append(t.prefixes, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return t, nil
}

// Allows reports whether the peer at addr (as REMOTE_ADDR shows it: an IP,
// or "" / a path for a unix socket) is trusted.
func (t Trust) Allows(addr string) bool {
	if t.all {
		return true
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return true // not an IP peer: a unix socket, reachable only from this host
	}
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// None reports whether t trusts nobody.
func (t Trust) None() bool { return !t.all && len(t.prefixes) == 0 }
