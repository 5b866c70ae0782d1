package tickets

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/internal/par"
)

var testNow = time.Date(2026, 3, 10, 23, 30, 0, 0, time.FixedZone("EST", -5*3600)) // 2026-03-11 in UTC

func vuln(id, sev, purl, name, version string, fixed ...string) document.Finding {
	f := document.Finding{
		Kind: document.KindVulnerability, RuleID: id, Aliases: []string{}, Title: "Problem " + id,
		Severity: document.Severity(sev), FixedVersions: fixed, Status: document.StatusOpen,
		References: []string{"https://example.test/" + id},
		Package:    &document.Package{Name: name, Version: version, Purl: purl, Ecosystem: document.Ecosystem(purl), Path: "package-lock.json"},
	}
	if f.FixedVersions == nil {
		f.FixedVersions = []string{}
	}
	f.CVSS = &document.CVSS{Version: "3.1", Score: map[string]float64{"critical": 9.8, "high": 7.5, "medium": 5.0, "low": 2.0}[sev]}
	f.ID = document.Fingerprint(&f)
	return f
}

func codeFinding(kind document.Kind, rule, sev, path string, line int) document.Finding {
	f := document.Finding{
		Kind: kind, RuleID: rule, Title: "Rule " + rule, Description: "Untrusted input reaches a query.",
		Severity: document.Severity(sev), Status: document.StatusOpen, CWE: []string{"CWE-89"},
		Aliases: []string{}, FixedVersions: []string{}, References: []string{},
		Location: &document.Location{Path: path, StartLine: line},
		// Findings of one rule in one file are told apart by their place
		// in it, which Document.Add numbers; the line stands for it here.
		Occurrence: line,
	}
	f.ID = document.Fingerprint(&f)
	return f
}

// result is a document and the violations the policies found on it.
type result struct {
	Document   *document.Document
	Violations []eval.Message
}

func (r *result) build(opts Options) []Ticket { return Build(r.Document, r.Violations, opts) }

// fixture is a hand-made document and decision: vulnerabilities in four
// packages, code findings, a secret, a licence and a dependency violation,
// a policy message, and a finding no violation names.
func fixture() *result {
	doc := document.New()
	doc.Findings = []document.Finding{
		vuln("CVE-2021-0001", "critical", "pkg:npm/minimist@1.2.0", "minimist", "1.2.0", "1.2.5"),
		vuln("CVE-2021-0002", "high", "pkg:npm/minimist@1.2.0", "minimist", "1.2.0", "1.3.0"),
		vuln("CVE-2021-0003", "high", "pkg:npm/minimist@1.2.0", "minimist", "1.2.0"),
		vuln("CVE-2022-0010", "medium", "pkg:npm/foo@1.8.0", "foo", "1.8.0", "1.9.0"),
		vuln("CVE-2022-0011", "low", "pkg:npm/foo@1.8.0", "foo", "1.8.0", "1.10.0"),
		vuln("CVE-2021-23337", "high", "pkg:npm/lodash@4.17.20", "lodash", "4.17.20", "3.10.2", "4.17.21"),
		vuln("CVE-2023-0500", "high", "pkg:deb/debian/openssl@1.1.1n-0+deb11u3", "openssl", "1.1.1n-0+deb11u3", "1.1.1n-0+deb11u4"),
		vuln("CVE-2023-0501", "high", "pkg:deb/debian/openssl@1.1.1n-0+deb11u3", "openssl", "1.1.1n-0+deb11u3", "1.1.1w-0+deb11u1"),
		codeFinding(document.KindCode, "go/sql-injection", "high", "api/user.go", 42),
		codeFinding(document.KindCode, "go/sql-injection", "high", "api/user.go", 7),
		codeFinding(document.KindCode, "go/sql-injection", "high", "api/order.go", 3),
		codeFinding(document.KindSecret, "aws-access-key-id", "critical", "config/prod.env", 3),
		codeFinding(document.KindCode, "go/unused", "low", "api/user.go", 1), // named by no violation
	}
	doc.Components = []document.Component{
		{BOMRef: "app", Name: "app", Version: "1.0.0", DependsOn: []string{"express", "lodash"}},
		{BOMRef: "express", Name: "express", Version: "4.0.0", Purl: "pkg:npm/express@4.0.0", Direct: true, DependsOn: []string{"minimist"}},
		{BOMRef: "mocha", Name: "mocha", Version: "10.0.0", Purl: "pkg:npm/mocha@10.0.0", Direct: true, DependsOn: []string{"minimist"}},
		{BOMRef: "minimist", Name: "minimist", Version: "1.2.0", Purl: "pkg:npm/minimist@1.2.0", DependsOn: []string{}},
		{BOMRef: "lodash", Name: "lodash", Version: "4.17.20", Purl: "pkg:npm/lodash@4.17.20", Direct: true, DependsOn: []string{}},
		{BOMRef: "gpl", Name: "gpl-thing", Version: "1.0.0", Purl: "pkg:npm/gpl-thing@1.0.0", Licenses: []string{"GPL-3.0-only"}, Direct: true, DependsOn: []string{}},
		{BOMRef: "axios", Name: "axios", Version: "1.6.0", Purl: "pkg:npm/axios@1.6.0", Direct: true, DependsOn: []string{}},
	}
	var ids []string
	var violations []eval.Message
	for _, f := range doc.Findings {
		if f.RuleID == "go/unused" {
			continue
		}
		ids = append(ids, f.ID)
		if f.Severity.Rank() >= document.SeverityHigh.Rank() {
			violations = append(violations, eval.Message{
				Policy: "secgate.thresholds", Rule: "deny", Msg: string(f.Severity) + " finding " + f.RuleID,
				Severity: string(f.Severity), FindingIDs: []string{f.ID}, Components: []string{},
				Remediation: "fix " + f.RuleID,
			})
		}
	}
	violations = append(violations,
		eval.Message{Policy: "secgate.thresholds", Rule: "deny", Msg: "12 open findings, more than the 10 allowed", Severity: "medium", FindingIDs: ids, Components: []string{}},
		eval.Message{Policy: "secgate.thresholds", Rule: "deny", Msg: "known exploited vulnerability (CISA KEV): CVE-2021-23337", Severity: "critical",
			FindingIDs: []string{doc.Findings[5].ID}, Components: []string{"pkg:npm/lodash@4.17.20"}},
		eval.Message{Policy: "secgate.licenses", Rule: "deny", Msg: "pkg:npm/gpl-thing@1.0.0 is licensed GPL-3.0-only, which needs a denied licence (GPL-3.0-only)",
			Severity: "high", FindingIDs: []string{}, Components: []string{"pkg:npm/gpl-thing@1.0.0"}, Remediation: "replace pkg:npm/gpl-thing@1.0.0, or get legal approval and waive it"},
		eval.Message{Policy: "secgate.dependencies", Rule: "deny", Msg: "new dependency pkg:npm/axios@1.6.0 is not approved",
			Severity: "high", FindingIDs: []string{}, Components: []string{"pkg:npm/axios@1.6.0"}},
		eval.Message{Policy: "main", Rule: "deny", Msg: "the image must not run as root", Severity: "medium", FindingIDs: []string{}, Components: []string{}},
	)
	doc.Summary = document.Summarize(doc)
	return &result{Violations: violations, Document: doc}
}

