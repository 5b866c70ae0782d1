package eslint

import (
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New(), Dir: "eslint"}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file     string
		detected bool
		findings int
	}{
		// MANIFEST: 3 files, 2 messages of security/detect-object-injection
		// (ESLint severities 2 and 1: both medium by the rule map).
		{"eslint-3-files-messages.json", true, 2},
		// [] is the "empty" format's unless forced.
		{"eslint-empty-array.json", false, 0},
		{"eslint-no-messages.json", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc, err := h.Run(t, h.Corpus(t, tt.file), !tt.detected)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Tool.Name != "eslint" || len(doc.Findings) != tt.findings {
				t.Errorf("tool %+v, %d findings, want %d", rep.Tool, len(doc.Findings), tt.findings)
			}
			for _, f := range doc.Findings {
				if f.Kind != document.KindCode || f.Severity != document.SeverityMedium || f.RuleID != "security/detect-object-injection" {
					t.Errorf("finding %s %s %s", f.RuleID, f.Kind, f.Severity)
				}
			}
			f, _ := sniff.New("x", h.Corpus(t, tt.file))
			if ok, _ := New().Detect(f); ok != tt.detected {
				t.Errorf("Detect = %v, want %v", ok, tt.detected)
			}
		})
	}

	_, doc, _ := h.Bytes(t, h.Corpus(t, "eslint-3-files-messages.json"))
	// Both findings are medium, of one rule: their order is their ids'.
	f, other := doc.Findings[0], doc.Findings[1]
	if f.Location.StartLine != 19 {
		f, other = other, f
	}
	if l := f.Location; l.Path != "/Users/omerlh/dev/juice-shop/routes/basketItems.js" || l.StartLine != 19 || l.EndLine != 19 ||
		l.StartColumn != 11 || l.EndColumn != 20 || l.Snippet != "      if (result[i].key === 'ProductId') {" {
		t.Errorf("location %+v", l)
	}
	if f.Title != "Generic Object Injection Sink" || f.Origins[0].Severity != "error" || len(f.References) != 1 ||
		strings.Join(f.Tags, ",") != "security" {
		t.Errorf("finding %+v", f)
	}
	if other.Origins[0].Severity != "warning" {
		t.Errorf("second origin %+v", other.Origins)
	}
}

const mixed = `[{"filePath": "C:\\app\\a.js", "source": "eval(x)\r\nfoo()\r\n",
  "messages": [
    {"ruleId": "no-eval", "severity": 1, "message": "eval can be harmful.", "line": 1, "column": 1, "endLine": 1, "endColumn": 8},
    {"ruleId": "semi", "severity": 2, "message": "Missing semicolon.", "line": 2, "column": 6},
    {"ruleId": "no-unused-vars", "severity": 1, "message": "'y' is defined but never used.", "line": 2, "column": 1},
    {"ruleId": null, "fatal": true, "severity": 2, "message": "Parsing error: Unexpected token", "line": 3, "column": 1},
    {"ruleId": null, "severity": 1, "message": "Unused eslint-disable directive.", "line": 1, "column": 1},
    null],
  "suppressedMessages": [
    {"ruleId": "security/detect-child-process", "severity": 2, "message": "Found require(\"child_process\")", "line": 2, "column": 1,
     "suppressions": [{"kind": "directive", "justification": "build script only"}]}],
  "errorCount": 2, "warningCount": 2}, null]`

func TestSeverities(t *testing.T) {
	_, doc, err := h.Bytes(t, []byte(mixed))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		sev    document.Severity
		status document.Status
	}{
		"no-eval":                       {document.SeverityHigh, document.StatusOpen},
		"semi":                          {document.SeverityLow, document.StatusOpen},
		"no-unused-vars":                {document.SeverityInfo, document.StatusOpen},
		noRule:                          {document.SeverityInfo, document.StatusOpen},
		"security/detect-child-process": {document.SeverityHigh, document.StatusAccepted},
	}
	if len(doc.Findings) != len(want) {
		t.Fatalf("%d findings, want %d", len(doc.Findings), len(want))
	}
	for _, f := range doc.Findings {
		w, ok := want[f.RuleID]
		if !ok || f.Severity != w.sev || f.Status != w.status {
			t.Errorf("%s: %s %s, want %+v", f.RuleID, f.Severity, f.Status, w)
		}
		if f.Location.Path != "C:/app/a.js" {
			t.Errorf("%s: path %q", f.RuleID, f.Location.Path)
		}
		switch f.RuleID {
		case "no-eval":
			if f.Location.Snippet != "eval(x)" || f.References[0] != "https://eslint.org/docs/latest/rules/no-eval" {
				t.Errorf("no-eval: %+v", f)
			}
		case "security/detect-child-process":
			if f.StatusReason == nil || f.StatusReason.Justification != "build script only" {
				t.Errorf("suppression %+v", f.StatusReason)
			}
		}
	}

	// The fatal message is a scan error, not a finding.
	want0 := document.ScanError{Level: "error", Message: "Parsing error: Unexpected token", Path: "C:/app/a.js", Line: 3, Type: "fatal"}
	if errs := doc.Sources[0].Errors; len(errs) != 1 || errs[0] != want0 {
		t.Errorf("errors %+v, want [%+v]", errs, want0)
	}

	// The map is replaceable: semi becomes critical, no-eval lint.
	_, doc, err = ingesttest.Harness{In: NewWithSeverities(map[string]document.Severity{"semi": document.SeverityCritical})}.Bytes(t, []byte(mixed))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		switch {
		case f.RuleID == "semi" && f.Severity != document.SeverityCritical,
			f.RuleID == "no-eval" && f.Severity != document.SeverityInfo:
			t.Errorf("%s: %s", f.RuleID, f.Severity)
		}
	}
	if DefaultRuleSeverity["semi"] != "" {
		t.Error("NewWithSeverities changed DefaultRuleSeverity")
	}
}

