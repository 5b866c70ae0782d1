package npmaudit

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New(), Dir: "npm-audit", Raw: true}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file       string
		findings   int
		bySeverity map[string]int
	}{
		// 41 advisories; three are installed in two versions each.
		{"npm6-advisories-41-multiple-cwes.json", 44, map[string]int{"critical": 2, "high": 15, "medium": 25, "low": 2}},
		// 5 advisories, whatever metadata counts (per path) say.
		{"npm6-advisories-5-advisories.json", 5, map[string]int{"high": 3, "medium": 1, "low": 1}},
		{"npm6-advisories-cwe-null.json", 1, map[string]int{"critical": 1}},
		{"npm6-advisories-empty.json", 0, map[string]int{}},
		// 15 vulnerable packages, 8 advisories: the other 7 packages are
		// vulnerable through those 8 and are no problems of their own.
		{"npm7-v2-15-vulns.json", 8, map[string]int{"high": 1, "medium": 2, "low": 5}},
		{"npm7-v2-6-vulns.json", 3, map[string]int{"medium": 2, "low": 1}},
		{"npm7-v2-empty.json", 0, map[string]int{}},
		// metadata says high 1; the entry and its advisory say moderate.
		{"npm7-v2-one-high.json", 1, map[string]int{"medium": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc := h.File(t, tt.file)
			if rep.Tool.Name != "npm audit" || rep.Tool.Version != "" {
				t.Errorf("tool = %+v", rep.Tool)
			}
			if len(rep.Findings) != tt.findings || len(doc.Findings) != tt.findings {
				t.Errorf("%d reported, %d findings; want %d", len(rep.Findings), len(doc.Findings), tt.findings)
			}
			for _, s := range document.Severities {
				if got, want := doc.Summary.BySeverity[string(s)], tt.bySeverity[string(s)]; got != want {
					t.Errorf("%s: %d, want %d", s, got, want)
				}
			}
			for _, f := range doc.Findings {
				if f.Package == nil || f.Package.Ecosystem != "npm" || !strings.HasPrefix(f.Package.Purl, "pkg:npm/") {
					t.Errorf("%s: package %+v", f.RuleID, f.Package)
				}
			}
		})
	}
}

func find(t *testing.T, doc *document.Document, ruleID, pkg, version string) *document.Finding {
	t.Helper()
	for i := range doc.Findings {
		f := &doc.Findings[i]
		if f.RuleID == ruleID && f.Package.Name == pkg && f.Package.Version == version {
			return f
		}
	}
	t.Fatalf("no finding %s in %s@%s", ruleID, pkg, version)
	return nil
}

func TestV2(t *testing.T) {
	_, doc := h.File(t, "npm7-v2-6-vulns.json")
	f := find(t, doc, "GHSA-gxpj-cx7g-858c", "debug", "")
	if f.Severity != document.SeverityMedium || f.Origins[0].Severity != "moderate" {
		t.Errorf("severity %s, origin %+v", f.Severity, f.Origins)
	}
	if f.CVSS == nil || f.CVSS.Score != 5.3 || f.CVSS.Version != "3.0" || strings.Join(f.CWE, ",") != "CWE-400" {
		t.Errorf("cvss %+v, cwe %v", f.CVSS, f.CWE)
	}
	if f.Package.Purl != "pkg:npm/debug" || f.Package.Path != "node_modules/@vercel/fun/node_modules/debug" {
		t.Errorf("package = %+v", f.Package)
	}
	for _, tag := range []string{"range:>=4.0.0 <4.3.1", "fix:vercel@32.3.0"} {
		if !slices.Contains(f.Tags, tag) {
			t.Errorf("tags %v lack %q", f.Tags, tag)
		}
	}
	// The fix is an upgrade of vercel, not of debug.
	if len(f.FixedVersions) != 0 || len(f.Aliases) != 0 {
		t.Errorf("fixed versions %v, aliases %v", f.FixedVersions, f.Aliases)
	}

	// npm's older advisory URLs: npm:<source>.
	_, doc = h.File(t, "npm7-v2-15-vulns.json")
	f = find(t, doc, "npm:1227", "highcharts", "")
	if f.Severity != document.SeverityHigh || f.Title == "" || !slices.Contains(f.References, "https://npmjs.com/advisories/1227") {
		t.Errorf("finding = %+v", f)
	}
	for _, f := range doc.Findings {
		for _, name := range []string{"gulp", "gulp-cli", "handlebars", "mkdirp", "optimist", "sass-graph", "yargs"} {
			if f.Package.Name == name {
				t.Errorf("%s is vulnerable only through others, yet a finding", name)
			}
		}
	}
}

