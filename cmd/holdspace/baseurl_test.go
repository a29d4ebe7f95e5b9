package main

import "testing"

func TestBaseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"https://practice.example/", "https://practice.example", true},
		{"http://10.0.0.5:8080", "http://10.0.0.5:8080", true},
		{"https://practice.example/holdspace", "https://practice.example/holdspace", true},
		{"practice.example", "", false},
		{"ftp://practice.example", "", false},
		{"https://practice.example/?a=1", "", false},
		{"https://user@practice.example", "", false},
	} {
		got, err := checkBaseURL(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("checkBaseURL(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		addr string
		tls  bool
		want string
	}{
		{"127.0.0.1:8080", false, "http://127.0.0.1:8080"},
		{":8443", true, "https://localhost:8443"},
		{"0.0.0.0:80", false, "http://localhost:80"},
		{"[::]:8080", false, "http://localhost:8080"},
	} {
		if got := listenBaseURL(tc.addr, tc.tls); got != tc.want {
			t.Errorf("listenBaseURL(%q, %v) = %q, want %q", tc.addr, tc.tls, got, tc.want)
		}
	}
}
