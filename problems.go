package holdspace

import (
	"errors"
	"strings"
)

// Problem is one thing wrong with a request: the input at fault, a stable
// snake_case reason and a human sentence. The API lists every problem of a
// request in error.problems, beside the first one in error.code and
// error.field.
type Problem struct {
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// ProblemList is every problem of one request, as the cause of the first.
type ProblemList []Problem

// Error implements error.
func (l ProblemList) Error() string {
	parts := make([]string, len(l))
	for i, p := range l {
		parts[i] = p.Reason
		if p.Field != "" {
			parts[i] += " (" + p.Field + ")"
		}
	}
	return "problems: " + strings.Join(parts, ", ")
}

// Problems collects the problems of one request. The zero value is ready.
type Problems struct {
	errs []*Error
}

// Add records err when it is not nil.
func (ps *Problems) Add(err *Error) {
	if err != nil {
		ps.errs = append(ps.errs, err)
	}
}

// AddErr records err when it is not nil. It reports false, and records
// nothing, when err is not an *Error (an internal failure): the caller
// returns it as is.
func (ps *Problems) AddErr(err error) bool {
	if err == nil {
		return true
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	ps.errs = append(ps.errs, e)
	return true
}

// Len returns how many problems were recorded.
func (ps *Problems) Len() int { return len(ps.errs) }

// Err returns nil when nothing was recorded, the one problem when one was,
// and otherwise the first problem with every problem as its cause, which
// ErrorProblems reads.
func (ps *Problems) Err() error {
	switch len(ps.errs) {
	case 0:
		return nil
	case 1:
		return ps.errs[0]
	}
	first := *ps.errs[0]
	list := make(ProblemList, len(ps.errs))
	for i, e := range ps.errs {
		list[i] = Problem{Field: e.Field, Reason: e.Reason, Message: e.Message}
		if list[i].Reason == "" {
			list[i].Reason = e.Code
		}
	}
	first.Err = list
	return &first
}

// ErrorProblems returns every problem err carries when a request had more
// than one, or nil.
func ErrorProblems(err error) []Problem {
	var l ProblemList
	if errors.As(err, &l) {
		return l
	}
	return nil
}
