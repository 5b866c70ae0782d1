package grype

import (
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
)

var h = ingesttest.Harness{In: New(), Dir: "grype-json", Raw: true}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file       string
		version    string
		created    bool
		findings   int
		bySeverity map[string]int
		noCVSS     int
	}{
		{"grype-0.24-directory-source.json", "0.24.0", false, 9,
			map[string]int{"critical": 2, "high": 2, "medium": 5}, 1},
		// 33 matches have no cvss of their own; 28 of them have a
		// related record's.
		{"grype-0.64-image-62-matches.json", "0.64.2", true, 62,
			map[string]int{"critical": 8, "high": 14, "medium": 26, "low": 1, "info": 11, "unknown": 2}, 5},
		// No cvss lists in 0.7: its cvssV2/cvssV3 objects are read.
		{"grype-0.7-image-327-matches.json", "0.7.0", false, 327,
			map[string]int{"critical": 5, "high": 24, "medium": 155, "low": 27, "info": 106, "unknown": 10}, 13},
		{"grype-0.7-image-no-matches.json", "0.7.0", false, 0, map[string]int{}, 0},
		{"grype-0.94-image-epss.json", "0.94.0", true, 15,
			map[string]int{"critical": 1, "high": 10, "medium": 2, "low": 2}, 0},
		// The match without a severity takes it from its related GHSA
		// record's CVSS 7.5: high.
		{"grype-0.96-image-null-severity.json", "0.96.0", true, 35,
			map[string]int{"critical": 1, "high": 19, "medium": 13, "low": 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc := h.File(t, tt.file)
			if rep.Tool.Name != "grype" || rep.Tool.Version != tt.version {
				t.Errorf("tool = %+v", rep.Tool)
			}
			if (rep.Created != "") != tt.created {
				t.Errorf("created = %q", rep.Created)
			}
			if len(rep.Findings) != tt.findings || len(doc.Findings) != tt.findings {
				t.Errorf("%d matches, %d findings; want %d", len(rep.Findings), len(doc.Findings), tt.findings)
			}
			for _, s := range document.Severities {
				if got, want := doc.Summary.BySeverity[string(s)], tt.bySeverity[string(s)]; got != want {
					t.Errorf("%s: %d, want %d", s, got, want)
				}
			}
			noCVSS := 0
			for _, f := range doc.Findings {
				if f.CVSS == nil {
					noCVSS++
				}
				if f.Kind != document.KindVulnerability || f.Package == nil || f.Package.Name == "" {
					t.Errorf("%s: kind %s package %+v", f.RuleID, f.Kind, f.Package)
				}
			}
			if noCVSS != tt.noCVSS {
				t.Errorf("%d findings without CVSS, want %d", noCVSS, tt.noCVSS)
			}
		})
	}
}

func TestFields(t *testing.T) {
	_, doc := h.File(t, "grype-0.94-image-epss.json")
	f := ingesttest.Find(t, doc, "CVE-2022-28391", "busybox")
	if f.EPSS == nil || f.EPSS.Score != 0.0719 || f.EPSS.Percentile != 0.91123 || f.EPSS.Date != "2025-06-18" {
		t.Errorf("epss = %+v", f.EPSS)
	}
	if f.CVSS == nil || f.CVSS.Source != "nvd@nist.gov" || f.CVSS.Version != "3.1" || f.CVSS.Score != 8.8 {
		t.Errorf("cvss = %+v", f.CVSS)
	}
	if len(f.Scores) != 3 {
		t.Errorf("scores = %+v", f.Scores)
	}
	p := f.Package
	if p.Version != "1.32.1" || p.Purl != "pkg:generic/busybox@1.32.1" || p.Ecosystem != "generic" || p.Path != "/bin/[" {
		t.Errorf("package = %+v", p)
	}
	if !slices.Contains(f.References, "https://nvd.nist.gov/vuln/detail/CVE-2022-28391") {
		t.Errorf("dataSource not in references: %v", f.References)
	}
	if f.Origins[0].RuleID != "CVE-2022-28391" || f.Origins[0].Severity != "High" {
		t.Errorf("origins = %+v", f.Origins)
	}

	// Negligible is info; fix versions and state; advisories are aliases.
	_, doc = h.File(t, "grype-0.64-image-62-matches.json")
	n := 0
	for _, f := range doc.Findings {
		if f.Origins[0].Severity == "Negligible" {
			n++
			if f.Severity != document.SeverityInfo {
				t.Errorf("%s: Negligible is %s", f.RuleID, f.Severity)
			}
		}
		if f.FixState == "fixed" && len(f.FixedVersions) == 0 {
			t.Errorf("%s: fixed without versions", f.RuleID)
		}
	}
	if n != 11 {
		t.Errorf("%d negligible, want 11", n)
	}
	found := false
	for _, f := range doc.Findings {
		if slices.Contains(f.Aliases, "DSA-5417-1") {
			found = true
		}
	}
	if !found {
		t.Error("advisory DSA-5417-1 not an alias")
	}

	// Missing severity: from the best CVSS, the related GHSA record's.
	_, doc = h.File(t, "grype-0.96-image-null-severity.json")
	f = ingesttest.Find(t, doc, "CVE-2024-26308", "commons-compress")
	if f.Severity != document.SeverityHigh || f.Origins[0].Severity != "" || f.CVSS == nil || f.CVSS.Score != 7.5 {
		t.Errorf("severity %s, origin %+v, cvss %+v", f.Severity, f.Origins, f.CVSS)
	}
	if f.CVSS.Source != "github:language:java" || !slices.Contains(f.Aliases, "GHSA-4265-ccf5-phj5") {
		t.Errorf("cvss source %q, aliases %v", f.CVSS.Source, f.Aliases)
	}
	if f.Package.Ecosystem != "maven" || f.Package.Path != "/opt/kafka/plugins/apicurio/commons-compress-1.21.jar" {
		t.Errorf("package = %+v", f.Package)
	}

	// 0.7: links, fixedInVersion, cvssV2/cvssV3.
	_, doc = h.File(t, "grype-0.7-image-327-matches.json")
	f = ingesttest.Find(t, doc, "CVE-2015-5237", "")
	if f.CVSS == nil || f.CVSS.Version != "3.1" || f.CVSS.Score != 8.8 || len(f.Scores) != 2 {
		t.Errorf("cvss %+v, scores %+v", f.CVSS, f.Scores)
	}
	if len(f.References) < 20 {
		t.Errorf("links not read: %d references", len(f.References))
	}
}

func TestEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		data string
		want func(t *testing.T, doc *document.Document)
	}{
		{"kev and cwes", `{"matches": [{"vulnerability": {"id": "CVE-2021-44228", "severity": "Critical",
			"knownExploited": [{"cve": "CVE-2021-44228", "dateAdded": "2021-12-10", "requiredAction": "Apply updates", "dueDate": "2021-12-24"}],
			"cwes": [{"cve": "CVE-2021-44228", "cwe": "CWE-502", "source": "nvd", "type": "Primary"}, {"cwe": "NVD-CWE-noinfo"}]},
			"artifact": {"name": "log4j-core", "version": "2.14.1", "type": "java-archive", "locations": []}}],
			"descriptor": {"name": "grype", "version": "0.90.0"}}`,
			func(t *testing.T, doc *document.Document) {
				f := doc.Findings[0]
				if f.KEV == nil || !f.KEV.Listed || f.KEV.DateAdded != "2021-12-10" || f.KEV.DueDate != "2021-12-24" || f.KEV.RequiredAction == "" {
					t.Errorf("kev = %+v", f.KEV)
				}
				if strings.Join(f.CWE, ",") != "CWE-502" {
					t.Errorf("cwe = %v", f.CWE)
				}
				if f.Package.Ecosystem != "maven" {
					t.Errorf("ecosystem %q", f.Package.Ecosystem)
				}
			}},
		{"null everything", `{"matches": [{"vulnerability": {"id": "GHSA-aaaa-bbbb-cccc", "severity": null, "cvss": null, "urls": null,
			"fix": null, "epss": null, "cwes": null}, "relatedVulnerabilities": null, "artifact": {"name": "x", "version": "1", "locations": null}}, null],
			"source": null}`,
			func(t *testing.T, doc *document.Document) {
				if len(doc.Findings) != 1 || doc.Findings[0].Severity != document.SeverityUnknown {
					t.Errorf("findings = %+v", doc.Findings)
				}
			}},
		// The same vulnerability in the same package at two paths is one problem.
		{"several locations", `{"matches": [
			{"vulnerability": {"id": "CVE-2024-1", "severity": "Low"}, "artifact": {"name": "x", "version": "1", "purl": "pkg:npm/x@1", "locations": [{"path": "/a"}]}},
			{"vulnerability": {"id": "CVE-2024-1", "severity": "Low"}, "artifact": {"name": "x", "version": "1", "purl": "pkg:npm/x@1", "locations": [{"path": "/b"}]}}],
			"distro": {}}`,
			func(t *testing.T, doc *document.Document) {
				if len(doc.Findings) != 1 {
					t.Errorf("%d findings, want 1", len(doc.Findings))
				}
			}},
	}
	for _, tt := range tests {
		h.Check(t, tt.name, tt.data, tt.want)
	}
}

func TestErrors(t *testing.T) {
	h.AssertErrors(t, []ingesttest.ErrorCase{
		{Name: "no id", Data: `{"matches": [{"vulnerability": {"severity": "High"}, "artifact": {"name": "x"}}], "source": {}}`, Want: "matches[0]: vulnerability without an id"},
		{Name: "wrong type", Data: "{\"matches\": [\n{\"vulnerability\": {\"id\": 5}}], \"source\": {}}", Want: "line 2, column"},
	})
}

// TestDetect checks that only grype's corpus files are claimed.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "grype-json")
	// matches alone is not enough.
	ingesttest.AssertNotClaimed(t, in, `{"matches": [], "descriptor": {"name": "other"}}`)
}

func FuzzIngest(f *testing.F) {
	for _, data := range ingesttest.CorpusFiles(f, "grype-json") {
		if len(data) > 64<<10 {
			data = data[:64<<10]
		}
		f.Add(data)
		f.Add(data[:len(data)/3])
	}
	f.Add([]byte(`{"matches": [{"vulnerability": {"id": "X", "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N", "metrics": {"baseScore": 11}}], "cwes": ["79", 5]}}], "source": {}}`))
	f.Add([]byte(`{"matches": [{"vulnerability": {"id": "X", "epss": [{}], "knownExploited": [{}], "fixedInVersion": ", "}}], "distro": 1}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}
