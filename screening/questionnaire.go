package screening

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"holdspace/catalogue"
)

// ItemType is the kind of answer a questionnaire item takes.
type ItemType string

// Item types. Their JSON answer shapes: boolean → true/false, choice → one
// option code (string), date → "YYYY-MM-DD", regions → array of catalogue
// region codes, text → string.
const (
	TypeBoolean ItemType = "boolean"
	TypeChoice  ItemType = "choice"
	TypeDate    ItemType = "date"
	TypeRegions ItemType = "regions"
	TypeText    ItemType = "text"
)

// Topic groups items for one-topic-per-screen forms.
type Topic string

// Topics, in the order a form shows them.
const (
	TopicGeneral   Topic = "general-health"
	TopicSurgery   Topic = "surgery"
	TopicPregnancy Topic = "pregnancy-pelvic"
	TopicProstate  Topic = "prostate"
	TopicAnorectal Topic = "anorectal"
	TopicInfection Topic = "infection-immunity"
	TopicAllergies Topic = "allergies"
	TopicEmotional Topic = "emotional-safety"
	TopicOther     Topic = "anything-else"
	TopicToday     Topic = "today"
)

var topicTitles = map[Topic]string{
	TopicGeneral:   "General health",
	TopicSurgery:   "Surgery",
	TopicPregnancy: "Pregnancy and pelvic health",
	TopicProstate:  "Prostate",
	TopicAnorectal: "Bottom and rectum",
	TopicInfection: "Infection and immunity",
	TopicAllergies: "Allergies",
	TopicEmotional: "Emotional safety",
	TopicOther:     "Anything else",
	TopicToday:     "Today",
}

// Title returns the heading a form shows for the topic, or the code itself
// for an unknown topic.
func (t Topic) Title() string {
	if s, ok := topicTitles[t]; ok {
		return s
	}
	return string(t)
}

// Option is one allowed answer of a choice item.
type Option struct {
	Code    string `json:"code"`
	Display string `json:"display"`
}

// EnableWhen makes an item relevant only when another item's answer is
// Equals (a bool or an option code), or, when Equals is nil, when that item
// is answered at all. Answers to items that are not relevant are still
// accepted.
type EnableWhen struct {
	Question string `json:"question"`
	Equals   any    `json:"equals,omitempty"`
}

// Item is one question.
type Item struct {
	LinkID string   `json:"link_id"`
	Type   ItemType `json:"type"`
	Topic  Topic    `json:"topic"`
	// Text is the question; Help says, plainly and without judgement, why
	// it is asked.
	Text    string   `json:"text"`
	Help    string   `json:"help"`
	Options []Option `json:"options,omitempty"`
	// Required items must be answered when they are relevant (see
	// EnableWhen and Anatomy).
	Required bool `json:"required"`
	// Sensitive answers (free text, trauma history) must be stored
	// encrypted.
	Sensitive bool `json:"sensitive"`
	// Anatomy, when set, means the item is shown only to clients with that
	// anatomy. It is required only for them.
	Anatomy    catalogue.Condition `json:"anatomy,omitempty"`
	EnableWhen []EnableWhen        `json:"enable_when,omitempty"`
	// NotFuture refuses a date after the day of answering.
	NotFuture bool `json:"not_future,omitempty"`
	// MaxLength bounds a text answer, in characters.
	MaxLength int `json:"max_length,omitempty"`
}

// CELName is the item's field name in rule conditions: the linkId with '-'
// replaced by '_' (answers.recent_surgery_date).
func (it *Item) CELName() string { return strings.ReplaceAll(it.LinkID, "-", "_") }

// Relevant reports whether the item applies given the answers so far and,
// when anatomy is not nil, the client's anatomy. With a nil anatomy, anatomy
// conditions are ignored (treated as relevant).
func (it *Item) Relevant(a Answers, anatomy *catalogue.Anatomy) bool {
	if anatomy != nil && it.Anatomy != catalogue.Always {
		if !(catalogue.Region{Needs: it.Anatomy}).AppliesTo(*anatomy) {
			return false
		}
	}
	for _, ew := range it.EnableWhen {
		v, ok := a[ew.Question]
		if !ok {
			return false
		}
		if ew.Equals != nil && v != ew.Equals {
			return false
		}
	}
	return true
}

// HasOption reports whether code is one of the item's options.
func (it *Item) HasOption(code string) bool {
	for _, o := range it.Options {
		if o.Code == code {
			return true
		}
	}
	return false
}

