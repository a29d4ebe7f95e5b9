package httpedge

import "net/http"

// Downloads both adapters send: a practice's CSV tables and iCalendar
// files. Neither may be kept by a cache; both name their file.

// WriteCSV sends a CSV download that no cache keeps.
func WriteCSV(w http.ResponseWriter, filename string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// WriteCalendar writes an iCalendar body; with a file name, as a download.
func WriteCalendar(w http.ResponseWriter, file string, b []byte) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	if file != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