func byTitlePrefix(t *testing.T, ts []Ticket, prefix string) Ticket {
	t.Helper()
	var found []Ticket
	for _, tk := range ts {
		if strings.HasPrefix(tk.Title, prefix) {
			found = append(found, tk)
		}
	}
	if len(found) != 1 {
		var titles []string
		for _, tk := range ts {
			titles = append(titles, tk.Title)
		}
		t.Fatalf("want one ticket titled %q…, got %d among:\n%s", prefix, len(found), strings.Join(titles, "\n"))
	}
	return found[0]
}

func TestBuildGroupsByAction(t *testing.T) {
	ts := fixture().build(Options{Now: testNow})
	var titles []string
	for _, tk := range ts {
		titles = append(titles, tk.Severity+" | "+tk.Title)
	}
	// Worst first: by severity, then by the worst finding each fixes
	// (document.WorstFirst), then by title. The lodash vulnerability is
	// high, but the KEV violation about it alone makes its ticket
	// critical; the violation about all findings at once (medium) raises
	// nothing. Tickets without findings come after those with.
	want := []string{
		"critical | Upgrade minimist 1.2.0 to 1.3.0 (3 vulnerabilities: 1 critical, 2 high; 1 without a fix)",
		"critical | Revoke the secret aws-access-key-id in config/prod.env",
		"critical | Upgrade lodash 4.17.20 to 4.17.21 (CVE-2021-23337, high)",
		"high | Upgrade openssl 1.1.1n-0+deb11u3 to 1.1.1w-0+deb11u1 (2 vulnerabilities: 2 high)",
		"high | Fix go/sql-injection in api/user.go (2 places)",
		"high | Fix go/sql-injection in api/order.go:3",
		"high | Approve or remove the new dependency pkg:npm/axios@1.6.0",
		"high | Licence: pkg:npm/gpl-thing@1.0.0 is GPL-3.0-only",
		"medium | Upgrade foo 1.8.0 to 1.10.0 (2 vulnerabilities: 1 medium, 1 low)",
		"medium | the image must not run as root",
	}
	if diff := cmp.Diff(want, titles); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}

	// At most one ticket per package to upgrade, and every violating
	// vulnerability in exactly one ticket.
	perPackage := map[string]int{}
	perFinding := map[string]int{}
	for _, tk := range ts {
		if tk.Package != nil {
			perPackage[tk.Package.Purl]++
		}
		for _, id := range tk.FindingIDs {
			perFinding[id]++
		}
	}
	for p, n := range perPackage {
		if n != 1 {
			t.Errorf("%s has %d upgrade tickets, want 1", p, n)
		}
	}
	doc := fixture().Document
	for _, f := range doc.Findings {
		want := 1
		if f.RuleID == "go/unused" {
			want = 0 // no violation names it
		}
		if perFinding[f.ID] != want {
			t.Errorf("finding %s (%s) is in %d tickets, want %d", f.RuleID, f.ID, perFinding[f.ID], want)
		}
	}
}

