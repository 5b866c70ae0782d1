package semgrep

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New(), Dir: "semgrep"}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file       string
		version    string
		results    int // as MANIFEST.tsv counts them
		findings   int
		bySeverity map[string]int
		snippets   bool
		secrets    int
	}{
		{"semgrep-0.96-cwe-list.json", "0.96.0", 1, 1, map[string]int{"low": 1}, true, 0},
		// "requires login" is no snippet.
		{"semgrep-1.100-fingerprints.json", "1.100.0", 2, 2, map[string]int{"high": 1, "medium": 1}, false, 0},
		{"semgrep-1.30-5-results.json", "1.30.0", 5, 5, map[string]int{"medium": 5}, true, 0},
		// 14 ERROR, 45 WARNING, 3 INFO, and 32 errors that are no findings.
		// Two INFO results of one rule start at the same place: one finding.
		// Two results are of secrets rules: secrets, without their lines.
		{"semgrep-1.72-with-32-errors.json", "1.72.0", 62, 61, map[string]int{"high": 14, "medium": 45, "low": 2}, true, 2},
		{"semgrep-1.84-low-severity.json", "1.84.1", 3, 3, map[string]int{"low": 3}, true, 0},
		{"semgrep-empty.json", "", 0, 0, map[string]int{}, true, 0},
		{"semgrep-legacy-48-results.json", "", 48, 48, map[string]int{"high": 13, "medium": 35}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc := h.File(t, tt.file)
			if rep.Tool.Name != "semgrep" || rep.Tool.Version != tt.version {
				t.Errorf("tool %+v", rep.Tool)
			}
			if len(rep.Findings) != tt.results || len(doc.Findings) != tt.findings {
				t.Errorf("%d results, %d findings; want %d, %d", len(rep.Findings), len(doc.Findings), tt.results, tt.findings)
			}
			for _, s := range document.Severities {
				if got, want := doc.Summary.BySeverity[string(s)], tt.bySeverity[string(s)]; got != want {
					t.Errorf("%s: %d, want %d", s, got, want)
				}
			}
			secrets := 0
			for _, f := range doc.Findings {
				if f.Kind == document.KindSecret {
					secrets++
					if f.Location.Snippet != "" {
						t.Errorf("%s: secret with a snippet", f.RuleID)
					}
					continue
				}
				if f.Kind != document.KindCode || f.Location == nil || f.Location.StartLine == 0 || f.Location.StartColumn == 0 || f.Title == "" {
					t.Errorf("%s: kind %s location %+v", f.RuleID, f.Kind, f.Location)
				}
				if (f.Location.Snippet != "") != tt.snippets || f.Location.Snippet == loginPlaceholder {
					t.Errorf("%s: snippet %q", f.RuleID, f.Location.Snippet)
				}
				for _, c := range f.CWE {
					if strings.Contains(c, ":") || !strings.HasPrefix(c, "CWE-") {
						t.Errorf("%s: cwe %q", f.RuleID, c)
					}
				}
			}
			if secrets != tt.secrets {
				t.Errorf("%d secrets, want %d", secrets, tt.secrets)
			}
		})
	}
}

func TestFields(t *testing.T) {
	// metadata.cwe is a list; INFO is low.
	_, doc := h.File(t, "semgrep-0.96-cwe-list.json")
	f := doc.Findings[0]
	if strings.Join(f.CWE, ",") != "CWE-352" || f.Severity != document.SeverityLow || f.Origins[0].Severity != "INFO" {
		t.Errorf("cwe %v severity %s origins %+v", f.CWE, f.Severity, f.Origins)
	}
	if f.Title != "express-check-csurf-middleware-usage" || !strings.HasPrefix(f.Description, "A CSRF middleware was not detected") {
		t.Errorf("title %q description %q", f.Title, f.Description)
	}
	if !slices.Contains(f.Tags, "owasp:A01:2021 - Broken Access Control") || !slices.Contains(f.Tags, "category:security") {
		t.Errorf("tags %v", f.Tags)
	}
	if !slices.Contains(f.References, "https://www.npmjs.com/package/csurf") || !slices.Contains(f.References,
		"https://semgrep.dev/r/javascript.express.security.audit.express-check-csurf-middleware-usage.express-check-csurf-middleware-usage") {
		t.Errorf("references %v", f.References)
	}
	if l := f.Location; l.Path != "index.js" || l.StartLine != 12 || l.EndLine != 12 || l.StartColumn != 7 || l.EndColumn != 22 ||
		l.Snippet != "const app = express();" {
		t.Errorf("location %+v", l)
	}

	// Confidence, likelihood and impact.
	_, doc = h.File(t, "semgrep-1.100-fingerprints.json")
	f = doc.Findings[0]
	if f.Confidence != "MEDIUM" || !slices.Contains(f.Tags, "likelihood:MEDIUM") || !slices.Contains(f.Tags, "impact:MEDIUM") ||
		strings.Join(f.CWE, ",") != "CWE-78" {
		t.Errorf("finding %+v", f)
	}

	// LOW is a word of its own.
	_, doc = h.File(t, "semgrep-1.84-low-severity.json")
	if f := doc.Findings[0]; f.Severity != document.SeverityLow || f.Origins[0].Severity != "LOW" {
		t.Errorf("severity %s origins %+v", f.Severity, f.Origins)
	}

	// A CWE as a plain string; no metadata at all.
	_, doc = h.File(t, "semgrep-legacy-48-results.json")
	var plain, none bool
	for _, f := range doc.Findings {
		if strings.Join(f.CWE, ",") == "CWE-611" {
			plain = true
		}
		if f.RuleID == "python.lang.correctness.tempfile.flush.tempfile-without-flush" && len(f.CWE) == 0 && len(f.Tags) == 0 {
			none = true
		}
	}
	if !plain || !none {
		t.Errorf("string cwe %v, no metadata %v", plain, none)
	}
}

