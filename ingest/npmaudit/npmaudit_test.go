package npmaudit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
)

const corpus = "../../testdata/corpus"

// ingestBytes detects and ingests data, then joins the report to a
// finished, valid document.
func ingestBytes(t testing.TB, data []byte) (*document.Report, *document.Document, error) {
	t.Helper()
	f, err := sniff.New("x.json", data)
	if err != nil {
		return nil, nil, err
	}
	in := New()
	ok, err := in.Detect(f)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, errors.New("not detected")
	}
	rep, err := in.Ingest(f)
	if err != nil {
		return nil, nil, err
	}
	raw := &document.Report{Tool: rep.Tool, Findings: append([]document.Finding(nil), rep.Findings...)}
	doc := document.New()
	doc.Add(document.Source{Path: "x.json", Format: "npm-audit", SHA256: strings.Repeat("0", 64)}, rep)
	doc.Finish()
	if err := doc.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return raw, doc, nil
}

func ingestFile(t *testing.T, name string) (*document.Report, *document.Document) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus, "npm-audit", name))
	if err != nil {
		t.Fatal(err)
	}
	rep, doc, err := ingestBytes(t, data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rep, doc
}

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
			rep, doc := ingestFile(t, tt.file)
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
	_, doc := ingestFile(t, "npm7-v2-6-vulns.json")
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
		if !contains(f.Tags, tag) {
			t.Errorf("tags %v lack %q", f.Tags, tag)
		}
	}
	// The fix is an upgrade of vercel, not of debug.
	if len(f.FixedVersions) != 0 || len(f.Aliases) != 0 {
		t.Errorf("fixed versions %v, aliases %v", f.FixedVersions, f.Aliases)
	}

	// npm's older advisory URLs: npm:<source>.
	_, doc = ingestFile(t, "npm7-v2-15-vulns.json")
	f = find(t, doc, "npm:1227", "highcharts", "")
	if f.Severity != document.SeverityHigh || f.Title == "" || !contains(f.References, "https://npmjs.com/advisories/1227") {
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
	_, doc, err := ingestBytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 2 {
		t.Fatalf("%d findings", len(doc.Findings))
	}
	f := find(t, doc, "GHSA-aaaa-bbbb-cccc", "@scope/pkg", "")
	if f.Package.Purl != "pkg:npm/%40scope/pkg" || strings.Join(f.FixedVersions, ",") != "2.0.0" || !contains(f.Tags, "direct") {
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
	_, doc := ingestFile(t, "npm6-advisories-41-multiple-cwes.json")
	// cwe is a string holding a JSON array.
	f := find(t, doc, "GHSA-qq89-hq3f-393p", "tar", "4.4.8")
	if strings.Join(f.CWE, ",") != "CWE-22,CWE-59" || strings.Join(f.Aliases, ",") != "CVE-2021-37712" {
		t.Errorf("cwe %v, aliases %v", f.CWE, f.Aliases)
	}
	if strings.Join(f.FixedVersions, ",") != "4.4.18" || !contains(f.Tags, "patched:>=4.4.18") || f.Severity != document.SeverityHigh {
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
	_, doc = ingestFile(t, "npm6-advisories-5-advisories.json")
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
	if !contains(f.References, "https://node-postgres.com/announcements#2017-08-12-code-execution-vulnerability") {
		t.Errorf("references %v", f.References)
	}

	_, doc = ingestFile(t, "npm6-advisories-cwe-null.json")
	f = find(t, doc, "npm:146", "growl", "1.9.2")
	if len(f.CWE) != 0 || f.Severity != document.SeverityCritical || !contains(f.Tags, "dev") {
		t.Errorf("cwe %v, severity %s, tags %v", f.CWE, f.Severity, f.Tags)
	}
	if !strings.Contains(f.Description, "Recommendation: Update to version 1.10.2 or later.") {
		t.Errorf("description %q", f.Description)
	}
}

func TestFailedScan(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpus, "npm-audit", "npm-error-enoaudit.json"))
	if err != nil {
		t.Fatal(err)
	}
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
	for _, tt := range []struct{ name, data, want string }{
		{"v2 type", "{\"auditReportVersion\": 2,\n \"vulnerabilities\": {\"a\": {\"nodes\": 5}}}", "line 2, column"},
		{"v2 advisory type", `{"auditReportVersion": 2, "vulnerabilities": {"a": {"via": [{"title": 5}]}}}`, `vulnerabilities["a"].via[0]`},
		{"v2 advisory without id", `{"auditReportVersion": 2, "vulnerabilities": {"a": {"via": [{"title": "x"}]}}}`, "without url or source"},
		{"v6 without module", `{"advisories": {"1": {"id": 1, "severity": "low"}}, "actions": []}`, "without module_name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ingestBytes(t, []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDetect checks that only npm audit's corpus files are claimed.
func TestDetect(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpus, "*", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v", err)
	}
	in := New()
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := sniff.New(path, data)
		if err != nil {
			continue
		}
		ok, err := in.Detect(f)
		mine := filepath.Base(filepath.Dir(path)) == "npm-audit"
		if ok != mine || (err != nil) != (filepath.Base(path) == "npm-error-enoaudit.json") {
			t.Errorf("%s: Detect = %v, %v; want %v", path, ok, err, mine)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func FuzzIngest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpus, "npm-audit", "*"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 64<<10 {
			data = data[:64<<10]
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte(`{"auditReportVersion": 2, "vulnerabilities": {"": {"via": [{"source": "x", "url": "https://github.com/advisories/GHSA-"}], "fixAvailable": {"name": ""}}}}`))
	f.Add([]byte(`{"advisories": {"1": {"id": "1", "module_name": "@/", "cwe": "[5]", "findings": [{"version": "", "paths": []}], "patched_versions": ">="}}, "muted": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := sniff.New("x", data)
		if err != nil {
			return
		}
		in := New()
		if ok, err := in.Detect(sf); !ok || err != nil {
			return
		}
		rep, err := in.Ingest(sf)
		if err != nil {
			if rep != nil {
				t.Fatal("a report with an error")
			}
			return
		}
		doc := document.New()
		doc.Add(document.Source{Path: "x", Format: "npm-audit", SHA256: strings.Repeat("0", 64)}, rep)
		doc.Finish()
		if err := doc.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
	})
}