func TestUpgradeTicket(t *testing.T) {
	ts := fixture().build(Options{Now: testNow})

	mm := byTitlePrefix(t, ts, "Upgrade minimist")
	if mm.Package == nil {
		t.Fatal("no package on an upgrade")
	}
	yes, no := true, false
	wantPkg := &Package{
		Name: "minimist", Version: "1.2.0", Ecosystem: "npm", Purl: "pkg:npm/minimist@1.2.0",
		FixedVersion: "1.3.0", FixedVersions: []string{}, Unfixed: []string{"CVE-2021-0003"},
		Direct: &no, Via: []string{"pkg:npm/express@4.0.0", "pkg:npm/mocha@10.0.0"},
	}
	if diff := cmp.Diff(wantPkg, mm.Package); diff != "" {
		t.Errorf("minimist package (-want +got):\n%s", diff)
	}
	if mm.Kind != KindVulnerability || mm.Priority != "P1" || len(mm.FindingIDs) != 3 || !worstFirst(fixture().Document, mm.FindingIDs) {
		t.Errorf("minimist: kind %s priority %s ids %v", mm.Kind, mm.Priority, mm.FindingIDs)
	}
	for _, want := range []string{
		"| [CVE-2021-0001](https://example.test/CVE-2021-0001) | critical | 9.8 (v3.1) | 1.2.5 | Problem CVE-2021-0001 |",
		"| [CVE-2021-0003](https://example.test/CVE-2021-0003) | high | 7.5 (v3.1) | no fix known |",
		"Upgrade `minimist` from 1.2.0 to **1.3.0** or later",
		"It is a transitive dependency, pulled in by `pkg:npm/express@4.0.0`, `pkg:npm/mocha@10.0.0`.",
		"No fixed version is known for `CVE-2021-0003`",
		"- `package-lock.json`",
		Marker(mm.Fingerprint),
		"**Due:** 2026-03-18 · severity critical · priority P1 · SLA 7 days",
	} {
		if !strings.Contains(mm.Body, want) {
			t.Errorf("minimist body lacks %q:\n%s", want, mm.Body)
		}
	}

	// 1.10.0 > 1.9.0 in semver, not in string order.
	foo := byTitlePrefix(t, ts, "Upgrade foo")
	if foo.Package.FixedVersion != "1.10.0" {
		t.Errorf("foo: fixed version %q, want 1.10.0", foo.Package.FixedVersion)
	}
	// Of 3.10.2 and 4.17.21, only 4.17.21 is above the installed 4.17.20.
	lo := byTitlePrefix(t, ts, "Upgrade lodash")
	if lo.Package.FixedVersion != "4.17.21" || lo.Package.Direct == nil || *lo.Package.Direct != yes {
		t.Errorf("lodash: %+v", lo.Package)
	}
	// The KEV violation about the lodash finding alone raises it to critical.
	if lo.Severity != "critical" {
		t.Errorf("lodash severity %s, want critical (raised by the KEV violation)", lo.Severity)
	}
	if !strings.Contains(lo.Body, "npm install lodash@4.17.21") {
		t.Errorf("lodash body has no install hint:\n%s", lo.Body)
	}
	// Debian versions are ordered as Debian orders them.
	ssl := byTitlePrefix(t, ts, "Upgrade openssl")
	if ssl.Package.FixedVersion != "1.1.1w-0+deb11u1" || len(ssl.Package.FixedVersions) != 0 || len(ssl.Package.Unfixed) != 0 {
		t.Errorf("openssl: %+v", ssl.Package)
	}
	if ssl.Package.Direct != nil {
		t.Errorf("openssl: no component is the package, yet direct = %v", *ssl.Package.Direct)
	}
}

