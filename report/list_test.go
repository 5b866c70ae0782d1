package report_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/report"
)

func list(t *testing.T, doc *document.Document) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.List(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestListHostileReport lists the hostile Trivy report and SARIF file:
// no control character, escape sequence or workflow command of theirs
// reaches the terminal, and each finding stays on its one row, whatever
// line breaks and tabs its fields hold.
func TestListHostileReport(t *testing.T) {
	dir := filepath.Join("..", "testdata", "hostile", "output")
	doc := result(t, filepath.Join(dir, "trivy.json"), filepath.Join(dir, "hostile.sarif")).Document
	if len(doc.Findings) == 0 {
		t.Fatal("the hostile reports must hold findings, to be listed")
	}
	out := list(t, doc)
	checkHuman(t, "list", out)
	checkRows(t, out, len(doc.Findings))
}

// checkRows asserts the list has a header, one line per finding, and its
// three closing lines: nothing a report wrote started a line.
func checkRows(t *testing.T, out string, findings int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if want := 1 + findings + 3; len(lines) != want {
		t.Fatalf("%d lines, want %d (header, %d findings, blank, total, reports):\n%s", len(lines), want, findings, out)
	}
	if !strings.HasPrefix(lines[0], "SEVERITY  ID") || !strings.HasPrefix(lines[len(lines)-2], "Total: ") || !strings.HasPrefix(lines[len(lines)-1], "reports: ") {
		t.Errorf("the list's frame is broken:\n%s", out)
	}
	for _, l := range lines[1 : 1+findings] {
		sev, _, _ := strings.Cut(l, " ")
		if document.Severity(sev).Rank() == 0 && sev != string(document.SeverityUnknown) {
			t.Errorf("a row that is no finding: %q", l)
		}
	}
}

// FuzzList feeds arbitrary report text through the list.
func FuzzList(f *testing.F) {
	f.Add("CVE-2024-1"+hostile, "pkg", "1.0.0", "1.0.1", "src/a.go", "policy", "msg"+hostile, "fix", "reason")
	f.Add("a\tb", "\t", "\r\n", "\x1b[2J", "\u2028", "secgate", "::error::x", "%0A::error::x", "\r\n")
	f.Fuzz(func(t *testing.T, rule, pkg, version, fixed, path, policy, msg, fix, reason string) {
		doc := fuzzResult(rule, pkg, version, fixed, path, policy, msg, fix, reason).Document
		doc.Findings[0].Origins = []document.Origin{{Tool: reason}, {Tool: fix}}
		out := list(t, doc)
		checkHuman(t, "list", out)
		checkRows(t, out, len(doc.Findings))
	})
}

// TestListWorstFirst lists the findings in the document's order, worst
// first, each with its package and version or its file and line, fixed
// version, title and tool, and counts them by severity.
func TestListWorstFirst(t *testing.T) {
	doc := document.New()
	doc.Sources = []document.Source{{Path: "a.json", Format: "trivy"}}
	doc.Findings = []document.Finding{
		{ID: "1", RuleID: "CVE-1", Title: "overflow", Severity: document.SeverityCritical, Status: document.StatusOpen,
			Package: &document.Package{Name: "openssl", Version: "1.0"}, FixedVersions: []string{"1.1", "2.0"},
			Origins: []document.Origin{{Tool: "trivy"}, {Tool: "grype"}, {Tool: "trivy"}}},
		{ID: "2", RuleID: "go.lang.sqli", Severity: document.SeverityLow, Status: document.StatusAccepted,
			Location:  &document.Location{Path: "db.go", StartLine: 12},
			Locations: []document.Location{{Path: "db.go", StartLine: 12}, {Path: "db.go", StartLine: 40}}},
	}
	doc.Summary = document.Summary{Findings: 2, OpenFindings: 1, Components: 4,
		BySeverity: map[string]int{"critical": 1, "low": 1}}
	want := "" +
		"SEVERITY  ID            PACKAGE / LOCATION  FIXED     STATUS    TITLE     TOOL\n" +
		"critical  CVE-1         openssl@1.0         1.1, 2.0  open      overflow  grype, trivy\n" +
		"low       go.lang.sqli  db.go:12 (+1)       -         accepted  -         -\n" +
		"\n" +
		"Total: 2 finding(s) (critical 1, high 0, medium 0, low 1, info 0, unknown 0), 1 open; components: 4\n" +
		"reports: a.json (trivy)\n"
	if got := list(t, doc); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	doc.Findings, doc.Summary = nil, document.Summary{}
	if got := list(t, doc); !strings.HasPrefix(got, "No findings.\n\nTotal: 0 finding(s)") {
		t.Errorf("an empty document: %q", got)
	}
}
