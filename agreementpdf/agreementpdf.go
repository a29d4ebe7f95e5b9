// Package agreementpdf renders the printable copy of a signed consent
// agreement: the document a practitioner files. It is an adapter: it takes
// plain domain values (Input) and returns PDF bytes, and knows nothing of
// how they were gathered.
//
// Text prints in embedded Unicode fonts chosen per character (Latin with
// Vietnamese, Arabic, Chinese/Japanese/Korean), so any script a client's
// name uses prints and extracts as written. The PDF library is
// codeberg.org/go-pdf/fpdf, the maintained home of go-pdf/fpdf since its
// GitHub repository was archived: it embeds TrueType fonts as subsets.
package agreementpdf

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"codeberg.org/go-pdf/fpdf"

	"holdspace/catalogue"
	"holdspace/consent"
	"holdspace/i18n"
	"holdspace/practice"
)

// Input is what the printed agreement shows.
type Input struct {
	// Practice is the letterhead.
	Practice practice.Identity
	// Location is the practice's time zone; every time prints in it, with
	// the zone named. Nil prints UTC.
	Location *time.Location

	ID      string
	Intent  string
	Version int
	Status  consent.Status

	ClientName string
	// ClientBirthDate is YYYY-MM-DD.
	ClientBirthDate string
	// Practitioners are the client's practitioners, by name.
	Practitioners []string
	// PreparedBy is who drafted this version, by name.
	PreparedBy string
	CreatedAt  time.Time
	ValidUntil *time.Time
	// Supersedes is the id of the version this one replaces.
	Supersedes string

	// Signature is nil while the agreement is unsigned.
	Signature *Signature
	// ContentHash identifies what was signed ("sha256:" and 64 hex
	// digits); it prints whole, on one line.
	ContentHash string

	// Grants are the answers, as the practice honours them (answers the
	// practice refuses already turned to "no").
	Grants      []consent.Grant
	Revocations []consent.Revocation

	// PrintedAt is when the copy is made.
	PrintedAt time.Time

	// Language is the language the copy is printed in (a shipped tag;
	// another prints English). LanguageRecorded says that it is the
	// language the agreement was shown in, as the agreement records; else
	// the copy says that language was not recorded.
	Language         string
	LanguageRecorded bool
	// ConsentText is the agreement's consent text in Language (see
	// app.ConsentText), printed as "the agreement in words".
	ConsentText string
	// TextHash is the agreement's recorded hash of its consent text;
	// TextChanged says ConsentText no longer hashes to it.
	TextHash    string
	TextChanged bool
}

// Signature is how an agreement was signed.
type Signature struct {
	At time.Time
	// SignerName is the person who signed: the client in their portal, or
	// the practitioner who attested an in-person signature.
	SignerName string
	// Method is consent.SignByClient or consent.SignInPerson.
	Method string
	// TypedName is the name the client typed for an in-person signature.
	TypedName string
}

// Page geometry, in millimetres (A4).
const (
	pageW, pageH = 210.0, 297.0
	margin       = 18.0
	top          = 26.0 // first line below the running header
	bottom       = 20.0 // space kept for the running footer
	textW        = pageW - 2*margin
	labelW       = 42.0
	regionW      = 58.0
)

type doc struct {
	pdf   *fpdf.Fpdf
	in    Input
	l     *i18n.Localizer
	loc   *time.Location
	cov   *coverage
	added map[string]bool
	// grid state, to repeat the group's title and the column header
	// after a page break.
	inGrid    bool
	gridTitle string
}

