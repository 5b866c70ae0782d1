package pipaudit

import (
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New(), Dir: "pip-audit", Raw: true}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file     string
		findings int
	}{
		// 7 vulnerabilities in 4 of 7 dependencies; azure-devops was skipped.
		{"pip-audit-1.x-list-format-vulns.json", 7},
		{"pip-audit-2.x-dependencies-format-vulns.json", 7},
		{"pip-audit-2.x-zero-vulns-skip-reason.json", 0},
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
			for _, f := range doc.Findings {
				if f.Severity != document.SeverityUnknown || f.CVSS != nil {
					t.Errorf("%s: severity %s, cvss %+v: pip-audit states none", f.RuleID, f.Severity, f.CVSS)
				}
				if f.Package.Name == "azure-devops" {
					t.Errorf("a finding for the skipped dependency: %+v", f)
				}
				if len(f.Origins) != 1 || f.Origins[0].RuleID != f.RuleID {
					t.Errorf("%s: origins %+v", f.RuleID, f.Origins)
				}
			}
		})
	}
}

func TestFields(t *testing.T) {
	for _, file := range []string{"pip-audit-1.x-list-format-vulns.json", "pip-audit-2.x-dependencies-format-vulns.json"} {
		t.Run(file, func(t *testing.T) {
			_, doc := h.File(t, file)
			f := ingesttest.Find(t, doc, "PYSEC-2021-439", "")
			p := f.Package
			if p.Name != "django" || p.Version != "3.2.9" || p.Purl != "pkg:pypi/django@3.2.9" || p.Ecosystem != "pypi" {
				t.Errorf("package = %+v", p)
			}
			if got := strings.Join(f.FixedVersions, ","); got != "2.2.25,3.1.14,3.2.10" || f.FixState != "fixed" {
				t.Errorf("fixed versions %q, fix state %q", got, f.FixState)
			}
			if !strings.HasPrefix(f.Description, "In Django 2.2 before 2.2.25") || f.Kind != document.KindVulnerability {
				t.Errorf("description %q, kind %s", f.Description, f.Kind)
			}
			// lxml's advisory names no fixed version.
			f = ingesttest.Find(t, doc, "PYSEC-2021-852", "")
			if len(f.FixedVersions) != 0 || f.FixState != "not-fixed" {
				t.Errorf("lxml: fixed %v, state %q", f.FixedVersions, f.FixState)
			}
			// twisted: four vulnerabilities of one dependency, four findings.
			n := 0
			for _, f := range doc.Findings {
				if f.Package.Name == "twisted" {
					n++
				}
			}
			if n != 4 {
				t.Errorf("%d twisted findings, want 4", n)
			}
		})
	}
}

// TestAliasesAndFixes reads what real pip-audit 2.x writes and the corpus
// files lack: vulnerability aliases and the fixes of pip-audit --fix.
func TestAliasesAndFixes(t *testing.T) {
	data := `{"dependencies": [
	  {"name": "Jinja2", "version": "2.11.2", "vulns": [{"id": "GHSA-g3rq-g295-4j3m", "fix_versions": ["2.11.3"], "aliases": ["CVE-2020-28493", "PYSEC-2021-66"], "description": "ReDoS"}]},
	  {"name": "Flask_Cors", "version": "3.0.8", "vulns": [{"id": "PYSEC-2020-43", "fix_versions": ["3.0.9"], "aliases": ["CVE-2020-25032"]}]}
	], "fixes": [
	  {"name": "jinja2", "old_version": "2.11.2", "new_version": "2.11.3"},
	  {"name": "flask-cors", "old_version": "3.0.8", "new_version": "", "skip_reason": "no fix"}
	]}`
	_, doc, err := h.Bytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	f := ingesttest.Find(t, doc, "GHSA-g3rq-g295-4j3m", "")
	if got := strings.Join(f.Aliases, ","); got != "CVE-2020-28493,PYSEC-2021-66" {
		t.Errorf("aliases %q", got)
	}
	if f.Package.Purl != "pkg:pypi/jinja2@2.11.2" {
		t.Errorf("purl %q: want the normalised name", f.Package.Purl)
	}
	if f.Status != document.StatusFixed || f.StatusReason == nil || f.StatusReason.By != "report" ||
		!strings.Contains(f.StatusReason.Statement, "to 2.11.3") {
		t.Errorf("status %s, reason %+v: pip-audit --fix upgraded it", f.Status, f.StatusReason)
	}
	f = ingesttest.Find(t, doc, "PYSEC-2020-43", "")
	if f.Status != document.StatusOpen || f.Package.Purl != "pkg:pypi/flask-cors@3.0.8" {
		t.Errorf("status %s, purl %q: a skipped fix fixes nothing", f.Status, f.Package.Purl)
	}
}

