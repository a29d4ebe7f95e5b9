// Package i18n holds every word holdspace shows to people, in every
// language it ships, and the locale rules for showing dates, times and
// numbers.
//
// Messages live in TOML catalogs under locales/, one file per area and
// language ("pages.de.toml"), which translators edit without touching Go.
// They are read with go-i18n, which applies CLDR plural rules; dates and
// numbers use CLDR data from go-playground/locales. English is the source
// language: a message missing in another language falls back to English
// (the catalog test fails on any such gap before it ships).
//
// Adding a language is adding its catalog files: Load finds the languages
// from the files' names.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Source is the language every message is written in first.
const Source = "en"

// Pseudo is the pseudo-locale: English with accented, expanded text in
// brackets ("[Ŝîĝñ îñ·····]"), used to find truncation and text that was
// never put in a catalog. It is offered only when a Bundle is loaded with
// it (tests and development).
const Pseudo = "en-XA"

//go:embed locales/*.toml
var localeFS embed.FS

// Bundle is a loaded set of catalogs.
type Bundle struct {
	b       *goi18n.Bundle
	langs   []string // supported languages, Source first
	tags    []language.Tag
	matcher language.Matcher
	ids     map[string]map[string]bool // language → message ids
	msgs    map[string]map[string]*goi18n.Message
	source  map[string]*goi18n.Message
	locs    map[string]*Localizer
}

var (
	defaultOnce   sync.Once
	defaultBundle *Bundle
	defaultErr    error
)

// Default returns the bundle of the embedded catalogs, with the
// pseudo-locale. It panics only if the embedded catalogs do not parse,
// which the package's tests rule out before a build ships.
func Default() *Bundle {
	defaultOnce.Do(func() { defaultBundle, defaultErr = Load(localeFS, true) })
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultBundle
}

// Load reads every locales/*.<lang>.toml file of fsys. With pseudo, the
// pseudo-locale is offered too (it is never matched from a browser's
// Accept-Language; it must be asked for by name).
func Load(fsys fs.FS, pseudo bool) (*Bundle, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	bd := &Bundle{b: b, ids: map[string]map[string]bool{}, msgs: map[string]map[string]*goi18n.Message{}, source: map[string]*goi18n.Message{}, locs: map[string]*Localizer{}}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(data, path.Base(f))
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		lang := mf.Tag.String()
		if bd.ids[lang] == nil {
			bd.ids[lang] = map[string]bool{}
			bd.msgs[lang] = map[string]*goi18n.Message{}
		}
		for _, m := range mf.Messages {
			if bd.ids[lang][m.ID] {
				return nil, fmt.Errorf("i18n: %s: message %q defined twice for %s", f, m.ID, lang)
			}
			bd.ids[lang][m.ID] = true
			bd.msgs[lang][m.ID] = m
			if lang == Source {
				bd.source[m.ID] = m
			}
		}
	}
	if len(bd.ids[Source]) == 0 {
		return nil, fmt.Errorf("i18n: no %s catalog", Source)
	}
	for l := range bd.ids {
		if l != Source {
			bd.langs = append(bd.langs, l)
		}
	}
	sort.Strings(bd.langs)
	bd.langs = append([]string{Source}, bd.langs...)
	for _, l := range bd.langs {
		bd.tags = append(bd.tags, language.MustParse(l))
	}
	bd.matcher = language.NewMatcher(bd.tags)
	for _, l := range bd.langs {
		bd.locs[l] = newLocalizer(bd, l, false)
	}
	if pseudo {
		bd.locs[Pseudo] = newLocalizer(bd, Pseudo, true)
	}
	return bd, nil
}

// Languages returns the shipped languages, Source first, then by tag.
func (b *Bundle) Languages() []string { return slices.Clone(b.langs) }

// MessageIDs returns the ids of every message of lang, sorted.
func (b *Bundle) MessageIDs(lang string) []string {
	ids := make([]string, 0, len(b.ids[lang]))
	for id := range b.ids[lang] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Text returns every plural form of a message of lang as written in its
// catalog ("other" for a message without plurals), for tests and tools.
func (b *Bundle) Text(lang, id string) map[string]string {
	m := b.msgs[lang][id]
	if m == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// Has reports whether the source catalog has the message id.
func (b *Bundle) Has(id string) bool { _, ok := b.source[id]; return ok }

// Supported reports whether lang is offered by name (a shipped language
// or, when loaded, the pseudo-locale).
func (b *Bundle) Supported(lang string) bool { _, ok := b.locs[lang]; return ok }

// Match returns the best shipped language for a list of preferences in
// order (see Lookup); with none, Source.
func (b *Bundle) Match(prefs ...string) string {
	if l, ok := b.Lookup(prefs...); ok {
		return l
	}
	return Source
}

// Lookup returns the best shipped language for a list of preferences, in
// order: each is a language tag or an Accept-Language header value; empty
// ones are skipped. The first preference that matches a shipped language
// decides ("de-AT" matches "de"). The pseudo-locale is never matched: it
// is asked for by name where a caller allows it.
func (b *Bundle) Lookup(prefs ...string) (string, bool) {
	for _, p := range prefs {
		p = strings.TrimSpace(p)
		if p == "" || len(p) > 256 {
			continue
		}
		tags, _, err := language.ParseAcceptLanguage(p)
		if err != nil || len(tags) == 0 {
			continue
		}
		_, i, conf := b.matcher.Match(tags...)
		if conf != language.No {
			return b.langs[i], true
		}
	}
	return "", false
}

// Localizer returns the localizer of lang; an unknown lang gets Source's.
func (b *Bundle) Localizer(lang string) *Localizer {
	if l, ok := b.locs[lang]; ok {
		return l
	}
	return b.locs[Source]
}
