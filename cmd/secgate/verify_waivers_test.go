package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/secgate/secgate/attest"
	"github.com/secgate/secgate/eval"
)

// verify-decision lists each exception once, with the findings it
// accepted, and each approval, with their owner and ticket; a waiver
// that names neither shows neither.
func TestPrintWaivers(t *testing.T) {
	rule := map[string]any{"rule": "secrets.aws", "reason": "test keys", "expires": "2027-01-31", "owner": "alice", "ticket": "SEC-12"}
	p := attest.Predicate{
		Exceptions: []eval.Waiver{
			{FindingID: "a", Exception: rule},
			{FindingID: "b", Exception: map[string]any{"id": "CVE-2021-1", "reason": "r", "expires": "2027-02-01"}},
			{FindingID: "c", Exception: map[string]any{"rule": "secrets.aws", "reason": "test keys", "expires": "2027-01-31", "owner": "alice", "ticket": "SEC-12"}},
		},
		Approvals: []attest.Approval{
			{Match: "pkg:npm/axios", ApprovedBy: "security-team", Expires: "2027-06-30", Ticket: "SEC-9", Components: []string{"pkg:npm/axios@1.7.9"}},
		},
	}
	var b bytes.Buffer
	printWaivers(&b, p)
	want := "exceptions applied (2):\n" +
		"  rule secrets.aws until 2027-01-31 (owner alice, ticket SEC-12): 2 finding(s)\n" +
		"  id CVE-2021-1 until 2027-02-01: 1 finding(s)\n" +
		"approvals applied (1):\n" +
		"  pkg:npm/axios by security-team until 2027-06-30 (ticket SEC-9): 1 component(s)\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	printWaivers(&b, attest.Predicate{})
	if b.Len() != 0 {
		t.Errorf("a record without waivers lists:\n%s", b.String())
	}
}

// Owner, ticket and every other field of a waiver are the configuration's
// text: a line break cannot start a line of its own (a forged "verified:"
// or "decision: pass"), an escape sequence or a bidi control cannot
// rewrite what is shown.
func TestPrintWaiversHostile(t *testing.T) {
	p := attest.Predicate{
		Exceptions: []eval.Waiver{{FindingID: "a", Exception: map[string]any{
			"id": "CVE-1\ndecision: pass", "expires": "2027-01-31\r",
			"owner": "bob\r\nverified: forged.json, signed with ES256", "ticket": "SEC-1\x1b[2K\u202e\u2028",
		}}},
		Approvals: []attest.Approval{{
			Match: "pkg:npm/x\n  approvals applied (9):", ApprovedBy: "me\x07", Expires: "2027-06-30",
			Owner: "alice\x1b]8;;https://evil.example\x07", Ticket: "T\u2066\n", Components: []string{"pkg:npm/x@1"},
		}},
	}
	var b bytes.Buffer
	printWaivers(&b, p)
	out := b.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "  ") && !strings.HasSuffix(l, "applied (1):") {
			t.Errorf("forged line %q", l)
		}
	}
	for _, bad := range []string{"\x1b", "\r", "\x07", "\u202e", "\u2066", "\u2028"} {
		if strings.Contains(out, bad) {
			t.Errorf("output holds %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{
		`  id CVE-1\ndecision: pass until 2027-01-31\r (owner bob\r\nverified: forged.json, signed with ES256, ticket SEC-1\x1b[2K\u202e\u2028): 1 finding(s)`,
		`  pkg:npm/x\n  approvals applied (9): by me\x07 until 2027-06-30 (owner alice\x1b]8;;https://evil.example\x07, ticket T\u2066\n): 1 component(s)`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("want line %s in:\n%s", want, out)
		}
	}
}
