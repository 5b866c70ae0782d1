package osvscanner

import (
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
)

var h = ingesttest.Harness{In: New(), Dir: "osv-scanner", Raw: true}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file       string
		findings   int
		bySeverity map[string]int
	}{
		{"osv-scanner-empty-results.json", 0, map[string]int{}},
		// 66 OSV entries of 11 packages in 6 sources are 37 groups: 37 problems.
		{"osv-scanner-many-findings.json", 37, map[string]int{"critical": 5, "high": 20, "medium": 12}},
		// A malicious package: no score, no severity word.
		{"osv-scanner-some-findings.json", 1, map[string]int{"unknown": 1}},
		// 4 entries in 2 groups (a GHSA with its GO id, a GHSA with its RUSTSEC id).
		{"osv-scanner-two-lockfiles-groups.json", 2, map[string]int{"high": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc := h.File(t, tt.file)
			if rep.Tool != tool {
				t.Errorf("tool = %+v", rep.Tool)
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
				if f.Package == nil || f.Package.Name == "" || f.Package.Path == "" {
					t.Errorf("%s: package %+v", f.RuleID, f.Package)
				}
				if len(f.Origins) != 1 || f.Origins[0].RuleID != f.RuleID {
					t.Errorf("%s: origins %+v", f.RuleID, f.Origins)
				}
			}
		})
	}
}

func TestGroups(t *testing.T) {
	_, doc := h.File(t, "osv-scanner-many-findings.json")
	// Two GHSA entries of one problem: one finding, the first id the rule.
	f := ingesttest.Find(t, doc, "GHSA-q7rv-6hp3-vh96", "guzzlehttp/psr7")
	for _, want := range []string{"GHSA-wxmh-65f7-jcvw", "CVE-2022-24775", "CVE-2023-29197", "BIT-drupal-2022-24775"} {
		if !slices.Contains(f.Aliases, want) {
			t.Errorf("aliases %v lack %s", f.Aliases, want)
		}
	}
	if got := strings.Join(f.FixedVersions, ","); got != "1.8.4,1.9.1,2.1.1,2.4.5" || f.FixState != "fixed" {
		t.Errorf("fixed %q, state %q", got, f.FixState)
	}
	p := f.Package
	if p.Purl != "pkg:composer/guzzlehttp/psr7@1.6.1" || p.Ecosystem != "composer" || p.Path != "/tmpcardmarket-api/composer.lock" {
		t.Errorf("package %+v", p)
	}
	if f.Severity != document.SeverityMedium || f.CVSS == nil || f.CVSS.Score != 5.3 || f.Origins[0].Severity != "5.3" {
		t.Errorf("severity %s, cvss %+v, origin %+v", f.Severity, f.CVSS, f.Origins)
	}
	if strings.Join(f.CWE, ",") != "CWE-20,CWE-436" || f.Title != "Improper Input Validation in guzzlehttp/psr7" {
		t.Errorf("cwe %v, title %q", f.CWE, f.Title)
	}

	// A GHSA and its PYSEC twin: one finding; the same CVE in two
	// versions of requests: two.
	f = ingesttest.Find(t, doc, "GHSA-j8r2-6x86-q33q", "")
	if !slices.Contains(f.Aliases, "PYSEC-2023-74") || !slices.Contains(f.Aliases, "CVE-2023-32681") || f.Package.Purl != "pkg:pypi/requests@2.29.0" && f.Package.Purl != "pkg:pypi/requests@2.25.1" {
		t.Errorf("aliases %v, purl %s", f.Aliases, f.Package.Purl)
	}
	if !slices.Contains(f.Tags, "group:requirements") {
		t.Errorf("tags %v", f.Tags)
	}
	n := 0
	for _, f := range doc.Findings {
		if f.RuleID == "GHSA-j8r2-6x86-q33q" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d requests findings, want one per version", n)
	}
	// The GHSA entry has no score, its PYSEC twin neither; django's
	// GHSA-qmf9 has the word only.
	f = ingesttest.Find(t, doc, "GHSA-2gwj-7jmv-h26r", "django")
	if f.Severity != document.SeverityCritical || len(f.FixedVersions) == 0 {
		t.Errorf("severity %s, fixed %v", f.Severity, f.FixedVersions)
	}
}

func TestGitCommit(t *testing.T) {
	_, doc := h.File(t, "osv-scanner-many-findings.json")
	f := ingesttest.Find(t, doc, "CVE-2023-50094", "")
	p := f.Package
	if p.Name != "github.com/yogeshojha/rengine" || p.Version != "f5f3c22f3ed5a6804a2a8d9ee9fa43044cfa24a6" ||
		p.Ecosystem != "git" || p.Purl != "" || p.Path != "/tmprengine/" {
		t.Errorf("package %+v", p)
	}
	if f.Severity != document.SeverityHigh || f.CVSS == nil || f.CVSS.Score != 8.8 || f.FixState != "not-fixed" {
		t.Errorf("severity %s, cvss %+v, fix state %q", f.Severity, f.CVSS, f.FixState)
	}
	if f.Description == "" || !slices.Contains(f.References, "https://www.mattz.io/posts/cve-2023-50094/") {
		t.Errorf("description %q, references %v", f.Description, f.References)
	}
}

func TestMalicious(t *testing.T) {
	_, doc := h.File(t, "osv-scanner-some-findings.json")
	f := ingesttest.Find(t, doc, "MAL-2023-1035", "flot-axis")
	if !slices.Contains(f.Tags, "malicious") || strings.Join(f.Aliases, ",") != "GHSA-8348-2q94-ffjx" || strings.Join(f.CWE, ",") != "CWE-506" {
		t.Errorf("tags %v, aliases %v, cwe %v", f.Tags, f.Aliases, f.CWE)
	}
	if f.Package.Purl != "pkg:npm/flot-axis@0.0.0" || f.FixState != "not-fixed" {
		t.Errorf("purl %q, fix state %q", f.Package.Purl, f.FixState)
	}
}

