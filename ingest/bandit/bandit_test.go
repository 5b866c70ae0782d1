package bandit

import (
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
)

var h = ingesttest.Harness{In: New(), Dir: "bandit"}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file       string
		results    int // as MANIFEST.tsv counts them
		findings   int // after exact duplicates merge
		bySeverity map[string]int
	}{
		// One B608 result is listed twice, identically: one finding.
		{"bandit-165-results-2021.json", 165, 164, map[string]int{"medium": 141, "low": 23}},
		{"bandit-214-results.json", 214, 213, map[string]int{"medium": 154, "low": 59}},
		{"bandit-no-results.json", 0, 0, map[string]int{}},
		{"bandit-one-result.json", 1, 1, map[string]int{"low": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc := h.File(t, tt.file)
			if rep.Tool.Name != "bandit" || rep.Created == "" {
				t.Errorf("tool %+v, created %q", rep.Tool, rep.Created)
			}
			if len(rep.Findings) != tt.results || len(doc.Findings) != tt.findings {
				t.Errorf("%d results, %d findings; want %d, %d", len(rep.Findings), len(doc.Findings), tt.results, tt.findings)
			}
			for _, s := range document.Severities {
				if got, want := doc.Summary.BySeverity[string(s)], tt.bySeverity[string(s)]; got != want {
					t.Errorf("%s: %d, want %d", s, got, want)
				}
			}
			for _, f := range doc.Findings {
				if f.Kind != document.KindCode || f.Location == nil || f.Location.Path == "" || f.Location.StartLine == 0 {
					t.Errorf("%s: kind %s location %+v", f.RuleID, f.Kind, f.Location)
				}
				if strings.Contains(f.Location.Path, `\`) {
					t.Errorf("%s: backslash in %q", f.RuleID, f.Location.Path)
				}
				if len(f.Origins) != 1 || f.Origins[0].Severity != strings.ToUpper(string(f.Severity)) {
					t.Errorf("%s: severity %s, origins %+v", f.RuleID, f.Severity, f.Origins)
				}
			}
		})
	}
}

func TestFields(t *testing.T) {
	_, doc := h.File(t, "bandit-one-result.json")
	f := doc.Findings[0]
	if f.RuleID != "B101" || f.Title != "assert_used" || !strings.HasPrefix(f.Description, "Use of assert detected") {
		t.Errorf("rule %q title %q description %q", f.RuleID, f.Title, f.Description)
	}
	if f.Severity != document.SeverityLow || f.Confidence != "HIGH" {
		t.Errorf("severity %s confidence %s", f.Severity, f.Confidence)
	}
	if l := f.Location; l.Path != "one/one.py" || l.StartLine != 2 || l.EndLine != 0 || l.Snippet != "1 import os\n2 assert False\n" {
		t.Errorf("location %+v", l)
	}
	if len(f.References) != 1 || f.References[0] != "https://bandit.readthedocs.io/en/latest/plugins/b101_assert_used.html" {
		t.Errorf("references %v", f.References)
	}

	// A Windows path; a line range; a hard-coded "password" redacted.
	_, doc = h.File(t, "bandit-214-results.json")
	var sawRange, sawPassword bool
	for _, f := range doc.Findings {
		if f.Location.Path == "dojo/benchmark/views.py" && f.RuleID == "B110" && f.Location.StartLine == 26 {
			sawRange = f.Location.EndLine == 27
		}
		if f.RuleID == "B105" {
			sawPassword = true
			if f.Location.Snippet != "" || strings.Contains(f.Description, "'Pass'") || strings.Contains(f.Description, "'POST'") ||
				!strings.HasSuffix(f.Description, "'<redacted>'") {
				t.Errorf("B105 not redacted: %q, %q", f.Description, f.Location.Snippet)
			}
		}
	}
	if !sawRange || !sawPassword {
		t.Errorf("line range %v, B105 %v", sawRange, sawPassword)
	}
}

func TestEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		data string
		want func(t *testing.T, doc *document.Document)
	}{
		{"cwe and columns", `{"errors": [], "generated_at": "2024-01-01T00:00:00Z", "metrics": {}, "results": [
			{"code": "x", "col_offset": 4, "end_col_offset": 20, "filename": "a.py", "issue_confidence": "MEDIUM",
			 "issue_cwe": {"id": 78, "link": "https://cwe.mitre.org/data/definitions/78.html"}, "issue_severity": "HIGH",
			 "issue_text": "subprocess call with shell=True", "line_number": 3, "line_range": [3, 5],
			 "more_info": "https://bandit.readthedocs.io/b602", "test_id": "B602", "test_name": "subprocess_popen_with_shell_equals_true"}]}`,
			func(t *testing.T, doc *document.Document) {
				f := doc.Findings[0]
				if strings.Join(f.CWE, ",") != "CWE-78" || len(f.References) != 2 || f.Severity != document.SeverityHigh || f.Confidence != "MEDIUM" {
					t.Errorf("finding %+v", f)
				}
				if l := f.Location; l.StartLine != 3 || l.EndLine != 5 || l.StartColumn != 5 || l.EndColumn != 21 {
					t.Errorf("location %+v", l)
				}
			}},
		{"odd values", `{"generated_at": "x", "errors": [{"filename": "b.py", "reason": "syntax error"}], "results": [null,
			{"test_id": "B999", "issue_severity": "UNDEFINED", "line_number": -3, "line_range": [], "issue_cwe": {"id": 0}}]}`,
			func(t *testing.T, doc *document.Document) {
				f := doc.Findings[0]
				if len(doc.Findings) != 1 || f.Severity != document.SeverityUnknown || f.Title != "B999" || len(f.CWE) != 0 || f.Location.StartLine != 0 {
					t.Errorf("finding %+v", f)
				}
			}},
		{"password funcarg", `{"generated_at": "x", "metrics": {}, "results": [{"test_id": "B106", "filename": "c.py", "line_number": 1,
			"issue_text": "Possible hardcoded password: 's3cr3t-v4lue'", "code": "1 login(password='s3cr3t-v4lue')\n", "issue_severity": "LOW"}]}`,
			func(t *testing.T, doc *document.Document) {
				f := doc.Findings[0]
				if strings.Contains(f.Description+f.Location.Snippet, "s3cr3t") {
					t.Errorf("password copied: %+v", f)
				}
			}},
	}
	for _, tt := range tests {
		h.Check(t, tt.name, tt.data, tt.want)
	}
}

func TestErrors(t *testing.T) {
	h.AssertErrors(t, []ingesttest.ErrorCase{
		{Name: "no test id", Data: `{"generated_at": "x", "metrics": {}, "results": [{"filename": "a.py"}]}`, Want: "results[0]: no test_id"},
		{Name: "wrong type", Data: "{\"generated_at\": \"x\", \"metrics\": {},\n\"results\": [{\"line_number\": \"3\"}]}", Want: "line 2, column"},
	})
}

// TestDetect checks that only Bandit's corpus files are claimed: Semgrep's
// results-and-errors objects are not.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "bandit")
	// Not claimed: Semgrep's empty report.
	ingesttest.AssertNotClaimed(t, in, `{"results": [], "errors": []}`)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 64<<10, "bandit")
	f.Add([]byte(`{"generated_at": "", "metrics": null, "results": [{"test_id": "B1", "col_offset": -9, "line_range": [-1], "issue_cwe": {"id": "x"}}]}`))
	f.Add([]byte(`{"generated_at": "", "errors": [], "results": [{"test_id": "B105", "issue_text": "'"}]}`))
	f.Add([]byte(`{"generated_at": "", "errors": [null, {"filename": "a\\b.py", "reason": ""}], "results": []}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}

// TestBanditErrorsAreScanErrors: the files Bandit could not scan are scan
// errors of the source, not findings, and the scan is still complete.
func TestBanditErrorsAreScanErrors(t *testing.T) {
	_, doc, err := h.Bytes(t, []byte(`{"generated_at": "2024-01-01T00:00:00Z", "metrics": {}, "results": [],
		"errors": [{"filename": "app\\legacy.py", "reason": "syntax error while parsing AST from file"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := document.ScanError{Level: "warning", Message: "syntax error while parsing AST from file", Path: "app/legacy.py"}
	if s := doc.Sources[0]; len(doc.Findings) != 0 || len(s.Errors) != 1 || s.Errors[0] != want || !s.Complete {
		t.Errorf("findings %d, source %+v; want the error %+v", len(doc.Findings), s, want)
	}
}
