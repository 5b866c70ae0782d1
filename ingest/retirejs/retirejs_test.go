package retirejs

import (
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
)

var h = ingesttest.Harness{In: New(), Dir: "retirejs"}

func TestCorpus(t *testing.T) {
	data := h.Corpus(t, "retirejs-2.2.4-data-format.json")
	rep, doc, err := h.Bytes(t, data)
	if err != nil {
		t.Fatal(err)
	}
	// MANIFEST: 6 files, 26 vulnerabilities (24 medium, 2 low). jQuery
	// 1.11.1, 1.11.2 and 1.8.0 each list CVE-2015-9251 twice (Retire.js
	// entries for issues 2432 and 11974): one finding each, so 23.
	if rep.Tool.Name != "retirejs" || rep.Tool.Version != "2.2.4" || rep.Created != "2021-04-26T13:47:03.100Z" {
		t.Errorf("tool %+v created %q", rep.Tool, rep.Created)
	}
	if len(rep.Findings) != 26 || len(doc.Findings) != 23 {
		t.Errorf("%d vulnerabilities, %d findings", len(rep.Findings), len(doc.Findings))
	}
	if doc.Summary.BySeverity["medium"] != 21 || doc.Summary.BySeverity["low"] != 2 {
		t.Errorf("by severity %v", doc.Summary.BySeverity)
	}
	paths := map[string]bool{}
	for _, f := range doc.Findings {
		p := f.Package
		if f.Kind != document.KindVulnerability || p == nil || p.Ecosystem != "npm" || p.Purl != "pkg:npm/"+p.Name+"@"+p.Version || p.Path == "" {
			t.Errorf("%s: package %+v", f.RuleID, p)
		}
		if len(f.FixedVersions) != 1 || f.FixState != "fixed" || len(f.References) == 0 || f.Title == "" {
			t.Errorf("%s: fixed %v references %v title %q", f.RuleID, f.FixedVersions, f.References, f.Title)
		}
		paths[p.Path] = true
	}
	if len(paths) != 6 {
		t.Errorf("%d files", len(paths))
	}

	find := func(rule, version string) *document.Finding {
		for i := range doc.Findings {
			if f := &doc.Findings[i]; f.RuleID == rule && f.Package.Version == version {
				return f
			}
		}
		t.Fatalf("no %s in %s", rule, version)
		return nil
	}
	// Without a CVE: the summary names it, stable across versions.
	a := find("retire-handlebars-5409aa5210e4", "3.0.0")
	b := find("retire-handlebars-5409aa5210e4", "1.0.0")
	if a.ID == b.ID || a.Title != "Quoteless attributes in templates can lead to XSS" || a.FixedVersions[0] != "4.0.0" {
		t.Errorf("handlebars %+v", a)
	}
	f := find("CVE-2015-9251", "1.11.2")
	if f.FixedVersions[0] != "1.12.0" || !strings.Contains(f.Description, ">= 1.") || len(f.Origins) != 1 {
		t.Errorf("jquery %+v", f)
	}
	if f := find("CVE-2012-6708", "1.8.0"); f.FixedVersions[0] != "1.9.0b1" || f.Package.Path !=
		"/home/damien/dd/.venv/lib/python3.9/site-packages/tastypie_swagger/static/tastypie_swagger/js/lib/jquery-1.8.0.min.js" {
		t.Errorf("jquery 1.8.0 %+v", f)
	}
}

func TestEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		data string
		want func(t *testing.T, doc *document.Document)
	}{
		{"ids and cwe", `{"version": "5.0.0", "start": "2024-01-01", "data": [{"file": "a/jquery-ui-dialog.js", "results": [
			{"component": "jquery-ui-dialog", "version": "1.8.0", "vulnerabilities": [
				{"severity": "high", "below": "1.10.0", "cwe": ["CWE-79"], "identifiers": {"CVE": ["CVE-2016-7103", "CVE-2010-5312"], "githubID": "GHSA-hpcf-8vf9-q4gj"}},
				{"severity": "medium", "below": "1.12.0", "identifiers": {"githubID": "GHSA-xxxx-yyyy-zzzz", "summary": "x"}},
				{"severity": "low", "identifiers": {"bug": 6789, "summary": "y"}, "info": [" ", "https://bugs/6789"]}]},
			{"component": "@scope/lib", "version": "2.0.0", "vulnerabilities": [{"identifiers": {"issue": "12"}}]},
			{"component": "quiet", "version": "1.0.0"}]}], "messages": [], "errors": []}`,
			func(t *testing.T, doc *document.Document) {
				rules := map[string]*document.Finding{}
				for i := range doc.Findings {
					rules[doc.Findings[i].RuleID] = &doc.Findings[i]
				}
				if f := rules["CVE-2016-7103"]; f == nil || strings.Join(f.Aliases, ",") != "CVE-2010-5312,GHSA-hpcf-8vf9-q4gj" ||
					strings.Join(f.CWE, ",") != "CWE-79" || f.Severity != document.SeverityHigh || f.Package.Purl != "pkg:npm/jquery-ui-dialog@1.8.0" {
					t.Errorf("cve finding %+v", f)
				}
				if f := rules["GHSA-xxxx-yyyy-zzzz"]; f == nil || len(f.Aliases) != 0 {
					t.Errorf("ghsa finding %+v", f)
				}
				if f := rules["retire-jquery-ui-dialog-6789"]; f == nil || len(f.FixedVersions) != 0 || f.FixState != "" ||
					strings.Join(f.References, ",") != "https://bugs/6789" {
					t.Errorf("bug finding %+v", f)
				}
				if f := rules["retire-@scope/lib-12"]; f == nil || f.Package.Purl != "pkg:npm/%40scope/lib@2.0.0" ||
					f.Severity != document.SeverityUnknown || f.Title != "Vulnerability in @scope/lib 2.0.0" {
					t.Errorf("scoped finding %+v", f)
				}
				if len(doc.Findings) != 4 {
					t.Errorf("%d findings", len(doc.Findings))
				}
			}},
		// Retire.js 1 wrote the data array alone.
		{"bare array", `[{"file": "b.js", "results": [{"component": "angularjs", "version": "1.2.0", "vulnerabilities": [
			{"severity": "medium", "below": "1.2.19", "identifiers": {"summary": "execution of arbitrary code"}}]}]}]`,
			func(t *testing.T, doc *document.Document) {
				if len(doc.Findings) != 1 || !strings.HasPrefix(doc.Findings[0].RuleID, "retire-angularjs-") || doc.Sources[0].Tool.Version != "" {
					t.Errorf("findings %+v", doc.Findings)
				}
			}},
	}
	for _, tt := range tests {
		h.Check(t, tt.name, tt.data, tt.want)
	}
}

func TestErrors(t *testing.T) {
	h.AssertErrors(t, []ingesttest.ErrorCase{
		{Name: "no component", Data: `{"version": "2", "start": "x", "data": [{"file": "a", "results": [{"version": "1", "vulnerabilities": [{}]}]}]}`, Want: "data[0].results[0]: no component"},
		{Name: "wrong type", Data: "{\"version\": \"2\", \"start\": \"x\",\n\"data\": {}}", Want: "line 2, column"},
	})
}

// TestDetect checks that only Retire.js' corpus files are claimed.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "retirejs")
	// Not claimed: data and version alone.
	ingesttest.AssertNotClaimed(t, in, `{"data": [], "version": "1"}`)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 0, "retirejs")
	f.Add([]byte(`[{"file": "", "results": [{"component": " ", "vulnerabilities": [null, {"identifiers": {"CVE": "CVE-1", "issue": [1]}}]}]}]`))
	f.Add([]byte(`{"version": 1, "start": null, "data": [null, {"results": [{"component": "x", "vulnerabilities": [{"identifiers": null, "cwe": "79"}]}]}]}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}
