package screening

import "holdspace/catalogue"

// IntakeV1 is the name of the first intake questionnaire.
const IntakeV1 = "intake-v1"

// intakeV1 returns the questionnaire intake-v1. Its linkIds are stable (see
// shared/domain.md); its wording never changes meaning once shipped.
func intakeV1() *Questionnaire {
	return &Questionnaire{
		Name:    IntakeV1,
		Version: "1",
		Title:   "Health and safety questions before bodywork",
		URL:     "urn:holdspace:questionnaire:intake-v1",
		Date:    "2026-11-26",
		Items: []Item{
			// General health.
			{LinkID: "fever", Type: TypeBoolean, Topic: TopicGeneral, Required: true,
				Text: "Do you have a fever, or feel unwell with an infection (like flu), today?",
				Help: "Bodywork can make an infection feel worse and can pass it on. If you're unwell today, we'll simply find another day."},
			{LinkID: "dvt", Type: TypeBoolean, Topic: TopicGeneral, Required: true,
				Text: "Do you have, or has a doctor said you might have, a blood clot in a vein (deep-vein thrombosis, DVT)?",
				Help: "Massage near a clot could move it. We ask so we can keep you safe and check with your doctor first."},
			{LinkID: "anticoagulants", Type: TypeBoolean, Topic: TopicGeneral, Required: true,
				Text: "Do you take blood thinners (anticoagulants), or do you bruise or bleed easily because of a bleeding condition?",
				Help: "Deep pressure can cause bruising or bleeding when blood clots slowly. Lighter touch is usually fine."},
			{LinkID: "cancer-treatment", Type: TypeBoolean, Topic: TopicGeneral, Required: true,
				Text: "Are you currently being treated for cancer?",
				Help: "Gentle touch is often welcome during treatment; deeper pressure should be agreed with your care team first."},
			{LinkID: "hypertension-unstable", Type: TypeBoolean, Topic: TopicGeneral, Required: true,
				Text: "Has a doctor told you that your blood pressure is high and not yet under control?",
				Help: "Bodywork changes blood pressure. We'd like to wait until your doctor says it is well managed."},
			{LinkID: "stroke-recent", Type: TypeBoolean, Topic: TopicGeneral, Required: true,
				Text: "Have you had a stroke or a mini-stroke (TIA) in the last 3 months?",
				Help: "The first months after a stroke need extra care. We'll wait until your doctor says bodywork is safe."},

			// Surgery.
			{LinkID: "recent-surgery", Type: TypeBoolean, Topic: TopicSurgery, Required: true,
				Text: "Have you had any surgery in the last 3 months?",
				Help: "Healing tissue needs time. We avoid the area of a recent operation until it has healed."},
			{LinkID: "recent-surgery-regions", Type: TypeRegions, Topic: TopicSurgery, Required: true,
				EnableWhen: []EnableWhen{{Question: "recent-surgery", Equals: true}},
				Text:       "Which areas of your body were operated on?",
				Help:       "We'll leave these areas alone while they heal. Pick every area that applies."},
			{LinkID: "recent-surgery-date", Type: TypeDate, Topic: TopicSurgery, Required: true, NotFuture: true,
				EnableWhen: []EnableWhen{{Question: "recent-surgery", Equals: true}},
				Text:       "When was the surgery? (If there was more than one, the most recent.)",
				Help:       "Most sites need about six weeks to heal. The date lets us know when that time has passed."},
			{LinkID: "pelvic-surgery-date", Type: TypeDate, Topic: TopicSurgery, NotFuture: true,
				Text: "If you've had surgery in your pelvis, genitals or bottom in the last 3 months, when was it?",
				Help: "Internal work must wait until pelvic surgery has healed: usually six weeks, longer after some operations. Leave this empty if it doesn't apply."},
			{LinkID: "prolapse-repair", Type: TypeBoolean, Topic: TopicSurgery, Required: true,
				EnableWhen: []EnableWhen{{Question: "pelvic-surgery-date"}},
				Text:       "Was that surgery a prolapse repair?",
				Help:       "A prolapse repair needs about twelve weeks to heal before internal work."},
			{LinkID: "pelvic-radiotherapy-date", Type: TypeDate, Topic: TopicSurgery, NotFuture: true,
				Text: "If you've had radiotherapy to your pelvis, when did it end?",
				Help: "Tissue stays fragile for some months after radiotherapy. Leave this empty if it doesn't apply."},
			{LinkID: "seed-implants", Type: TypeBoolean, Topic: TopicSurgery, Required: true,
				Text: "Do you have radioactive seed implants (brachytherapy) in your pelvis?",
				Help: "Internal work near seed implants could move them, so we avoid it."},

			// Pregnancy and pelvic health.
			{LinkID: "pregnant", Type: TypeBoolean, Topic: TopicPregnancy, Required: true, Anatomy: catalogue.NeedsVagina,
				Text: "Are you pregnant, or could you be?",
				Help: "Many kinds of bodywork are lovely in pregnancy; we check in with your midwife or doctor first to keep you and the baby safe."},
			{LinkID: "pelvic-rest", Type: TypeBoolean, Topic: TopicPregnancy, Required: true, Anatomy: catalogue.NeedsVagina,
				EnableWhen: []EnableWhen{{Question: "pregnant", Equals: true}},
				Text:       "Has your midwife or doctor advised pelvic rest (nothing inside the vagina)?",
				Help:       "If pelvic rest has been advised, we follow that advice and do no internal vaginal work."},
			{LinkID: "postpartum-date", Type: TypeDate, Topic: TopicPregnancy, Anatomy: catalogue.NeedsVagina, NotFuture: true,
				Text: "If you've given birth in the last 3 months, when was the birth?",
				Help: "The body needs about six weeks to recover after birth before internal work. Leave this empty if it doesn't apply."},

			// Prostate.
			{LinkID: "prostatitis-symptoms", Type: TypeBoolean, Topic: TopicProstate, Required: true, Anatomy: catalogue.NeedsProstate,
				Text: "Do you have a fever together with pain in your pelvis and pain or trouble when peeing?",
				Help: "These can be signs of a prostate infection. Pressing on an infected prostate can spread the infection into the blood, so please see a doctor first."},
			{LinkID: "prostate-cancer", Type: TypeBoolean, Topic: TopicProstate, Required: true, Anatomy: catalogue.NeedsProstate,
				Text: "Do you have prostate cancer, or is a raised PSA result being looked into?",
				Help: "Prostate work should wait until your doctor has advised on it."},
			{LinkID: "prostate-procedure-healing", Type: TypeBoolean, Topic: TopicProstate, Required: true, Anatomy: catalogue.NeedsProstate,
				Text: "Are you still healing from a prostate biopsy or prostate surgery?",
				Help: "We wait until the area has healed."},

			// Bottom and rectum.
			{LinkID: "rectal-bleeding", Type: TypeBoolean, Topic: TopicAnorectal, Required: true,
				Text: "Have you noticed bleeding from your bottom that hasn't been explained by a doctor, or is it happening now?",
				Help: "Bleeding is worth checking with a doctor. Until then we leave the area alone."},
			{LinkID: "anal-acute", Type: TypeBoolean, Topic: TopicAnorectal, Required: true,
				Text: "Do you have a painful flare of piles (haemorrhoids), a tear (fissure) or an infection around your bottom right now?",
				Help: "These heal better without touch. We avoid the area until the flare has settled."},
			{LinkID: "anorectal-disease", Type: TypeBoolean, Topic: TopicAnorectal, Required: true,
				Text: "Do you have an anal fistula or abscess, or inflammatory bowel disease (Crohn's, colitis) that is flaring?",
				Help: "We'd like your doctor's OK before working in this area."},

			// Infection and immunity.
			{LinkID: "sti-active", Type: TypeBoolean, Topic: TopicInfection, Required: true,
				Text: "Do you have a urinary, genital or sexually transmitted infection that is being treated or not yet treated?",
				Help: "Touch can spread an infection or make it sorer. This is common and nothing to be embarrassed about; we'll simply wait until it has cleared."},
			{LinkID: "immunosuppressed", Type: TypeBoolean, Topic: TopicInfection, Required: true,
				Text: "Is your immune system strongly weakened right now (for example by chemotherapy, a low white-cell count, or medicines after a transplant)?",
				Help: "Internal work carries a small risk of infection, which matters more when the immune system is low."},

			// Allergies.
			{LinkID: "latex-allergy", Type: TypeBoolean, Topic: TopicAllergies, Required: true,
				Text: "Are you allergic or sensitive to latex?",
				Help: "We'll use latex-free (nitrile) gloves and products."},

			// Emotional safety.
			{LinkID: "trauma-history", Type: TypeChoice, Topic: TopicEmotional, Sensitive: true,
				Options: []Option{
					{Code: "yes", Display: "Yes"},
					{Code: "no", Display: "No"},
					{Code: "prefer-not-to-say", Display: "I'd prefer not to say"},
				},
				Text: "Intimate touch can bring up memories of past sexual harm. Is this something you'd like your practitioner to be aware of?",
				Help: "You never have to answer this. If you say yes, you'll be offered a practitioner trained in trauma-informed care. \"Prefer not to say\" is always respected."},

			// Anything else.
			{LinkID: "other-notes", Type: TypeText, Topic: TopicOther, Sensitive: true, MaxLength: 4000,
				Text: "Is there anything else about your health or your body you'd like us to know?",
				Help: "Anything you share here is kept private and read only by your practitioner."},
		},
	}
}
