package web

import (
	"bytes"
	"strings"

	"holdspace"
	"holdspace/csvio"
	"holdspace/httpedge"
)

// adminExportCSV sends one of the practice's tables as a CSV download
// (app.ExportTable: admins only, audited).
func (h *handler) adminExportCSV(q *request) error {
	what, ok := strings.CutSuffix(q.r.PathValue("file"), ".csv")
	if !ok {
		return holdspace.NotFound("export")
	}
	t, err := h.records.ExportTable(q.r.Context(), q.ac, what)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := csvio.Write(&b, t.Header, t.Rows); err != nil {
		return err
	}
	httpedge.WriteCSV(q.w, "holdspace-"+t.What+".csv", b.Bytes())
	return nil
}
