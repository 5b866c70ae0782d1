package sarif

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New(), Dir: "sarif"}

// ingestBytes sniffs, detects and ingests data as the ingest package does.
func ingestBytes(t testing.TB, data []byte) (*document.Report, error) {
	t.Helper()
	return ingesttest.Ingest(h.In, "test.sarif", data, false)
}

func mustIngest(t *testing.T, data string) (*document.Report, *document.Document) {
	t.Helper()
	rep := h.Must(t, []byte(data))
	return rep, h.Finish(t, rep)
}

// TestCorpus checks every corpus file against the counts MANIFEST.tsv
// states. results is what the report holds (results whose kind is "pass"
// make none); findings is what remains after Document.Add merges results
// about the same problem.
func TestCorpus(t *testing.T) {
	tests := []struct {
		file              string
		tool, version     string
		results, findings int
		severity          map[document.Severity]int
		kinds             map[document.Kind]int
	}{
		{"codeql-2.5.4-java-codeflows.sarif", "CodeQL", "2.5.4", 72, 72,
			map[document.Severity]int{"high": 11, "medium": 4, "low": 57}, map[document.Kind]int{"code": 72}},
		{"dependency-check-6.1.2-no-rules.sarif", "dependency-check", "6.1.2", 13, 13,
			map[document.Severity]int{"medium": 12, "low": 1}, map[document.Kind]int{"vulnerability": 13}},
		{"dockle-0.3.15.sarif", "Dockle", "", 4, 4,
			map[document.Severity]int{"high": 1, "low": 3}, map[document.Kind]int{"misconfiguration": 4}},
		{"empty-runs-array.sarif", "", "", 0, 0, nil, nil},
		// One of the 54 results is kind "pass": a check that held.
		{"flawfinder-2.0.19-cwe-relationships.sarif", "Flawfinder", "2.0.19", 53, 53,
			map[document.Severity]int{"high": 2, "medium": 1, "low": 50}, map[document.Kind]int{"code": 53}},
		// The 8 results are 4 secrets, each seen in two commits.
		{"gitleaks-7.5.0.sarif", "Gitleaks", "v7.4.0", 8, 4,
			map[document.Severity]int{"medium": 4}, map[document.Kind]int{"secret": 4}},
		// level is error or warning for every result; the severity is a rule tag
		// (HIGH, MEDIUM, LOW), as in the JSON of the same run.
		{"gosec-2.30-run-pair.sarif", "gosec", "dev", 6, 6,
			map[document.Severity]int{"high": 1, "medium": 3, "low": 2}, map[document.Kind]int{"code": 6}},
		{"govulncheck-novuln-empty-results.sarif", "govulncheck", "v0.0.0", 0, 0, nil, nil},
		{"govulncheck-real-project.sarif", "govulncheck", "v1.3.0", 3, 3,
			map[document.Severity]int{"high": 1, "medium": 1, "low": 1}, map[document.Kind]int{"vulnerability": 3}},
		{"govulncheck-source-call.sarif", "govulncheck", "v0.0.0", 4, 4,
			map[document.Severity]int{"high": 2, "medium": 1, "low": 1}, map[document.Kind]int{"vulnerability": 4}},
		{"grype-0.34.7-image.sarif", "Grype", "0.34.7", 22, 22,
			map[document.Severity]int{"critical": 1, "high": 11, "medium": 4, "low": 6}, map[document.Kind]int{"vulnerability": 22}},
		{"kics-taxonomies-categories-cwe.sarif", "KICS", "development", 1, 1,
			map[document.Severity]int{"high": 1}, map[document.Kind]int{"misconfiguration": 1}},
		{"lgtm-export-two-runs.sarif", "LGTM.com", "1.26.0-SNAPSHOT", 58 + 452, 510,
			map[document.Severity]int{"high": 31, "medium": 122, "low": 357}, map[document.Kind]int{"code": 510}},
		{"osv-scanner-lockfile-2-vulns.sarif", "osv-scanner", "2.5.0", 2, 2,
			map[document.Severity]int{"medium": 2}, map[document.Kind]int{"vulnerability": 2}},
		{"sarif-spec-appendix-k-suppression-codeflow.sarif", "CodeScanner", "2.1", 1, 1,
			map[document.Severity]int{"high": 1}, map[document.Kind]int{"code": 1}},
		{"semgrep-0.17-owasp-benchmark-1768-results.sarif", "semgrep", "0.17.0", 1768, 1768,
			map[document.Severity]int{"medium": 1768}, map[document.Kind]int{"code": 1768}},
		{"semgrep-oss-1.69.sarif", "Semgrep OSS", "1.69.0", 77, 77,
			map[document.Severity]int{"critical": 34, "high": 1, "medium": 42}, map[document.Kind]int{"code": 77}},
		// Two taint results share their source location but not their sinks:
		// their partial fingerprints tell them apart.
		{"shiftleft-scan-python-taint.sarif", "Python Security Analysis", "1.0.0-scan", 11, 11,
			map[document.Severity]int{"critical": 1, "high": 7, "medium": 1, "low": 2}, map[document.Kind]int{"code": 11}},
		{"snyk-code.sarif", "SnykCode", "1.0.0", 39, 39,
			map[document.Severity]int{"high": 12, "medium": 24, "low": 3}, map[document.Kind]int{"code": 35, "secret": 4}},
		{"spotbugs-4.4.0.sarif", "SpotBugs", "4.4.0", 56, 56,
			map[document.Severity]int{"low": 56}, map[document.Kind]int{"code": 56}},
		{"trivy-image-alpine310.sarif", "Trivy", "dev", 4, 4,
			map[document.Severity]int{"medium": 4}, map[document.Kind]int{"vulnerability": 4}},
	}
	files, _ := filepath.Glob(filepath.Join(ingesttest.CorpusDir, "sarif", "*"))
	if len(files) != len(tests) {
		t.Errorf("%d corpus files, %d test cases", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, err := ingestBytes(t, h.Corpus(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Tool.Name != tt.tool || rep.Tool.Version != tt.version {
				t.Errorf("tool = %+v, want %q %q", rep.Tool, tt.tool, tt.version)
			}
			if len(rep.Findings) != tt.results {
				t.Errorf("%d findings in the report, want %d", len(rep.Findings), tt.results)
			}
			for _, f := range rep.Findings {
				if len(f.Origins) != 1 || f.Origins[0].Tool != tt.tool || f.Origins[0].RuleID == "" || f.Origins[0].Severity == "" {
					t.Fatalf("finding %s: origins %+v", f.RuleID, f.Origins)
				}
			}
			doc := h.Finish(t, rep)
			if len(doc.Findings) != tt.findings {
				t.Errorf("%d findings in the document, want %d", len(doc.Findings), tt.findings)
			}
			sev := map[document.Severity]int{}
			kinds := map[document.Kind]int{}
			for _, f := range doc.Findings {
				sev[f.Severity]++
				kinds[f.Kind]++
			}
			if fmt.Sprint(sev) != fmt.Sprint(orEmpty(tt.severity)) {
				t.Errorf("severities %v, want %v", sev, tt.severity)
			}
			if fmt.Sprint(kinds) != fmt.Sprint(orEmpty(tt.kinds)) {
				t.Errorf("kinds %v, want %v", kinds, tt.kinds)
			}
		})
	}
}

func orEmpty[K comparable](m map[K]int) map[K]int {
	if m == nil {
		return map[K]int{}
	}
	return m
}

// corpusFinding ingests a corpus file and returns the report's findings
// that match.
func corpusFindings(t *testing.T, file string, match func(*document.Finding) bool) []document.Finding {
	t.Helper()
	rep, err := ingestBytes(t, h.Corpus(t, file))
	if err != nil {
		t.Fatal(err)
	}
	var out []document.Finding
	for i := range rep.Findings {
		if match(&rep.Findings[i]) {
			out = append(out, rep.Findings[i])
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no finding matches", file)
	}
	return out
}

func byRule(id string) func(*document.Finding) bool {
	return func(f *document.Finding) bool { return f.RuleID == id }
}

// TestCorpusEdgeCases checks the oddities MANIFEST.tsv names.
func TestCorpusEdgeCases(t *testing.T) {
	t.Run("codeql: no result.level, rule defaultConfiguration, CodeQL CWE tags", func(t *testing.T) {
		f := corpusFindings(t, "codeql-2.5.4-java-codeflows.sarif", byRule("py/empty-except"))[0]
		// ruleIndex 19; defaultConfiguration.level note
		if f.Severity != document.SeverityLow || f.Origins[0].Severity != "note" {
			t.Errorf("severity %s (%s)", f.Severity, f.Origins[0].Severity)
		}
		if !slices.Equal(f.CWE, []string{"CWE-390"}) {
			t.Errorf("cwe %v, want CWE-390 from external/cwe/cwe-390", f.CWE)
		}
		if f.Title != "Empty except" || f.Location == nil || f.Location.Path != "good/db_init.py" || f.Location.StartLine != 39 {
			t.Errorf("title %q location %+v", f.Title, f.Location)
		}
	})
	t.Run("dependency-check: no rules; severity from properties; no package", func(t *testing.T) {
		fs := corpusFindings(t, "dependency-check-6.1.2-no-rules.sarif", byRule("CVE-2012-6708"))
		f := fs[0]
		if f.Kind != document.KindVulnerability || f.Severity != document.SeverityMedium || f.Origins[0].Severity != "MEDIUM" {
			t.Errorf("kind %s severity %s (%s)", f.Kind, f.Severity, f.Origins[0].Severity)
		}
		if f.Package != nil || f.Location == nil ||
			f.Location.Path != "/src/.venv/lib/python3.9/site-packages/tastypie_swagger/static/tastypie_swagger/js/lib/jquery-1.8.0.min.js" {
			t.Errorf("package %+v location %+v", f.Package, f.Location)
		}
		if len(f.Scores) != 2 || f.Scores[0].Version != "3.0" || f.Scores[0].Score != 6.1 {
			t.Errorf("scores %+v", f.Scores)
		}
		retire := corpusFindings(t, "dependency-check-6.1.2-no-rules.sarif", byRule("Prototype pollution"))[0]
		if retire.Kind != document.KindVulnerability || retire.Severity != document.SeverityMedium {
			t.Errorf("retire.js advisory: kind %s severity %s", retire.Kind, retire.Severity)
		}
	})
	t.Run("dockle: no locations", func(t *testing.T) {
		f := corpusFindings(t, "dockle-0.3.15.sarif", byRule("CIS-DI-0010"))[0]
		if f.Location != nil || f.Severity != document.SeverityHigh || f.Kind != document.KindMisconfiguration {
			t.Errorf("%+v", f)
		}
		if !slices.Equal(f.References, []string{"https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#CIS-DI-0010"}) {
			t.Errorf("references %v (help text that is a link)", f.References)
		}
	})
	t.Run("flawfinder: CWE from rule relationships", func(t *testing.T) {
		f := corpusFindings(t, "flawfinder-2.0.19-cwe-relationships.sarif", byRule("FF1048"))[0]
		if !slices.Equal(f.CWE, []string{"CWE-327"}) {
			t.Errorf("cwe %v", f.CWE)
		}
	})
	t.Run("gitleaks: no ruleId, rule found from the message, no snippet", func(t *testing.T) {
		rep, err := ingestBytes(t, h.Corpus(t, "gitleaks-7.5.0.sarif"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			if f.Kind != document.KindSecret || f.Location == nil || f.Location.Snippet != "" {
				t.Fatalf("%+v", f)
			}
			if f.RuleID != "AWS Access Key" && f.RuleID != "Asymmetric Private Key" {
				t.Errorf("rule id %q", f.RuleID)
			}
		}
		out, _ := json.Marshal(h.Finish(t, rep))
		if bytes.Contains(out, []byte("AKIAIOSFODNN7EXAMPLE")) {
			t.Error("the document holds the secret")
		}
	})
	t.Run("govulncheck: GO- ids with CVE and GHSA aliases", func(t *testing.T) {
		f := corpusFindings(t, "govulncheck-source-call.sarif", byRule("GO-2020-0015"))[0]
		if !slices.Equal(f.Aliases, []string{"CVE-2020-14040", "GHSA-5rcv-m4m3-hfh7"}) {
			t.Errorf("aliases %v", f.Aliases)
		}
		if f.Kind != document.KindVulnerability || f.Severity != document.SeverityLow || f.Location == nil || f.Location.Path != "go.mod" {
			t.Errorf("%+v", f)
		}
	})
	t.Run("grype: rule per CVE and package", func(t *testing.T) {
		f := corpusFindings(t, "grype-0.34.7-image.sarif", func(f *document.Finding) bool {
			return f.Origins[0].RuleID == "CVE-2008-0732-geronimo-j2ee-management_1.1_spec"
		})[0]
		want := document.Package{Name: "geronimo-j2ee-management_1.1_spec", Version: "1.0.1", Ecosystem: "maven",
			Path: "lib/geronimo-j2ee-management_1.1_spec-1.0.1.jar"}
		if f.Package != nil {
			want.Paths = f.Package.Paths // set when the document is finished
		}
		if f.RuleID != "CVE-2008-0732" || f.Package == nil || !reflect.DeepEqual(*f.Package, want) || f.Location != nil {
			t.Errorf("rule %s package %+v location %+v", f.RuleID, f.Package, f.Location)
		}
		if f.Severity != document.SeverityLow || f.Origins[0].Severity != "2.1" {
			t.Errorf("severity %s (%s), want low from security-severity 2.1", f.Severity, f.Origins[0].Severity)
		}
	})
	t.Run("kics: taxonomies, Windows backslash URI", func(t *testing.T) {
		f := corpusFindings(t, "kics-taxonomies-categories-cwe.sarif", func(*document.Finding) bool { return true })[0]
		if f.Location == nil || f.Location.Path != "test/fixtures/test_sarif_cwe_report/script_block_injection/test/positive1.yaml" {
			t.Errorf("location %+v", f.Location)
		}
		if !slices.Equal(f.Tags, []string{"Insecure Configurations"}) || len(f.CWE) != 0 {
			t.Errorf("tags %v cwe %v", f.Tags, f.CWE)
		}
		if f.Severity != document.SeverityHigh || f.Origins[0].Severity != "error" {
			t.Errorf("severity %s (%s): defaultConfiguration error", f.Severity, f.Origins[0].Severity)
		}
	})
	t.Run("lgtm: two runs", func(t *testing.T) {
		rep, err := ingestBytes(t, h.Corpus(t, "lgtm-export-two-runs.sarif"))
		if err != nil {
			t.Fatal(err)
		}
		js, py := 0, 0
		for _, f := range rep.Findings {
			switch {
			case strings.HasPrefix(f.RuleID, "com.lgtm/javascript-queries:"):
				js++
			case strings.HasPrefix(f.RuleID, "com.lgtm/python-queries:"):
				py++
			}
		}
		if js != 58 || py != 452 {
			t.Errorf("%d + %d results, want 58 + 452", js, py)
		}
	})
	t.Run("osv-scanner: index -1, file:// URI", func(t *testing.T) {
		f := corpusFindings(t, "osv-scanner-lockfile-2-vulns.sarif", byRule("CVE-2023-39139"))[0]
		if !slices.Equal(f.Aliases, []string{"GHSA-9v85-q87q-g4vg"}) {
			t.Errorf("aliases %v", f.Aliases)
		}
		if f.Package == nil || f.Package.Name != "https://github.com/brendan-duncan/archive.git" ||
			f.Package.Version != "6fc3b89f" || f.Package.Path != "<rootdir>/testdata/locks-insecure/osv-scanner-flutter-deps.json" {
			t.Errorf("package %+v", f.Package)
		}
		if !strings.HasPrefix(f.Description, "An issue in Archive v3.3.7 allows attackers to execute a path traversal") {
			t.Errorf("description %q: ruleIndex 1 is the second rule", f.Description)
		}
	})
	t.Run("spec appendix K: suppression, baselineState", func(t *testing.T) {
		rep, doc := mustIngest(t, string(h.Corpus(t, "sarif-spec-appendix-k-suppression-codeflow.sarif")))
		f := rep.Findings[0]
		if f.Status != document.StatusAccepted || f.StatusReason == nil || *f.StatusReason != (document.StatusNote{By: "sarif-suppression", Statement: "external"}) {
			t.Errorf("status %s %+v", f.Status, f.StatusReason)
		}
		if f.BaselineState != "existing" || rep.Created != "2016-07-16T14:19:01Z" {
			t.Errorf("baseline %q created %q", f.BaselineState, rep.Created)
		}
		if doc.Summary.OpenFindings != 0 {
			t.Errorf("%d open findings", doc.Summary.OpenFindings)
		}
	})
	t.Run("semgrep: security-severity words", func(t *testing.T) {
		fs := corpusFindings(t, "semgrep-oss-1.69.sarif", func(f *document.Finding) bool { return f.Origins[0].Severity == "MEDIUM" })
		for _, f := range fs {
			if f.Severity != document.SeverityMedium || len(f.CWE) == 0 {
				t.Fatalf("%s: severity %s cwe %v", f.RuleID, f.Severity, f.CWE)
			}
		}
	})
	t.Run("shiftleft: result property severity, file URI", func(t *testing.T) {
		f := corpusFindings(t, "shiftleft-scan-python-taint.sarif", byRule("taint-file-write"))[0]
		if f.Severity != document.SeverityCritical || f.Location.Path != "dojo/forms.py" || f.BaselineState != "new" {
			t.Errorf("severity %s location %+v baseline %q", f.Severity, f.Location, f.BaselineState)
		}
		if !slices.Equal(f.CWE, []string{"CWE-732"}) {
			t.Errorf("cwe %v, want the one helpUri links to", f.CWE)
		}
	})
	t.Run("snyk: cwe property", func(t *testing.T) {
		f := corpusFindings(t, "snyk-code.sarif", byRule("javascript/XSS"))[0]
		if !slices.Equal(f.CWE, []string{"CWE-79"}) {
			t.Errorf("cwe %v", f.CWE)
		}
	})
	t.Run("trivy: package from the message, CVSS from rule properties", func(t *testing.T) {
		fs := corpusFindings(t, "trivy-image-alpine310.sarif", byRule("CVE-2019-1551"))
		f := fs[1]
		if f.Package == nil || f.Package.Name != "libssl1.1" || f.Package.Version != "1.1.1c-r0" ||
			!slices.Equal(f.FixedVersions, []string{"1.1.1d-r2"}) {
			t.Errorf("package %+v fixed %v", f.Package, f.FixedVersions)
		}
		if f.CVSS == nil || f.CVSS.Score != 5.3 || f.CVSS.Version != "3.1" || len(f.Scores) != 2 || len(f.Aliases) != 0 {
			t.Errorf("cvss %+v scores %+v aliases %v", f.CVSS, f.Scores, f.Aliases)
		}
	})
}

// TestDetectCorpus checks that only SARIF files are claimed.
func TestDetectCorpus(t *testing.T) {
	ingesttest.AssertClaimsOnly(t, New(), "sarif")
}

func TestDetectVersions(t *testing.T) {
	tests := []struct {
		name, doc   string
		ok          bool
		unsupported bool
	}{
		{"2.1.0", `{"version":"2.1.0","runs":[]}`, true, false},
		{"2.1.0-rtm.5", `{"version":"2.1.0-rtm.5","runs":[]}`, true, false},
		{"2.0.0", `{"version":"2.0.0","runs":[]}`, true, true},
		{"1.0.0", `{"version":"1.0.0","runs":[]}`, true, true},
		{"schema only", `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[]}`, true, false},
		{"schema without version", `{"$schema":"https://example.org/sarif-schema.json","runs":[]}`, true, true},
		{"number version with schema", `{"$schema":"sarif","version":2,"runs":[]}`, true, true},
		{"no runs", `{"version":"2.1.0"}`, false, false},
		{"runs not an array", `{"version":"2.1.0","runs":{}}`, false, false},
		{"other version shape", `{"version":"3","runs":[]}`, false, false},
		{"array", `[{"version":"2.1.0","runs":[]}]`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := sniff.New("x", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			ok, err := New().Detect(f)
			if ok != tt.ok || errors.Is(err, sniff.ErrUnsupported) != tt.unsupported {
				t.Fatalf("Detect = %v, %v; want %v, unsupported %v", ok, err, tt.ok, tt.unsupported)
			}
			if tt.unsupported && tt.name[0] <= '9' && !strings.Contains(err.Error(), `"`+tt.name+`"`) {
				t.Errorf("error %q does not name the version", err)
			}
		})
	}
}

// log wraps results and rules into a one-run SARIF log.
func log(driver, rules, results string, extra ...string) string {
	more := ""
	for _, e := range extra {
		more += "," + e
	}
	return fmt.Sprintf(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":%q,"rules":[%s]}},"results":[%s]%s}]}`,
		driver, rules, results, more)
}

func TestRuleResolution(t *testing.T) {
	rules := `{"id":"A","shortDescription":{"text":"rule A"},"defaultConfiguration":{"level":"error"}},
		{"id":"B","shortDescription":{"text":"rule B"},"defaultConfiguration":{"level":"note"}}`
	tests := []struct {
		name, result string
		title        string
		severity     document.Severity
	}{
		{"ruleIndex", `{"ruleIndex":1,"message":{"text":"m"}}`, "rule B", "low"},
		{"ruleIndex -1 falls back to ruleId", `{"ruleId":"A","ruleIndex":-1,"message":{"text":"m"}}`, "rule A", "high"},
		{"rule.index -1 and rule.id", `{"rule":{"id":"B","index":-1},"message":{"text":"m"}}`, "rule B", "low"},
		{"ruleIndex out of range", `{"ruleId":"B","ruleIndex":7,"message":{"text":"m"}}`, "rule B", "low"},
		{"ruleIndex contradicting ruleId", `{"ruleId":"A","ruleIndex":1,"message":{"text":"m"}}`, "rule A", "high"},
		{"hierarchical id", `{"ruleId":"A/1","message":{"text":"m"}}`, "rule A", "high"},
		{"unknown rule", `{"ruleId":"Z","message":{"text":"the message"}}`, "the message", "medium"},
		{"result level wins", `{"ruleId":"A","level":"note","message":{"text":"m"}}`, "rule A", "low"},
		{"level none", `{"ruleId":"A","level":"none","message":{"text":"m"}}`, "rule A", "info"},
		{"non-fail kind defaults to none", `{"ruleId":"Z","kind":"review","message":{"text":"m"}}`, "m", "info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, _ := mustIngest(t, log("tool", rules, tt.result))
			f := rep.Findings[0]
			if f.Title != tt.title || f.Severity != tt.severity {
				t.Errorf("title %q severity %s; want %q %s", f.Title, f.Severity, tt.title, tt.severity)
			}
		})
	}
}

func TestExtensionRules(t *testing.T) {
	doc := `{"version":"2.1.0","runs":[{"tool":{
		"driver":{"name":"CodeQL","rules":[{"id":"X","shortDescription":{"text":"driver X"}}]},
		"extensions":[
			{"name":"pack-a","rules":[{"id":"X","shortDescription":{"text":"pack-a X"}}]},
			{"name":"pack-b","guid":"b-guid","rules":[{"id":"Y","shortDescription":{"text":"pack-b Y"},
				"properties":{"security-severity":"9.1","tags":["external/cwe/cwe-089"]}}]}]},
		"results":[
			{"ruleId":"X","rule":{"id":"X","index":0,"toolComponent":{"index":0}},"message":{"text":"m"}},
			{"ruleId":"X","ruleIndex":0,"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"}}}]},
			{"rule":{"id":"Y","toolComponent":{"guid":"b-guid"}},"message":{"text":"m"}},
			{"rule":{"id":"Y","index":-1,"toolComponent":{"name":"pack-b","index":-1}},"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"b"}}}]},
			{"ruleId":"Y","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"c"}}}]}]}]}`
	rep, _ := mustIngest(t, doc)
	want := []string{"pack-a X", "driver X", "pack-b Y", "pack-b Y", "pack-b Y"}
	for i, f := range rep.Findings {
		if f.Title != want[i] {
			t.Errorf("result %d: title %q, want %q", i, f.Title, want[i])
		}
	}
	y := rep.Findings[2]
	if y.Severity != document.SeverityCritical || y.Origins[0].Severity != "9.1" || !slices.Equal(y.CWE, []string{"CWE-89"}) {
		t.Errorf("severity %s (%s) cwe %v", y.Severity, y.Origins[0].Severity, y.CWE)
	}
}

func TestTaxonomies(t *testing.T) {
	doc := log("scanner",
		`{"id":"R1","relationships":[{"target":{"id":"79","index":0,"toolComponent":{"name":"CWE"}}}]},
		 {"id":"R2","relationships":[{"target":{"index":1,"toolComponent":{"index":0}}}]},
		 {"id":"R3","relationships":[{"target":{"id":"CWE-22","toolComponent":{"guid":"cwe-guid"}}},{"target":{"id":"C1","toolComponent":{"index":1}}}]}`,
		`{"ruleId":"R1","message":{"text":"m"}},{"ruleId":"R2","message":{"text":"m"}},{"ruleId":"R3","message":{"text":"m"}},
		 {"ruleId":"R4","message":{"text":"m"},"taxa":[{"id":"352","toolComponent":{"name":"CWE"}}],"properties":{"cwe":["CWE-1021",611],"tags":["CWE-918: SSRF"]}}`,
		`"taxonomies":[{"name":"CWE","guid":"cwe-guid","taxa":[{"id":"79"},{"id":"CWE-89"}]},{"name":"Categories","taxa":[{"id":"C1","name":"Injection"}]}]`)
	rep, _ := mustIngest(t, doc)
	want := [][]string{{"CWE-79"}, {"CWE-89"}, {"CWE-22"}, {"CWE-1021", "CWE-352", "CWE-611", "CWE-918"}}
	for i, f := range rep.Findings {
		got := slices.Sorted(slices.Values(f.CWE))
		if !slices.Equal(got, want[i]) {
			t.Errorf("%s: cwe %v, want %v", f.RuleID, got, want[i])
		}
	}
	if !slices.Contains(rep.Findings[2].Tags, "Injection") {
		t.Errorf("R3 tags %v: want the category's name", rep.Findings[2].Tags)
	}
}

func TestSuppressionsAndBaseline(t *testing.T) {
	tests := []struct {
		name, extra string
		status      document.Status
		reason      *document.StatusNote
	}{
		{"no suppression", ``, document.StatusOpen, nil},
		{"accepted", `"suppressions":[{"kind":"inSource","status":"accepted","justification":"false positive"}]`,
			document.StatusAccepted, &document.StatusNote{By: "sarif-suppression", Justification: "false positive", Statement: "inSource"}},
		{"status absent", `"suppressions":[{"kind":"external"}]`,
			document.StatusAccepted, &document.StatusNote{By: "sarif-suppression", Statement: "external"}},
		{"under review", `"suppressions":[{"kind":"external","status":"underReview"}]`, document.StatusOpen, nil},
		{"rejected", `"suppressions":[{"kind":"external","status":"rejected"}]`, document.StatusOpen, nil},
		{"one of several accepted", `"suppressions":[{"kind":"external","status":"rejected"},{"kind":"inSource"}]`,
			document.StatusAccepted, &document.StatusNote{By: "sarif-suppression", Statement: "inSource"}},
		{"baseline absent", `"baselineState":"absent"`, document.StatusFixed,
			&document.StatusNote{By: "report", Statement: "SARIF baselineState absent: not found in this run"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := `{"ruleId":"A","message":{"text":"m"}}`
			if tt.extra != "" {
				res = `{"ruleId":"A","message":{"text":"m"},` + tt.extra + `}`
			}
			_, doc := mustIngest(t, log("tool", "", res))
			f := doc.Findings[0]
			if f.Status != tt.status || fmt.Sprint(f.StatusReason) != fmt.Sprint(tt.reason) {
				t.Errorf("status %s %+v; want %s %+v", f.Status, f.StatusReason, tt.status, tt.reason)
			}
			wantOpen := 0
			if tt.status == document.StatusOpen {
				wantOpen = 1
			}
			if doc.Summary.OpenFindings != wantOpen {
				t.Errorf("%d open", doc.Summary.OpenFindings)
			}
		})
	}
}

func TestLocations(t *testing.T) {
	tests := []struct {
		name, loc string
		want      *document.Location
	}{
		{"region", `"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/a.go","uriBaseId":"%SRCROOT%"},
			"region":{"startLine":3,"endLine":4,"startColumn":5,"endColumn":6,"snippet":{"text":"x := 1"}}}}]`,
			&document.Location{Path: "src/a.go", StartLine: 3, EndLine: 4, StartColumn: 5, EndColumn: 6, Snippet: "x := 1"}},
		{"file URI", `"locations":[{"physicalLocation":{"artifactLocation":{"uri":"file:///home/u/a%20b.go"}}}]`,
			&document.Location{Path: "/home/u/a b.go"}},
		{"Windows file URI", `"locations":[{"physicalLocation":{"artifactLocation":{"uri":"file:///C:/src/a.cs"}}}]`,
			&document.Location{Path: "C:/src/a.cs"}},
		{"backslashes", `"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src\\app\\a.cs"}}}]`,
			&document.Location{Path: "src/app/a.cs"}},
		{"first physical location", `"locations":[{"logicalLocations":[{"name":"f"}]},{"physicalLocation":{"artifactLocation":{"uri":"b.py","index":-1}}}]`,
			&document.Location{Path: "b.py"}},
		{"analysis target", `"analysisTarget":{"uri":"t.c","index":-1}`, &document.Location{Path: "t.c"}},
		{"none", `"locations":[]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, _ := mustIngest(t, log("tool", "", `{"ruleId":"A","message":{"text":"m"},`+tt.loc+`}`))
			got := rep.Findings[0].Location
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("location %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSecretSnippetNeverCopied(t *testing.T) {
	for _, driver := range []string{"gitleaks", "some scanner"} {
		rep, _ := mustIngest(t, log(driver, `{"id":"aws-key","properties":{"tags":["secret"]}}`,
			`{"ruleId":"aws-key","message":{"text":"found AKIAXXXXXXXXXXXXXXXX"},"locations":[{"physicalLocation":{
			"artifactLocation":{"uri":"cfg.env"},"region":{"startLine":1,"snippet":{"text":"KEY=AKIAXXXXXXXXXXXXXXXX"}}}}]}`))
		f := rep.Findings[0]
		if f.Kind != document.KindSecret || f.Location.Snippet != "" || strings.Contains(f.Title+f.Description, "AKIA") {
			t.Errorf("%s: %+v %+v", driver, f, f.Location)
		}
	}
}

func TestSeverityPrecedence(t *testing.T) {
	tests := []struct {
		name, rule, result string
		want               document.Severity
		raw                string
	}{
		{"security-severity over level", `"properties":{"security-severity":"7.5"}`, `"level":"note"`, "high", "7.5"},
		{"security-severity number", `"properties":{"security-severity":9.8}`, ``, "critical", "9.8"},
		{"security-severity word", `"properties":{"security-severity":"MEDIUM"}`, `"level":"error"`, "medium", "MEDIUM"},
		{"result security-severity first", `"properties":{"security-severity":"2.0"}`, `"properties":{"security-severity":"9.0"}`, "critical", "9.0"},
		{"junk security-severity", `"properties":{"security-severity":"n/a"}`, `"level":"error"`, "high", "error"},
		{"rule default level", `"defaultConfiguration":{"level":"note"}`, ``, "low", "note"},
		{"empty default configuration", `"defaultConfiguration":{}`, ``, "medium", "warning"},
		{"SARIF default", ``, ``, "medium", "warning"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule := `{"id":"A"}`
			if tt.rule != "" {
				rule = `{"id":"A",` + tt.rule + `}`
			}
			res := `{"ruleId":"A","message":{"text":"m"}}`
			if tt.result != "" {
				res = `{"ruleId":"A","message":{"text":"m"},` + tt.result + `}`
			}
			rep, _ := mustIngest(t, log("tool", rule, res))
			f := rep.Findings[0]
			if f.Severity != tt.want || f.Origins[0].Severity != tt.raw {
				t.Errorf("severity %s (%s), want %s (%s)", f.Severity, f.Origins[0].Severity, tt.want, tt.raw)
			}
		})
	}
}

func TestRuns(t *testing.T) {
	doc := `{"version":"2.1.0","runs":[
		{"tool":{"driver":{"name":"A","version":"1"}},"results":[{"ruleId":"r","message":{"text":"m"}}]},
		{"tool":{"driver":{"name":"B","semanticVersion":"2"}},"results":[{"ruleId":"r","message":{"text":"n"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"x"}}}]}]},
		{"tool":{"driver":{"name":"A"}}},
		{"tool":{"driver":{"name":"C"}},"results":null}]}`
	rep, _ := mustIngest(t, doc)
	if rep.Tool.Name != "A, B, C" || rep.Tool.Version != "1" {
		t.Errorf("tool %+v", rep.Tool)
	}
	if len(rep.Findings) != 2 || rep.Findings[0].Origins[0].Tool != "A" || rep.Findings[1].Origins[0].Tool != "B" {
		t.Errorf("findings %+v", rep.Findings)
	}
}

func TestPassResultsSkipped(t *testing.T) {
	rep, _ := mustIngest(t, log("checkov", "", `{"ruleId":"CKV_1","kind":"pass","message":{"text":"ok"}},
		{"ruleId":"CKV_2","kind":"notApplicable","message":{"text":"n/a"}},{"ruleId":"CKV_3","kind":"fail","message":{"text":"bad"}}`))
	if len(rep.Findings) != 1 || rep.Findings[0].RuleID != "CKV_3" || rep.Findings[0].Kind != document.KindMisconfiguration {
		t.Errorf("%+v", rep.Findings)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		is        error
		contains  string
	}{
		{"unsupported version", `{"version":"2.0.0","runs":[]}`, sniff.ErrUnsupported, `SARIF version "2.0.0"`},
		{"failed scan", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"T"}},"invocations":[{"executionSuccessful":false,
			"toolExecutionNotifications":[{"level":"error","message":{"text":"out of memory"}}]}],"results":[]}]}`,
			sniff.ErrFailedScan, "T did not run successfully: out of memory"},
		{"type error", "{\"version\":\"2.1.0\",\n\"runs\":[{\"results\":[{\"ruleId\":7}]}]}", nil, "line 2, column"},
		{"runs not array in a large file", `{"version":"2.1.0","runs":[{"results":{}}]}`, nil, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingestBytes(t, []byte(tt.doc))
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.contains) {
				t.Fatalf("err = %v; want %v containing %q", err, tt.is, tt.contains)
			}
		})
	}
}

