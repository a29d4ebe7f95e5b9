package fhir

import (
	"fmt"
	"strings"
	"time"

	"holdspace"
	"holdspace/catalogue"
	"holdspace/i18n"
	"holdspace/screening"
)

// Extension URLs and code systems used by the Questionnaire mapping.
const (
	// ExtItemControl is the standard FHIR extension that marks a display
	// item as help text.
	ExtItemControl = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
	// SystemItemControl is the code system of ExtItemControl codes.
	SystemItemControl = "http://hl7.org/fhir/questionnaire-item-control"
	// ExtSensitive on a Questionnaire item: valueBoolean true when the
	// answer is stored encrypted (free text, trauma history).
	ExtSensitive = ExtensionBase + "sensitive"
	// ExtAnatomyCondition on a Questionnaire item: valueCode "prostate",
	// "vagina" or "breasts" when the item is shown only to clients with
	// that anatomy (answers from others are still accepted).
	ExtAnatomyCondition = ExtensionBase + "anatomy-condition"
	// SystemQuestionnaireOption is the code system of choice options.
	SystemQuestionnaireOption = "urn:holdspace:questionnaire-option"
	// ExtTranslation is the standard FHIR extension that carries a
	// string's text in another language (sub-extensions "lang" and
	// "content"), on the primitive's element ("_text").
	ExtTranslation = "http://hl7.org/fhir/StructureDefinition/translation"
)

// TranslationPart is a sub-extension of ExtTranslation: "lang" with a
// code, or "content" with the text.
type TranslationPart struct {
	URL         string `json:"url"`
	ValueCode   string `json:"valueCode,omitempty"`
	ValueString string `json:"valueString,omitempty"`
}

// Translation is one ExtTranslation extension.
type Translation struct {
	URL       string            `json:"url"`
	Extension []TranslationPart `json:"extension"`
}

// PrimitiveElement is the element of a primitive value ("_text"): here
// only its translations.
type PrimitiveElement struct {
	Extension []Translation `json:"extension,omitempty"`
}

// Translated returns the text in lang carried by e, if any.
func (e *PrimitiveElement) Translated(lang string) (string, bool) {
	if e == nil {
		return "", false
	}
	for _, t := range e.Extension {
		var l, c string
		for _, p := range t.Extension {
			switch p.URL {
			case "lang":
				l = p.ValueCode
			case "content":
				c = p.ValueString
			}
		}
		if t.URL == ExtTranslation && l == lang {
			return c, true
		}
	}
	return "", false
}

// translations is the element of a text whose message id is id: its
// words in every shipped language beside English that has the message.
// Nil when there are none.
func translations(id string) *PrimitiveElement {
	b := i18n.Default()
	if !b.Has(id) {
		return nil
	}
	var e PrimitiveElement
	for _, l := range b.Languages() {
		if l == i18n.Source {
			continue
		}
		e.Extension = append(e.Extension, Translation{URL: ExtTranslation, Extension: []TranslationPart{
			{URL: "lang", ValueCode: l}, {URL: "content", ValueString: b.Localizer(l).T(id)}}})
	}
	if len(e.Extension) == 0 {
		return nil
	}
	return &e
}

// QuestionnaireExtension is an extension on a Questionnaire item: a
// boolean, a code or a CodeableConcept value.
type QuestionnaireExtension struct {
	URL                  string           `json:"url"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
	ValueCode            string           `json:"valueCode,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
}

// QuestionnaireAnswerOption is Questionnaire.item.answerOption.
type QuestionnaireAnswerOption struct {
	ValueCoding Coding `json:"valueCoding"`
}

// QuestionnaireEnableWhen is Questionnaire.item.enableWhen.
type QuestionnaireEnableWhen struct {
	Question      string  `json:"question"`
	Operator      string  `json:"operator"`
	AnswerBoolean *bool   `json:"answerBoolean,omitempty"`
	AnswerCoding  *Coding `json:"answerCoding,omitempty"`
}

