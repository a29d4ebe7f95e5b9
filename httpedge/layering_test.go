package httpedge

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// TestAdaptersDoNotImportEachOther: the API and the pages meet only here
// (issue 11): no file of web/ imports httpapi and none of httpapi/ imports
// web, tests included.
func TestAdaptersDoNotImportEachOther(t *testing.T) {
	for dir, forbidden := range map[string]string{"../web": "holdspace/httpapi", "../httpapi": "holdspace/web"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			pf, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range pf.Imports {
				if p, _ := strconv.Unquote(imp.Path.Value); p == forbidden {
					t.Errorf("%s imports %s: the adapters share only httpedge", f, p)
				}
			}
		}
	}
}