func TestEcosystems(t *testing.T) {
	_, doc := h.File(t, "osv-scanner-two-lockfiles-groups.json")
	f := ingesttest.Find(t, doc, "GHSA-c3h9-896r-86jm", "")
	if f.Package.Purl != "pkg:golang/github.com/gogo/protobuf@1.3.1" || f.Package.Ecosystem != "golang" ||
		strings.Join(f.Aliases, ",") != "CVE-2021-3121,GO-2021-0053" || strings.Join(f.FixedVersions, ",") != "1.3.2" {
		t.Errorf("package %+v, aliases %v, fixed %v", f.Package, f.Aliases, f.FixedVersions)
	}
	f = ingesttest.Find(t, doc, "GHSA-m5pq-gvj9-9vr8", "")
	if f.Package.Purl != "pkg:cargo/regex@1.5.1" || !slices.Contains(f.Aliases, "RUSTSEC-2022-0013") {
		t.Errorf("package %+v, aliases %v", f.Package, f.Aliases)
	}
}

// TestMaxSeverity reads a group's max_severity, which OSV-Scanner 1.7
// and later write, before the entries' scores; and a report without
// groups, as OSV-Scanner wrote before them.
func TestMaxSeverity(t *testing.T) {
	data := `{"results": [{"source": {"path": "go.mod", "type": "lockfile"}, "packages": [
	  {"package": {"name": "golang.org/x/net", "version": "0.1.0", "ecosystem": "Go"},
	   "vulnerabilities": [{"id": "GO-2023-1", "aliases": ["CVE-2023-1"], "database_specific": {"severity": 7},
	     "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}],
	     "affected": [{"package": {"ecosystem": "Go", "name": "golang.org/x/text"}, "ranges": [{"type": "SEMVER", "events": [{"fixed": "0.9.0"}]}]},
	                  {"package": {"ecosystem": "Go", "name": "golang.org/x/net"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.7.0"}]}]}]}],
	   "groups": [{"ids": ["GO-2023-1"], "aliases": ["CVE-2023-1"], "max_severity": "9.1"}]},
	  {"package": {"name": "Django", "version": "1.0", "ecosystem": "PyPI"},
	   "vulnerabilities": [{"id": "PYSEC-1", "database_specific": {"severity": "MODERATE"},
	     "affected": [{"package": {"ecosystem": "PyPI", "name": "django"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1.1"}]}]}]}]}]}]}`
	_, doc, err := h.Bytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	f := ingesttest.Find(t, doc, "GO-2023-1", "")
	if f.Severity != document.SeverityCritical || f.Origins[0].Severity != "9.1" || f.CVSS == nil || f.CVSS.Score != 5.3 {
		t.Errorf("severity %s, origin %+v, cvss %+v", f.Severity, f.Origins, f.CVSS)
	}
	if strings.Join(f.FixedVersions, ",") != "0.7.0" {
		t.Errorf("fixed %v: only this package's ranges count", f.FixedVersions)
	}
	f = ingesttest.Find(t, doc, "PYSEC-1", "")
	if f.Severity != document.SeverityMedium || f.Origins[0].Severity != "MODERATE" || strings.Join(f.FixedVersions, ",") != "1.1" {
		t.Errorf("severity %s, origin %+v, fixed %v", f.Severity, f.Origins, f.FixedVersions)
	}
	if f.Package.Purl != "pkg:pypi/django@1.0" {
		t.Errorf("purl %q", f.Package.Purl)
	}
}

func TestErrors(t *testing.T) {
	h.AssertErrors(t, []ingesttest.ErrorCase{
		{Name: "type", Data: "{\"results\": [{\"source\": {\"path\": 5},\n \"packages\": []}]}", Want: "line 1, column"},
		{Name: "group without ids", Data: `{"results": [{"source": {"path": "a"}, "packages": [{"package": {"name": "p"}, "groups": [{"ids": [" "]}]}]}], "experimental_config": {}}`, Want: `results[0] (a): packages[0] (p): groups[0]: no ids`},
	})
}

// TestDetect checks that only OSV-Scanner's corpus files are claimed.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "osv-scanner")
	// A report too large for its results to have been kept is read up
	// to its first result.
	big := `{"results": [{"source": {"path": "x"}, "packages": [{"package": {"name": "` + strings.Repeat("a", 70<<10) + `"}}]}]}`
	ingesttest.AssertDetect(t, in, []ingesttest.DetectCase{
		{Data: `{"results": []}`, Want: false},
		{Data: `{"results": [{"check_id": "x", "path": "a"}], "errors": []}`, Want: false},
		{Data: `{"results": [{"source": {}, "packages": []}]}`, Want: true},
		{Data: big, Want: true},
		{Data: strings.Replace(big, `"packages"`, `"pkgs"`, 1), Want: false},
	})
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 64<<10, "osv-scanner")
	f.Add([]byte(`{"results": [null, {"packages": [null, {"package": {"commit": "c"}, "vulnerabilities": [null, {"id": ""}, {"id": "X", "affected": [{"ranges": [{"type": "GIT", "repo": "https://"}]}]}]},
	  {"package": {"name": "/", "ecosystem": "npm"}, "vulnerabilities": [{"id": "Y", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/"}], "database_specific": []}], "groups": [null, {"ids": ["Y", ""], "max_severity": "x"}]}]}], "experimental_config": null}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}
