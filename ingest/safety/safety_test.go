package safety

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New(), Dir: "safety", Raw: true}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file       string
		version    string
		created    string
		findings   int
		bySeverity map[string]int
	}{
		// 5 entries, null CVSS: nothing says how severe.
		{"safety-1.x-legacy-list-format.json", "", "", 5, map[string]int{"unknown": 5}},
		{"safety-2.0-check-report-with-remediations.json", "2.0.0.dev6", "2022-04-30 15:27:39", 4,
			map[string]int{"critical": 2, "high": 1, "medium": 1}},
		{"safety-2.0b1-check-report-small.json", "2.0b1", "2022-04-30 08:16:30", 1, map[string]int{"unknown": 1}},
		{"safety-2.4-check-no-recommended-fix.json", "2.4.0.dev", "2022-12-14 14:54:47", 1, map[string]int{"unknown": 1}},
		// 58 known vulnerabilities; 8 have no score at all.
		{"safety-3.2.14-scan-schema3-58-vulns.json", "3.2.14", "2025-01-08T19:37:44.204202Z", 58,
			map[string]int{"critical": 5, "high": 28, "medium": 16, "low": 1, "unknown": 8}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc := h.File(t, tt.file)
			if rep.Tool.Name != "safety" || rep.Tool.Version != tt.version || rep.Created != tt.created {
				t.Errorf("tool %+v, created %q", rep.Tool, rep.Created)
			}
			if len(rep.Findings) != tt.findings || len(doc.Findings) != tt.findings {
				t.Errorf("%d reported, %d findings, want %d", len(rep.Findings), len(doc.Findings), tt.findings)
			}
			for _, s := range document.Severities {
				if got, want := doc.Summary.BySeverity[string(s)], tt.bySeverity[string(s)]; got != want {
					t.Errorf("%s: %d, want %d", s, got, want)
				}
			}
			for _, f := range doc.Findings {
				if f.Package == nil || f.Package.Ecosystem != "pypi" || !strings.HasPrefix(f.Package.Purl, "pkg:pypi/") {
					t.Errorf("%s: package %+v", f.RuleID, f.Package)
				}
				if len(f.Origins) != 1 || f.Origins[0].RuleID == "" || strings.HasPrefix(f.Origins[0].RuleID, "pyup-") {
					t.Errorf("%s: origins %+v: want Safety's own id", f.RuleID, f.Origins)
				}
				if !strings.HasPrefix(f.RuleID, "CVE-") && !strings.HasPrefix(f.RuleID, "pyup-") {
					t.Errorf("rule id %q", f.RuleID)
				}
			}
		})
	}
}

func TestLegacy(t *testing.T) {
	_, doc := h.File(t, "safety-1.x-legacy-list-format.json")
	f := ingesttest.Find(t, doc, "pyup-39611", "")
	p := f.Package
	if p.Name != "pyyaml" || p.Version != "5.3.1" || p.Purl != "pkg:pypi/pyyaml@5.3.1" {
		t.Errorf("package %+v", p)
	}
	if strings.Join(f.Tags, ",") != "range:<5.4" || !strings.Contains(f.Description, "CVE-2020-14343") {
		t.Errorf("tags %v, description %q", f.Tags, f.Description)
	}
	if f.FixState != "not-fixed" || len(f.FixedVersions) != 0 || f.Origins[0].RuleID != "39611" {
		t.Errorf("fix %q %v, origins %+v", f.FixState, f.FixedVersions, f.Origins)
	}
	// Two advisories of one installed django: two findings.
	ingesttest.Find(t, doc, "pyup-39523", "")
	ingesttest.Find(t, doc, "pyup-39526", "")

	// With scores, as Safety 1.x wrote them for API-key users.
	_, doc, err := h.Bytes(t, []byte(`[["django", "<2.2.18", "2.2.17", "traversal", 39526,
		{"base_score": 5.8, "vector_string": "AV:N/AC:M/Au:N/C:P/I:P/A:N"},
		{"base_score": 6.5, "base_severity": "MEDIUM", "vector_string": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N"}]]`))
	if err != nil {
		t.Fatal(err)
	}
	f = ingesttest.Find(t, doc, "pyup-39526", "")
	if f.Severity != document.SeverityMedium || f.CVSS == nil || f.CVSS.Score != 6.5 || len(f.Scores) != 2 || f.Origins[0].Severity != "MEDIUM" {
		t.Errorf("severity %s, cvss %+v, scores %+v, origins %+v", f.Severity, f.CVSS, f.Scores, f.Origins)
	}
}

