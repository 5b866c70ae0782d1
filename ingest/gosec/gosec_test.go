package gosec

import (
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
)

var h = ingesttest.Harness{In: New(), Dir: "gosec"}

func TestCorpus(t *testing.T) {
	data := h.Corpus(t, "gosec-issues-stats.json")
	rep, doc, err := h.Bytes(t, data)
	if err != nil {
		t.Fatal(err)
	}
	// MANIFEST: 28 issues (15 LOW, 13 MEDIUM), no GosecVersion.
	if rep.Tool.Name != "gosec" || rep.Tool.Version != "" || len(rep.Findings) != 28 || len(doc.Findings) != 28 {
		t.Fatalf("tool %+v, %d issues, %d findings", rep.Tool, len(rep.Findings), len(doc.Findings))
	}
	if doc.Summary.BySeverity["low"] != 15 || doc.Summary.BySeverity["medium"] != 13 {
		t.Errorf("by severity %v", doc.Summary.BySeverity)
	}
	for _, f := range doc.Findings {
		if f.Kind != document.KindCode || f.Location == nil || f.Location.StartLine == 0 || f.Confidence == "" {
			t.Errorf("%s: kind %s location %+v confidence %q", f.RuleID, f.Kind, f.Location, f.Confidence)
		}
		// Only the first issue of each rule states its CWE; every one has it.
		if len(f.CWE) != 1 || len(f.References) != 1 {
			t.Errorf("%s at %s:%d: cwe %v references %v", f.RuleID, f.Location.Path, f.Location.StartLine, f.CWE, f.References)
		}
	}
	var f *document.Finding
	for i := range doc.Findings {
		if doc.Findings[i].RuleID == "G201" {
			f = &doc.Findings[i]
		}
	}
	if f == nil {
		t.Fatal("no G201")
	}
	if l := f.Location; l.Path != "/vagrant/go/src/govwa/vulnerability/sqli/function.go" || l.StartLine != 36 || l.EndLine != 39 || !strings.HasPrefix(l.Snippet, "fmt.Sprintf(") {
		t.Errorf("location %+v", l)
	}
	if f.CWE[0] != "CWE-89" || f.Severity != document.SeverityMedium || f.Confidence != "HIGH" || f.Title != "SQL string formatting" ||
		f.Origins[0].Severity != "MEDIUM" {
		t.Errorf("finding %+v", f)
	}
}

func TestEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		data string
		want func(t *testing.T, doc *document.Document)
	}{
		{"column, version and suppression", `{"Golang errors": {}, "Issues": [
			{"severity": "HIGH", "confidence": "MEDIUM", "cwe": {"id": "798", "url": "https://cwe.mitre.org/data/definitions/798.html"},
			 "rule_id": "G101", "details": "Potential hardcoded credentials", "file": "C:\\src\\main.go",
			 "code": "12: password := \"hunter2-secret\"", "line": "12", "column": "2", "nosec": false,
			 "suppressions": [{"kind": "inSource", "justification": "test fixture"}]}],
			"Stats": {}, "GosecVersion": "2.18.2"}`,
			func(t *testing.T, doc *document.Document) {
				f := doc.Findings[0]
				if doc.Sources[0].Tool.Version != "2.18.2" {
					t.Errorf("tool %+v", doc.Sources[0].Tool)
				}
				if l := f.Location; l.Path != "C:/src/main.go" || l.StartLine != 12 || l.StartColumn != 2 || l.Snippet != "" {
					t.Errorf("location %+v", l)
				}
				if f.Status != document.StatusAccepted || f.StatusReason == nil || f.StatusReason.Justification != "test fixture" {
					t.Errorf("status %s %+v", f.Status, f.StatusReason)
				}
				if f.Severity != document.SeverityHigh || f.CWE[0] != "CWE-798" {
					t.Errorf("finding %+v", f)
				}
			}},
		{"numbers and nulls", `{"Issues": [null, {"rule_id": "G104", "severity": "weird", "line": 7, "column": 3, "cwe": {"id": 0}, "nosec": true}], "Stats": null}`,
			func(t *testing.T, doc *document.Document) {
				f := doc.Findings[0]
				if len(doc.Findings) != 1 || f.Location.StartLine != 7 || f.Location.StartColumn != 3 || f.Severity != document.SeverityUnknown ||
					len(f.CWE) != 0 || f.Title != "G104" || f.Status != document.StatusAccepted {
					t.Errorf("finding %+v", f)
				}
			}},
		{"bad range", `{"Issues": [{"rule_id": "G1", "line": "9-3"}, {"rule_id": "G2", "line": "-"}, {"rule_id": "G3", "line": "x-y"}], "GosecVersion": "dev"}`,
			func(t *testing.T, doc *document.Document) {
				for _, f := range doc.Findings {
					if f.Location.EndLine != 0 {
						t.Errorf("%s: %+v", f.RuleID, f.Location)
					}
				}
			}},
	}
	for _, tt := range tests {
		h.Check(t, tt.name, tt.data, tt.want)
	}
}

func TestLineRange(t *testing.T) {
	for _, tt := range []struct {
		in         string
		start, end int
	}{{"12", 12, 0}, {"12-14", 12, 14}, {" 3 - 4 ", 3, 4}, {"5-5", 5, 0}, {"", 0, 0}, {"-2", 0, 2}, {"x", 0, 0}} {
		if s, e := lineRange(tt.in); s != tt.start || e != tt.end {
			t.Errorf("lineRange(%q) = %d, %d; want %d, %d", tt.in, s, e, tt.start, tt.end)
		}
	}
}

func TestErrors(t *testing.T) {
	h.AssertErrors(t, []ingesttest.ErrorCase{
		{Name: "no rule id", Data: `{"Issues": [{"severity": "LOW"}], "Stats": {}}`, Want: "issue 0: no rule_id"},
		{Name: "wrong type", Data: "{\"Stats\": {},\n\"Issues\": {}}", Want: "line 2, column"},
	})
}

// TestDetect checks that only gosec's corpus files are claimed.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "gosec")
	// Not claimed: Issues without gosec's other keys.
	ingesttest.AssertNotClaimed(t, in, `{"Issues": []}`)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 0, "gosec")
	f.Add([]byte(`{"Issues": [{"rule_id": "G1", "line": "1-", "column": -4, "cwe": null, "suppressions": [{}]}], "Stats": {}}`))
	f.Add([]byte(`{"Issues": [], "Golang errors": {"a.go": [null, {"line": -1, "error": ""}], "": []}}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}

// TestGosecGolangErrorsAreScanErrors: "Golang errors" (files gosec could
// not type-check) are scan errors of the source, by file and line.
func TestGosecGolangErrorsAreScanErrors(t *testing.T) {
	_, doc, err := h.Bytes(t, []byte(`{"Issues": [], "Stats": {}, "Golang errors": {
		"/src/b.go": [{"line": 7, "column": 2, "error": "undefined: x"}],
		"/src/a.go": [{"line": 3, "column": 1, "error": "could not import y"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []document.ScanError{
		{Level: "warning", Message: "could not import y", Path: "/src/a.go", Line: 3, Type: "Golang error"},
		{Level: "warning", Message: "undefined: x", Path: "/src/b.go", Line: 7, Type: "Golang error"},
	}
	got := doc.Sources[0].Errors
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("errors %+v, want %+v", got, want)
	}
}