// Render returns the agreement as PDF bytes.
func Render(in Input) ([]byte, error) {
	if err := loadFaces(); err != nil {
		return nil, err
	}
	d := &doc{pdf: fpdf.New("P", "mm", "A4", ""), in: in, l: i18n.Default().Localizer(in.Language), loc: in.Location,
		cov: newCoverage(), added: map[string]bool{}}
	if d.loc == nil {
		d.loc = time.UTC
	}
	p := d.pdf
	p.SetTitle(d.l.T("pdf.header", "ID", in.ID, "Version", in.Version), true)
	p.SetSubject(d.l.T("pdf.subject", "Name", in.ClientName), true)
	p.SetLang(d.l.Lang())
	p.SetAuthor(in.Practice.Name, true)
	p.SetCreator("holdspace", true)
	if !in.PrintedAt.IsZero() {
		p.SetCreationDate(in.PrintedAt)
		p.SetModificationDate(in.PrintedAt)
	}
	p.SetMargins(margin, top, margin)
	p.SetAutoPageBreak(false, bottom)
	p.AliasNbPages("{nb}")
	p.SetHeaderFunc(d.header)
	p.SetFooterFunc(d.footer)
	p.AddPage()

	d.letterhead()
	d.details()
	d.words()
	d.grid()
	d.withdrawals()
	d.signature()
	d.notes()

	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("agreementpdf: %w", err)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("agreementpdf: %w", err)
	}
	return buf.Bytes(), nil
}

// setFace selects face i in style ("" or "B") and size, adding it to the
// document at its first use.
func (d *doc) setFace(i int, style string, size float64) {
	f := faces[i]
	if style == "B" && f.bold == "" {
		style = ""
	}
	key := f.family + style
	if !d.added[key] {
		data := f.regular
		if style == "B" {
			data = f.boldData
		}
		// fpdf writes into the font bytes it is given while it subsets
		// them (GenerateCutFont), so each document gets its own copy of
		// the embedded font: two PDFs rendered at once raced on it.
		d.pdf.AddUTF8FontFromBytes(f.family, style, bytes.Clone(data))
		d.added[key] = true
	}
	d.pdf.SetFont(f.family, style, size)
}

// width is the printed width of s.
func (d *doc) width(s, style string, size float64) float64 {
	w := 0.0
	for _, r := range d.cov.runs(s) {
		d.setFace(r.face, style, size)
		w += d.pdf.GetStringWidth(r.text)
	}
	return w
}

// put prints one line of s at (x, y) within w, aligned "L", "C" or "R".
func (d *doc) put(x, y, w, h float64, s, style string, size float64, align string) {
	runs := d.cov.runs(s)
	if align != "L" {
		tw := d.width(s, style, size)
		switch align {
		case "C":
			x += (w - tw) / 2
		case "R":
			x += w - tw
		}
	}
	for _, r := range runs {
		d.setFace(r.face, style, size)
		rw := d.pdf.GetStringWidth(r.text)
		d.pdf.SetXY(x, y)
		if r.actual != "" {
			// The shaped glyphs stand for the letters in actual.
			d.pdf.RawWriteStr("/Span <</ActualText <" + utf16Hex(r.actual) + ">>> BDC\n")
		}
		d.pdf.CellFormat(rw, h, r.text, "", 0, "L", false, 0, "")
		if r.actual != "" {
			d.pdf.RawWriteStr("EMC\n")
		}
		x += rw
	}
}

// wrap breaks s into lines no wider than w: at line breaks, then between
// words, and inside a word only when the word alone is too wide (as
// Chinese or Japanese text, written without spaces, is).
func (d *doc) wrap(s string, w float64, style string, size float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if d.width(try, style, size) <= w {
				line = try
				continue
			}
			if line != "" {
				lines = append(lines, line)
				line = ""
			}
			for d.width(word, style, size) > w {
				rs := []rune(word)
				n := len(rs) - 1
				for n > 1 && d.width(string(rs[:n]), style, size) > w {
					n--
				}
				lines = append(lines, string(rs[:n]))
				word = string(rs[n:])
			}
			line = word
		}
		lines = append(lines, line)
	}
	return lines
}