// QuestionnaireItem is Questionnaire.item.
type QuestionnaireItem struct {
	Extension      []QuestionnaireExtension    `json:"extension,omitempty"`
	LinkID         string                      `json:"linkId"`
	Text           string                      `json:"text,omitempty"`
	TextElement    *PrimitiveElement           `json:"_text,omitempty"`
	Type           string                      `json:"type"`
	EnableWhen     []QuestionnaireEnableWhen   `json:"enableWhen,omitempty"`
	EnableBehavior string                      `json:"enableBehavior,omitempty"`
	Required       *bool                       `json:"required,omitempty"`
	Repeats        *bool                       `json:"repeats,omitempty"`
	MaxLength      int                         `json:"maxLength,omitempty"`
	AnswerOption   []QuestionnaireAnswerOption `json:"answerOption,omitempty"`
	Item           []QuestionnaireItem         `json:"item,omitempty"`
}

// QuestionnaireResource is a FHIR R4 Questionnaire.
type QuestionnaireResource struct {
	ResourceType string              `json:"resourceType"`
	ID           string              `json:"id"`
	Language     string              `json:"language,omitempty"`
	URL          string              `json:"url"`
	Version      string              `json:"version"`
	Name         string              `json:"name"`
	Title        string              `json:"title"`
	Status       string              `json:"status"`
	Date         string              `json:"date,omitempty"`
	SubjectType  []string            `json:"subjectType"`
	Item         []QuestionnaireItem `json:"item"`
}

// QuestionnaireCanonical returns the canonical reference of a questionnaire
// version, "url|version", as QuestionnaireResponse.questionnaire uses it.
func QuestionnaireCanonical(q *screening.Questionnaire) string { return q.URL + "|" + q.Version }

