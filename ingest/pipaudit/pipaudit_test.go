package pipaudit

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

// ingestBytes detects and ingests data as ingest.Bytes does (forced says
// whether the user forced the format), then joins the report to a
// finished, valid document.
func ingestBytes(t testing.TB, data []byte, forced bool) (*document.Report, *document.Document, error) {
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
	if !ok && !forced {
		return nil, nil, errors.New("not detected")
	}
	rep, err := in.Ingest(f)
	if err != nil {
		return nil, nil, err
	}
	raw := &document.Report{Tool: rep.Tool, Findings: append([]document.Finding(nil), rep.Findings...)}
	doc := document.New()
	doc.Add(document.Source{Path: "x.json", Format: "pip-audit", SHA256: strings.Repeat("0", 64)}, rep)
	doc.Finish()
	if err := doc.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return raw, doc, nil
}

func ingestFile(t *testing.T, name string) (*document.Report, *document.Document) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus, "pip-audit", name))
	if err != nil {
		t.Fatal(err)
	}
	rep, doc, err := ingestBytes(t, data, false)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rep, doc
}

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
			rep, doc := ingestFile(t, tt.file)
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

func find(t *testing.T, doc *document.Document, ruleID string) *document.Finding {
	t.Helper()
	for i := range doc.Findings {
		if doc.Findings[i].RuleID == ruleID {
			return &doc.Findings[i]
		}
	}
	t.Fatalf("no finding %s", ruleID)
	return nil
}

func TestFields(t *testing.T) {
	for _, file := range []string{"pip-audit-1.x-list-format-vulns.json", "pip-audit-2.x-dependencies-format-vulns.json"} {
		t.Run(file, func(t *testing.T) {
			_, doc := ingestFile(t, file)
			f := find(t, doc, "PYSEC-2021-439")
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
			f = find(t, doc, "PYSEC-2021-852")
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
	_, doc, err := ingestBytes(t, []byte(data), false)
	if err != nil {
		t.Fatal(err)
	}
	f := find(t, doc, "GHSA-g3rq-g295-4j3m")
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
	f = find(t, doc, "PYSEC-2020-43")
	if f.Status != document.StatusOpen || f.Package.Purl != "pkg:pypi/flask-cors@3.0.8" {
		t.Errorf("status %s, purl %q: a skipped fix fixes nothing", f.Status, f.Package.Purl)
	}
}

func TestPurl(t *testing.T) {
	for name, want := range map[string]string{
		"Django":             "pkg:pypi/django@1.0",
		"zope.interface":     "pkg:pypi/zope-interface@1.0",
		"Foo__Bar-.baz":      "pkg:pypi/foo-bar-baz@1.0",
		" ruamel.yaml ":      "pkg:pypi/ruamel-yaml@1.0",
		"":                   "",
		"_leading":           "pkg:pypi/leading@1.0",
		"backports.zoneinfo": "pkg:pypi/backports-zoneinfo@1.0",
	} {
		if got := Purl(name, "1.0"); got != want {
			t.Errorf("Purl(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestEmptyArray(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpus, "pip-audit", "pip-audit-1.x-empty-list.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := sniff.New("x", data)
	if err != nil {
		t.Fatal(err)
	}
	// A bare [] is no one's: the empty ingester takes it.
	if ok, err := New().Detect(f); ok || err != nil {
		t.Errorf("Detect = %v, %v", ok, err)
	}
	// Forced (pip-audit:PATH), it is a report of nothing.
	rep, doc, err := ingestBytes(t, data, true)
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
			_, _, err := ingestBytes(t, []byte(tt.data), true)
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
		mine := filepath.Base(filepath.Dir(path)) == "pip-audit" && filepath.Base(path) != "pip-audit-1.x-empty-list.json"
		if ok != mine || err != nil {
			t.Errorf("%s: Detect = %v, %v; want %v", path, ok, err, mine)
		}
	}
	for _, tt := range []struct {
		data string
		want bool
	}{
		{`{"dependencies": [], "fixes": []}`, true},
		{`{"dependencies": []}`, false},
		{`{"dependencies": [{"name": "a", "version": "1"}]}`, false},
		{`{"dependencies": [{"ref": "a"}], "bomFormat": "CycloneDX"}`, false},
		{`[{"name": "a", "skip_reason": "x"}]`, true},
		{`[{"name": "a", "version": "1"}]`, false},
	} {
		f, err := sniff.New("x", []byte(tt.data))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := in.Detect(f); ok != tt.want || err != nil {
			t.Errorf("%s: Detect = %v, %v; want %v", tt.data, ok, err, tt.want)
		}
	}
}

func FuzzIngest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpus, "pip-audit", "*"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte(`{"dependencies": [{"name": "", "vulns": [{"id": " "}]}], "fixes": [{"name": "", "old_version": "", "new_version": "1"}]}`))
	f.Add([]byte(`[{"name": "..", "vulns": [null, {"id": "X", "fix_versions": ["", " "], "aliases": [""]}]}, null]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := sniff.New("x", data)
		if err != nil {
			return
		}
		in := New()
		if _, err := in.Detect(sf); err != nil {
			return
		}
		// Ingest as if forced: whatever Detect said, it must not panic.
		rep, err := in.Ingest(sf)
		if err != nil {
			if rep != nil {
				t.Fatal("a report with an error")
			}
			return
		}
		doc := document.New()
		doc.Add(document.Source{Path: "x", Format: "pip-audit", SHA256: strings.Repeat("0", 64)}, rep)
		doc.Finish()
		if err := doc.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
	})
}
