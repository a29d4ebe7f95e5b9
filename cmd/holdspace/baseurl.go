package main

import (
	"net"
	"net/url"
	"strings"
)

// checkBaseURL checks --base-url: empty, or an absolute http or https URL
// with a host and no query or fragment. It returns it without a trailing
// slash.
func checkBaseURL(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", usageErrorf("--base-url must be an http:// or https:// address such as https://practice.example, without query or fragment")
	}
	return s, nil
}

// listenBaseURL is the base URL when --base-url is not given: the listening
// address, with "localhost" for an unspecified host.
func listenBaseURL(addr string, tls bool) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return scheme + "://" + addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
