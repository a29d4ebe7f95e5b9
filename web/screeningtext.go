package web

import (
	"holdspace/i18n"
	"holdspace/screening"
)

// The health questions in the reader's language (issue 17). The Go
// questionnaire (screening/intake_v1.go) stays the English source; each
// item's words are translated by linkId in the screening catalogs:
// screening.item.<linkId>.text and .help, screening.option.<linkId>.<code>,
// screening.topic.<topic>. A questionnaire without catalog entries (a
// later version not yet translated) shows its own English words.

// itemText is an item's question in l.
func itemText(l *i18n.Localizer, it *screening.Item) string {
	return catalogOr(l, "screening.item."+it.LinkID+".text", it.Text)
}

// itemHelp is why an item is asked, in l.
func itemHelp(l *i18n.Localizer, it *screening.Item) string {
	return catalogOr(l, "screening.item."+it.LinkID+".help", it.Help)
}

// itemOptions are a choice item's options with their words in l.
func itemOptions(l *i18n.Localizer, it *screening.Item) []screening.Option {
	if len(it.Options) == 0 {
		return nil
	}
	out := make([]screening.Option, len(it.Options))
	for i, o := range it.Options {
		out[i] = screening.Option{Code: o.Code, Display: catalogOr(l, "screening.option."+it.LinkID+"."+o.Code, o.Display)}
	}
	return out
}

// topicTitle is a topic's heading in l.
func topicTitle(l *i18n.Localizer, t screening.Topic) string {
	return catalogOr(l, "screening.topic."+string(t), t.Title())
}

// catalogOr is the message id in l when the catalogs have it, else def.
func catalogOr(l *i18n.Localizer, id, def string) string {
	if l == nil || !i18n.Default().Has(id) {
		return def
	}
	return l.T(id)
}

// shownLanguage is the language a page was shown in, as recorded with
// what the reader gave on it ("de"); "" for the pseudo-locale, which is
// only for testing.
func shownLanguage(l *i18n.Localizer) string {
	if l == nil || l.Lang() == i18n.Pseudo {
		return ""
	}
	return l.Lang()
}