func TestOtherTickets(t *testing.T) {
	ts := fixture().build(Options{Now: testNow, Labels: []string{"security", "secgate"}})

	code := byTitlePrefix(t, ts, "Fix go/sql-injection in api/user.go")
	if !strings.Contains(code.Body, "- `api/user.go:7`\n- `api/user.go:42`") {
		t.Errorf("code body lists places out of order:\n%s", code.Body)
	}
	if !slices.Equal(code.Labels, []string{"security", "secgate", "severity:high", "kind:code"}) {
		t.Errorf("labels %v", code.Labels)
	}
	if !strings.Contains(code.Body, "[CWE-89](https://cwe.mitre.org/data/definitions/89.html)") || !strings.Contains(code.Body, "- Fix go/sql-injection.") {
		t.Errorf("code body:\n%s", code.Body)
	}

	sec := byTitlePrefix(t, ts, "Revoke the secret")
	if sec.Kind != KindSecret || sec.Priority != "P1" || len(sec.FindingIDs) != 1 || !strings.Contains(sec.Body, "`config/prod.env:3`") {
		t.Errorf("secret ticket: %+v", sec)
	}

	lic := byTitlePrefix(t, ts, "Licence:")
	if lic.Kind != KindLicense || !slices.Equal(lic.Components, []string{"pkg:npm/gpl-thing@1.0.0"}) || len(lic.FindingIDs) != 0 ||
		!strings.Contains(lic.Body, "Replace pkg:npm/gpl-thing@1.0.0, or get legal approval and waive it.") {
		t.Errorf("licence ticket: %+v", lic)
	}
	dep := byTitlePrefix(t, ts, "Approve or remove")
	if dep.Kind != KindDependency || dep.Due != "2026-04-10" || !strings.Contains(dep.Body, `- match: "pkg:npm/axios@1.6.0"`) {
		t.Errorf("dependency ticket: %+v", dep)
	}
	pol := byTitlePrefix(t, ts, "the image must not run as root")
	if pol.Kind != KindPolicy || pol.Priority != "P3" || !slices.Equal(pol.Policies, []string{"main"}) {
		t.Errorf("policy ticket: %+v", pol)
	}
}

// A dependency change other than an addition (an upgrade that
// require_approval_for asks approval for) reads as a change, not as a new
// dependency.
func TestDependencyChangeTicket(t *testing.T) {
	doc := document.New()
	doc.Components = []document.Component{{Name: "redux", Version: "4.2.1", Purl: "pkg:npm/redux@4.2.1", Change: document.ChangeUpgraded, PreviousVersion: "4.0.1"}}
	doc.Summary = document.Summarize(doc)
	ts := Build(doc, []eval.Message{{
		Policy: "secgate.dependencies", Rule: "deny", Msg: "upgrade of pkg:npm/redux from 4.0.1 to 4.2.1 is not approved",
		Severity: "high", FindingIDs: []string{}, Components: []string{"pkg:npm/redux@4.2.1"},
	}}, Options{Now: testNow})
	if len(ts) != 1 {
		t.Fatalf("want one ticket, got %d", len(ts))
	}
	tk := ts[0]
	if tk.Kind != KindDependency || tk.Title != "Approve or undo the change of pkg:npm/redux@4.2.1" {
		t.Errorf("ticket: %+v", tk)
	}
	if strings.Contains(tk.Body, "new dependency") || !strings.Contains(tk.Body, "`pkg:npm/redux@4.2.1` changed since the baseline") ||
		!strings.Contains(tk.Body, "upgrade of pkg:npm/redux from 4.0.1 to 4.2.1 is not approved") {
		t.Errorf("body:\n%s", tk.Body)
	}
}

func TestDueDatesFromSLA(t *testing.T) {
	tests := []struct {
		name string
		sla  map[string]int
		want map[string]string // severity -> due
	}{
		{"defaults", nil, map[string]string{"critical": "2026-03-18", "high": "2026-04-10", "medium": "2026-06-09"}},
		{"configured", map[string]int{"critical": 1, "high": 14}, map[string]string{"critical": "2026-03-12", "high": "2026-03-25", "medium": "2026-06-09"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, tk := range fixture().build(Options{Now: testNow, SLADays: tt.sla}) {
				if want, ok := tt.want[tk.Severity]; ok && tk.Due != want {
					t.Errorf("%s ticket %q: due %s, want %s", tk.Severity, tk.Title, tk.Due, want)
				}
				due, sev, ok := DueOf(tk.Body)
				if !ok || due != tk.Due || sev != tk.Severity {
					t.Errorf("%q: due line says %s %s %v; ticket says %s %s", tk.Title, due, sev, ok, tk.Due, tk.Severity)
				}
			}
		})
	}
	// A low or unknown severity takes 180 days by default.
	r := fixture()
	r.Violations = []eval.Message{{Policy: "p", Msg: "something", FindingIDs: []string{}, Components: []string{}}}
	ts := r.build(Options{Now: testNow})
	if len(ts) != 1 || ts[0].Severity != "unknown" || ts[0].Priority != "P4" || ts[0].Due != "2026-09-07" {
		t.Errorf("unknown severity ticket: %+v", ts)
	}
}

