package i18n

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/de"
	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/es"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// Localizer gives the messages and formats of one language. It is safe
// for concurrent use.
type Localizer struct {
	b      *Bundle
	lang   string
	l      *goi18n.Localizer
	cldr   locales.Translator
	pseudo bool
}

// rtl lists the base languages written right to left.
var rtl = map[string]bool{"ar": true, "he": true, "fa": true, "ur": true, "ps": true, "yi": true, "dv": true, "ckb": true}

// cldrFor returns the CLDR data of a language. Languages without a
// compiled entry use English names (the catalog test lists which).
func cldrFor(lang string) locales.Translator {
	switch base(lang) {
	case "de":
		return de.New()
	case "es":
		return es.New()
	}
	return en.New()
}

func base(lang string) string {
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		return lang[:i]
	}
	return lang
}

func newLocalizer(b *Bundle, lang string, pseudo bool) *Localizer {
	tag := lang
	if pseudo {
		tag = Source
	}
	return &Localizer{b: b, lang: lang, l: goi18n.NewLocalizer(b.b, tag), cldr: cldrFor(tag), pseudo: pseudo}
}

// Lang returns the localizer's language tag ("de").
func (l *Localizer) Lang() string { return l.lang }

// Dir returns the writing direction of the language: "rtl" or "ltr".
func (l *Localizer) Dir() string {
	if rtl[base(l.lang)] {
		return "rtl"
	}
	return "ltr"
}

// T returns the message id with its placeholders filled from kv, pairs of
// a name and a value: T("hello", "Name", n) fills {{.Name}}. A message
// missing in the language falls back to English; one missing everywhere
// is shown as its id in brackets and logged, never as an empty string.
func (l *Localizer) T(id string, kv ...any) string {
	return l.localize(id, nil, kv)
}

// N is T for a message with plural forms, chosen by CLDR rules for count;
// count is also {{.Count}}.
func (l *Localizer) N(id string, count int, kv ...any) string {
	return l.localize(id, count, append(kv, "Count", count))
}

func (l *Localizer) localize(id string, count any, kv []any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			data[k] = kv[i+1]
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		var nf *goi18n.MessageNotFoundErr
		if !errors.As(err, &nf) || s == "" {
			slog.Error("i18n: message", "lang", l.lang, "id", id, "err", err)
			return "⟦" + id + "⟧"
		}
	}
	if l.pseudo {
		return pseudoize(s)
	}
	return s
}
