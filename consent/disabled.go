package consent

// PractitionerDisabled is the decision for every region and technique in a
// session whose practitioner's account is disabled: deny, not_qualified.
// A disabled account holds no practice of its own, whatever its
// credentials say.
func PractitionerDisabled() Decision {
	var d Decision
	d.deny(reasonPractitionerDisabled)
	d.Outcome = Deny
	return d
}

// reasonPractitionerDisabled denies every decision of a disabled practitioner.
var reasonPractitionerDisabled = Reason{CodeNotQualified, "The practitioner's account is disabled."}
