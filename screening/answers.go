package screening

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
	"unicode/utf8"

	"holdspace"
	"holdspace/catalogue"
)

// Date is a calendar day without a time zone, written "YYYY-MM-DD".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses a strict "YYYY-MM-DD" date. Impossible dates (02-30)
// are refused.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: %w", s, err)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Time returns midnight UTC at the start of the day.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String returns the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (strict YYYY-MM-DD).
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Answers maps linkId to a decoded answer: bool (boolean), string (choice
// option code or text), Date (date) or []string (regions, in catalogue
// order). An absent key is an unanswered item. json.Marshal of Answers gives
// the {linkId: value} form DecodeAnswers reads, so a stored blob decodes to
// the same value. The whole blob is special-category health data: store it
// encrypted (Questionnaire.SensitiveLinkIDs names the most sensitive items).
type Answers map[string]any

// DecodeOptions tune DecodeAnswersWith.
type DecodeOptions struct {
	// At is the moment of answering: dates of NotFuture items may be at
	// most one day after At's UTC day (to allow for the client's time
	// zone). The zero value skips the check.
	At time.Time
	// Anatomy, when not nil, makes required anatomy-specific items
	// (prostate, pregnancy) required for clients with that anatomy. When
	// nil they are optional.
	Anatomy *catalogue.Anatomy
	// Partial skips the check for missing required answers (rule pack
	// examples, drafts saved between screens).
	Partial bool
}

// DecodeAnswers strictly decodes a {linkId: value} JSON object against q,
// refusing dates after today (time.Now). See DecodeAnswersWith.
func DecodeAnswers(q *Questionnaire, raw []byte) (Answers, error) {
	return DecodeAnswersWith(q, raw, DecodeOptions{At: time.Now()})
}

// maxTextLength bounds text answers whose item sets no MaxLength.
const maxTextLength = 4000

// DecodeAnswersWith strictly decodes a {linkId: value} JSON object against
// q. Every error is a *holdspace.Error with Code EINVALID, Field
// "answers.<linkId>" (or "answers" for the whole body) and Reason one of:
// malformed_json, wrong_type, unknown_link_id, duplicate_link_id,
// invalid_date, unknown_region, duplicate_region, invalid_choice, too_long,
// missing_answer. Every problem of an answer is collected: the first, in
// document order, is the error itself and holdspace.ErrorProblems lists
// them all; missing answers come after the present ones, in questionnaire
// order. A body that is not a JSON object stops at once.
func DecodeAnswersWith(q *Questionnaire, raw []byte, opt DecodeOptions) (Answers, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, holdspace.Invalid("malformed_json", "answers", "The answers are not valid JSON.")
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, holdspace.Invalid("wrong_type", "answers", "The answers must be a JSON object of linkId to answer.")
	}
	a := Answers{}
	var ps holdspace.Problems
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, holdspace.Invalid("malformed_json", "answers", "The answers are not valid JSON.")
		}
		key, _ := tok.(string)
		field := "answers." + key
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, holdspace.Invalid("malformed_json", field, "The answers are not valid JSON.")
		}
		it, ok := q.Item(key)
		if !ok {
			ps.Add(holdspace.Invalid("unknown_link_id", field, "%q is not a question of %s.", key, q.Name))
			continue
		}
		if _, dup := a[key]; dup {
			ps.Add(holdspace.Invalid("duplicate_link_id", field, "%q is answered twice.", key))
			continue
		}
		v, err := decodeValue(it, val, opt)
		if err != nil {
			var he *holdspace.Error
			if !errors.As(err, &he) {
				return nil, err
			}
			he.Field = field
			ps.Add(he)
			// Recorded as answered, so that it is not also reported
			// missing.
			a[key] = nil
			continue
		}
		a[key] = v
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, holdspace.Invalid("malformed_json", "answers", "The answers are not valid JSON.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, holdspace.Invalid("malformed_json", "answers", "Unexpected data after the answers object.")
	}
	if !opt.Partial {
		for i := range q.Items {
			it := &q.Items[i]
			if !it.Required || !it.Relevant(a, opt.Anatomy) {
				continue
			}
			if it.Anatomy != catalogue.Always && opt.Anatomy == nil {
				continue
			}
			v, ok := a[it.LinkID]
			if rs, isList := v.([]string); isList && len(rs) == 0 {
				ok = false
			}
			if !ok {
				ps.Add(holdspace.Invalid("missing_answer", "answers."+it.LinkID, "Please answer: %s", it.Text))
			}
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return a, nil
}

func decodeValue(it *Item, raw json.RawMessage, opt DecodeOptions) (any, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, holdspace.Invalid("malformed_json", "", "The answer is not valid JSON.")
	}
	wrong := func(want string) error {
		return holdspace.Invalid("wrong_type", "", "The answer to %q must be %s.", it.LinkID, want)
	}
	switch it.Type {
	case TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, wrong("true or false")
		}
		return b, nil
	case TypeChoice:
		s, ok := v.(string)
		if !ok {
			return nil, wrong("one of the offered options")
		}
		if !it.HasOption(s) {
			return nil, holdspace.Invalid("invalid_choice", "", "%q is not one of the options for %q.", s, it.LinkID)
		}
		return s, nil
	case TypeText:
		s, ok := v.(string)
		if !ok {
			return nil, wrong("text")
		}
		limit := it.MaxLength
		if limit <= 0 {
			limit = maxTextLength
		}
		if utf8.RuneCountInString(s) > limit {
			return nil, holdspace.Invalid("too_long", "", "The answer to %q is longer than %d characters.", it.LinkID, limit)
		}
		return s, nil
	case TypeDate:
		s, ok := v.(string)
		if !ok {
			return nil, wrong(`a date written "YYYY-MM-DD"`)
		}
		dt, err := ParseDate(s)
		if err != nil {
			return nil, &holdspace.Error{Code: holdspace.EINVALID, Reason: "invalid_date",
				Message: fmt.Sprintf("%q is not a real date written YYYY-MM-DD.", s), Err: err}
		}
		if dt.Year < 1900 {
			return nil, holdspace.Invalid("invalid_date", "", "%s is too long ago.", s)
		}
		if it.NotFuture && !opt.At.IsZero() && dt.Time().After(DateOf(opt.At.UTC()).Time().AddDate(0, 0, 1)) {
			return nil, holdspace.Invalid("invalid_date", "", "%s is in the future.", s)
		}
		return dt, nil
	case TypeRegions:
		list, ok := v.([]any)
		if !ok {
			return nil, wrong("a list of body regions")
		}
		out := make([]string, 0, len(list))
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, wrong("a list of body regions")
			}
			if catalogue.RegionIndex(s) < 0 {
				return nil, holdspace.Invalid("unknown_region", "", "%q is not a body region.", s)
			}
			if slices.Contains(out, s) {
				return nil, holdspace.Invalid("duplicate_region", "", "%q is listed twice.", s)
			}
			out = append(out, s)
		}
		slices.SortFunc(out, func(x, y string) int { return catalogue.RegionIndex(x) - catalogue.RegionIndex(y) })
		return out, nil
	}
	return nil, wrong(string(it.Type))
}