// shuffled returns a deep copy of r with findings, components,
// violations and the lists inside them in random order.
func shuffled(t *testing.T, r *result, rng *rand.Rand) *result {
	t.Helper()
	raw, err := json.Marshal(r.Document)
	if err != nil {
		t.Fatal(err)
	}
	doc := document.New()
	if err := json.Unmarshal(raw, doc); err != nil {
		t.Fatal(err)
	}
	raw, err = json.Marshal(r.Violations)
	if err != nil {
		t.Fatal(err)
	}
	d := &result{Document: doc}
	if err := json.Unmarshal(raw, &d.Violations); err != nil {
		t.Fatal(err)
	}
	mix := func(n int, swap func(i, j int)) { rng.Shuffle(n, swap) }
	mix(len(doc.Findings), func(i, j int) { doc.Findings[i], doc.Findings[j] = doc.Findings[j], doc.Findings[i] })
	mix(len(doc.Components), func(i, j int) { doc.Components[i], doc.Components[j] = doc.Components[j], doc.Components[i] })
	for i := range doc.Findings {
		f := &doc.Findings[i]
		mix(len(f.FixedVersions), func(i, j int) { f.FixedVersions[i], f.FixedVersions[j] = f.FixedVersions[j], f.FixedVersions[i] })
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		mix(len(c.DependsOn), func(i, j int) { c.DependsOn[i], c.DependsOn[j] = c.DependsOn[j], c.DependsOn[i] })
	}
	mix(len(d.Violations), func(i, j int) { d.Violations[i], d.Violations[j] = d.Violations[j], d.Violations[i] })
	for i := range d.Violations {
		v := &d.Violations[i]
		mix(len(v.FindingIDs), func(i, j int) { v.FindingIDs[i], v.FindingIDs[j] = v.FindingIDs[j], v.FindingIDs[i] })
	}
	return d
}

func TestStableWhateverTheOrder(t *testing.T) {
	base := fixture()
	want := base.build(Options{Now: testNow})
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 30 {
		got := shuffled(t, base, rng).build(Options{Now: testNow})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("shuffle %d changed the tickets (-want +got):\n%s", i, diff)
		}
	}
	// Another day, other report paths: same fingerprints.
	moved := shuffled(t, base, rng)
	moved.Document.Sources = []document.Source{{Path: "/elsewhere/report.json", Format: "grype"}}
	later := moved.build(Options{Now: testNow.Add(72 * time.Hour)})
	for i := range want {
		if later[i].Fingerprint != want[i].Fingerprint {
			t.Errorf("%q: fingerprint changed with the run's time and paths", want[i].Title)
		}
	}
}

func TestChooseFix(t *testing.T) {
	tests := []struct {
		name, eco, installed string
		fixed                [][]string
		want                 string
		candidates           []string
	}{
		{"max of lowest fixes", "npm", "1.2.0", [][]string{{"1.2.5"}, {"1.3.0"}}, "1.3.0", nil},
		{"semver not string order", "npm", "1.8.0", [][]string{{"1.9.0"}, {"1.10.0"}}, "1.10.0", nil},
		{"lowest fix of each vuln", "npm", "1.0.0", [][]string{{"2.0.0", "1.5.0"}, {"1.4.0"}}, "1.5.0", nil},
		{"fix on another release line skipped", "npm", "4.17.20", [][]string{{"3.10.2", "4.17.21"}}, "4.17.21", nil},
		{"pre-release below release", "cargo", "0.9.0", [][]string{{"1.0.0-rc.1"}, {"1.0.0"}}, "1.0.0", nil},
		{"go with v prefix", "golang", "v0.1.0", [][]string{{"v0.3.0"}, {"v0.10.0"}}, "v0.10.0", nil},
		{"operators stripped", "pypi", "2.0", [][]string{{">=2.31.0"}, {"2.4"}}, "2.31.0", nil},
		{"pypi pre-release below release", "pypi", "1.0", [][]string{{"1.1rc1"}, {"1.1"}}, "1.1", nil},
		{"pypi pre-release above older release", "pypi", "1.0", [][]string{{"1.1rc1"}, {"1.0.1"}}, "1.1rc1", nil},
		{"deb in Debian order", "deb", "1.0-1", [][]string{{"1.0-2"}, {"1.0-10"}}, "1.0-10", nil},
		{"deb epoch", "debian", "1.0-1", [][]string{{"1:0.9-1"}, {"2.0-1"}}, "1:0.9-1", nil},
		{"apk in apk order", "apk", "1.0-r1", [][]string{{"1.0-r9"}, {"1.0-r10"}}, "1.0-r10", nil},
		{"apk pre-release below release", "alpine", "0.9-r0", [][]string{{"1.0_rc1-r0"}, {"1.0-r0"}}, "1.0-r0", nil},
		{"maven qualifiers", "maven", "1.0", [][]string{{"2.0.0.RELEASE"}, {"2.0.0-M1"}}, "2.0.0.RELEASE", nil},
		{"version the order cannot read", "apk", "1.0-r1", [][]string{{"1.0-r2"}, {"latest"}}, "", []string{"1.0-r2", "latest"}},
		{"numeric only for composer", "composer", "1.0", [][]string{{"1.1-beta"}, {"1.2"}}, "", []string{"1.1-beta", "1.2"}},
		{"one candidate needs no order", "deb", "1.0-1", [][]string{{"1.0-2"}, {"1.0-2"}}, "1.0-2", nil},
		{"none known", "npm", "1.0.0", [][]string{{}, {""}}, "", nil},
		{"unknown ecosystem", "", "1", [][]string{{"2"}, {"3"}}, "", []string{"2", "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := chooseFix(tt.eco, tt.installed, tt.fixed)
			if got.Version != tt.want || !slices.Equal(got.Candidates, tt.candidates) {
				t.Errorf("chooseFix = %q %v, want %q %v", got.Version, got.Candidates, tt.want, tt.candidates)
			}
		})
	}
}

