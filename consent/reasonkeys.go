package consent

// FixedReasons returns every reason whose message never varies, by a
// stable key ("no_grant", "revoked_passage", …), so that adapters can show
// each in the reader's language. Reasons built from data (screening
// findings, credentials) are not listed: see ScreeningReasonPrefixes.
func FixedReasons() map[string]Reason {
	return map[string]Reason{
		"day_check_required": reasonDayCheckRequired, "capacity": reasonCapacity, "unwell": reasonUnwell,
		"changed_today": reasonChangedToday, "no_grant": reasonNoGrant, "unknown_technique": reasonUnknownTechnique,
		"answer_no": reasonAnswerNo, "revoked": reasonRevoked, "expired": reasonExpired, "unsigned": reasonUnsigned,
		"intent_mismatch": reasonIntentMismatch, "not_applicable": reasonNotApplicable, "unknown_region": reasonUnknownRegion,
		"not_reconfirmed": reasonNotReconfirmed, "screening_required": reasonScreeningReq, "screening_stale": reasonScreeningStale,
		"chaperone": reasonChaperone, "stopped": reasonStopped, "ask_first": reasonAskFirst, "checkin_declined": reasonCheckinDeclined,
		"revoked_passage": reasonRevokedPassage, "answer_no_passage": reasonAnswerNoPassage,
		"checkin_declined_passage": reasonCheckinDeclinedPassage, "not_active": reasonNotActive, "overdue": reasonOverdue,
		"no_grant_passage": reasonNoGrantPassage, "minor": reasonMinor, "guardian": reasonGuardian,
		"sensual_not_offered": reasonSensualNotOffered, "region_not_offered": reasonRegionNotOffered,
		"practitioner_disabled": reasonPractitionerDisabled,
	}
}

// Message prefixes of the reasons built from data: a screening finding's
// text follows the first three; a credential cover and the finding's text
// follow the fourth; the cover follows the fifth.
const (
	PrefixContraindicated = "Screening says do not proceed: "
	PrefixReferral        = "Screening needs medical clearance first: "
	PrefixPrecaution      = "Screening precaution: "
	PrefixGated           = "This needs a practitioner with a valid "
	PrefixQualification   = "This needs a practitioner holding a valid "
)