func TestV2Edges(t *testing.T) {
	data := `{"auditReportVersion": 2, "vulnerabilities": {
		"@scope/pkg": {"name": "@scope/pkg", "severity": "critical", "isDirect": true, "nodes": ["node_modules/@scope/pkg"],
			"via": [{"source": 1, "name": "@scope/pkg", "title": "t", "url": "https://github.com/advisories/GHSA-aaaa-bbbb-cccc",
				"severity": "critical", "cwe": ["CWE-79", "79", "CWE-"], "cvss": {"score": 0, "vectorString": null}, "range": "<2.0.0"}, "other"],
			"fixAvailable": {"name": "@scope/pkg", "version": "2.0.0", "isSemVerMajor": true}},
		"nofix": {"name": "nofix", "severity": "low", "via": [{"source": 77, "title": "x", "severity": null,
			"cvss": {"score": 0, "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}], "fixAvailable": false}}}`
	_, doc, err := h.Bytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 2 {
		t.Fatalf("%d findings", len(doc.Findings))
	}
	f := find(t, doc, "GHSA-aaaa-bbbb-cccc", "@scope/pkg", "")
	if f.Package.Purl != "pkg:npm/%40scope/pkg" || strings.Join(f.FixedVersions, ",") != "2.0.0" || !slices.Contains(f.Tags, "direct") {
		t.Errorf("purl %q, fixed %v, tags %v", f.Package.Purl, f.FixedVersions, f.Tags)
	}
	if strings.Join(f.CWE, ",") != "CWE-79" || f.CVSS != nil {
		t.Errorf("cwe %v, cvss %+v", f.CWE, f.CVSS)
	}
	// No severity: scored from the vector.
	f = find(t, doc, "npm:77", "nofix", "")
	if f.Severity != document.SeverityCritical || f.FixState != "not-fixed" {
		t.Errorf("severity %s, fix state %q", f.Severity, f.FixState)
	}
}

func TestV6(t *testing.T) {
	_, doc := h.File(t, "npm6-advisories-41-multiple-cwes.json")
	// cwe is a string holding a JSON array.
	f := find(t, doc, "GHSA-qq89-hq3f-393p", "tar", "4.4.8")
	if strings.Join(f.CWE, ",") != "CWE-22,CWE-59" || strings.Join(f.Aliases, ",") != "CVE-2021-37712" {
		t.Errorf("cwe %v, aliases %v", f.CWE, f.Aliases)
	}
	if strings.Join(f.FixedVersions, ",") != "4.4.18" || !slices.Contains(f.Tags, "patched:>=4.4.18") || f.Severity != document.SeverityHigh {
		t.Errorf("fixed %v, tags %v, severity %s", f.FixedVersions, f.Tags, f.Severity)
	}
	if f.CVSS == nil || f.Package.Purl != "pkg:npm/tar@4.4.8" {
		t.Errorf("cvss %+v, purl %q", f.CVSS, f.Package.Purl)
	}
	// One advisory, two installed versions: two findings.
	find(t, doc, "GHSA-93q8-gq69-wqmw", "ansi-regex", "3.0.0")
	find(t, doc, "GHSA-93q8-gq69-wqmw", "ansi-regex", "4.1.0")

	// No GHSA id: npm:<id>; cwe a plain string, or "CWE-" (none);
	// patched ranges that are no plain >=X stay tags only.
	_, doc = h.File(t, "npm6-advisories-5-advisories.json")
	f = find(t, doc, "npm:106", "negotiator", "0.5.3")
	if strings.Join(f.CWE, ",") != "CWE-400" || strings.Join(f.FixedVersions, ",") != "0.6.1" {
		t.Errorf("cwe %v, fixed %v", f.CWE, f.FixedVersions)
	}
	if f = find(t, doc, "npm:535", "mime", "1.3.4"); len(f.CWE) != 0 {
		t.Errorf("CWE- read as %v", f.CWE)
	}
	if f = find(t, doc, "npm:521", "pg", "5.1.0"); len(f.FixedVersions) != 0 || f.FixState != "fixed" {
		t.Errorf("fixed %v, state %q", f.FixedVersions, f.FixState)
	}
	if !slices.Contains(f.References, "https://node-postgres.com/announcements#2017-08-12-code-execution-vulnerability") {
		t.Errorf("references %v", f.References)
	}

	_, doc = h.File(t, "npm6-advisories-cwe-null.json")
	f = find(t, doc, "npm:146", "growl", "1.9.2")
	if len(f.CWE) != 0 || f.Severity != document.SeverityCritical || !slices.Contains(f.Tags, "dev") {
		t.Errorf("cwe %v, severity %s, tags %v", f.CWE, f.Severity, f.Tags)
	}
	if !strings.Contains(f.Description, "Recommendation: Update to version 1.10.2 or later.") {
		t.Errorf("description %q", f.Description)
	}
}

