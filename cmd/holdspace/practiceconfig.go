package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"holdspace/app"
	hspractice "holdspace/practice"

	// The practice's time zone is an IANA name: embed the database so that
	// the static binary resolves it on any host.
	_ "time/tzdata"
)

// practiceFlags are the defaults of the practice's settings, used until an
// admin saves settings on the admin page or through the API: a YAML file
// (--practice-settings) overridden field by field by flags.
type practiceFlags struct {
	file           string
	ageOfMajority  uint
	timeZone       string
	sensualOffered string // "", "true" or "false": unset keeps the file's value
	followUpWindow time.Duration
}

func (p *practiceFlags) register(fs *flag.FlagSet, c *config) {
	fs.StringVar(&p.file, "practice-settings", c.getenv("HOLDSPACE_PRACTICE_SETTINGS"), "YAML file of the practice's default settings: age_of_majority, time_zone, sensual_offered, follow_up_window_hours, scope (HOLDSPACE_PRACTICE_SETTINGS)")
	fs.UintVar(&p.ageOfMajority, "age-of-majority", c.envUint("HOLDSPACE_AGE_OF_MAJORITY", 0), "default age of majority, never below 18; 0: 18 (HOLDSPACE_AGE_OF_MAJORITY)")
	fs.StringVar(&p.timeZone, "time-zone", c.env("HOLDSPACE_TIME_ZONE", ""), "default practice time zone, an IANA name; empty: UTC (HOLDSPACE_TIME_ZONE)")
	fs.StringVar(&p.sensualOffered, "sensual-offered", c.env("HOLDSPACE_SENSUAL_OFFERED", ""), "true if the practice offers sensual work by default; empty: false (HOLDSPACE_SENSUAL_OFFERED)")
	fs.DurationVar(&p.followUpWindow, "follow-up-window", c.envDuration("HOLDSPACE_FOLLOW_UP_WINDOW", 0), "default time within which a follow-up is due, whole hours; 0: 48h (HOLDSPACE_FOLLOW_UP_WINDOW)")
}

// settings returns the default settings the flags and file describe, or a
// usage error naming what is wrong.
func (p *practiceFlags) settings() (hspractice.Settings, error) {
	var s hspractice.Settings
	if p.file != "" {
		b, err := os.ReadFile(p.file)
		if err != nil {
			return s, fmt.Errorf("practice settings: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&s); err != nil {
			return s, usageErrorf("practice settings %s: %v", p.file, err)
		}
	}
	if p.ageOfMajority != 0 {
		s.AgeOfMajority = int(p.ageOfMajority)
	}
	if p.timeZone != "" {
		s.TimeZone = p.timeZone
	}
	switch p.sensualOffered {
	case "":
	case "true", "1", "yes":
		s.SensualOffered = true
	case "false", "0", "no":
		s.SensualOffered = false
	default:
		return s, usageErrorf("--sensual-offered is true or false")
	}
	if p.followUpWindow != 0 {
		if p.followUpWindow%time.Hour != 0 {
			return s, usageErrorf("--follow-up-window is whole hours, e.g. 48h")
		}
		s.FollowUpWindowHours = int(p.followUpWindow / time.Hour)
	}
	s, err := app.CheckSettings(s)
	if err != nil {
		return s, usageErrorf("practice settings: %v", err)
	}
	return s, nil
}
