package gate

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest"
)

const corpus = "../testdata/corpus"

// edited writes a copy of a corpus report, changed by edit, and returns
// its path.
func edited(t *testing.T, report string, edit func(v any)) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(corpus, report))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	edit(v)
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(report))
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// shiftLines adds n to every line number in a SARIF log or Semgrep
// report: what two lines added at the top of every file do.
func shiftLines(n float64) func(v any) {
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if line, ok := e.(float64); ok && (k == "startLine" || k == "endLine" || k == "line" && (key == "start" || key == "end")) {
					v[k] = line + n
					continue
				}
				walk(e, k)
			}
		case []any:
			for _, e := range v {
				walk(e, key)
			}
		}
	}
	return func(v any) { walk(v, "") }
}

func load(t *testing.T, reports ...string) *document.Document {
	t.Helper()
	doc, err := ingest.Load(reports, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// newFindings marks doc against base and returns the findings new to it.
func newFindings(doc, base *document.Document) []document.Finding {
	MarkNew(doc, base)
	var out []document.Finding
	for _, f := range doc.Findings {
		if f.New == nil || *f.New {
			out = append(out, f)
		}
	}
	return out
}

// Code that moved two lines down is the same code: nothing is new, and
// every finding keeps its id.
func TestMovedCodeIsNotNew(t *testing.T) {
	for _, report := range []string{
		"semgrep/semgrep-1.30-5-results.json",
		"sarif/codeql-2.5.4-java-codeflows.sarif",
		"sarif/semgrep-oss-1.69.sarif",
		"trivy-json/trivy-config-helm-misconfigs.json",
	} {
		t.Run(report, func(t *testing.T) {
			base := load(t, filepath.Join(corpus, report))
			moved := edited(t, report, shiftLines(2))
			if report == "trivy-json/trivy-config-helm-misconfigs.json" {
				moved = edited(t, report, shiftTrivyCauses(2))
			}
			doc := load(t, moved)
			if len(doc.Findings) == 0 || len(doc.Findings) != len(base.Findings) {
				t.Fatalf("%d findings moved, %d in the base", len(doc.Findings), len(base.Findings))
			}
			if doc.Findings[0].Location.StartLine == base.Findings[0].Location.StartLine {
				t.Fatal("the copy did not move")
			}
			if n := newFindings(doc, base); len(n) != 0 {
				t.Errorf("%d of %d moved findings are new, want none; first %s at %+v", len(n), len(doc.Findings), n[0].RuleID, n[0].Location)
			}
			at := base.Positions()
			for _, f := range doc.Findings {
				if _, ok := at[f.ID]; !ok {
					t.Errorf("%s at %s:%d has another id once moved", f.RuleID, f.Location.Path, f.Location.StartLine)
				}
			}
		})
	}
}

// shiftTrivyCauses adds n to the lines of Trivy misconfigurations.
func shiftTrivyCauses(n float64) func(v any) {
	return func(v any) {
		for _, r := range v.(map[string]any)["Results"].([]any) {
			ms, _ := r.(map[string]any)["Misconfigurations"].([]any)
			for _, m := range ms {
				cm, _ := m.(map[string]any)["CauseMetadata"].(map[string]any)
				for _, k := range []string{"StartLine", "EndLine"} {
					if line, ok := cm[k].(float64); ok {
						cm[k] = line + n
					}
				}
			}
		}
	}
}

// A partial upgrade leaves the CVE it does not fix as it was: not new. A
// CVE the package did not have is new.
func TestPartialUpgradeKeepsItsCVEOld(t *testing.T) {
	const report = "trivy-json/trivy-image-alpine310-os-vulns.json"
	base := load(t, filepath.Join(corpus, report))
	// libcrypto1.1 upgraded from 1.1.1c-r0 to 1.1.1d-r0, which fixes
	// CVE-2019-1549 but not CVE-2019-1551, and libssl1.1 with a CVE it
	// did not have (testdata/moved/README.md).
	doc := load(t, "../testdata/moved/trivy-image-alpine310.upgraded.json")
	var upgraded bool
	for _, f := range doc.Findings {
		if f.Package.Name == "libcrypto1.1" && f.RuleID == "CVE-2019-1551" {
			upgraded = f.Package.Version == "1.1.1d-r0"
		}
	}
	if !upgraded {
		t.Fatal("the copy does not have CVE-2019-1551 in libcrypto1.1 1.1.1d-r0")
	}
	n := newFindings(doc, base)
	if len(n) != 1 || n[0].RuleID != "CVE-2020-1967" || n[0].Package.Name != "libssl1.1" {
		t.Errorf("new: %+v, want CVE-2020-1967 in libssl1.1 alone", n)
	}
}

// A vulnerability is the same across versions by any of its ids, in the
// same package by its ecosystem's normalised name; in another package,
// or without a rule to tell, it is new.
func TestKnown(t *testing.T) {
	vuln := func(id string, aliases []string, name, version, purl string) document.Finding {
		return document.Finding{Kind: document.KindVulnerability, RuleID: id, Aliases: aliases,
			Package: &document.Package{Name: name, Version: version, Purl: purl, Ecosystem: document.Ecosystem(purl)}}
	}
	code := func(rule, path, fp string) document.Finding {
		f := document.Finding{Kind: document.KindCode, RuleID: rule, Location: &document.Location{Path: path, StartLine: 3}, ToolFingerprint: fp}
		f.ID = document.Fingerprint(&f)
		return f
	}
	for _, c := range []struct {
		name      string
		base, now document.Finding
		isNew     bool
	}{
		{"pypi name normalised", vuln("PYSEC-1", nil, "django-rest-framework", "1", "pkg:pypi/django-rest-framework@1"),
			document.Finding{Kind: document.KindVulnerability, RuleID: "PYSEC-1",
				Package: &document.Package{Name: "Django_REST.framework", Version: "2", Ecosystem: "pypi"}}, false},
		{"by an alias", vuln("GHSA-35jh-r3h4-6jhm", []string{"CVE-2021-23337"}, "lodash", "4.17.19", "pkg:npm/lodash@4.17.19"),
			vuln("CVE-2021-23337", nil, "lodash", "4.17.20", "pkg:npm/lodash@4.17.20"), false},
		{"another package", vuln("CVE-2021-23337", nil, "lodash", "4.17.20", "pkg:npm/lodash@4.17.20"),
			vuln("CVE-2021-23337", nil, "lodash-es", "4.17.20", "pkg:npm/lodash-es@4.17.20"), true},
		{"another ecosystem", vuln("CVE-1", nil, "requests", "1", "pkg:pypi/requests@1"),
			vuln("CVE-1", nil, "requests", "1", "pkg:npm/requests@1"), true},
		{"the tool's fingerprint", code("r", "a.go", "primaryLocationLineHash=abc:1\x00"),
			document.Finding{Kind: document.KindCode, RuleID: "r", ID: "other", Location: &document.Location{Path: "a.go"}, ToolFingerprint: "primaryLocationLineHash=abc:1\x00"}, false},
		{"another fingerprint, another id", code("r", "a.go", "primaryLocationLineHash=abc:1\x00"),
			document.Finding{Kind: document.KindCode, RuleID: "r", ID: "other", Location: &document.Location{Path: "a.go"}, ToolFingerprint: "primaryLocationLineHash=def:1\x00"}, true},
		{"one id, two fingerprints", code("r", "a.go", "primaryLocationLineHash=abc:1\x00"), code("r", "a.go", "primaryLocationLineHash=def:1\x00"), true},
		{"one id, a fingerprint on one side", code("r", "a.go", "primaryLocationLineHash=abc:1\x00"), code("r", "a.go", ""), false},
		{"one id, a fingerprint on the other side", code("r", "a.go", ""), code("r", "a.go", "primaryLocationLineHash=abc:1\x00"), false},
		{"no rule", document.Finding{Kind: document.KindCode, ID: "x"}, document.Finding{Kind: document.KindCode, ID: "x"}, true},
		{"a rule the report did not name", code(document.UnknownRule, "a.go", ""), code(document.UnknownRule, "a.go", ""), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, doc := document.New(), document.New()
			base.Findings = []document.Finding{c.base}
			doc.Findings = []document.Finding{c.now}
			if got := len(newFindings(doc, base)) == 1; got != c.isNew {
				t.Errorf("new %v, want %v", got, c.isNew)
			}
		})
	}
}

// An exception by finding id, written against a report, still waives the
// finding once the code above it grew by two lines.
func TestExceptionByIDSurvivesAMove(t *testing.T) {
	const report = "semgrep/semgrep-1.30-5-results.json"
	before := load(t, filepath.Join(corpus, report))
	f := before.Findings[0]
	cfg, err := config.Parse([]byte("exceptions:\n  - id: " + f.ID + "\n    reason: reviewed\n    expires: 2099-12-31\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Options{
		Reports: []string{edited(t, report, shiftLines(2))},
		Policy:  Policy{Config: cfg},
		Now:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Decision.Exceptions) != 1 || res.Decision.Exceptions[0].FindingID != f.ID {
		t.Errorf("exceptions applied: %+v, want one, to %s (%s at line %d before the move)", res.Decision.Exceptions, f.ID, f.RuleID, f.Location.StartLine)
	}
}

// A CodeQL result added above another of its rule in its file, all code
// two lines down: the tool's fingerprints say which one is new, though
// the places of the rule's results in the file all shifted.
func TestAddedAboveIsNewByFingerprint(t *testing.T) {
	base := load(t, filepath.Join(corpus, addedAboveReport))
	doc := load(t, addedAbove(t))
	n := newFindings(doc, base)
	if len(n) != 1 || n[0].RuleID != "py/empty-except" || n[0].Location.StartLine != 1 {
		t.Errorf("new: %d findings, want the one added at bad/db_init.py:1: %+v", len(n), n)
	}
}

const addedAboveReport = "sarif/codeql-2.5.4-java-codeflows.sarif"

// addedAbove writes a copy of addedAboveReport with all code two lines
// down and a py/empty-except result added at the top of bad/db_init.py,
// with fingerprints of its own, and returns its path.
func addedAbove(t *testing.T) string {
	t.Helper()
	shift := shiftLines(2)
	return edited(t, addedAboveReport, func(v any) {
		shift(v)
		run := v.(map[string]any)["runs"].([]any)[0].(map[string]any)
		results := run["results"].([]any)
		for _, r := range results {
			res := r.(map[string]any)
			loc := res["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
			if res["ruleId"] != "py/empty-except" || loc["artifactLocation"].(map[string]any)["uri"] != "bad/db_init.py" {
				continue
			}
			// A copy of the first at line 1, which CodeQL fingerprints anew.
			var added map[string]any
			raw, _ := json.Marshal(res)
			_ = json.Unmarshal(raw, &added)
			region := added["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["region"].(map[string]any)
			region["startLine"], region["endLine"] = 1.0, 1.0
			added["partialFingerprints"] = map[string]any{"primaryLocationLineHash": "0123456789abcdef:1", "primaryLocationStartColumnFingerprint": "0"}
			run["results"] = append(results, added)
			return
		}
		t.Fatal("no py/empty-except result in bad/db_init.py")
	})
}