func TestCheck(t *testing.T) {
	_, doc := h.File(t, "safety-2.0-check-report-with-remediations.json")
	// CVE as a string, scores in severity.
	f := ingesttest.Find(t, doc, "CVE-2022-22818", "")
	if strings.Join(f.Aliases, ",") != "pyup-44742" || f.Severity != document.SeverityMedium || f.Origins[0].Severity != "MEDIUM" {
		t.Errorf("aliases %v, severity %s, origin %+v", f.Aliases, f.Severity, f.Origins)
	}
	if f.CVSS == nil || f.CVSS.Version != "3.1" || f.CVSS.Score != 6.1 || len(f.Scores) != 2 {
		t.Errorf("cvss %+v, scores %+v", f.CVSS, f.Scores)
	}
	// CVE as an object with the scores.
	f = ingesttest.Find(t, doc, "CVE-2022-28346", "")
	if f.Severity != document.SeverityCritical || f.CVSS == nil || f.CVSS.Score != 9.8 {
		t.Errorf("severity %s, cvss %+v", f.Severity, f.CVSS)
	}
	if got := strings.Join(f.FixedVersions, ","); got != "2.2.28,3.2.13,4.0.4" || f.FixState != "fixed" {
		t.Errorf("fixed %q, state %q", got, f.FixState)
	}
	p := f.Package
	if p.Name != "django" || p.Version != "4.0.1" || p.Path != "/usr/local/lib/python3.9/site-packages" {
		t.Errorf("package %+v", p)
	}
	if !slices.Contains(f.References, "https://pyup.io/vulnerabilities/CVE-2022-28346/48041/") {
		t.Errorf("references %v", f.References)
	}

	// No recommended version: not fixed. The package is listed under the
	// installed name (insecure_package), the vulnerability names it
	// insecure-package.
	_, doc = h.File(t, "safety-2.4-check-no-recommended-fix.json")
	f = ingesttest.Find(t, doc, "pyup-25853", "")
	if f.FixState != "not-fixed" || len(f.FixedVersions) != 0 || f.Package.Path != "no_remediation.txt" {
		t.Errorf("fix %q %v, package %+v", f.FixState, f.FixedVersions, f.Package)
	}
	if strings.Join(f.Tags, ",") != "range:<0.2.0" || f.Status != document.StatusOpen {
		t.Errorf("tags %v, status %s", f.Tags, f.Status)
	}

	_, doc = h.File(t, "safety-2.0b1-check-report-small.json")
	f = ingesttest.Find(t, doc, "pyup-25853", "")
	if strings.Join(f.Aliases, ",") != "PVE-2021-25853" || f.FixState != "not-fixed" {
		t.Errorf("aliases %v, fix state %q", f.Aliases, f.FixState)
	}
}

