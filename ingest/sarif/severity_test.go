package sarif

import (
	"testing"

	"github.com/secgate/secgate/document"
)

// gosecLog is a SARIF log as gosec's formatter writes it: one rule per
// rule id, its severity as a tag beside "security", level error for both
// MEDIUM and HIGH, warning for LOW (issues taken from the gosec report in
// the corpus, gosec-issues-stats.json).
const gosecLog = `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec","version":"2.15.0","rules":[
 {"id":"G104","name":"Unchecked Return Value","shortDescription":{"text":"Errors unhandled."},
  "properties":{"tags":["security","LOW"],"precision":"high"},"defaultConfiguration":{"level":"warning"}},
 {"id":"G201","name":"Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')","shortDescription":{"text":"SQL string formatting"},
  "properties":{"tags":["security","MEDIUM"],"precision":"high"},"defaultConfiguration":{"level":"error"}},
 {"id":"G101","name":"Use of Hard-coded Credentials","shortDescription":{"text":"Potential hardcoded credentials"},
  "properties":{"tags":["security","HIGH"],"precision":"low"},"defaultConfiguration":{"level":"error"}}]}},
 "results":[
 {"ruleId":"G104","ruleIndex":0,"level":"warning","message":{"text":"Errors unhandled."},
  "locations":[{"physicalLocation":{"artifactLocation":{"uri":"app.go"},"region":{"startLine":79,"startColumn":2}}}]},
 {"ruleId":"G201","ruleIndex":1,"level":"error","message":{"text":"SQL string formatting"},
  "locations":[{"physicalLocation":{"artifactLocation":{"uri":"vulnerability/sqli/function.go"},"region":{"startLine":36,"endLine":39,"startColumn":9}}}]},
 {"ruleId":"G101","ruleIndex":2,"level":"error","message":{"text":"Potential hardcoded credentials"},
  "locations":[{"physicalLocation":{"artifactLocation":{"uri":"config/config.go"},"region":{"startLine":12,"startColumn":2}}}]}]}]}`

// TestGosecTagsSeverity: gosec writes level error for MEDIUM and HIGH
// alike; the rule's tags say which.
func TestGosecTagsSeverity(t *testing.T) {
	rep, _ := mustIngest(t, gosecLog)
	want := map[string]document.Severity{"G104": document.SeverityLow, "G201": document.SeverityMedium, "G101": document.SeverityHigh}
	for _, f := range rep.Findings {
		if f.Severity != want[f.RuleID] {
			t.Errorf("%s: severity %s (%s), want %s", f.RuleID, f.Severity, f.Origins[0].Severity, want[f.RuleID])
		}
	}
	if len(rep.Findings) != 3 {
		t.Errorf("%d findings, want 3", len(rep.Findings))
	}
}

func TestTagSeverity(t *testing.T) {
	tests := []struct {
		tags []string
		want string
	}{
		{[]string{"security", "MEDIUM"}, "MEDIUM"},
		{[]string{"security", "HIGH CONFIDENCE", "external/cwe/cwe-89"}, ""},
		{[]string{"Low", "critical"}, "critical"},
		{[]string{"error", "note", "warning"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := tagSeverity(tt.tags); got != tt.want {
			t.Errorf("tagSeverity(%q) = %q, want %q", tt.tags, got, tt.want)
		}
	}
}

// TestSeverityBeforeTags: a stated security-severity or severity property
// is more precise than a tag; a tag is more precise than a level.
func TestSeverityBeforeTags(t *testing.T) {
	rule := `{"id":"A","properties":{"tags":["LOW"],"security-severity":"9.1"},"defaultConfiguration":{"level":"error"}}`
	rep, _ := mustIngest(t, log("tool", rule, `{"ruleId":"A","message":{"text":"m"}}`))
	if f := rep.Findings[0]; f.Severity != document.SeverityCritical {
		t.Errorf("severity %s, want critical (security-severity first)", f.Severity)
	}
}