// need starts a new page unless h millimetres fit on this one.
func (d *doc) need(h float64) {
	if d.pdf.GetY()+h > pageH-bottom {
		d.pdf.AddPage()
		if d.inGrid {
			y := d.pdf.GetY()
			d.put(margin, y, textW, 7, d.l.T("pdf.grid.continued", "Title", d.gridTitle), "B", 10.5, "L")
			d.pdf.SetXY(margin, y+8)
			d.gridHeader()
		}
	}
}

// para prints wrapped text at the left margin and moves below it.
func (d *doc) para(s, style string, size, lh float64) {
	for _, l := range d.wrap(s, textW, style, size) {
		d.need(lh)
		y := d.pdf.GetY()
		d.put(margin, y, textW, lh, l, style, size, "L")
		d.pdf.SetXY(margin, y+lh)
	}
}

// field prints a label and its (wrapped) value.
func (d *doc) field(label, value string) {
	const size, lh = 10.0, 5.6
	lines := d.wrap(value, textW-labelW, "", size)
	d.need(lh * float64(len(lines)))
	y := d.pdf.GetY()
	d.put(margin, y, labelW, lh, label, "B", size, "L")
	for i, l := range lines {
		d.put(margin+labelW, y+float64(i)*lh, textW-labelW, lh, l, "", size, "L")
	}
	d.pdf.SetXY(margin, y+lh*float64(len(lines)))
}

func (d *doc) heading(s string) {
	d.need(14)
	d.pdf.SetY(d.pdf.GetY() + 3)
	y := d.pdf.GetY()
	d.put(margin, y, textW, 8, s, "B", 12.5, "L")
	d.pdf.SetXY(margin, y+8)
}

func (d *doc) rule(y float64) {
	d.pdf.SetDrawColor(150, 160, 170)
	d.pdf.SetLineWidth(0.2)
	d.pdf.Line(margin, y, pageW-margin, y)
}

// header runs at the top of every page: the practice, what the document
// is and its id.
func (d *doc) header() {
	name := d.in.Practice.Name
	if name == "" {
		name = d.l.T("pdf.title")
	}
	d.put(margin, 10, textW/2, 5, name, "B", 8.5, "L")
	d.put(margin+textW/2, 10, textW/2, 5, d.l.T("pdf.header", "ID", d.in.ID, "Version", d.in.Version), "", 8.5, "R")
	d.rule(16)
	d.pdf.SetXY(margin, top)
}

// footer runs at the bottom of every page: the id again and the page
// number out of the total.
func (d *doc) footer() {
	y := pageH - 13
	d.rule(y - 2)
	d.put(margin, y, textW/2, 5, d.l.T("pdf.footer_id", "ID", d.in.ID), "", 8, "L")
	d.put(margin+textW/2, y, textW/2, 5, d.l.T("pdf.page", "Page", d.pdf.PageNo(), "Total", "{nb}"), "", 8, "R")
}

// letterhead prints the practice's name, address and contact, and the
// title.
func (d *doc) letterhead() {
	id := d.in.Practice
	y := d.pdf.GetY()
	if id.Name != "" {
		d.put(margin, y, textW, 8, id.Name, "B", 16, "L")
		y += 8
	}
	for _, l := range strings.Split(strings.TrimSpace(id.Address), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			d.put(margin, y, textW, 5, l, "", 9.5, "L")
			y += 5
		}
	}
	var contact []string
	if id.Email != "" {
		contact = append(contact, id.Email)
	}
	if id.Phone != "" {
		contact = append(contact, id.Phone)
	}
	if len(contact) > 0 {
		d.put(margin, y, textW, 5, strings.Join(contact, "  ·  "), "", 9.5, "L")
		y += 5
	}
	d.rule(y + 2)
	d.pdf.SetXY(margin, y+6)
	y = d.pdf.GetY()
	d.put(margin, y, textW, 10, d.l.T("pdf.title"), "B", 18, "L")
	d.pdf.SetXY(margin, y+11)
	langName := d.l.T("language." + d.l.Lang())
	if d.in.LanguageRecorded {
		d.para(d.l.T("pdf.language", "Language", langName), "B", 10, 5.6)
	} else {
		d.para(d.l.T("pdf.language_unrecorded", "Language", langName), "", 9.5, 5.2)
	}
	d.pdf.SetY(d.pdf.GetY() + 2)
}