// TestFailedScanWithResultsKept: a run that says it failed keeps its
// results, and is an incomplete scan.
func TestFailedScanWithResultsKept(t *testing.T) {
	rep, doc := mustIngest(t, `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"SpotBugs"}},
		"invocations":[{"executionSuccessful":false}],"results":[{"ruleId":"X","message":{"text":"m"}}]}]}`)
	if len(rep.Findings) != 1 {
		t.Errorf("%d findings", len(rep.Findings))
	}
	if s := doc.Sources[0]; s.Complete || s.IncompleteReason != "run 1 (SpotBugs) did not run successfully (executionSuccessful false)" {
		t.Errorf("complete %v, reason %q", s.Complete, s.IncompleteReason)
	}
}

// TestIncompleteScans: a log whose runs are null, a run whose results are
// null or absent (SARIF 2.1.0 §3.14.23: not computed) or that reports an
// error-level execution notification is a scan that did not complete;
// results: [] and runs: [] are complete scans that found nothing.
func TestIncompleteScans(t *testing.T) {
	run := func(body string) string {
		return `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"T"}}` + body + `}]}`
	}
	tests := []struct {
		name, log, reason string
	}{
		{"SarifResultsNull", run(`,"results":null`), "run 1 (T): results is absent or null: results were not computed"},
		{"SarifResultsAbsent", run(``), "run 1 (T): results is absent or null: results were not computed"},
		{"SarifRunsNull", `{"version":"2.1.0","runs":null}`, "runs is null: the tool produced no run"},
		{"SarifErrorNotification", run(`,"results":[],"invocations":[{"executionSuccessful":true,"toolExecutionNotifications":[
			{"level":"note","message":{"text":"Run started."}},
			{"level":"error","message":{"text":"Exception evaluating rule C2001.\nRule disabled."}}]}]`),
			"run 1 (T) reported an error: Exception evaluating rule C2001."},
		{"SarifEmptyResults", run(`,"results":[]`), ""},
		// Valid SARIF, but no tool ran: nothing says anything was scanned.
		{"SarifEmptyRuns", `{"version":"2.1.0","runs":[]}`, "runs is empty: the log holds no tool run"},
		// A rule that could not run leaves part of the scan undone.
		{"SarifConfigurationErrorNotification", run(`,"results":[],"invocations":[{"executionSuccessful":true,"toolConfigurationNotifications":[
			{"level":"error","message":{"text":"rule X could not be loaded"}}]}]`), "run 1 (T) reported a configuration error: rule X could not be loaded"},
		{"SarifWarningNotification", run(`,"results":[],"invocations":[{"executionSuccessful":true,"toolExecutionNotifications":[
			{"level":"warning","message":{"text":"Syntax error"}}]}]`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := mustIngest(t, tt.log)
			s := doc.Sources[0]
			if s.Complete != (tt.reason == "") || s.IncompleteReason != tt.reason {
				t.Errorf("complete %v, reason %q; want %q", s.Complete, s.IncompleteReason, tt.reason)
			}
		})
	}
}

