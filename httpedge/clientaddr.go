package httpedge

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientAddr returns the caller's address for rate limiting: the socket's
// peer (RealIP has already replaced it with the client's address when the
// peer is a trusted proxy). IPv6 addresses are grouped by their /64, which
// one host usually holds whole.
func ClientAddr(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr
		}
		return host
	}
	ip := ap.Addr().Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// RealIP replaces a request's RemoteAddr with the client's address when the
// peer is a trusted proxy: the right-most address in X-Forwarded-For that is
// not itself a trusted proxy (the left-most entries are the client's to
// forge). Requests from any other peer are left alone.
func RealIP(trusted []netip.Prefix, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, err := netip.ParseAddrPort(r.RemoteAddr)
		if err == nil && isTrusted(peer.Addr()) {
			hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
			for i := len(hops) - 1; i >= 0; i-- {
				a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
				if err != nil {
					break
				}
				if !isTrusted(a) {
					r2 := r.Clone(r.Context())
					r2.RemoteAddr = netip.AddrPortFrom(a.Unmap(), 0).String()
					r = r2
					break
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// ParsePrefixes parses a comma-separated list of addresses and CIDR
// prefixes ("10.0.0.0/8, 192.0.2.7"), the trusted proxies of RealIP.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