func TestDefaultRuleSeverity(t *testing.T) {
	for _, rule := range []string{
		"security/detect-eval-with-expression", "security/detect-non-literal-require", "security/detect-object-injection",
		"security/detect-unsafe-regex", "security/detect-child-process", "security/detect-non-literal-fs-filename",
		"security/detect-possible-timing-attacks", "security/detect-pseudoRandomBytes", "security/detect-buffer-noassert",
		"security/detect-disable-mustache-escape", "security/detect-new-buffer", "security/detect-no-csrf-before-method-override",
		"security/detect-bidi-characters", "security/detect-non-literal-regexp",
		"no-eval", "no-implied-eval", "no-new-func", "react/no-danger",
	} {
		if s, ok := DefaultRuleSeverity[rule]; !ok || !s.Valid() || s.Rank() < document.SeverityLow.Rank() {
			t.Errorf("%s: %q", rule, s)
		}
	}
}

func TestSnippet(t *testing.T) {
	lines := strings.Split("a\nb\nc\nd\ne\nf\ng", "\n")
	for _, tt := range []struct {
		start, end int
		want       string
	}{{1, 1, "a"}, {2, 3, "b\nc"}, {3, 0, "c"}, {1, 99, "a\nb\nc\nd\ne"}, {0, 2, ""}, {8, 9, ""}, {-1, -1, ""}} {
		if got := snippet(lines, tt.start, tt.end); got != tt.want {
			t.Errorf("snippet(%d, %d) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
	if got := snippet([]string{strings.Repeat("é", 400)}, 1, 1); len(got) > maxSnippetBytes+4 || !strings.HasSuffix(got, "…") {
		t.Errorf("long line: %d bytes", len(got))
	}
}

func TestErrors(t *testing.T) {
	_, _, err := h.Bytes(t, []byte("[{\"filePath\": \"a\",\n\"messages\": [{\"line\": \"1\"}]}]"))
	if err == nil || !strings.Contains(err.Error(), "line 2, column") {
		t.Errorf("err = %v", err)
	}
}

// TestDetect checks that only ESLint's corpus files are claimed, and not
// its empty array.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaims(t, in, ingesttest.Claims{Folders: []string{"eslint"}, Except: []string{"eslint-empty-array.json"}})
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 0, "eslint")
	f.Add([]byte(mixed))
	f.Add([]byte(`[{"filePath": "", "messages": [{"ruleId": "", "severity": -1, "line": -5, "endLine": -9}], "source": "\n"}]`))
	// Ingest is also called on forced input, detected or not.
	f.Add([]byte(`[{"filePath": "", "messages": [{"ruleId": null, "fatal": true, "message": "", "line": -1}]}]`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{Forced: true})
}

// TestESLintFatalIsAScanErrorNotAFinding: a file ESLint could not parse is
// a scan error of its source, never a finding that counts toward
// max_findings or makes a ticket.
func TestESLintFatalIsAScanErrorNotAFinding(t *testing.T) {
	_, doc, err := h.Bytes(t, []byte(`[{"filePath": "/src/broken.js", "messages": [
		{"ruleId": null, "fatal": true, "severity": 2, "message": "Parsing error: Unexpected token )\n\n> 1 | f(]", "line": 1, "column": 3}],
		"errorCount": 1, "fatalErrorCount": 1, "warningCount": 0}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 0 {
		t.Errorf("%d findings, want none: %+v", len(doc.Findings), doc.Findings)
	}
	want := document.ScanError{Level: "error", Message: "Parsing error: Unexpected token )", Path: "/src/broken.js", Line: 1, Type: "fatal"}
	if s := doc.Sources[0]; len(s.Errors) != 1 || s.Errors[0] != want || !s.Complete {
		t.Errorf("source %+v, want complete with the error %+v", s, want)
	}
}