// computableName turns "intake-v1" into "IntakeV1" (FHIR name pattern
// [A-Z]([A-Za-z0-9_]){0,254}).
func computableName(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == ' ' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// topicLinkID is the linkId of the group item holding one topic.
func topicLinkID(t screening.Topic) string { return "topic-" + string(t) }

// Questionnaire maps a questionnaire version to a FHIR R4 Questionnaire:
// one group item per topic (in form order) holding the questions; boolean,
// date and text map to the FHIR types of the same name, choice to choice
// with answerOption codings, regions to a repeating choice over region
// codes (system urn:holdspace:region). Help text is a nested display item
// ("<linkId>-help") with itemControl "help". The resource's language is
// English; every text of a topic, question, help or option that the
// catalogs translate carries its translations in the standard translation
// extension (screening.topic.<topic>, screening.item.<linkId>.text and
// .help, screening.option.<linkId>.<code>). It cannot fail.
func Questionnaire(q *screening.Questionnaire) QuestionnaireResource {
	status := "active"
	if q.Retired {
		status = "retired"
	}
	id, err := LogicalID(q.Name)
	if err != nil {
		id = ""
	}
	res := QuestionnaireResource{ResourceType: "Questionnaire", ID: id, Language: i18n.Source, URL: q.URL, Version: q.Version,
		Name: computableName(q.Name), Title: q.Title, Status: status, Date: q.Date, SubjectType: []string{"Patient"}}
	for _, topic := range q.Topics() {
		group := QuestionnaireItem{LinkID: topicLinkID(topic), Text: topic.Title(), TextElement: translations("screening.topic." + string(topic)), Type: "group"}
		for i := range q.Items {
			if it := &q.Items[i]; it.Topic == topic {
				group.Item = append(group.Item, questionnaireItem(q, it))
			}
		}
		res.Item = append(res.Item, group)
	}
	return res
}

func questionnaireItem(q *screening.Questionnaire, it *screening.Item) QuestionnaireItem {
	out := QuestionnaireItem{LinkID: it.LinkID, Text: it.Text, TextElement: translations("screening.item." + it.LinkID + ".text"), Required: boolPtr(it.Required)}
	switch it.Type {
	case screening.TypeBoolean:
		out.Type = "boolean"
	case screening.TypeDate:
		out.Type = "date"
	case screening.TypeText:
		out.Type = "text"
		out.MaxLength = it.MaxLength
	case screening.TypeChoice:
		out.Type = "choice"
		for _, o := range it.Options {
			c := optionCoding(it, o.Code)
			c.DisplayElement = translations("screening.option." + it.LinkID + "." + o.Code)
			out.AnswerOption = append(out.AnswerOption, QuestionnaireAnswerOption{c})
		}
	case screening.TypeRegions:
		out.Type = "choice"
		out.Repeats = boolPtr(true)
		for _, r := range catalogue.Regions() {
			out.AnswerOption = append(out.AnswerOption, QuestionnaireAnswerOption{Coding{System: SystemRegion, Code: r.Code, Display: r.Label,
				DisplayElement: translations("body.region." + r.Code)}})
		}
	}
	if it.Sensitive {
		out.Extension = append(out.Extension, QuestionnaireExtension{URL: ExtSensitive, ValueBoolean: boolPtr(true)})
	}
	if it.Anatomy != "" {
		out.Extension = append(out.Extension, QuestionnaireExtension{URL: ExtAnatomyCondition, ValueCode: string(it.Anatomy)})
	}
	for _, ew := range it.EnableWhen {
		e := QuestionnaireEnableWhen{Question: ew.Question}
		switch v := ew.Equals.(type) {
		case nil:
			e.Operator, e.AnswerBoolean = "exists", boolPtr(true)
		case bool:
			e.Operator, e.AnswerBoolean = "=", boolPtr(v)
		case string:
			dep, _ := q.Item(ew.Question)
			c := optionCoding(dep, v)
			e.Operator, e.AnswerCoding = "=", &c
		}
		out.EnableWhen = append(out.EnableWhen, e)
	}
	if len(out.EnableWhen) > 1 {
		out.EnableBehavior = "all"
	}
	if it.Help != "" {
		out.Item = append(out.Item, QuestionnaireItem{
			LinkID: it.LinkID + "-help", Text: it.Help, TextElement: translations("screening.item." + it.LinkID + ".help"), Type: "display",
			Extension: []QuestionnaireExtension{{URL: ExtItemControl, ValueCodeableConcept: &CodeableConcept{
				Coding: []Coding{{System: SystemItemControl, Code: "help", Display: "Help-Button"}}}}},
		})
	}
	return out
}

func optionCoding(it *screening.Item, code string) Coding {
	c := Coding{System: SystemQuestionnaireOption, Code: code}
	if it != nil {
		for _, o := range it.Options {
			if o.Code == code {
				c.Display = o.Display
			}
		}
	}
	return c
}

// QuestionnaireResponseAnswer is QuestionnaireResponse.item.answer.
type QuestionnaireResponseAnswer struct {
	ValueBoolean *bool   `json:"valueBoolean,omitempty"`
	ValueDate    string  `json:"valueDate,omitempty"`
	ValueString  string  `json:"valueString,omitempty"`
	ValueCoding  *Coding `json:"valueCoding,omitempty"`
}

// QuestionnaireResponseItem is QuestionnaireResponse.item.
type QuestionnaireResponseItem struct {
	LinkID string                        `json:"linkId"`
	Text   string                        `json:"text,omitempty"`
	Answer []QuestionnaireResponseAnswer `json:"answer,omitempty"`
	Item   []QuestionnaireResponseItem   `json:"item,omitempty"`
}

// QuestionnaireResponseResource is a FHIR R4 QuestionnaireResponse. ID is
// left for the caller to set (LogicalID of the screening id).
type QuestionnaireResponseResource struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id,omitempty"`
	// Language is the language the questions were answered in ("de"),
	// when known.
	Language      string                      `json:"language,omitempty"`
	Questionnaire string                      `json:"questionnaire"`
	Status        string                      `json:"status"`
	Subject       Reference                   `json:"subject"`
	Encounter     *Reference                  `json:"encounter,omitempty"`
	Authored      string                      `json:"authored"`
	Author        *Reference                  `json:"author,omitempty"`
	Source        *Reference                  `json:"source,omitempty"`
	Item          []QuestionnaireResponseItem `json:"item,omitempty"`
}