// words prints the consent text: the agreement in the words it was shown
// in.
func (d *doc) words() {
	if d.in.ConsentText == "" {
		return
	}
	d.heading(d.l.T("pdf.in_words"))
	for _, line := range strings.Split(d.in.ConsentText, "\n") {
		d.para(line, "", 10, 5.4)
	}
	if d.in.TextChanged {
		d.para(d.l.T("pdf.text_changed"), "B", 9, 5)
	}
}

func (d *doc) details() {
	in, l := d.in, d.l
	d.field(l.T("pdf.field.client"), in.ClientName)
	if in.ClientBirthDate != "" {
		d.field(l.T("pdf.field.birth_date"), d.fmtDate(in.ClientBirthDate))
	}
	if len(in.Practitioners) > 0 {
		d.field(l.N("pdf.field.practitioners", len(in.Practitioners)), strings.Join(in.Practitioners, ", "))
	}
	d.field(l.T("pdf.field.intent"), d.intentText(in.Intent))
	d.field(l.T("pdf.field.version"), l.T("pdf.value.version", "Version", in.Version, "Status", d.statusText(in.Status)))
	if in.PreparedBy != "" && !in.CreatedAt.IsZero() {
		d.field(l.T("pdf.field.prepared"), l.T("pdf.value.prepared", "Name", in.PreparedBy, "When", d.fmtTime(in.CreatedAt)))
	}
	if in.ValidUntil != nil {
		d.field(l.T("pdf.field.valid_until"), d.fmtTime(*in.ValidUntil))
	}
	if in.Supersedes != "" {
		d.field(l.T("pdf.field.replaces"), l.T("pdf.value.replaces", "ID", in.Supersedes))
	}
	d.field(l.T("pdf.field.agreement_id"), in.ID)
}

// withdrawnAt returns the first withdrawal covering region.
func (d *doc) withdrawnAt(region string) (consent.Revocation, bool) {
	var best consent.Revocation
	found := false
	for _, rv := range d.in.Revocations {
		covers := len(rv.Regions) == 0
		for _, r := range rv.Regions {
			covers = covers || r == region
		}
		if covers && (!found || rv.At.Before(best.At)) {
			best, found = rv, true
		}
	}
	return best, found
}

func (d *doc) colW() float64 { return (textW - regionW) / float64(len(catalogue.Techniques())) }

func (d *doc) gridHeader() {
	const h = 7.0
	y := d.pdf.GetY()
	d.pdf.SetFillColor(230, 236, 240)
	d.pdf.SetDrawColor(120, 130, 140)
	d.pdf.Rect(margin, y, regionW, h, "FD")
	d.put(margin+1.5, y, regionW-3, h, d.l.T("pdf.grid.region"), "B", 9, "L")
	x := margin + regionW
	for _, t := range catalogue.Techniques() {
		d.pdf.Rect(x, y, d.colW(), h, "FD")
		d.put(x, y, d.colW(), h, d.techniqueName(t.Code), "B", 9, "C")
		x += d.colW()
	}
	d.pdf.SetXY(margin, y+h)
}