// buildAllViolating builds the tickets of doc when one violation names
// all its findings.
func buildAllViolating(doc *document.Document) []Ticket {
	ids := []string{}
	for _, f := range doc.Findings {
		ids = append(ids, f.ID)
	}
	doc.Summary = document.Summarize(doc)
	return Build(doc, []eval.Message{{
		Policy: "secgate.thresholds", Rule: "deny", Msg: "high findings", Severity: "high", FindingIDs: ids, Components: []string{},
	}}, Options{Now: testNow})
}

// TestFixTargetInEcosystemOrder: the upgrade ticket of an apk, a Debian
// and a PyPI package names the fix target its ecosystem's own order gives,
// where string or semver order would pick another or none (1.36.1-r9 sorts
// above -r10 as a string; Debian's u10 above u4 only numerically; a
// pre-release is older than its release).
func TestFixTargetInEcosystemOrder(t *testing.T) {
	doc := document.New()
	doc.Findings = []document.Finding{
		vuln("CVE-2024-0001", "high", "pkg:apk/alpine/busybox@1.36.1-r5", "busybox", "1.36.1-r5", "1.36.1-r9"),
		vuln("CVE-2024-0002", "high", "pkg:apk/alpine/busybox@1.36.1-r5", "busybox", "1.36.1-r5", "1.36.1-r10"),
		vuln("CVE-2024-0003", "high", "pkg:deb/debian/libc6@2.36-9+deb12u3", "libc6", "2.36-9+deb12u3", "2.36-9+deb12u4"),
		vuln("CVE-2024-0004", "high", "pkg:deb/debian/libc6@2.36-9+deb12u3", "libc6", "2.36-9+deb12u3", "2.36-9+deb12u10"),
		vuln("CVE-2024-0005", "high", "pkg:pypi/django@4.2", "django", "4.2", "5.0rc1"),
		vuln("CVE-2024-0006", "high", "pkg:pypi/django@4.2", "django", "4.2", "5.0"),
	}
	ts := buildAllViolating(doc)
	tests := []struct{ prefix, target, hint string }{
		{"Upgrade busybox", "1.36.1-r10", "apk upgrade busybox"},
		{"Upgrade libc6", "2.36-9+deb12u10", "apt-get install --only-upgrade libc6"},
		{"Upgrade django", "5.0", ""},
	}
	for _, tt := range tests {
		tk := byTitlePrefix(t, ts, tt.prefix)
		if tk.Package.FixedVersion != tt.target || len(tk.Package.FixedVersions) != 0 {
			t.Errorf("%s: target %q candidates %v, want %q", tt.prefix, tk.Package.FixedVersion, tk.Package.FixedVersions, tt.target)
		}
		if !strings.Contains(tk.Title, " to "+tt.target+" (") || strings.Contains(tk.Body, "does not order") {
			t.Errorf("%s: title %q, body:\n%s", tt.prefix, tk.Title, tk.Body)
		}
		if tt.hint != "" && !strings.Contains(tk.Body, tt.hint) {
			t.Errorf("%s: body has no %q:\n%s", tt.prefix, tt.hint, tk.Body)
		}
	}
}

// TestCandidatesSayWhy: when an ordered ecosystem's fixed versions do not
// all parse, the ticket says so rather than that the ecosystem is not
// ordered; an ecosystem without an order says that.
func TestCandidatesSayWhy(t *testing.T) {
	tests := []struct{ purl, name, version, want string }{
		{"pkg:apk/alpine/busybox@1.36.1-r5", "busybox", "1.36.1-r5", "not all of them are apk versions secgate can read"},
		{"pkg:conda/numpy@1.0", "numpy", "1.0", "secgate does not order conda versions"},
	}
	for _, tt := range tests {
		doc := document.New()
		doc.Findings = []document.Finding{
			vuln("CVE-2024-0001", "high", tt.purl, tt.name, tt.version, "2.0-r0"),
			vuln("CVE-2024-0002", "high", tt.purl, tt.name, tt.version, "latest"),
		}
		tk := byTitlePrefix(t, buildAllViolating(doc), "Upgrade "+tt.name)
		if !strings.Contains(tk.Body, tt.want) {
			t.Errorf("%s: body lacks %q:\n%s", tt.name, tt.want, tk.Body)
		}
	}
}

