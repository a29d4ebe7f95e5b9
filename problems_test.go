package holdspace

import (
	"errors"
	"strings"
	"testing"
)

func TestProblems(t *testing.T) {
	var ps Problems
	if ps.Err() != nil {
		t.Fatal("no problems, yet an error")
	}
	one := Invalid("required", "name", "Give a name.")
	ps.Add(one)
	ps.Add(nil)
	if err := ps.Err(); err != one || ErrorProblems(err) != nil {
		t.Fatalf("one problem: %v, %v", err, ErrorProblems(err))
	}
	if ps.AddErr(errors.New("disk on fire")) {
		t.Fatal("an internal error was taken for a problem")
	}
	ps.Add(&Error{Code: EINVALID, Field: "email", Message: "Give an email."})
	err := ps.Err()
	if ErrorField(err) != "name" || ErrorReason(err) != "required" || ErrorCode(err) != EINVALID {
		t.Fatalf("first problem: %v", err)
	}
	got := ErrorProblems(err)
	if len(got) != 2 || got[1] != (Problem{Field: "email", Reason: EINVALID, Message: "Give an email."}) {
		t.Fatalf("problems %+v", got)
	}
	if one.Err != nil {
		t.Error("Err changed the first problem in place")
	}
	if !strings.Contains(err.Error(), "required (name), invalid (email)") {
		t.Errorf("Error() = %q", err.Error())
	}
}