// TestScanErrorsFromNotifications: execution notifications of level error
// and warning (the default) and configuration notifications of level error
// are scan errors, with their file, line and descriptor; notes are not.
func TestScanErrorsFromNotifications(t *testing.T) {
	_, doc := mustIngest(t, `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"T"}},"results":[],
		"invocations":[{"executionSuccessful":true,
		"toolExecutionNotifications":[
			{"level":"note","message":{"text":"Run started."}},
			{"descriptor":{"id":"Syntax error"},"message":{"text":"Syntax error at line 3\n  quoted source"},
			 "locations":[{"physicalLocation":{"artifactLocation":{"uri":"file:///src/a.ts"},"region":{"startLine":3}}}]},
			{"level":"error","message":{"text":"rule crashed"}}],
		"toolConfigurationNotifications":[
			{"level":"warning","message":{"text":"unknown rule ABC"}},
			{"level":"error","descriptor":{"id":"missing-classes"},"message":{"text":"Classes needed for analysis were missing"}}]}]}]}`)
	want := []document.ScanError{
		{Level: "warning", Message: "Syntax error at line 3", Path: "/src/a.ts", Line: 3, Type: "Syntax error"},
		{Level: "error", Message: "rule crashed"},
		{Level: "error", Message: "Classes needed for analysis were missing", Type: "missing-classes"},
	}
	if got := doc.Sources[0].Errors; !slices.Equal(got, want) {
		t.Errorf("errors:\n got %+v\nwant %+v", got, want)
	}
}

