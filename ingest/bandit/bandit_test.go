package bandit

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

// ingestBytes detects and ingests data, then joins the report to a
// finished, valid document.
func ingestBytes(t testing.TB, data []byte) (*document.Report, *document.Document, error) {
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
	if !ok {
		return nil, nil, errors.New("not detected")
	}
	rep, err := in.Ingest(f)
	if err != nil {
		return nil, nil, err
	}
	doc := document.New()
	doc.Add(document.Source{Path: "x.json", Format: "bandit", SHA256: strings.Repeat("0", 64)}, rep)
	doc.Finish()
	if err := doc.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return rep, doc, nil
}

func ingestFile(t *testing.T, name string) (*document.Report, *document.Document) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus, "bandit", name))
	if err != nil {
		t.Fatal(err)
	}
	rep, doc, err := ingestBytes(t, data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rep, doc
}

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
			rep, doc := ingestFile(t, tt.file)
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
	_, doc := ingestFile(t, "bandit-one-result.json")
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
	_, doc = ingestFile(t, "bandit-214-results.json")
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
		t.Run(tt.name, func(t *testing.T) {
			_, doc, err := ingestBytes(t, []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			tt.want(t, doc)
		})
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct{ name, data, want string }{
		{"no test id", `{"generated_at": "x", "metrics": {}, "results": [{"filename": "a.py"}]}`, "results[0]: no test_id"},
		{"wrong type", "{\"generated_at\": \"x\", \"metrics\": {},\n\"results\": [{\"line_number\": \"3\"}]}", "line 2, column"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ingestBytes(t, []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDetect checks that only Bandit's corpus files are claimed: Semgrep's
// results-and-errors objects are not.
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
		mine := filepath.Base(filepath.Dir(path)) == "bandit"
		if ok != mine || err != nil {
			t.Errorf("%s: Detect = %v, %v; want %v", path, ok, err, mine)
		}
	}
	f, _ := sniff.New("x", []byte(`{"results": [], "errors": []}`))
	if ok, _ := in.Detect(f); ok {
		t.Error("claimed semgrep's empty report")
	}
}

func FuzzIngest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpus, "bandit", "*"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 64<<10 {
			data = data[:64<<10]
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte(`{"generated_at": "", "metrics": null, "results": [{"test_id": "B1", "col_offset": -9, "line_range": [-1], "issue_cwe": {"id": "x"}}]}`))
	f.Add([]byte(`{"generated_at": "", "errors": [], "results": [{"test_id": "B105", "issue_text": "'"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := sniff.New("x", data)
		if err != nil {
			return
		}
		in := New()
		if ok, err := in.Detect(sf); !ok || err != nil {
			return
		}
		rep, err := in.Ingest(sf)
		if err != nil {
			if rep != nil {
				t.Fatal("a report with an error")
			}
			return
		}
		doc := document.New()
		doc.Add(document.Source{Path: "x", Format: "bandit", SHA256: strings.Repeat("0", 64)}, rep)
		doc.Finish()
		if err := doc.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
	})
}