func TestFailedScan(t *testing.T) {
	data := h.Corpus(t, "npm-error-enoaudit.json")
	f, err := sniff.New("x", data)
	if err != nil {
		t.Fatal(err)
	}
	in := New()
	ok, err := in.Detect(f)
	if !ok || !errors.Is(err, sniff.ErrFailedScan) || !strings.Contains(err.Error(), "npm audit error ENOAUDIT: Your configured registry") {
		t.Fatalf("Detect = %v, %v", ok, err)
	}
	// Forced or not, ingesting it never yields an empty, passing report.
	if rep, err := in.Ingest(f); rep != nil || !errors.Is(err, sniff.ErrFailedScan) {
		t.Fatalf("Ingest = %v, %v", rep, err)
	}
}

func TestUnsupported(t *testing.T) {
	f, _ := sniff.New("x", []byte(`{"auditReportVersion": 3, "vulnerabilities": {}}`))
	ok, err := New().Detect(f)
	if !ok || !errors.Is(err, sniff.ErrUnsupported) || !strings.Contains(err.Error(), `"3" (want 2)`) {
		t.Errorf("Detect = %v, %v", ok, err)
	}
	// Another tool's error object is not npm's.
	f, _ = sniff.New("x", []byte(`{"error": {"message": "boom"}}`))
	if ok, err := New().Detect(f); ok || err != nil {
		t.Errorf("Detect = %v, %v", ok, err)
	}
}

func TestErrors(t *testing.T) {
	h.AssertErrors(t, []ingesttest.ErrorCase{
		{Name: "v2 type", Data: "{\"auditReportVersion\": 2,\n \"vulnerabilities\": {\"a\": {\"nodes\": 5}}}", Want: "line 2, column"},
		{Name: "v2 advisory type", Data: `{"auditReportVersion": 2, "vulnerabilities": {"a": {"via": [{"title": 5}]}}}`, Want: `vulnerabilities["a"].via[0]`},
		{Name: "v2 advisory without id", Data: `{"auditReportVersion": 2, "vulnerabilities": {"a": {"via": [{"title": "x"}]}}}`, Want: "without url or source"},
		{Name: "v6 without module", Data: `{"advisories": {"1": {"id": 1, "severity": "low"}}, "actions": []}`, Want: "without module_name"},
	})
}

// TestDetect checks that only npm audit's corpus files are claimed.
func TestDetect(t *testing.T) {
	ingesttest.AssertClaims(t, New(), ingesttest.Claims{Folders: []string{"npm-audit"}, Errors: []string{"npm-error-enoaudit.json"}})
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 64<<10, "npm-audit")
	f.Add([]byte(`{"auditReportVersion": 2, "vulnerabilities": {"": {"via": [{"source": "x", "url": "https://github.com/advisories/GHSA-"}], "fixAvailable": {"name": ""}}}}`))
	f.Add([]byte(`{"advisories": {"1": {"id": "1", "module_name": "@/", "cwe": "[5]", "findings": [{"version": "", "paths": []}], "patched_versions": ">="}}, "muted": []}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}
