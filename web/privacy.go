package web

import (
	"net/http"
	"net/url"
	"strings"

	"holdspace/practice"
)

// privacyPage is the practice's public privacy notice (/privacy), linked
// from every page's footer and from every consent receipt's policyUrl. It
// needs no session. While the practice has published no notice, the page
// says so plainly (still 200: the address exists, the notice does not yet).
func (h *handler) privacyPage(w http.ResponseWriter, r *http.Request) {
	id, err := h.practice.PublicIdentity(r.Context())
	if err != nil {
		h.log.Error("web: privacy notice", "err", err)
		http.Error(w, h.localizer(r, nil).T("shell.privacy.unavailable"), http.StatusServiceUnavailable)
		return
	}
	v := h.signedInView(r, "")
	v.Title = v.T("shell.privacy.title")
	v.Data = privacyView{Identity: id, Paragraphs: paragraphs(id.PrivacyNotice), AddressLines: lines(id.Address)}
	h.render(w, http.StatusOK, "privacy", v)
}

// privacyView is what the privacy page shows.
type privacyView struct {
	practice.Identity
	// Paragraphs are the notice's paragraphs (split at blank lines), each
	// as its lines.
	Paragraphs [][]string
	// AddressLines are the postal address's lines.
	AddressLines []string
}

// paragraphs splits plain text at blank lines into paragraphs of lines.
func paragraphs(s string) [][]string {
	var out [][]string
	for p := range strings.SplitSeq(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if l := lines(p); len(l) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// lines returns the non-blank lines of s, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// identityForm reads the practice's identity from the settings form.
func identityForm(f url.Values) practice.Identity {
	get := func(name string) string { return strings.TrimSpace(f.Get("identity." + name)) }
	return practice.Identity{Name: get("name"), Address: get("address"), Email: get("email"), Phone: get("phone"),
		Jurisdiction: strings.ToUpper(get("jurisdiction")), PrivacyNotice: get("privacy_notice")}
}