// QuestionnaireResponse maps stored answers to a completed FHIR R4
// QuestionnaireResponse for the questionnaire version, nested like
// Questionnaire (topic groups). Only answered items appear; a group with
// no answers is left out. Errors: EINVALID "unknown_link_id" or
// "wrong_type" (field "answers.<linkId>") when an answer does not fit q.
func QuestionnaireResponse(q *screening.Questionnaire, a screening.Answers, subject Reference, authored time.Time) (QuestionnaireResponseResource, error) {
	res := QuestionnaireResponseResource{ResourceType: "QuestionnaireResponse", Questionnaire: QuestionnaireCanonical(q),
		Status: "completed", Subject: subject, Authored: instant(authored)}
	for id := range a {
		if _, ok := q.Item(id); !ok {
			return QuestionnaireResponseResource{}, holdspace.Invalid("unknown_link_id", "answers."+id, "%q is not a question of %s.", id, q.Name)
		}
	}
	for _, topic := range q.Topics() {
		group := QuestionnaireResponseItem{LinkID: topicLinkID(topic), Text: topic.Title()}
		for i := range q.Items {
			it := &q.Items[i]
			v, ok := a[it.LinkID]
			if it.Topic != topic || !ok {
				continue
			}
			answers, err := responseAnswers(it, v)
			if err != nil {
				return QuestionnaireResponseResource{}, err
			}
			if len(answers) == 0 {
				continue
			}
			group.Item = append(group.Item, QuestionnaireResponseItem{LinkID: it.LinkID, Text: it.Text, Answer: answers})
		}
		if len(group.Item) > 0 {
			res.Item = append(res.Item, group)
		}
	}
	return res, nil
}

func responseAnswers(it *screening.Item, v any) ([]QuestionnaireResponseAnswer, error) {
	wrong := func() error {
		return holdspace.Invalid("wrong_type", "answers."+it.LinkID, "The answer to %q has type %T, not %s.", it.LinkID, v, it.Type)
	}
	switch it.Type {
	case screening.TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, wrong()
		}
		return []QuestionnaireResponseAnswer{{ValueBoolean: boolPtr(b)}}, nil
	case screening.TypeDate:
		d, ok := v.(screening.Date)
		if !ok {
			return nil, wrong()
		}
		return []QuestionnaireResponseAnswer{{ValueDate: d.String()}}, nil
	case screening.TypeText:
		s, ok := v.(string)
		if !ok {
			return nil, wrong()
		}
		if s = cleanText(s); s == "" {
			return nil, nil
		}
		return []QuestionnaireResponseAnswer{{ValueString: s}}, nil
	case screening.TypeChoice:
		s, ok := v.(string)
		if !ok || !it.HasOption(s) {
			return nil, wrong()
		}
		c := optionCoding(it, s)
		return []QuestionnaireResponseAnswer{{ValueCoding: &c}}, nil
	case screening.TypeRegions:
		rs, ok := v.([]string)
		if !ok {
			return nil, wrong()
		}
		var out []QuestionnaireResponseAnswer
		for _, r := range rs {
			reg, ok := catalogue.LookupRegion(r)
			c := Coding{System: SystemRegion, Code: r, Display: reg.Label}
			if !ok {
				return nil, holdspace.Invalid("unknown_region", "answers."+it.LinkID, "%q is not a body region.", r)
			}
			out = append(out, QuestionnaireResponseAnswer{ValueCoding: &c})
		}
		return out, nil
	}
	return nil, fmt.Errorf("fhir: item %s has unknown type %q", it.LinkID, it.Type)
}