func TestEmptyArray(t *testing.T) {
	data := h.Corpus(t, "pip-audit-1.x-empty-list.json")
	f, err := sniff.New("x", data)
	if err != nil {
		t.Fatal(err)
	}
	// A bare [] is no one's: the empty ingester takes it.
	if ok, err := New().Detect(f); ok || err != nil {
		t.Errorf("Detect = %v, %v", ok, err)
	}
	// Forced (pip-audit:PATH), it is a report of nothing.
	rep, doc, err := h.Forced(t, data)
	if err != nil || len(rep.Findings) != 0 || len(doc.Findings) != 0 {
		t.Errorf("forced: %v, %+v", err, rep)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct{ name, data, want string }{
		{"type", "[\n{\"name\": \"a\", \"version\": 1, \"vulns\": []}]", "line 2, column"},
		{"object type", `{"dependencies": [{"name": "a", "vulns": [{"id": 5}]}]}`, "dependencies.vulns.id"},
		{"no id", `[{"name": "a", "version": "1", "vulns": [{"fix_versions": []}]}]`, "dependencies[0] (a): vulns[0] has no id"},
		{"no name", `{"dependencies": [{"version": "1", "vulns": [{"id": "PYSEC-1"}]}, {"name": "b", "vulns": []}]}`, "has no name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := h.Forced(t, []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	f, _ := sniff.New("x", []byte("hello"))
	if _, err := New().Ingest(f); err == nil {
		t.Error("text ingested")
	}
}

// TestDetect checks that only pip-audit's corpus files are claimed (the
// empty list excepted: no content can tell its tool).
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaims(t, in, ingesttest.Claims{Folders: []string{"pip-audit"}, Except: []string{"pip-audit-1.x-empty-list.json"}})
	ingesttest.AssertDetect(t, in, []ingesttest.DetectCase{
		{Data: `{"dependencies": [], "fixes": []}`, Want: true},
		{Data: `{"dependencies": []}`, Want: false},
		{Data: `{"dependencies": [{"name": "a", "version": "1"}]}`, Want: false},
		{Data: `{"dependencies": [{"ref": "a"}], "bomFormat": "CycloneDX"}`, Want: false},
		{Data: `[{"name": "a", "skip_reason": "x"}]`, Want: true},
		{Data: `[{"name": "a", "version": "1"}]`, Want: false},
	})
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 0, "pip-audit")
	f.Add([]byte(`{"dependencies": [{"name": "", "vulns": [{"id": " "}]}], "fixes": [{"name": "", "old_version": "", "new_version": "1"}]}`))
	f.Add([]byte(`[{"name": "..", "vulns": [null, {"id": "X", "fix_versions": ["", " "], "aliases": [""]}]}, null]`))
	// Ingest as if forced: whatever Detect said, it must not panic.
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{Forced: true})
}

// TestPipAuditSkippedDependenciesAreScanErrors: a dependency pip-audit
// could not audit is a scan error of the source, with its reason.
func TestPipAuditSkippedDependenciesAreScanErrors(t *testing.T) {
	_, doc := h.File(t, "pip-audit-2.x-zero-vulns-skip-reason.json")
	want := document.ScanError{Level: "warning", Message: "Dependency not found on PyPI and could not be audited: azure-devops (0.17.0)", Type: "skipped dependency"}
	if s := doc.Sources[0]; len(s.Errors) != 1 || s.Errors[0] != want {
		t.Errorf("errors %+v, want [%+v]", s.Errors, want)
	}
}
