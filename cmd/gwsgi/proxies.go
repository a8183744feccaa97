package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gwsgi/gwsgi/forwarded"
)

// proxyOptions is what the command line says about proxies in front.
type proxyOptions struct {
	forwardedAllow string   // --forwarded-allow-ips
	schemeHeaders  []string // --secure-scheme-header NAME=VALUE, replacing gunicorn's defaults
	schemesSet     bool     // --secure-scheme-header was given (an empty value: no header trusted)
	proxyProtocol  bool     // --proxy-protocol
	proxyAllow     string   // --proxy-allow-from
}

// addProxyFlags defines gunicorn's proxy flags.
func addProxyFlags(fs *flag.FlagSet, p *proxyOptions, lists *sources) {
	def := forwarded.DefaultAllowIPs
	if v, ok := os.LookupEnv("FORWARDED_ALLOW_IPS"); ok {
		def = v
	}
	fs.StringVar(&p.forwardedAllow, "forwarded-allow-ips", def, "comma-separated `addresses`, CIDRs or * whose X-Forwarded-Proto, X-Forwarded-Ssl, X-Forwarded-Protocol and Forwarded headers set wsgi.url_scheme (default: $FORWARDED_ALLOW_IPS, else 127.0.0.1,::1; unix-socket peers are trusted)")
	fs.Func("secure-scheme-header", "`HEADER=VALUE` that means https (repeatable; replaces the defaults X-Forwarded-Protocol=ssl, X-Forwarded-Proto=https, X-Forwarded-Ssl=on)", func(v string) error {
		lists.reset("secure-scheme-header", func() { p.schemeHeaders = nil; p.schemesSet = true })
		if v != "" {
			p.schemeHeaders = append(p.schemeHeaders, v)
		}
		return nil
	})
	fs.BoolVar(&p.proxyProtocol, "proxy-protocol", false, "accept a PROXY protocol header (v1 or v2) at the start of connections, from --proxy-allow-from; it sets REMOTE_ADDR and REMOTE_PORT")
	fs.StringVar(&p.proxyAllow, "proxy-allow-from", "127.0.0.1,::1", "comma-separated `addresses`, CIDRs or * allowed to send a PROXY header")
}

// apply checks the proxy flags and sets them in the server's config.
func (p *proxyOptions) apply(o *options) error {
	trust, err := forwarded.ParseTrust(p.forwardedAllow)
	if err != nil {
		return fmt.Errorf("--forwarded-allow-ips: %w", err)
	}
	schemes := forwarded.DefaultSchemes()
	if p.schemesSet {
		if schemes, err = forwarded.ParseSchemes(p.schemeHeaders); err != nil {
			return fmt.Errorf("--secure-scheme-header: %w", err)
		}
	}
	proxyTrust, err := forwarded.ParseTrust(p.proxyAllow)
	if err != nil {
		return fmt.Errorf("--proxy-allow-from: %w", err)
	}
	o.cfg.ForwardedTrust, o.cfg.Schemes = trust, &schemes
	o.cfg.ProxyProtocol, o.cfg.ProxyTrust = p.proxyProtocol, proxyTrust
	return nil
}