// Questionnaire is one version of an intake questionnaire. A published
// version never changes: a new meaning is a new Name (intake-v2), so stored
// answers keep the meaning they were given under. Values returned by Lookup
// are shared and must not be modified.
type Questionnaire struct {
	// Name is the stable identifier, including the version (intake-v1).
	Name    string `json:"name"`
	Version string `json:"version"`
	Title   string `json:"title"`
	// URL is the canonical URI used in FHIR exports.
	URL string `json:"url"`
	// Date is the day of publication, YYYY-MM-DD.
	Date string `json:"date"`
	// Retired questionnaires still resolve, but screenings taken with them
	// are stale (StaleSuperseded).
	Retired bool   `json:"retired,omitempty"`
	Items   []Item `json:"items"`

	index map[string]int
}

// Item returns the item with the given linkId.
func (q *Questionnaire) Item(linkID string) (*Item, bool) {
	i, ok := q.index[linkID]
	if !ok {
		return nil, false
	}
	return &q.Items[i], true
}

// Topics returns the topics of the questionnaire in the order of their first
// item.
func (q *Questionnaire) Topics() []Topic {
	var out []Topic
	seen := map[Topic]bool{}
	for _, it := range q.Items {
		if !seen[it.Topic] {
			seen[it.Topic] = true
			out = append(out, it.Topic)
		}
	}
	return out
}

// SensitiveLinkIDs returns the linkIds whose answers are sensitive. The
// storage layer encrypts the whole answers blob in any case; this list is
// for callers that show or log answers.
func (q *Questionnaire) SensitiveLinkIDs() []string {
	var out []string
	for _, it := range q.Items {
		if it.Sensitive {
			out = append(out, it.LinkID)
		}
	}
	return out
}

var linkIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// build indexes q and checks it is well formed: unique, well-formed
// linkIds, known types, options for choices, enableWhen referring to
// earlier items.
func (q *Questionnaire) build() error {
	q.index = make(map[string]int, len(q.Items))
	celNames := map[string]bool{}
	for i := range q.Items {
		it := &q.Items[i]
		if !linkIDPattern.MatchString(it.LinkID) {
			return fmt.Errorf("questionnaire %s: malformed linkId %q", q.Name, it.LinkID)
		}
		if _, dup := q.index[it.LinkID]; dup || celNames[it.CELName()] {
			return fmt.Errorf("questionnaire %s: duplicate linkId %q", q.Name, it.LinkID)
		}
		switch it.Type {
		case TypeBoolean, TypeDate, TypeRegions, TypeText:
			if len(it.Options) > 0 {
				return fmt.Errorf("questionnaire %s: item %s: options on a %s item", q.Name, it.LinkID, it.Type)
			}
		case TypeChoice:
			if len(it.Options) == 0 {
				return fmt.Errorf("questionnaire %s: item %s: choice without options", q.Name, it.LinkID)
			}
		default:
			return fmt.Errorf("questionnaire %s: item %s: unknown type %q", q.Name, it.LinkID, it.Type)
		}
		if it.Text == "" || it.Help == "" || it.Topic == "" {
			return fmt.Errorf("questionnaire %s: item %s: text, help and topic are required", q.Name, it.LinkID)
		}
		for _, ew := range it.EnableWhen {
			j, ok := q.index[ew.Question]
			if !ok {
				return fmt.Errorf("questionnaire %s: item %s: enableWhen names %q, which is not an earlier item", q.Name, it.LinkID, ew.Question)
			}
			dep := &q.Items[j]
			switch v := ew.Equals.(type) {
			case nil:
			case bool:
				if dep.Type != TypeBoolean {
					return fmt.Errorf("questionnaire %s: item %s: enableWhen compares %s with a boolean", q.Name, it.LinkID, dep.LinkID)
				}
			case string:
				if dep.Type != TypeChoice || !dep.HasOption(v) {
					return fmt.Errorf("questionnaire %s: item %s: enableWhen compares %s with unknown option %q", q.Name, it.LinkID, dep.LinkID, v)
				}
			default:
				return fmt.Errorf("questionnaire %s: item %s: enableWhen value of type %T", q.Name, it.LinkID, v)
			}
		}
		q.index[it.LinkID] = i
		celNames[it.CELName()] = true
	}
	return nil
}

// questionnaires holds every published version, built once.
var questionnaires = func() map[string]*Questionnaire {
	m := map[string]*Questionnaire{}
	for _, q := range []*Questionnaire{intakeV1()} {
		if err := q.build(); err != nil {
			// The data is compiled in; TestQuestionnairesBuild fails on it.
			// Leave it out rather than panic so that the rest still works.
			continue
		}
		m[q.Name] = q
	}
	return m
}()

// Lookup returns the questionnaire version with the given name (intake-v1).
// Old versions stay resolvable. The result is shared: do not modify it.
func Lookup(name string) (*Questionnaire, bool) {
	q, ok := questionnaires[name]
	return q, ok
}

// Names returns the names of every published questionnaire version.
func Names() []string {
	out := make([]string, 0, len(questionnaires))
	for n := range questionnaires {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
