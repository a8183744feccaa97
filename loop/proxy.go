package loop

import (
	"strconv"

	"github.com/panjf2000/gnet/v2"

	"github.com/gwsgi/gwsgi/httpparse"
	"github.com/gwsgi/gwsgi/proxyproto"
)

// maxProxyHeader bounds a PROXY header (v2 with its TLVs) the loop waits
// for; a longer one is refused.
const maxProxyHeader = 4096

var (
	errProxyForbidden = &httpparse.Error{Status: 403, Reason: "PROXY header from a peer not in --proxy-allow-from"}
	errProxyInvalid   = &httpparse.Error{Status: 400, Reason: "invalid PROXY protocol header"}
	errContradictory  = &httpparse.Error{Status: 400, Reason: "contradictory scheme headers"}
)

// proxyHeader reads the PROXY protocol header a connection may start with
// (Config.ProxyProtocol): done is false while more bytes are needed or
// after a refusal, whose action is act. A connection that starts with
// anything else is plain HTTP. The header's source address becomes the
// connection's REMOTE_ADDR and REMOTE_PORT.
func (cs *connState) proxyHeader(buf []byte) (act gnet.Action, done bool) {
	switch proxyproto.Detect(buf) {
	case proxyproto.No:
		cs.proxyPending = false
		return gnet.None, true
	case proxyproto.Maybe:
		cs.enterHead()
		return gnet.None, false
	}
	if !cs.srv.cfg.ProxyTrust.Allows(cs.ci.RemoteAddr) {
		return cs.reject(errProxyForbidden), false
	}
	var h proxyproto.Header
	n, err := proxyproto.Parse(buf, &h)
	switch {
	case err == proxyproto.ErrNeedMore && len(buf) < maxProxyHeader:
		cs.enterHead()
		return gnet.None, false
	case err != nil:
		return cs.reject(errProxyInvalid), false
	}
	cs.consume(n)
	cs.proxyPending = false
	if !h.Local && h.Src.IsValid() {
		cs.ci.RemoteAddr = h.Src.Addr().Unmap().String()
		cs.ci.RemotePort = strconv.Itoa(int(h.Src.Port()))
	}
	return gnet.None, true
}

// setScheme sets wsgi.url_scheme for the request being read from the
// secure scheme headers, when the peer may set them.
func (cs *connState) setScheme() error {
	if !cs.trusted {
		return nil
	}
	scheme, err := cs.srv.cfg.Schemes.Scheme(cs.req.Headers)
	if err != nil {
		return errContradictory
	}
	if scheme == "" {
		scheme = "http"
	}
	cs.ci.URLScheme = scheme
	return nil
}