func TestSeverity(t *testing.T) {
	for word, want := range map[string]document.Severity{
		"ERROR": document.SeverityHigh, "WARNING": document.SeverityMedium, "INFO": document.SeverityLow,
		"CRITICAL": document.SeverityCritical, "HIGH": document.SeverityHigh, "MEDIUM": document.SeverityMedium,
		"LOW": document.SeverityLow, "INVENTORY": document.SeverityInfo, "EXPERIMENT": document.SeverityInfo,
		"error": document.SeverityHigh, "": document.SeverityUnknown, "bogus": document.SeverityUnknown,
	} {
		if got := severity(word); got != want {
			t.Errorf("severity(%q) = %s, want %s", word, got, want)
		}
	}
}

func TestEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		data string
		want func(t *testing.T, doc *document.Document)
	}{
		{"secret rule", `{"errors": [], "results": [{"check_id": "generic.secrets.security.detected-aws-access-key-id-value.detected-aws-access-key-id-value",
			"path": "config.py", "start": {"line": 3, "col": 9}, "end": {"line": 3, "col": 29},
			"extra": {"message": "AWS Access Key ID Value detected.", "severity": "ERROR", "lines": "KEY = 'AKIAQWERTYUIOPASDFGH'",
			"metadata": {"category": "security", "technology": ["secrets", "aws"], "cwe": "CWE-798: Use of Hard-coded Credentials"}}}]}`,
			func(t *testing.T, doc *document.Document) {
				f := doc.Findings[0]
				if f.Kind != document.KindSecret || f.Location.Snippet != "" || strings.Join(f.CWE, ",") != "CWE-798" {
					t.Errorf("finding %+v", f)
				}
			}},
		{"semgrep secrets product", `{"errors": [], "results": [{"check_id": "r.x", "path": "a", "start": {"line": 1, "col": 1}, "end": {"line": 1, "col": 2},
			"extra": {"severity": "HIGH", "lines": "tok = 'ghp_zzzzzzzzzzzzzzzz'", "metadata": {"secret_type": "GitHub", "category": "security"}}}]}`,
			func(t *testing.T, doc *document.Document) {
				if f := doc.Findings[0]; f.Kind != document.KindSecret || f.Location.Snippet != "" || f.Severity != document.SeverityHigh {
					t.Errorf("finding %+v", f)
				}
			}},
		{"ignored, odd metadata", `{"errors": [{"type": ["PartialParsing", []]}], "results": [null, {"check_id": "a.b.", "path": "src\\x.go",
			"start": {"line": -1, "col": 0}, "end": {},
			"extra": {"severity": "CRITICAL", "is_ignored": true, "metadata": {"cwe": [5, "CWE-0", "cwe-22"], "owasp": "A1: Injection",
			"confidence": 3, "references": "not a url", "likelihood": ["x"]}}}], "version": "1.0.0"}`,
			func(t *testing.T, doc *document.Document) {
				f := doc.Findings[0]
				if f.Status != document.StatusAccepted || f.StatusReason == nil || f.Severity != document.SeverityCritical {
					t.Errorf("status %s %+v severity %s", f.Status, f.StatusReason, f.Severity)
				}
				if strings.Join(f.CWE, ",") != "CWE-22,CWE-5" || f.Confidence != "3" || len(f.References) != 0 ||
					strings.Join(f.Tags, ",") != "owasp:A1: Injection" || f.Title != "b" || f.Location.Path != "src/x.go" {
					t.Errorf("finding %+v", f)
				}
			}},
	}
	for _, tt := range tests {
		h.Check(t, tt.name, tt.data, tt.want)
	}
}

func TestErrors(t *testing.T) {
	h.AssertErrors(t, []ingesttest.ErrorCase{
		{Name: "no check id", Data: `{"errors": [], "results": [{"check_id": " ", "path": "a"}]}`, Want: "results[0]: no check_id"},
		{Name: "wrong type", Data: "{\"errors\": [],\n\"results\": [{\"check_id\": \"x\", \"start\": {\"line\": \"1\"}}]}", Want: "line 2, column"},
	})
}

