// Package openapitest checks real API responses against holdspace's OpenAPI
// document: a Recorder, an http.RoundTripper, captures what a test's
// client receives, and Validate checks each exchange's status and body
// against the operation's schema with kin-openapi's openapi3filter. A
// status the operation does not document is a failure.
package openapitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"holdspace/httpapi"
)

// Exchange is one request and the response it got.
type Exchange struct {
	Host   string // the server's host:port, to tell servers apart
	Method string
	Path   string
	Query  string
	Status int
	Header http.Header
	Body   []byte
	// Stream is true for an event stream, whose body is not read.
	Stream bool
}

// Recorder is an http.RoundTripper that records every exchange it carries.
// The zero value uses http.DefaultTransport.
type Recorder struct {
	Next http.RoundTripper

	mu        sync.Mutex
	exchanges []Exchange
}

// RoundTrip implements http.RoundTripper. The response body is read whole
// and handed on unchanged; an event stream's body is left alone.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	next := r.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	x := Exchange{Host: req.URL.Host, Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Status: resp.StatusCode, Header: resp.Header.Clone()}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/event-stream" {
		x.Stream = true
	} else {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		x.Body = body
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.exchanges = append(r.exchanges, x)
	r.mu.Unlock()
	return resp, nil
}

// Exchanges returns what was recorded so far.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.exchanges...)
}

// ExchangesWith returns what was recorded so far with one server.
func (r *Recorder) ExchangesWith(host string) []Exchange {
	var out []Exchange
	for _, x := range r.Exchanges() {
		if x.Host == host {
			out = append(out, x)
		}
	}
	return out
}

// Report is the outcome of validating exchanges.
type Report struct {
	// Failures lists each exchange that does not match the document.
	Failures []error
	// Checked counts the exchanges validated, by operationId.
	Checked map[string]int
	// Skipped counts exchanges with no operation in the document (web
	// pages, unknown API paths, methods a route does not have).
	Skipped int
}

// Uncovered lists the document's operationIds no exchange checked.
func (rep Report) Uncovered() ([]string, error) {
	doc, err := Document()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if rep.Checked[op.OperationID] == 0 {
				out = append(out, op.OperationID)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

var (
	docOnce sync.Once
	doc     *openapi3.T
	router  routers.Router
	docErr  error
)

// Document returns the served OpenAPI document, loaded and validated.
func Document() (*openapi3.T, error) {
	docOnce.Do(func() {
		var b []byte
		if b, docErr = httpapi.OpenAPIJSON(); docErr != nil {
			return
		}
		if doc, docErr = openapi3.NewLoader().LoadFromData(b); docErr != nil {
			return
		}
		if docErr = doc.Validate(context.Background()); docErr != nil {
			return
		}
		router, docErr = legacy.NewRouter(doc)
	})
	return doc, docErr
}

// Validate checks every exchange against the document.
func Validate(xs []Exchange) (Report, error) {
	rep := Report{Checked: map[string]int{}}
	if _, err := Document(); err != nil {
		return rep, err
	}
	for _, x := range xs {
		if err := validate(x, &rep); err != nil {
			rep.Failures = append(rep.Failures, fmt.Errorf("%s %s → %d: %w\nbody: %.600s", x.Method, x.Path, x.Status, err, x.Body))
		}
	}
	return rep, nil
}

func validate(x Exchange, rep *Report) error {
	req, err := http.NewRequest(x.Method, x.Path, nil)
	if err != nil {
		return err
	}
	req.URL.RawQuery = x.Query
	route, params, err := router.FindRoute(req)
	if err != nil {
		var re *routers.RouteError
		if errors.As(err, &re) {
			rep.Skipped++
			return nil
		}
		return err
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: x.Stream}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 x.Status,
		Header:                 x.Header,
		Options:                opts,
	}
	in.SetBodyBytes(x.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return err
	}
	if x.Status != http.StatusNoContent && len(x.Body) == 0 && !x.Stream && x.Method != http.MethodHead {
		return errors.New("empty body")
	}
	rep.Checked[route.Operation.OperationID]++
	return nil
}

// Summary is a one-line account of a report for test logs.
func (rep Report) Summary() string {
	n := 0
	for _, c := range rep.Checked {
		n += c
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d responses matched the OpenAPI document over %d operations; %d failed; %d had no operation", n, len(rep.Checked), len(rep.Failures), rep.Skipped)
	return b.String()
}
