package app

import (
	"context"
	"strings"

	"holdspace"
	"holdspace/i18n"
	"holdspace/store"
)

// Languages (issue 17): every word a person reads comes from the catalogs
// of package i18n. Pages choose the language from the person's own choice,
// else their browser's Accept-Language, else the practice's default; emails
// and PDFs, which have no browser, use the person's choice, else the
// language they last signed in with, else the practice's default.

// shippedLanguage reports whether lang is a language holdspace ships.
func shippedLanguage(lang string) bool {
	for _, l := range i18n.Default().Languages() {
		if l == lang {
			return true
		}
	}
	return false
}

// checkLanguage returns EINVALID "unknown_language" on field when lang is
// neither empty nor shipped.
func checkLanguage(lang, field string) error {
	if lang != "" && !shippedLanguage(lang) {
		return holdspace.Invalid("unknown_language", field, "%q is not a language holdspace ships (%s).", lang,
			strings.Join(i18n.Default().Languages(), ", "))
	}
	return nil
}

// languageOf returns the language u's emails and PDFs are written in.
func (a *core) languageOf(ctx context.Context, tx store.Settings, u *store.User) (string, error) {
	for _, l := range []string{u.Language, u.LastLanguage} {
		if shippedLanguage(l) {
			return l, nil
		}
	}
	return a.practiceLanguage(ctx, tx)
}

// practiceLanguage returns the practice's default language (English when
// it set none).
func (a *core) practiceLanguage(ctx context.Context, tx store.Settings) (string, error) {
	st, err := a.practiceSettings(ctx, tx)
	if err != nil {
		return "", err
	}
	if shippedLanguage(st.settings.Language) {
		return st.settings.Language, nil
	}
	return i18n.Source, nil
}

// PracticeLanguage returns the practice's default language, for pages
// whose reader named none their browser or account could match.
func (a *Practice) PracticeLanguage(ctx context.Context) (string, error) {
	var lang string
	err := a.view(ctx, func(tx practiceTx) error {
		var err error
		lang, err = a.practiceLanguage(ctx, tx)
		return err
	})
	return lang, err
}

// SetLanguage sets the language the caller reads holdspace in: a shipped
// tag, or "" to follow the browser. Errors: EINVALID "unknown_language"
// (field language). Audited as account.language.
func (a *People) SetLanguage(ctx context.Context, ac Actor, lang string) (Person, error) {
	lang = strings.TrimSpace(lang)
	if err := checkLanguage(lang, "language"); err != nil {
		return Person{}, err
	}
	detail := "language=" + lang
	if lang == "" {
		detail = "language=browser"
	}
	return a.changeOwnAccount(ctx, ac, "account.language", detail, func(u *store.User) {
		u.Language = lang
		if lang != "" {
			u.LastLanguage = lang
		}
	})
}

// NoteLanguage records the language the caller is reading pages in (chosen
// by their browser), so that their emails and PDFs use it too. It writes
// only when that changes; an unshipped lang is ignored.
func (a *People) NoteLanguage(ctx context.Context, ac Actor, lang string) error {
	if !shippedLanguage(lang) {
		return nil
	}
	return a.update(ctx, func(tx peopleTx) error {
		u, err := tx.User(ctx, ac.UserID)
		if err != nil || u.LastLanguage == lang {
			return err
		}
		u.LastLanguage = lang
		if err := tx.SetAccountState(ctx, u); err != nil {
			return err
		}
		return record(ctx, tx, ac, "account.language_seen", u.ID, "", "language="+lang)
	})
}
