package httpapi

import (
	"bytes"
	"net/http"
	"strings"

	"holdspace"
	"holdspace/app"
	"holdspace/csvio"
	"holdspace/httpedge"
)

// The CSV export of issue 15, documented with the others.
func init() {
	operations = append(operations,
		operation{"GET /api/v1/export/{file}", "A table for the practice's own analysis as CSV (admin): clients.csv, sessions.csv or outcomes.csv; audited", true, nil, 200, []int{400, 403, 404}})
	contracts["GET /api/v1/export/{file}"] = contract{id: "exportCSV", tag: "records", media: "text/csv"}
}

// exportCSV sends one of the practice's tables (app.ExportTable) as CSV.
func (s recordsAPI) exportCSV(w http.ResponseWriter, r *http.Request, ac app.Actor) error {
	what, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	if !ok {
		return holdspace.NotFound("export")
	}
	t, err := s.records.ExportTable(r.Context(), ac, what)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := csvio.Write(&b, t.Header, t.Rows); err != nil {
		return err
	}
	httpedge.WriteCSV(w, "holdspace-"+t.What+".csv", b.Bytes())
	return nil
}
