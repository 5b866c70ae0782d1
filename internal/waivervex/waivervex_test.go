package waivervex

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openvex/go-vex/pkg/vex"
)

var now = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

func waiver(kv ...string) map[string]any {
	w := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		w[kv[i]] = kv[i+1]
	}
	return w
}

// A waiver with a justification says the product is not affected; one
// without accepts a risk, and says it is affected.
func TestStatusOfAWaiver(t *testing.T) {
	doc, skipped, err := Document([]any{
		waiver("id", "CVE-2021-23337", "reason", "template() is not used", "expires", "2027-03-31", "owner", "bob"),
		waiver("id", "GHSA-pfrx-2q88-qq97", "reason", "only the release script calls it", "expires", "2026-12-09",
			"owner", "alice", "ticket", "SEC-12", "justification", "vulnerable_code_cannot_be_controlled_by_adversary"),
	}, Options{Products: []string{"pkg:npm/app"}, Now: now})
	if err != nil || len(skipped) != 0 {
		t.Fatalf("err %v, skipped %v", err, skipped)
	}
	if len(doc.Statements) != 2 {
		t.Fatalf("%d statements", len(doc.Statements))
	}
	affected, notAffected := doc.Statements[0], doc.Statements[1]
	if affected.Vulnerability.Name != "CVE-2021-23337" || affected.Status != vex.StatusAffected ||
		affected.ActionStatement != "Risk accepted until 2027-03-31: template() is not used" || affected.Justification != "" ||
		affected.StatusNotes != "secgate.yaml exception, in force until 2027-03-31; owner bob" {
		t.Errorf("accepted risk: %+v", affected)
	}
	if notAffected.Status != vex.StatusNotAffected || notAffected.Justification != vex.VulnerableCodeCannotBeControlledByAdversary ||
		notAffected.ImpactStatement != "only the release script calls it" || notAffected.ActionStatement != "" ||
		notAffected.StatusNotes != "secgate.yaml exception, in force until 2026-12-09; owner alice, ticket SEC-12" {
		t.Errorf("not affected: %+v", notAffected)
	}
	for _, s := range doc.Statements {
		if len(s.Products) != 1 || s.Products[0].ID != "pkg:npm/app" {
			t.Errorf("%s: products %+v", s.Vulnerability.Name, s.Products)
		}
	}
	if doc.Timestamp == nil || !doc.Timestamp.Equal(now) || doc.Author != vex.DefaultAuthor || !strings.HasPrefix(doc.ID, vex.PublicNamespace+"/public/vex-") {
		t.Errorf("metadata: %+v", doc.Metadata)
	}
}

// Waivers by rule or purl, by a finding's fingerprint, expired ones and
// ones not in force are left out, each with why; one in force on its last
// day is stated.
func TestLeftOut(t *testing.T) {
	doc, skipped, err := Document([]any{
		waiver("rule", "go/sql-injection", "reason", "r", "expires", "2027-01-01"),
		waiver("purl", "pkg:npm/lodash@*", "reason", "r", "expires", "2027-01-01"),
		waiver("id", "b965729a2ae91af0da85", "reason", "r", "expires", "2027-01-01"),
		waiver("id", "CVE-2020-1", "reason", "r", "expires", "2026-12-03"),
		waiver("id", "CVE-2020-2", "expires", "2027-01-01"),
		waiver("id", "CVE-2020-3", "reason", "r", "expires", "2026-12-04"),
		"not a waiver",
	}, Options{Products: []string{"pkg:oci/app"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statements) != 1 || doc.Statements[0].Vulnerability.Name != "CVE-2020-3" {
		t.Errorf("statements %+v", doc.Statements)
	}
	want := []Skipped{
		{"rule go/sql-injection", "a waiver by rule or purl pattern names no vulnerability, which an OpenVEX statement must"},
		{"purl pkg:npm/lodash@*", "a waiver by rule or purl pattern names no vulnerability, which an OpenVEX statement must"},
		{"b965729a2ae91af0da85", "not a vulnerability id (CVE-, GHSA-, GO-, PYSEC-, RUSTSEC-, OSV- …): an OpenVEX statement names a vulnerability"},
		{"CVE-2020-1", "it expired on 2026-12-03"},
		{"CVE-2020-2", "it lacks a reason or an expires date, so it is not in force"},
	}
	if len(skipped) != len(want) {
		t.Fatalf("skipped %+v", skipped)
	}
	for i := range want {
		if skipped[i] != want[i] {
			t.Errorf("skipped[%d] = %+v, want %+v", i, skipped[i], want[i])
		}
	}
}

// Statements about no product are refused; with no statement to make, no
// product is needed.
func TestProductNeeded(t *testing.T) {
	_, _, err := Document([]any{waiver("id", "CVE-2021-1", "reason", "r", "expires", "2027-01-01")}, Options{Now: now, Products: []string{" "}})
	if !errors.Is(err, ErrNoProduct) {
		t.Errorf("err = %v, want ErrNoProduct", err)
	}
	doc, _, err := Document([]any{waiver("rule", "x", "reason", "r", "expires", "2027-01-01")}, Options{Now: now})
	if err != nil || len(doc.Statements) != 0 {
		t.Errorf("err %v, statements %d", err, len(doc.Statements))
	}
}

// The same waivers, options and time give the same bytes, whatever the
// order of waivers and products; another reason is another document.
func TestDeterministic(t *testing.T) {
	a := waiver("id", "CVE-2021-2", "reason", "r", "expires", "2027-01-01")
	b := waiver("id", "GHSA-aaaa-bbbb-cccc", "reason", "r", "expires", "2027-01-01", "justification", "component_not_present")
	encode := func(ws []any, products ...string) []byte {
		t.Helper()
		doc, _, err := Document(ws, Options{Products: products, Now: now, Tooling: "secgate test"})
		if err != nil {
			t.Fatal(err)
		}
		out, err := Encode(doc)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	one := encode([]any{a, b}, "pkg:npm/a", "pkg:npm/b")
	if two := encode([]any{b, a}, "pkg:npm/b", "pkg:npm/a", "pkg:npm/a"); !bytes.Equal(one, two) {
		t.Errorf("order changed the document:\n%s\n%s", one, two)
	}
	changed := waiver("id", "CVE-2021-2", "reason", "r2", "expires", "2027-01-01")
	if other := encode([]any{changed, b}, "pkg:npm/a", "pkg:npm/b"); bytes.Equal(one[:200], other[:200]) {
		t.Errorf("another reason kept the @id:\n%s", other[:200])
	}
}

func TestIsVulnerabilityID(t *testing.T) {
	for id, want := range map[string]bool{
		"CVE-2021-23337": true, "cve-2021-23337": true, "GHSA-pfrx-2q88-qq97": true, "GO-2022-0001": true,
		"PYSEC-2021-1": true, "RUSTSEC-2020-0001": true, "DSA-5417-1": true, "MAL-2023-1035": true,
		"CVE-": false, "go/sql-injection": false, "b965729a2ae91af0da85": false, "generic-api-key": false,
		"CVE-2021-1 extra": false, "CVE-2021-1\n": false, "B105": false,
	} {
		if got := IsVulnerabilityID(id); got != want {
			t.Errorf("IsVulnerabilityID(%q) = %v", id, got)
		}
	}
}
