package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/testutil"
	"github.com/secgate/secgate/report"
)

func examples(name string) string { return filepath.Join("..", "examples", "reports", name) }

// TestCodeQualityGolden keeps the Code Quality report of the example
// reports under the built-in policies (go test -update rewrites it).
func TestCodeQualityGolden(t *testing.T) {
	r := result(t, examples("trivy-image.json"), examples("sbom.cdx.json"), examples("npm-audit.json"))
	testutil.Golden(t, filepath.Join("..", "testdata", "golden", "codequality", "examples.json"), render(t, report.CodeQuality{}, r))
}

type cqIssue struct {
	Description string `json:"description"`
	CheckName   string `json:"check_name"`
	Fingerprint string `json:"fingerprint"`
	Severity    string `json:"severity"`
	Location    struct {
		Path  string `json:"path"`
		Lines struct {
			Begin int `json:"begin"`
		} `json:"lines"`
	} `json:"location"`
}

// TestCodeQualityValidates checks the report against GitLab's format, on
// real reports of every kind of finding: one issue per violation or
// warning (per failing finding where a policy names several), each
// fingerprint unique, and an empty array when nothing is said.
func TestCodeQualityValidates(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "schemas", "gitlab-codequality.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("codequality.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("codequality.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, reports := range [][]string{
		{corpus("grype-json/grype-0.64-image-62-matches.json")},
		{corpus("trivy-json/trivy-fs-vulns-misconfig-secrets.json"), corpus("sarif/snyk-code.sarif")},
		{corpus("trivy-json/trivy-image-alpine-no-vulns.json")},
		{examples("trivy-image.json"), examples("sbom.cdx.json"), examples("npm-audit.json")},
	} {
		r := result(t, reports...)
		out := render(t, report.CodeQuality{}, r)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Fatalf("%v: not a Code Quality report: %v", reports, err)
		}
		var issues []cqIssue
		if err := json.Unmarshal(out, &issues); err != nil {
			t.Fatal(err)
		}
		if issues == nil {
			t.Fatalf("%v: null, not an array", reports)
		}
		want := 0
		for _, m := range append(r.Decision.Violations, r.Decision.Warnings...) {
			if len(m.FindingIDs) > 1 && m.Extra["per_finding"] != false {
				want += len(m.FindingIDs)
			} else {
				want++
			}
		}
		if len(issues) != want {
			t.Errorf("%v: %d issues, want %d", reports, len(issues), want)
		}
		seen := map[string]bool{}
		for _, is := range issues {
			if seen[is.Fingerprint] {
				t.Errorf("%v: fingerprint %s twice", reports, is.Fingerprint)
			}
			seen[is.Fingerprint] = true
		}
		// The same inputs give the same report, fingerprints included.
		if again := render(t, report.CodeQuality{}, result(t, reports...)); !bytes.Equal(again, out) {
			t.Errorf("%v: a second run differs", reports)
		}
	}
}

// TestCodeQualitySeverity: a violation fails the gate and is never shown
// below major; a warning keeps its finding's severity, minor when none is
// known; a finding's severity wins over the message's.
func TestCodeQualitySeverity(t *testing.T) {
	doc := document.New()
	doc.Sources = []document.Source{{Path: "reports/x.sarif", Format: "sarif"}}
	doc.Findings = []document.Finding{
		{ID: "low", RuleID: "R1", Severity: document.SeverityLow, Status: document.StatusOpen,
			Location: &document.Location{Path: "./src/a.go", StartLine: 7}, FixedVersions: []string{}},
		{ID: "crit", RuleID: "CVE-1", Severity: document.SeverityCritical, Status: document.StatusOpen,
			Package: &document.Package{Name: "p", Version: "1"}, FixedVersions: []string{}},
	}
	r := &gate.Result{Document: doc, Decision: &gate.Decision{
		Decision: gate.Fail,
		Violations: []eval.Message{
			{Policy: "main", Rule: "deny", Msg: "low but denied", FindingIDs: []string{"low"}},
			{Policy: "main", Rule: "deny", Msg: "about nothing"},
			{Policy: "main", Rule: "deny", Msg: "critical", FindingIDs: []string{"crit"}},
		},
		Warnings: []eval.Message{
			{Policy: "main", Rule: "warn", Msg: "a low one", Severity: "high", FindingIDs: []string{"low"}},
			{Policy: "main", Rule: "warn", Msg: "no severity"},
		},
		Sources: doc.Sources,
	}}
	var issues []cqIssue
	if err := json.Unmarshal(render(t, report.CodeQuality{}, r), &issues); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, is := range issues {
		got = append(got, is.Severity)
	}
	want := []string{"major", "major", "critical", "info", "minor"}
	if len(got) != len(want) {
		t.Fatalf("severities %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("issue %d (%s): severity %s, want %s", i, issues[i].Description, got[i], want[i])
		}
	}
	if l := issues[0].Location; l.Path != "src/a.go" || l.Lines.Begin != 7 {
		t.Errorf("location %+v, want src/a.go line 7", l)
	}
	if d := issues[0].Description; d != "R1 (low) ./src/a.go:7: low but denied" {
		t.Errorf("description %q does not name its finding", d)
	}
	if l := issues[1].Location; l.Path != "reports/x.sarif" || l.Lines.Begin != 1 {
		t.Errorf("a message about no finding: location %+v, want the report, line 1", l)
	}
}