// grid prints every region the agreement answers, grouped, one column per
// technique. A withdrawn region reads "Withdrawn on …" across its row.
func (d *doc) grid() {
	answers := map[string]catalogue.Answer{}
	for _, g := range d.in.Grants {
		answers[g.Region+"/"+g.Technique] = g.Answer
	}
	techs := catalogue.Techniques()
	const h = 6.0
	for _, g := range []catalogue.Group{catalogue.General, catalogue.Sensitive, catalogue.Intimate, catalogue.Internal} {
		var mine []catalogue.Region
		for _, r := range catalogue.Regions() {
			if r.Group != g {
				continue
			}
			for _, t := range techs {
				if _, ok := answers[r.Code+"/"+t.Code]; ok {
					mine = append(mine, r)
					break
				}
			}
		}
		if len(mine) == 0 {
			continue
		}
		d.inGrid, d.gridTitle = false, d.groupTitle(g)
		d.heading(d.gridTitle)
		d.need(7 + h)
		d.gridHeader()
		d.inGrid = true
		for _, r := range mine {
			d.need(h)
			y := d.pdf.GetY()
			d.pdf.SetDrawColor(120, 130, 140)
			d.pdf.Rect(margin, y, regionW, h, "D")
			d.put(margin+1.5, y, regionW-3, h, d.regionName(r.Code), "", 9, "L")
			x := margin + regionW
			if rv, ok := d.withdrawnAt(r.Code); ok {
				d.pdf.SetFillColor(250, 236, 228)
				d.pdf.Rect(x, y, textW-regionW, h, "FD")
				d.put(x, y, textW-regionW, h, d.l.T("pdf.grid.withdrawn", "When", d.fmtShort(rv.At), "Role", d.roleText(rv.ByRole)), "B", 8.5, "C")
			} else {
				for _, t := range techs {
					txt := "–"
					if a, ok := answers[r.Code+"/"+t.Code]; ok {
						txt = d.answerText(a)
					}
					d.pdf.Rect(x, y, d.colW(), h, "D")
					d.put(x, y, d.colW(), h, txt, "", 9, "C")
					x += d.colW()
				}
			}
			d.pdf.SetXY(margin, y+h)
		}
		d.inGrid = false
	}
}

func (d *doc) withdrawals() {
	if len(d.in.Revocations) == 0 {
		return
	}
	d.heading(d.l.T("pdf.withdrawals.title"))
	for _, rv := range d.in.Revocations {
		what := d.l.T("pdf.withdrawals.all")
		if len(rv.Regions) > 0 {
			var ls []string
			for _, c := range rv.Regions {
				ls = append(ls, d.regionName(c))
			}
			what = strings.Join(ls, ", ")
		}
		d.para(d.l.T("pdf.withdrawals.line", "When", d.fmtTime(rv.At), "Role", d.roleText(rv.ByRole), "What", what), "", 10, 5.6)
	}
}

// signature prints the signature block and the content hash the
// signature covers, the hash on one line.
func (d *doc) signature() {
	l := d.l
	d.heading(l.T("pdf.signature.title"))
	s := d.in.Signature
	if s == nil {
		d.field(l.T("pdf.field.status"), l.T("pdf.value.unsigned"))
	} else {
		switch s.Method {
		case consent.SignInPerson:
			d.field(l.T("pdf.field.signed_by"), l.T("pdf.value.signed_in_person", "Name", s.TypedName))
			d.field(l.T("pdf.field.typed_name"), s.TypedName)
			d.field(l.T("pdf.field.attested_by"), l.T("pdf.value.attested", "Name", s.SignerName))
		default:
			d.field(l.T("pdf.field.signed_by"), l.T("pdf.value.signed_by_client", "Name", s.SignerName))
			d.field(l.T("pdf.field.method"), l.T("pdf.value.portal"))
		}
		d.field(l.T("pdf.field.signed_at"), d.fmtTime(s.At))
	}
	d.hash(l.T("pdf.field.content_hash"), d.in.ContentHash)
	d.hash(l.T("pdf.field.text_hash"), d.in.TextHash)
}

