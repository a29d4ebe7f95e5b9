package httpedge

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRealIP(t *testing.T) {
	trusted, err := ParsePrefixes("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, peer, xff, want string
	}{
		{"NoProxy", "203.0.113.5:4000", "198.51.100.1", "203.0.113.5:4000"}, // untrusted peer: header ignored
		{"OneHop", "10.0.0.2:4000", "198.51.100.1", "198.51.100.1:0"},
		{"ForgedLeft", "10.0.0.2:4000", "1.2.3.4, 198.51.100.1", "198.51.100.1:0"},   // the client's own prefix is not believed
		{"TwoProxies", "10.0.0.2:4000", "198.51.100.1, 192.0.2.7", "198.51.100.1:0"}, // skips trusted hops
		{"AllTrusted", "10.0.0.2:4000", "10.1.1.1", "10.0.0.2:4000"},                 // nothing untrusted: keep the peer
		{"Garbage", "10.0.0.2:4000", "not-an-ip", "10.0.0.2:4000"},                   // unparsable: keep the peer
		{"IPv6Client", "10.0.0.2:4000", "2001:db8::1", "[2001:db8::1]:0"},
		{"MultipleHeaders", "10.0.0.2:4000", "198.51.100.9\n192.0.2.7", "198.51.100.9:0"}, // header lines joined in order
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got string
			h := RealIP(trusted, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.RemoteAddr }))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			for _, v := range splitLines(c.xff) {
				r.Header.Add("X-Forwarded-For", v)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != c.want {
				t.Fatalf("RemoteAddr %q, want %q", got, c.want)
			}
		})
	}
	if _, err := ParsePrefixes("10.0.0.0/8, nonsense"); err == nil {
		t.Error("a bad prefix was accepted")
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestClientAddr(t *testing.T) {
	cases := []struct{ name, remote, want string }{
		{"IPv4", "203.0.113.5:4000", "203.0.113.5"},
		{"IPv6GroupedBy64", "[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"IPv6SameHostSameKey", "[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"IPv4MappedIPv6", "[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"FromRealIP", "198.51.100.1:0", "198.51.100.1"},
		{"HostPort", "localhost:80", "localhost"},
		{"NoPort", "192.0.2.9", "192.0.2.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			if got := ClientAddr(r); got != c.want {
				t.Fatalf("ClientAddr(%q) = %q, want %q", c.remote, got, c.want)
			}
		})
	}
}

// TestClientAddrBehindProxy: the address rate limits see is the client's
// behind a trusted proxy, and the peer's own otherwise, whatever the
// header claims.
func TestClientAddrBehindProxy(t *testing.T) {
	trusted, err := ParsePrefixes("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ peer, xff, want string }{
		{"10.0.0.2:4000", "2001:db8:9:9::1", "2001:db8:9:9::/64"},
		{"10.0.0.2:4000", "198.51.100.1", "198.51.100.1"},
		{"203.0.113.5:4000", "198.51.100.1", "203.0.113.5"},
	}
	for _, c := range cases {
		var got string
		h := RealIP(trusted, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientAddr(r) }))
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		r.Header.Set("X-Forwarded-For", c.xff)
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %s: %q, want %q", c.peer, c.xff, got, c.want)
		}
	}
	// No trusted proxies: the header is never read.
	var got string
	h := RealIP(nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientAddr(r) }))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.2:4000"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != "10.0.0.2" {
		t.Errorf("without trusted proxies: %q", got)
	}
}