func TestForcedOnOtherJSON(t *testing.T) {
	f, err := sniff.New("x", []byte(`{"SchemaVersion":2,"Results":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New().Ingest(f); err == nil {
		t.Error("a non-SARIF object was ingested")
	}
}

func TestBOM(t *testing.T) {
	rep, _ := mustIngest(t, "\xef\xbb\xbf"+log("t", "", `{"ruleId":"A","message":{"text":"m"}}`))
	if len(rep.Findings) != 1 {
		t.Errorf("%d findings", len(rep.Findings))
	}
}

// TestNoSharedSlices checks that findings of one rule do not share their
// lists: Finish sorts and compacts them in place.
func TestNoSharedSlices(t *testing.T) {
	rep, _ := mustIngest(t, log("t", `{"id":"A","properties":{"tags":["b","a","CWE-1"]}}`,
		`{"ruleId":"A","message":{"text":"m"},"properties":{"tags":["z"]}},{"ruleId":"A","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"x"}}}]}`))
	a, b := rep.Findings[0].Tags, rep.Findings[1].Tags
	if &a[0] == &b[0] || cap(a) != len(a) {
		t.Error("tags share an array or have spare capacity")
	}
	if !slices.Equal(a, []string{"CWE-1", "a", "b", "z"}) || !slices.Equal(b, []string{"CWE-1", "a", "b"}) {
		t.Errorf("tags %v %v", a, b)
	}
}

func TestVulnIDPrefix(t *testing.T) {
	tests := map[string]string{
		"CVE-2021-44228":                      "CVE-2021-44228",
		"CVE-2008-0732-geronimo-jms_1.1_spec": "CVE-2008-0732",
		"cve-2019-1549":                       "cve-2019-1549",
		"CVE-2021-4422":                       "CVE-2021-4422",
		"CVE-2021-442":                        "",
		"CVE-2021-44228x":                     "",
		"GHSA-jfh8-c2jp-5v3q":                 "GHSA-jfh8-c2jp-5v3q",
		"GHSA-jfh8-c2jp-5v3q-lodash":          "GHSA-jfh8-c2jp-5v3q",
		"GHSA-jfh8-c2jp":                      "",
		"GO-2022-0969":                        "GO-2022-0969",
		"PYSEC-2021-19":                       "PYSEC-2021-19",
		"RUSTSEC-2021-0001":                   "RUSTSEC-2021-0001",
		"SNYK-JS-LODASH-567746":               "SNYK-JS-LODASH-567746",
		"SNYK-JS":                             "",
		"py/sql-injection":                    "",
		"GOOD-2021-1":                         "",
		"":                                    "",
	}
	for in, want := range tests {
		if got := vulnIDPrefix(in); got != want {
			t.Errorf("vulnIDPrefix(%q) = %q, want %q", in, got, want)
		}
	}
	got := vulnIDsIn(nil, "Package 'x@1' is vulnerable to 'CVE-2023-39137' (also known as 'GHSA-r285-q736-9v95'). Link: https://x/cve-2023-1111 XCVE-2020-1234")
	if !slices.Equal(got, []string{"CVE-2023-39137", "GHSA-r285-q736-9v95"}) {
		t.Errorf("vulnIDsIn = %v", got)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		driver, rule string
		tags         []string
		want         document.Kind
	}{
		{"codeql", "js/xss", []string{"security", "external/cwe/cwe-079"}, document.KindCode},
		{"gitleaks", "aws-access-key", nil, document.KindSecret},
		{"trufflehog", "AWS", nil, document.KindSecret},
		{"semgrep", "generic.secrets.aws", []string{"secrets"}, document.KindSecret},
		{"trivy", "aws-access-key-id", []string{"secret", "security"}, document.KindSecret},
		{"trivy", "CVE-2019-1549", []string{"vulnerability", "security", "MEDIUM"}, document.KindVulnerability},
		{"trivy", "AVD-AWS-0086", []string{"misconfiguration"}, document.KindMisconfiguration},
		{"trivy", "DS002", nil, document.KindMisconfiguration},
		{"grype", "CVE-2008-0732-geronimo", nil, document.KindVulnerability},
		{"dependency-check", "Prototype pollution", nil, document.KindVulnerability},
		{"govulncheck", "GO-2021-0054", nil, document.KindVulnerability},
		{"snyk open source", "SNYK-JS-LODASH-567746", nil, document.KindVulnerability},
		{"snykcode", "javascript/XSS", nil, document.KindCode},
		{"checkov", "CKV_AWS_1", nil, document.KindMisconfiguration},
		{"kics", "62ff6823", nil, document.KindMisconfiguration},
		{"tfsec", "aws-s3-enable-versioning", nil, document.KindMisconfiguration},
		{"dockle", "CIS-DI-0010", nil, document.KindMisconfiguration},
		{"some scanner", "GHSA-jfh8-c2jp-5v3q", nil, document.KindVulnerability},
		{"eslint", "DS002", nil, document.KindCode},
	}
	for _, tt := range tests {
		if got := classify(tt.driver, tt.rule, tt.tags); got != tt.want {
			t.Errorf("classify(%q, %q, %v) = %s, want %s", tt.driver, tt.rule, tt.tags, got, tt.want)
		}
	}
}

func TestParsePkgFacts(t *testing.T) {
	tests := map[string]pkgFacts{
		"Package: libssl1.1\nInstalled Version: 1.1.1c-r0\nVulnerability CVE-2019-1549\nFixed Version: 1.1.1d-r0": {
			name: "libssl1.1", version: "1.1.1c-r0", fixed: "1.1.1d-r0"},
		"Vulnerability CVE-1\nSeverity: low\nPackage: jms\nVersion: 1.1.1\nFix Version: \nType: java-archive\nLocation: lib/jms.jar": {
			name: "jms", version: "1.1.1", typ: "java-archive", path: "lib/jms.jar"},
		"Package 'github.com/a/b@v1.2.3' is vulnerable to 'GO-1'.":  {name: "github.com/a/b", version: "v1.2.3"},
		"An attacker could provide a single byte: no package here.": {},
	}
	for in, want := range tests {
		if got := parsePkgFacts(in); got != want {
			t.Errorf("parsePkgFacts(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func FuzzIngest(f *testing.F) {
	for _, data := range ingesttest.CorpusFiles(f, "sarif") {
		if len(data) > 64<<10 {
			continue // keep the fuzzer's inputs small
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
		f.Add(bytes.ReplaceAll(data, []byte(`"ruleIndex": 0`), []byte(`"ruleIndex": -7`)))
	}
	f.Add([]byte(log("t", `{"id":"A","relationships":[{"target":{"index":-1,"toolComponent":{"index":9}}}]}`,
		`{"rule":{"index":3,"toolComponent":{"index":-1}},"message":{}}`, `"taxonomies":[{"name":"CWE"}]`)))
	f.Add([]byte(`{"version":"2.1.0","runs":[{"results":[{"message":{"text":"Package '@'"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"file://%zz"}}}]}]}]}`))
	f.Add([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"grype"}},"results":[{"ruleId":"CVE-2020-1234-x","properties":{"purl":"pkg:npm/a@1","cvssv3_vector":"CVSS:3.1/AV:N"}}]}]}`))
	f.Add([]byte(`{"version":"2.1.0","runs":null}`))
	f.Add([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{}},"invocations":[{"executionSuccessful":true,"toolExecutionNotifications":[{"level":"error","message":{"text":"\n"},"descriptor":{},"locations":[{"physicalLocation":{"artifactLocation":{"uri":""},"region":{"startLine":-3}}}]},{}],"toolConfigurationNotifications":[{"level":"error","message":{}}]}]}]}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{Path: "fuzz.sarif"})
}

// benchLog generates a SARIF log shaped like the benchmark generator's
// (shared/bench/gen_large.py): 300 rules with security-severity and CWE
// tags, n results with one location each.
func benchLog(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"BenchScanner","version":"1.0.0","rules":[`)
	const rules = 300
	for i := 0; i < rules; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"RULE%04d","name":"Rule%d","shortDescription":{"text":"Rule %d"},"properties":{"security-severity":"%.1f","tags":["security","CWE-%d"]}}`,
			i, i, i, float64(i%100)/10, 1+i*7%999)
	}
	b.WriteString(`]}},"results":[`)
	levels := []string{"error", "warning", "note"}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		r := i * 7919 % rules
		fmt.Fprintf(&b, `{"ruleId":"RULE%04d","ruleIndex":%d,"level":%q,"message":{"text":"Potential issue %d found in handler"},`+
			`"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/pkg%d/file%d.go"},"region":{"startLine":%d,"startColumn":%d}}}],`+
			`"partialFingerprints":{"primaryLocationLineHash":"%016x:1"}}`,
			r, r, levels[i%3], i, i%97, i%1013, 1+i%400, 1+i%60, uint64(i)*0x9e3779b97f4a7c15)
	}
	b.WriteString(`]}]}`)
	return b.Bytes()
}

const benchResults = 20000

// BenchmarkIngest measures sniffing and ingesting a 20,000-result log.
func BenchmarkIngest(b *testing.B) {
	data := benchLog(benchResults)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	in := New()
	for b.Loop() {
		f, err := sniff.New("bench.sarif", data)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := in.Ingest(f)
		if err != nil || len(rep.Findings) != benchResults {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshalGoSARIF is the yardstick: decoding the same log into
// go-sarif's Report with encoding/json, nothing more.
func BenchmarkUnmarshalGoSARIF(b *testing.B) {
	data := benchLog(benchResults)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var r gosarif.Report
		if err := json.Unmarshal(data, &r); err != nil {
			b.Fatal(err)
		}
	}
}