// hash prints a labelled hash on one line: Courier at 8 pt, "sha256:" and
// 64 hexadecimal digits take 120 mm, inside the 132 mm beside the label,
// so the hash never wraps. An empty hash prints nothing.
func (d *doc) hash(label, h string) {
	if h == "" {
		return
	}
	const lh = 5.6
	d.need(lh)
	y := d.pdf.GetY()
	d.put(margin, y, labelW, lh, label, "B", 10, "L")
	d.pdf.SetFont("Courier", "", 8)
	d.pdf.SetXY(margin+labelW, y)
	d.pdf.CellFormat(textW-labelW, lh, h, "", 0, "L", false, 0, "")
	d.pdf.SetXY(margin, y+lh)
}

func (d *doc) notes() {
	d.pdf.SetY(d.pdf.GetY() + 4)
	d.para(d.l.T("pdf.notes"), "", 8.5, 4.6)
	if !d.in.PrintedAt.IsZero() {
		d.para(d.l.T("pdf.printed", "When", d.fmtTime(d.in.PrintedAt)), "", 8.5, 4.6)
	}
}

// fmtShort prints t in the practice's time zone with the zone's
// abbreviation, for the grid (the signature block names the zone).
func (d *doc) fmtShort(t time.Time) string {
	return d.l.DateTime(t, d.loc)
}

// fmtTime prints t in the practice's time zone, naming the zone.
func (d *doc) fmtTime(t time.Time) string {
	t = t.In(d.loc)
	s := d.fmtShort(t)
	if name := d.loc.String(); name != "UTC" && name != t.Format("MST") {
		s += " (" + name + ")"
	}
	return s
}

// utf16Hex is s as a PDF hexadecimal text string (UTF-16BE with its byte
// order mark).
func utf16Hex(s string) string {
	var b strings.Builder
	b.WriteString("FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// fmtDate prints a YYYY-MM-DD date in the copy's language.
func (d *doc) fmtDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return d.l.CalendarDate(t)
}

func (d *doc) statusText(s consent.Status) string {
	switch s {
	case consent.StatusDraft:
		return d.l.T("pdf.status.draft")
	case consent.StatusActive:
		return d.l.T("pdf.status.active")
	case consent.StatusSuperseded:
		return d.l.T("pdf.status.superseded")
	case consent.StatusRevoked:
		return d.l.T("pdf.status.revoked")
	case consent.StatusExpired:
		return d.l.T("pdf.status.expired")
	}
	return string(s)
}

func (d *doc) intentText(intent string) string {
	switch catalogue.Intent(intent) {
	case catalogue.Therapeutic:
		return d.l.T("pdf.intent.therapeutic")
	case catalogue.Sensual:
		return d.l.T("pdf.intent.sensual")
	}
	return intent
}

func (d *doc) answerText(a catalogue.Answer) string {
	switch a {
	case catalogue.Yes:
		return d.l.T("pdf.grid.yes")
	case catalogue.Ask:
		return d.l.T("pdf.grid.ask")
	}
	return d.l.T("pdf.grid.no")
}

func (d *doc) roleText(role string) string {
	switch role {
	case "client":
		return d.l.T("pdf.role.client")
	case "practitioner":
		return d.l.T("pdf.role.practitioner")
	case "admin":
		return d.l.T("pdf.role.admin")
	}
	return role
}

func (d *doc) groupTitle(g catalogue.Group) string {
	switch g {
	case catalogue.General:
		return d.l.T("pdf.group.general")
	case catalogue.Sensitive:
		return d.l.T("pdf.group.sensitive")
	case catalogue.Intimate:
		return d.l.T("pdf.group.intimate")
	case catalogue.Internal:
		return d.l.T("pdf.group.internal")
	}
	return d.l.T("pdf.grid.region")
}

// regionName is a region's name in the copy's language (catalog
// body.region.<code>, the body map's words, as app.RegionName).
func (d *doc) regionName(code string) string {
	if _, ok := catalogue.LookupRegion(code); !ok {
		return code
	}
	return d.l.T("body.region." + code)
}

func (d *doc) techniqueName(code string) string {
	if !catalogue.ValidTechnique(code) {
		return code
	}
	return d.l.T("body.tech." + code + ".label")
}
