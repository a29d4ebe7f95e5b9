package screening

import "testing"

func TestDayCheckQuestionnaire(t *testing.T) {
	q, ok := DayCheck()
	if !ok {
		t.Fatal("day-check-v1 does not build")
	}
	if q.Name != DayCheckV1 || len(q.Items) != 3 {
		t.Fatalf("%s with %d items", q.Name, len(q.Items))
	}
	for _, id := range []string{DayCheckClearHeaded, DayCheckUnwell, DayCheckChanges} {
		it, ok := q.Item(id)
		if !ok || it.Type != TypeBoolean || !it.Required {
			t.Errorf("item %s: %+v", id, it)
		}
	}
	if _, ok := Lookup(DayCheckV1); ok {
		t.Fatal("day-check-v1 must not be an intake questionnaire that screenings can be taken with")
	}
	a := DayCheckAnswers(false, true, false)
	if a[DayCheckClearHeaded] != false || a[DayCheckUnwell] != true || a[DayCheckChanges] != false {
		t.Fatalf("answers %v", a)
	}
}
