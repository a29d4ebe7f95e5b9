package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestMailFlags: email is off by default and says so at start; a bad SMTP
// URL, a missing sender or a bad base URL is a usage error (exit 2).
func TestMailFlags(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  map[string]string
		want string // in the error; "" for none
	}{
		{map[string]string{"HOLDSPACE_SMTP_URL": "smtp://mail.example.org"}, "--mail-from"},
		{map[string]string{"HOLDSPACE_SMTP_URL": "ftp://mail.example.org", "HOLDSPACE_MAIL_FROM": "a@example.org"}, "--smtp-url"},
		{map[string]string{"HOLDSPACE_SMTP_URL": "smtp://mail.example.org", "HOLDSPACE_MAIL_FROM": "not an address"}, "--mail-from"},
		{map[string]string{"HOLDSPACE_BASE_URL": "practice.example.org"}, "--base-url"},
		{map[string]string{"HOLDSPACE_REMINDER_BEFORE": "-1h"}, "--reminder-before"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, testEnv(c.env), strings.NewReader(""), &bytes.Buffer{}, &stderr)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v (exit %d), want a usage error about %s", c.env, err, exitCode(err), c.want)
		}
	}
	var mf mailFlags
	mf.reminderBefore = 24 * time.Hour
	cfg, err := mf.config()
	if err != nil || cfg.Sender != nil {
		t.Fatalf("default: %+v, %v; want email off", cfg, err)
	}
	n := start(t, "", map[string]string{"HOLDSPACE_LOG_LEVEL": "info"}, "serve")
	if !strings.Contains(n.stderr.String(), "email is off") {
		t.Fatalf("no start line about email:\n%s", n.stderr.String())
	}
}
