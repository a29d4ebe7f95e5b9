package consent

import "testing"

func TestPractitionerDisabled(t *testing.T) {
	d := PractitionerDisabled()
	if d.Outcome != Deny || !d.Has(CodeNotQualified) || len(d.Reasons()) != 1 {
		t.Fatalf("PractitionerDisabled = %+v", d)
	}
}