// TestDetect checks that only Semgrep's corpus files are claimed: Bandit's
// results-and-errors reports are not.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "semgrep")
	ingesttest.AssertNotClaimed(t, in,
		`{"results": [{"id": 1}], "errors": []}`,
		`{"results": {}, "errors": []}`,
		`{"results": [], "errors": [], "generated_at": "x"}`,
		`{"results": []}`,
	)
	// A results array too large to be kept by sniff is still recognised.
	big := `{"errors": [], "results": [` + strings.Repeat(`{"check_id": "a.b", "path": "p", "extra": {"lines": "`+strings.Repeat("x", 1000)+`"}},`, 80) +
		`{"check_id": "a.b"}]}`
	f, err := sniff.New("x", []byte(big))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := in.Detect(f); !ok {
		t.Error("large report not claimed")
	}
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 64<<10, "semgrep")
	f.Add([]byte(`{"errors": [], "results": [{"check_id": "x", "start": {"line": -4, "col": -1}, "extra": {"metadata": {"cwe": {}, "owasp": [[]]}}}]}`))
	f.Add([]byte(`{"errors": [null, {"level": "error", "message": 3, "type": ["PartialParsing", []], "spans": [{"start": {"line": -2}}]}, {"type": [[]]}], "results": [{"check_id": "x"}]}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}

func TestFailedScanIsAnError(t *testing.T) {
	failed := []byte(`{"errors": [{"code": 2, "level": "error", "message": "Invalid rule schema\nmore", "type": "InvalidRuleSchemaError"}], "results": []}`)
	f, err := sniff.New("semgrep.json", failed)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := New().Ingest(f); rep != nil || !errors.Is(err, sniff.ErrFailedScan) || !strings.Contains(err.Error(), "Invalid rule schema") {
		t.Fatalf("rep %v, err %v: want a failed scan", rep, err)
	}
	partial := []byte(`{"errors": [{"code": 3, "level": "warn", "message": "Syntax error", "type": "Syntax error"}], "results": []}`)
	f, err = sniff.New("semgrep.json", partial)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New().Ingest(f); err != nil {
		t.Fatalf("warnings only: %v", err)
	}
}

// TestSemgrepErrorsAreScanErrors: Semgrep's errors[] (files it could not
// parse, rules that timed out) are the scan errors of the source, with
// file, line and type; at level "warn" the scan is still complete.
func TestSemgrepErrorsAreScanErrors(t *testing.T) {
	_, doc := h.File(t, "semgrep-1.72-with-32-errors.json")
	s := doc.Sources[0]
	if len(s.Errors) != 32 || !s.Complete {
		t.Fatalf("%d errors, complete %v; want 32, complete", len(s.Errors), s.Complete)
	}
	types := map[string]int{}
	for _, e := range s.Errors {
		types[e.Type]++
		if e.Level != "warning" || e.Path == "" || strings.Contains(e.Message, "\n") {
			t.Errorf("error %+v", e)
		}
	}
	if types["Syntax error"] != 16 || types["PartialParsing"] != 13 || types["Timeout"] != 3 {
		t.Errorf("types %v", types)
	}
	want := document.ScanError{Level: "warning", Message: "Syntax error at line frontend/src/app/Services/user.service.ts:14:",
		Path: "frontend/src/app/Services/user.service.ts", Line: 14, Type: "PartialParsing"}
	if s.Errors[1] != want {
		t.Errorf("errors[1] = %+v, want %+v", s.Errors[1], want)
	}
}

// TestSemgrepErrorLevelIsIncomplete: an error of level "error" beside
// results makes the scan incomplete; the results stand.
func TestSemgrepErrorLevelIsIncomplete(t *testing.T) {
	_, doc, err := h.Bytes(t, []byte(`{"version": "1.72.0", "results": [{"check_id": "r.x", "path": "a.py",
		"start": {"line": 1, "col": 1}, "end": {"line": 1, "col": 2}, "extra": {"message": "m", "severity": "INFO"}}],
		"errors": [{"code": 7, "level": "error", "message": "Invalid rule schema\nmore", "type": "InvalidRuleSchemaError"}], "paths": {"scanned": ["a.py"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Sources[0]
	if len(doc.Findings) != 1 || s.Complete || s.IncompleteReason != "semgrep reported an error: Invalid rule schema" {
		t.Errorf("%d findings, complete %v, reason %q", len(doc.Findings), s.Complete, s.IncompleteReason)
	}
	if len(s.Errors) != 1 || s.Errors[0].Level != "error" || s.Errors[0].Type != "InvalidRuleSchemaError" {
		t.Errorf("errors %+v", s.Errors)
	}
}
