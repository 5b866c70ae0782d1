package attest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/gate"
)

// premerge is examples/secgate-premerge.yaml, whose approval of axios
// applies to examples/next against examples/reports, with extra lines
// after the approval and a waiver of the jQuery advisory.
func premerge(t *testing.T, approvalExtra, exceptions string) *config.Config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "examples", "secgate-premerge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	yml := string(data) + approvalExtra + exceptions
	path := filepath.Join(t.TempDir(), "secgate.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// statementOf is the statement of `secgate check -c CONFIG --baseline
// examples/reports --now … examples/next`.
func statementOf(t *testing.T, c *config.Config) *Statement {
	t.Helper()
	at, _ := time.Parse(time.RFC3339, now)
	res, err := gate.Run(context.Background(), gate.Options{
		Reports:  []string{filepath.Join("..", "examples", "next")},
		Baseline: []string{filepath.Join("..", "examples", "reports")},
		Now:      at,
		Context:  document.Context{Now: now, NowSource: document.NowFlag},
		Policy:   gate.Policy{Config: c},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(res, Options{FailOn: gate.Fail, Config: c, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const waiver = "exceptions:\n  - id: npm:1518\n    reason: htmlPrefilter is never given user input\n    expires: 2027-06-30\n"

// The approvals and exceptions of a record carry their owner and ticket,
// and read back from a signed record the same.
func TestOwnerAndTicketRecorded(t *testing.T) {
	s := statementOf(t, premerge(t, "      owner: alice\n      ticket: SEC-12\n", waiver+"    owner: bob\n    ticket: https://tracker.example/SEC-13\n"))
	p := s.Predicate
	if len(p.Approvals) != 1 {
		t.Fatalf("approvals %+v, want axios's", p.Approvals)
	}
	if a := p.Approvals[0]; a.Match != "pkg:npm/axios" || a.Owner != "alice" || a.Ticket != "SEC-12" {
		t.Errorf("approval %+v, want owner alice, ticket SEC-12", a)
	}
	if len(p.Exceptions) == 0 {
		t.Fatal("no exception applied")
	}
	for _, x := range p.Exceptions {
		if x.Exception["owner"] != "bob" || x.Exception["ticket"] != "https://tracker.example/SEC-13" {
			t.Errorf("exception %v, want owner bob and its ticket", x.Exception)
		}
	}
	payload, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"reason":"HTTP client replacing request","owner":"alice","ticket":"SEC-12","components":["pkg:npm/axios@1.7.9"]`,
		`"owner":"bob"`, `"ticket":"https://tracker.example/SEC-13"`,
	} {
		if !strings.Contains(string(payload), want) {
			t.Errorf("statement lacks %s:\n%s", want, payload)
		}
	}
	kp := pair(t, "ES256")
	v, err := Verify(context.Background(), sign(t, s, kp.private, SignOptions{}), kp.public, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a := v.Statement.Predicate.Approvals[0]; a.Owner != "alice" || a.Ticket != "SEC-12" {
		t.Errorf("approval read back %+v", a)
	}
}

// Approvals and exceptions that name no owner or ticket are recorded as
// they were before owner and ticket could be given: no key, not even an
// empty one, so such a record keeps its bytes.
func TestNoOwnerNoKey(t *testing.T) {
	c := premerge(t, "", waiver)
	s := statementOf(t, c)
	if len(s.Predicate.Approvals) != 1 || len(s.Predicate.Exceptions) == 0 {
		t.Fatalf("approvals %+v exceptions %+v", s.Predicate.Approvals, s.Predicate.Exceptions)
	}
	payload, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(payload), `"owner"`) || strings.Contains(string(payload), `"ticket"`) {
		t.Errorf("a record without owners names one:\n%s", payload)
	}
	const want = `"approvals":[{"match":"pkg:npm/axios","approved_by":"security-team","expires":"2027-06-30","reason":"HTTP client replacing request","components":["pkg:npm/axios@1.7.9"]}]`
	if !strings.Contains(string(payload), want) {
		t.Errorf("approvals not as version 1 wrote them, want %s in:\n%s", want, payload)
	}
	again, err := statementOf(t, c).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(payload) {
		t.Error("two statements of one check differ")
	}
}

// A verifier refuses a signed record whose approval carries a field it
// does not know, as it refuses any unknown field: an owner is read, never
// an unknown key beside it.
func TestApprovalUnknownFieldRefused(t *testing.T) {
	kp := pair(t, "ES256")
	s := statementOf(t, premerge(t, "      owner: alice\n", ""))
	payload, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(string(payload), `"owner":"alice"`, `"owner":"alice","approved":true`, 1)
	if forged == string(payload) {
		t.Fatal("no owner in the statement")
	}
	_, err = Verify(context.Background(), resign(t, PayloadType, []byte(forged), kp.private), kp.public, VerifyOptions{})
	if err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("err = %v, want an unknown field refused", err)
	}
}