func TestUntrustedTextCannotForgeMarker(t *testing.T) {
	r := fixture()
	forged := Marker(strings.Repeat("a", 64))
	for i := range r.Document.Findings {
		r.Document.Findings[i].Description = "evil " + forged + " ping @octocat"
		r.Document.Findings[i].Title = "<script>x</script> @octocat"
	}
	for _, tk := range r.build(Options{Now: testNow}) {
		fp, ok := FingerprintOf(tk.Body)
		if !ok || fp != tk.Fingerprint {
			t.Errorf("%q: marker says %q, want %q", tk.Title, fp, tk.Fingerprint)
		}
		if strings.Contains(tk.Body, "@octocat") || strings.Contains(tk.Body, "<script>") {
			t.Errorf("%q: body carries a mention or HTML:\n%s", tk.Title, tk.Body)
		}
	}
}

func TestDueHelpers(t *testing.T) {
	body := "## x\n\n" + dueLine("2026-01-01", "high", "P2", 30) + "\n\nrest\n"
	if due, sev, ok := DueOf(body); !ok || due != "2026-01-01" || sev != "high" {
		t.Errorf("DueOf = %s %s %v", due, sev, ok)
	}
	if got := WithDue(body, "2025-12-24"); got != strings.Replace(body, "2026-01-01", "2025-12-24", 1) {
		t.Errorf("WithDue:\n%s", got)
	}
	if got := WithDue("no due line", "2025-12-24"); got != "no due line" {
		t.Errorf("WithDue without a due line changed the body: %q", got)
	}
}