// TestRemediations reads fixed versions from the remediations when the
// vulnerability names none, and ignored vulnerabilities as accepted.
func TestRemediations(t *testing.T) {
	data := `{"report_meta": {"safety_version": "2.3.4"}, "affected_packages": {},
	  "vulnerabilities": [{"vulnerability_id": "1", "package_name": "Foo_Bar", "analyzed_version": "1.0", "CVE": "CVE-2020-1", "fixed_versions": []}],
	  "ignored_vulnerabilities": [{"vulnerability_id": "2", "package_name": "foo-bar", "analyzed_version": "1.0", "ignored": true, "ignored_reason": "not used", "CVE": null}],
	  "remediations": {"foo-bar": {"current_version": "1.0", "recommended_version": "1.2", "other_recommended_versions": ["1.1.5"]}}}`
	_, doc, err := h.Bytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	f := ingesttest.Find(t, doc, "CVE-2020-1", "")
	if got := strings.Join(f.FixedVersions, ","); got != "1.1.5,1.2" || f.FixState != "fixed" {
		t.Errorf("fixed %q, state %q", got, f.FixState)
	}
	if f.Package.Purl != "pkg:pypi/foo-bar@1.0" {
		t.Errorf("purl %q", f.Package.Purl)
	}
	f = ingesttest.Find(t, doc, "pyup-2", "")
	if f.Status != document.StatusAccepted || f.StatusReason == nil || f.StatusReason.Statement != "not used" {
		t.Errorf("status %s, reason %+v", f.Status, f.StatusReason)
	}
}

func TestScan(t *testing.T) {
	_, doc := h.File(t, "safety-3.2.14-scan-schema3-58-vulns.json")
	f := ingesttest.Find(t, doc, "CVE-2022-41323", "")
	p := f.Package
	if p.Name != "django" || p.Version != "1.8.0" || p.Purl != "pkg:pypi/django@1.8.0" || p.Path != "test_requirements.txt" {
		t.Errorf("package %+v", p)
	}
	// The remediation is the package's: the recommended and other versions.
	if got := strings.Join(f.FixedVersions, ","); got != "4.2.17,5.0.10,5.1.4" || f.FixState != "fixed" {
		t.Errorf("fixed %q, state %q", got, f.FixState)
	}
	if f.Severity != document.SeverityHigh || f.CVSS == nil || f.CVSS.Score != 7.5 || len(f.Scores) != 1 {
		t.Errorf("severity %s, cvss %+v, scores %+v", f.Severity, f.CVSS, f.Scores)
	}
	if !strings.HasPrefix(f.Description, "In Django 3.2 before 3.2.16") || strings.Join(f.Tags, ",") != "range:<3.2.16" {
		t.Errorf("description %q, tags %v", f.Description, f.Tags)
	}
	// Only a CVSS v2 score: its band.
	f = ingesttest.Find(t, doc, "CVE-2015-5143", "")
	if f.Severity != document.SeverityHigh || f.CVSS == nil || f.CVSS.Version != "2.0" || f.Origins[0].Severity != "7.8" {
		t.Errorf("severity %s, cvss %+v, origins %+v", f.Severity, f.CVSS, f.Origins)
	}
	// A pyup id where a CVE should be: the rule is pyup's.
	f = ingesttest.Find(t, doc, "pyup-60132", "")
	if strings.Join(f.Aliases, ",") != "PVE-2023-60132" || f.Severity != document.SeverityUnknown {
		t.Errorf("aliases %v, severity %s", f.Aliases, f.Severity)
	}

	data := `{"meta": {"schema_version": "3.0"}, "scan_results": {"files": [{"location": "req.txt", "results": {"dependencies": [
	  {"name": "requests", "specifications": [{"raw": "requests>=2.0", "vulnerabilities": {"known_vulnerabilities": [
	    {"id": "58755", "ignored": {"code": "manual", "reason": "mitigated", "expires": "2030-01-01"}, "vulnerable_spec": ["<2.31.0"]}]}}]}]}}]}}`
	_, doc, err := h.Bytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	f = ingesttest.Find(t, doc, "pyup-58755", "")
	if f.Package.Version != "" || f.Package.Path != "req.txt" || f.FixState != "not-fixed" {
		t.Errorf("package %+v, fix state %q: a range pins no version", f.Package, f.FixState)
	}
	if f.Status != document.StatusAccepted || f.StatusReason.Statement != "mitigated (until 2030-01-01)" {
		t.Errorf("status %s, reason %+v", f.Status, f.StatusReason)
	}
}

