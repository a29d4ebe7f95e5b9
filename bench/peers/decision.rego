# holdspace's consent decision (consent.Index.Decide) for one client and the
# governing agreement, in Rego (OPA v1). Input: see peers.go (opaInput);
# data.catalogue: regions and techniques (see peers.go (opaData)).
package holdspace

default decision := "deny"

region := data.catalogue.regions[input.region]

general := region.group == "general"

is_internal := region.group == "internal"

needs_screening if region.group == "intimate"

needs_screening if is_internal

applies if region.needs == ""

applies if region.needs in input.anatomy

technique_known if input.technique in data.catalogue.techniques

passage := {"anal-canal", "rectum"}

# The governing agreement's answer for (r, technique): "none" without a
# grant, the most restrictive of duplicates; a refusal of a passage region
# is a refusal of the prostate.
answers(r) := {g.answer | some g in input.agreement.grants; g.region == r; g.technique == input.technique}

own_answer(r) := "no" if "no" in answers(r)

own_answer(r) := "ask" if {
	not "no" in answers(r)
	"ask" in answers(r)
}

own_answer(r) := "yes" if {
	not "no" in answers(r)
	not "ask" in answers(r)
	"yes" in answers(r)
}

own_answer(r) := "none" if count(answers(r)) == 0

answer(r) := "no" if {
	r == "prostate"
	some p in passage
	own_answer(p) == "no"
} else := own_answer(r)

revoked(r) if r in input.agreement.revoked

revoked("prostate") if {
	some p in passage
	p in input.agreement.revoked
}

declined(r) if r in input.session.declined

recent_yes(r) if {
	t := input.session.last_yes[r]
	abs(input.at - t) <= input.ask_window
}

# A passage region is granted: "yes", or "ask" with a recent check-in yes.
passage_granted(p) if answer(p) == "yes"

passage_granted(p) if {
	answer(p) == "ask"
	recent_yes(p)
}

qualified(cover) if {
	some c in input.credentials
	cover in c.covers
	c.valid_from <= input.at
	input.at <= c.valid_until
}

deny contains "not_applicable" if not region

deny contains "not_applicable" if not applies

deny contains "session_not_active" if input.session.state != "in-progress"

deny contains "not_reconfirmed" if {
	not general
	not input.session.reconfirmed
}

deny contains "day_check_required" if {
	not general
	not input.session.day_check
}

deny contains "no_grant" if not technique_known

deny contains "no_grant" if {
	technique_known
	answer(input.region) == "none"
}

deny contains "answer_no" if {
	technique_known
	answer(input.region) == "no"
}

deny contains "revoked" if {
	technique_known
	revoked(input.region)
}

deny contains "no_grant_passage" if {
	technique_known
	input.region == "prostate"
	some p in passage
	not passage_granted(p)
}

deny contains "checkin_declined" if declined(input.region)

deny contains "checkin_declined" if {
	input.region == "prostate"
	some p in passage
	declined(p)
}

deny contains "screening_required" if {
	needs_screening
	not input.screening.present
}

deny contains "screening_stale" if {
	needs_screening
	input.screening.stale
}

deny contains "not_qualified" if {
	region.requires != ""
	not qualified(region.requires)
}

deny contains "chaperone_not_offered" if {
	is_internal
	not input.session.chaperone
}

decision := "ask" if {
	count(deny) == 0
	answer(input.region) == "ask"
	not recent_yes(input.region)
} else := "permit" if {
	count(deny) == 0
}
