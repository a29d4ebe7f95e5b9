package server

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