func TestPinned(t *testing.T) {
	for req, want := range map[string]string{
		"django==1.8.0":                      "1.8.0",
		"django===1.8":                       "1.8",
		"django == 1.8 ; python_version<'3'": "1.8",
		"django>=1.8":                        "",
		"django==1.*":                        "",
		"django==1.8,!=1.8.1":                "",
		"django":                             "",
	} {
		if got := pinned(req); got != want {
			t.Errorf("pinned(%q) = %q, want %q", req, got, want)
		}
	}
}

func TestUnsupported(t *testing.T) {
	f, _ := sniff.New("x", []byte(`{"meta": {"schema_version": "4.0"}, "scan_results": {}}`))
	ok, err := New().Detect(f)
	if !ok || !errors.Is(err, sniff.ErrUnsupported) || !strings.Contains(err.Error(), `"4.0" (want 3.x)`) {
		t.Errorf("Detect = %v, %v", ok, err)
	}
	if _, err := New().Ingest(f); !errors.Is(err, sniff.ErrUnsupported) {
		t.Errorf("Ingest (forced) = %v", err)
	}
}

func TestErrors(t *testing.T) {
	h.AssertErrors(t, []ingesttest.ErrorCase{
		{Name: "legacy short", Data: `[["a", "<1", "0.1", "x", "1"], ["b", "<1", "0.1", "x"]]`, Want: "entry 1: 4 items"},
		{Name: "legacy type", Data: `[["a", "<1", "0.1", "x", "1", 5]]`, Want: "entry 0: item 5"},
		{Name: "legacy no id", Data: `[["a", "<1", "0.1", "x", ""]]`, Want: "entry 0 (a): no vulnerability id"},
		{Name: "check type", Data: "{\"report_meta\": {},\n \"vulnerabilities\": [{\"package_name\": 5}]}", Want: "line 2, column"},
		{Name: "check no id", Data: `{"report_meta": {}, "vulnerabilities": [{"package_name": "a"}]}`, Want: "vulnerabilities[0] (a): no vulnerability_id"},
		{Name: "scan no id", Data: `{"meta": {"schema_version": "3.0"}, "scan_results": {"files": [{"location": "r.txt", "results": {"dependencies": [{"name": "a", "specifications": [{"raw": "a==1", "vulnerabilities": {"known_vulnerabilities": [{}]}}]}]}}]}}`, Want: "r.txt: a==1: known_vulnerabilities[0]: no id"},
	})
}

// TestDetect checks that only Safety's corpus files are claimed.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "safety")
	ingesttest.AssertDetect(t, in, []ingesttest.DetectCase{
		{Data: `[]`, Want: false},
		{Data: `[[]]`, Want: false},
		{Data: `[["a", "b", "c", "d"]]`, Want: false},
		{Data: `[["a", "b", "c", "d", 5, null]]`, Want: true},
		{Data: `[["a", "b", 3, "d", "5"]]`, Want: false},
		{Data: `[[1, 2, 3, 4, 5]]`, Want: false},
		{Data: `[{"name": "a"}]`, Want: false},
	})
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 64<<10, "safety")
	f.Add([]byte(`[["", "", "", "", 0, {"base_score": 11}, {"vector_string": "CVSS:3.1/AV:N"}]]`))
	f.Add([]byte(`{"report_meta": {}, "vulnerabilities": [null, {"vulnerability_id": "", "CVE": {"name": "CVE-1"}, "vulnerable_spec": null}], "remediations": {"": {"requirements": {"x": null}}}}`))
	f.Add([]byte(`{"meta": {"schema_version": "3.1"}, "scan_results": {"files": [null], "projects": [null, {"files": [{"results": {"dependencies": [null, {"specifications": [null, {"raw": "==", "vulnerabilities": {"remediation": {}, "known_vulnerabilities": [null, {"id": 1, "cve": {"name": "PVE-1"}}]}}]}]}}]}]}}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}