func TestWriteDirAndLoad(t *testing.T) {
	ts := fixture().build(Options{Now: testNow})
	dir := filepath.Join(t.TempDir(), "out", "tickets")
	stale := filepath.Join(dir, "0123456789ab-old-ticket.md")
	mine := filepath.Join(dir, "notes.md")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{stale, mine} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteDir(dir, ts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a ticket file of an earlier run was kept: %v", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file that is not a ticket was removed: %v", err)
	}
	for _, tk := range ts {
		name := FileName(tk)
		if !strings.HasPrefix(name, tk.Fingerprint[:12]+"-") || !ticketFileRE.MatchString(name) {
			t.Errorf("file name %q", name)
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(b) != tk.Body {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got := FileName(Ticket{Fingerprint: "abcdef0123456789", Title: "Upgrade lodash 4.17.20 to 4.17.21 (3 vulnerabilities: 1 critical, 2 high)"}); got != "abcdef012345-upgrade-lodash-4-17-20-to-4-17-21-3-vulnerabilities-1.md" {
		t.Errorf("FileName = %q", got)
	}
	raw, err := os.ReadFile(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(raw), "[\n  {\n") || strings.Contains(string(raw), `\u003c`) {
		t.Errorf("tickets.json is not an indented array with readable markers:\n%.200s", raw)
	}
	back, err := Load(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ts, back); diff != "" {
		t.Errorf("Load(WriteDir) (-want +got):\n%s", diff)
	}
	// A decision printed by `check -o json` carries the tickets too.
	dec, _ := json.Marshal(map[string]any{"decision": "fail", "tickets": ts})
	if got, err := Parse(dec); err != nil || len(got) != len(ts) {
		t.Errorf("Parse(decision) = %d tickets, %v", len(got), err)
	}
	// No tickets: an empty array.
	empty := t.TempDir()
	if err := WriteDir(empty, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(filepath.Join(empty, JSONFile)); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Load(empty) = %v, %v", got, err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.json"), "nope.json: no such file"},
		{"malformed", write("bad.json", "[\n  {\"fingerprint\": }\n]"), "bad.json: line 2, column"},
		{"not tickets", write("obj.json", `{"decision": "pass"}`), "not a tickets file"},
		{"wrong type", write("num.json", `42`), "not a tickets file"},
		{"no fingerprint", write("nofp.json", `[{"title": "x"}]`), "ticket 0: no fingerprint"},
		{"no title", write("notitle.json", `[{"fingerprint": "ab"}]`), "ticket 0 (ab): no title"},
		{"duplicate", write("dup.json", `[{"fingerprint": "ab", "title": "x"}, {"fingerprint": "ab", "title": "y"}]`), "tickets 0 and 1 have the same fingerprint ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "tickets ") {
				t.Errorf("Load error = %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestSLAFromConfig(t *testing.T) {
	got, err := SLAFromConfig(map[string]any{"tickets": map[string]any{"sla_days": map[string]any{"critical": 3, "high": float64(10)}}})
	if err != nil || got["critical"] != 3 || got["high"] != 10 || got["medium"] != 90 || got["unknown"] != 180 {
		t.Errorf("SLAFromConfig = %v, %v", got, err)
	}
	if got, err := SLAFromConfig(nil); err != nil || got["critical"] != 7 {
		t.Errorf("SLAFromConfig(nil) = %v, %v", got, err)
	}
	for _, bad := range []any{map[string]any{"urgent": 1}, map[string]any{"high": -1}, map[string]any{"high": 1.5}, map[string]any{"high": "7"}, "7"} {
		if _, err := SLAFromConfig(map[string]any{"tickets": map[string]any{"sla_days": bad}}); err == nil {
			t.Errorf("SLAFromConfig(%v): no error", bad)
		}
	}
}

func TestNoDecisionNoTickets(t *testing.T) {
	if ts := Build(nil, nil, Options{}); ts == nil || len(ts) != 0 {
		t.Errorf("Build(nil, nil) = %v", ts)
	}
	r := fixture()
	r.Violations = nil
	if ts := r.build(Options{}); len(ts) != 0 {
		t.Errorf("no violations, yet %d tickets", len(ts))
	}
}

func TestBodyFitsAnIssue(t *testing.T) {
	doc := document.New()
	var vs []eval.Message
	for i := range 400 {
		f := vuln(fmt.Sprintf("CVE-2020-%05d", i), "high", "pkg:npm/big@1.0.0", "big", "1.0.0", "2.0.0")
		f.Title = strings.Repeat("long title ", 100)
		doc.Findings = append(doc.Findings, f)
		vs = append(vs, eval.Message{Policy: "secgate.thresholds", Msg: f.RuleID + strings.Repeat(" very long message", 40), Severity: "high", FindingIDs: []string{f.ID}})
	}
	ts := (&result{Violations: vs, Document: doc}).build(Options{Now: testNow})
	if len(ts) != 1 || len(ts[0].FindingIDs) != 400 {
		t.Fatalf("%d tickets", len(ts))
	}
	body := ts[0].Body
	if len(body) >= 65536 || !strings.HasSuffix(body, Marker(ts[0].Fingerprint)+"\n") || !strings.Contains(body, "… and 300 more") {
		t.Errorf("body of %d bytes; ends %q", len(body), body[max(0, len(body)-200):])
	}
	if _, _, ok := DueOf(body); !ok {
		t.Error("the due line was cut")
	}
}

// manyPackages is a result with one vulnerability in each of n packages,
// all in an SBOM, and one violation naming every finding.
func manyPackages(n int) *result {
	doc := document.New()
	app := document.Component{BOMRef: "app", Name: "app", Version: "1.0.0"}
	var ids []string
	for i := range n {
		name, version := fmt.Sprintf("pkg-%d", i), fmt.Sprintf("1.%d.0", i%7)
		purl := "pkg:npm/" + name + "@" + version
		f := vuln(fmt.Sprintf("CVE-2024-%d", 10000+i), []string{"critical", "high", "medium", "low"}[i%4], purl, name, version, "2.0.0")
		doc.Findings = append(doc.Findings, f)
		ids = append(ids, f.ID)
		doc.Components = append(doc.Components, document.Component{BOMRef: name, Name: name, Version: version, Purl: purl, Direct: i%2 == 0})
		app.DependsOn = append(app.DependsOn, name)
	}
	doc.Components = append(doc.Components, app)
	doc.Summary = document.Summarize(doc)
	return &result{Document: doc, Violations: []eval.Message{{
		Policy: "secgate.thresholds", Rule: "deny", Msg: "too many", Severity: "high", FindingIDs: ids, Components: []string{},
	}}}
}

// A report large enough to render its tickets on every CPU gives the
// tickets one CPU gives, SBOM placement included.
func TestManyTicketsAsOnOneCPU(t *testing.T) {
	n := par.Min + 100
	r := manyPackages(n)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	want := r.build(Options{Now: testNow})
	runtime.GOMAXPROCS(4)
	got := r.build(Options{Now: testNow})
	if len(got) != n {
		t.Fatalf("%d tickets for %d packages", len(got), n)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("tickets differ from one CPU's (-want +got):\n%s", diff)
	}
	if p := got[0].Package; p == nil || p.Direct == nil {
		t.Fatalf("first ticket not placed in the SBOM: %+v", got[0].Package)
	}
}

// BenchmarkBuild builds the tickets of 20,000 packages, each in the SBOM.
func BenchmarkBuild(b *testing.B) {
	r := manyPackages(20000)
	b.ReportAllocs()
	for b.Loop() {
		r.build(Options{Now: testNow})
	}
}

func TestSquash(t *testing.T) {
	for _, s := range []string{"", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\nb", "\r\n", "x\u00a0y", "é é", "a \u2003b", "one line of text, already clean."} {
		if got, want := squash(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("squash(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzSquash(f *testing.F) {
	for _, s := range []string{"", "a  b", " x", "x\u0085y", "\xff a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := squash(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("squash(%q) = %q, want %q", s, got, want)
		}
	})
}

// worstFirst reports whether ids name findings of doc in
// document.WorstFirst order.
func worstFirst(doc *document.Document, ids []string) bool {
	byID := map[string]*document.Finding{}
	for i := range doc.Findings {
		byID[doc.Findings[i].ID] = &doc.Findings[i]
	}
	for i := 1; i < len(ids); i++ {
		if document.WorstFirst(byID[ids[i-1]], byID[ids[i]]) > 0 {
			return false
		}
	}
	return true
}
