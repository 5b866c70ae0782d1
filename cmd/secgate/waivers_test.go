package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The README says exceptions apply to every policy, "yours included": with
// only a team's own policy (-p policy/, no builtin) they used to be dropped.
func TestExceptionsApplyWithUserPoliciesOnly(t *testing.T) {
	ex := examplesDir(t)
	code, d := checkJSON(t, "--now", "2026-01-01T00:00:00Z", "-c", filepath.Join(ex, "secgate-with-exceptions.yaml"),
		"-p", filepath.Join(ex, "policy"), filepath.Join(ex, "reports"))
	if code != 0 || d["decision"] != "pass" {
		t.Errorf("exit %d, decision %v, want a pass: the three waivers accept the three XSS findings\nviolations: %v", code, d["decision"], d["violations"])
	}
	if n := len(d["exceptions"].([]any)); n != 3 {
		t.Errorf("%d exceptions applied, want 3", n)
	}
	if got := policiesOf(d); !slices.Equal(got, []string{"main", "secgate.exceptions"}) {
		t.Errorf("policies %v, want main and secgate.exceptions", got)
	}

	// Expired, they no longer apply, and say so, with the team's policy alone.
	code, d = checkJSON(t, "--now", "2027-07-01T00:00:00Z", "-c", filepath.Join(ex, "secgate-with-exceptions.yaml"),
		"-p", filepath.Join(ex, "policy"), filepath.Join(ex, "reports"))
	if code != 1 || !strings.Contains(mustJSON(t, d["warnings"]), "exception for npm:1227 expired on 2027-06-30") {
		t.Errorf("exit %d, warnings %v: expired waivers must not apply and must warn", code, d["warnings"])
	}

	// Without exceptions configured, a team's policy runs alone.
	code, d = checkJSON(t, "--now", "2026-01-01T00:00:00Z", "-c", filepath.Join(ex, "secgate.yaml"),
		"-p", filepath.Join(ex, "policy"), filepath.Join(ex, "reports"))
	if code != 1 || !slices.Equal(policiesOf(d), []string{"main"}) {
		t.Errorf("exit %d, policies %v, want a failure from main alone", code, policiesOf(d))
	}
}
