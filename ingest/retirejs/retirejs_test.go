package retirejs

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
	doc := document.New()
	doc.Add(document.Source{Path: "x.json", Format: "retirejs", SHA256: strings.Repeat("0", 64)}, rep)
	doc.Finish()
	if err := doc.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return rep, doc, nil
}

func TestCorpus(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpus, "retirejs", "retirejs-2.2.4-data-format.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, doc, err := ingestBytes(t, data)
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
		t.Run(tt.name, func(t *testing.T) {
			_, doc, err := ingestBytes(t, []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			tt.want(t, doc)
		})
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct{ name, data, want string }{
		{"no component", `{"version": "2", "start": "x", "data": [{"file": "a", "results": [{"version": "1", "vulnerabilities": [{}]}]}]}`,
			"data[0].results[0]: no component"},
		{"wrong type", "{\"version\": \"2\", \"start\": \"x\",\n\"data\": {}}", "line 2, column"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ingestBytes(t, []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDetect checks that only Retire.js' corpus files are claimed.
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
		mine := filepath.Base(filepath.Dir(path)) == "retirejs"
		if ok != mine || err != nil {
			t.Errorf("%s: Detect = %v, %v; want %v", path, ok, err, mine)
		}
	}
	f, _ := sniff.New("x", []byte(`{"data": [], "version": "1"}`))
	if ok, _ := in.Detect(f); ok {
		t.Error("claimed data and version alone")
	}
}

func FuzzIngest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpus, "retirejs", "*"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte(`[{"file": "", "results": [{"component": " ", "vulnerabilities": [null, {"identifiers": {"CVE": "CVE-1", "issue": [1]}}]}]}]`))
	f.Add([]byte(`{"version": 1, "start": null, "data": [null, {"results": [{"component": "x", "vulnerabilities": [{"identifiers": null, "cwe": "79"}]}]}]}`))
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
		doc.Add(document.Source{Path: "x", Format: "retirejs", SHA256: strings.Repeat("0", 64)}, rep)
		doc.Finish()
		if err := doc.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
	})
}
