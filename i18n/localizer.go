package i18n

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/ar"
	"github.com/go-playground/locales/cs"
	"github.com/go-playground/locales/da"
	"github.com/go-playground/locales/de"
	"github.com/go-playground/locales/el"
	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/es"
	"github.com/go-playground/locales/fi"
	"github.com/go-playground/locales/fr"
	"github.com/go-playground/locales/he"
	"github.com/go-playground/locales/hu"
	"github.com/go-playground/locales/it"
	"github.com/go-playground/locales/ja"
	"github.com/go-playground/locales/ko"
	"github.com/go-playground/locales/nb"
	"github.com/go-playground/locales/nl"
	"github.com/go-playground/locales/pl"
	"github.com/go-playground/locales/pt"
	"github.com/go-playground/locales/ro"
	"github.com/go-playground/locales/ru"
	"github.com/go-playground/locales/sv"
	"github.com/go-playground/locales/tr"
	"github.com/go-playground/locales/uk"
	"github.com/go-playground/locales/zh"
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

// cldr holds the CLDR data (day and month names, time and number
// formats) of the languages a catalog may be added for without touching
// Go: the shipped ones and the languages practices most often ask for,
// right-to-left ones included.
var cldr = map[string]func() locales.Translator{
	"ar": ar.New,
	"cs": cs.New,
	"da": da.New,
	"de": de.New,
	"el": el.New,
	"en": en.New,
	"es": es.New,
	"fi": fi.New,
	"fr": fr.New,
	"he": he.New,
	"hu": hu.New,
	"it": it.New,
	"ja": ja.New,
	"ko": ko.New,
	"nb": nb.New,
	"nl": nl.New,
	"pl": pl.New,
	"pt": pt.New,
	"ro": ro.New,
	"ru": ru.New,
	"sv": sv.New,
	"tr": tr.New,
	"uk": uk.New,
	"zh": zh.New,
}

// cldrFor returns the CLDR data of a language (English for one not in
// cldr; TestCLDRForEveryLanguage fails when a shipped language lacks it).
func cldrFor(lang string) locales.Translator {
	if f, ok := cldr[base(lang)]; ok {
		return f()
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

// T returns the message id with its {{.Name}} fields filled from kv, pairs of
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
