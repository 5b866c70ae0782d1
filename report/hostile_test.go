package report_test

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/testutil"
	"github.com/secgate/secgate/report"
)

// hostile is report text written to attack a terminal, a CI log and
// GitHub's Markdown (the fields of testdata/hostile/output/).
const hostile = "\n::add-mask::x\n::error::injected\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x07" +
	"\r✓ PASS\u202egnp.exe\u2066 [click](https://evil.example) ![img](https://evil.example/x.png) @octocat " +
	"<img src=x onerror=alert(1)> <!-- c -->\n# heading\n`code` | cell \u009b2J"

// TestHostileReportInjectsNothing renders a Trivy report and a SARIF file
// whose every field carries line breaks, workflow commands, escape
// sequences, bidi controls and Markdown in every output format: no
// control character reaches the output, no line is a workflow command
// secgate did not write, and the Markdown has no link, image, HTML or
// mention from the report.
func TestHostileReportInjectsNothing(t *testing.T) {
	dir := filepath.Join("..", "testdata", "hostile", "output")
	r := result(t, filepath.Join(dir, "trivy.json"), filepath.Join(dir, "hostile.sarif"))
	if len(r.Decision.Violations) == 0 {
		t.Fatal("the hostile reports must fail the gate, to be shown")
	}
	summary := filepath.Join(t.TempDir(), "summary.md")
	gh := report.GitHub{Env: func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return summary
		}
		return ""
	}}
	checkHuman(t, "github", string(render(t, gh, r)))
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	checkHuman(t, "markdown", string(md))
	checkHuman(t, "markdown", string(render(t, report.Markdown{}, r)))
	checkComment(t, string(render(t, report.Comment{}, r)))
	checkHuman(t, "table", string(render(t, &report.Table{}, r)))
	checkHuman(t, "junit", string(render(t, report.JUnit{}, r)))
	for _, f := range []report.Format{report.JSON{}, report.SARIF{Version: "test"}, report.CodeQuality{}} {
		out := render(t, f, r)
		checkControls(t, f.Name(), string(out), false)
		if !json.Valid(out) {
			t.Errorf("%s: not JSON", f.Name())
		}
	}
}

// FuzzHumanWriters feeds arbitrary report text through the table,
// Markdown, GitHub and JUnit writers.
func FuzzHumanWriters(f *testing.F) {
	f.Add("CVE-2024-1"+hostile, "pkg", "1.0.0", "1.0.1", "src/a.go", "policy", "msg"+hostile, "fix", "reason")
	f.Add("a", "b", "c", "d", "e", "f", "[x](y) ![i](j) <b> @me # h", "`x``", "\\[x\\](y)")
	f.Add("``", "|", "\\", "\xff\xfe", "\u2028", "secgate", "::error::x", "%0A::error::x", "\r\n")
	f.Add(report.CommentMarker, "@octocat", "1", "2", report.CommentMarker, "\n"+report.CommentMarker, "\n"+report.CommentMarker+"\n", "::set-output name=decision::pass", "\n::add-mask::x")
	f.Fuzz(func(t *testing.T, rule, pkg, version, fixed, path, policy, msg, fix, reason string) {
		r := fuzzResult(rule, pkg, version, fixed, path, policy, msg, fix, reason)
		checkHuman(t, "table", string(render(t, &report.Table{}, r)))
		checkHuman(t, "github", string(render(t, report.GitHub{Env: func(string) string { return "" }}, r)))
		checkHuman(t, "markdown", string(render(t, report.Markdown{}, r)))
		checkComment(t, string(render(t, report.Comment{}, r)))
		checkHuman(t, "junit", string(render(t, report.JUnit{}, r)))
	})
}

func fuzzResult(rule, pkg, version, fixed, path, policy, msg, fix, reason string) *gate.Result {
	doc := document.New()
	doc.Sources = []document.Source{{Path: path, Format: rule}}
	doc.Findings = []document.Finding{
		{ID: "f1", RuleID: rule, Title: msg, Severity: document.SeverityCritical, Status: document.StatusOpen,
			Package: &document.Package{Name: pkg, Version: version, Path: path}, FixedVersions: []string{fixed}},
		{ID: "f2", RuleID: rule + "2", Severity: document.SeverityHigh, Status: document.StatusOpen,
			Location: &document.Location{Path: path, StartLine: 3}, FixedVersions: []string{}},
		{ID: rule, RuleID: pkg, Severity: document.SeverityLow, Status: document.StatusOpen, FixedVersions: []string{}},
	}
	m := eval.Message{Policy: policy, Msg: msg, Severity: version, FindingIDs: []string{"f1", "f2"}, Components: []string{pkg}, Remediation: fix}
	one := eval.Message{Policy: policy, Msg: msg, Severity: "high", FindingIDs: []string{"f2"}, Remediation: fix}
	return &gate.Result{Document: doc, Decision: &gate.Decision{
		Decision:   gate.Fail,
		Violations: []eval.Message{m, one},
		Warnings:   []eval.Message{{Policy: policy, Msg: reason, FindingIDs: []string{rule}}},
		// A waiver's owner and ticket are secgate.yaml text, shown as a
		// report's text is.
		Exceptions: []eval.Waiver{{FindingID: rule, Exception: map[string]any{"reason": reason, "expires": fix, "owner": msg, "ticket": path}}},
		Approvals:  []eval.Approval{{Match: rule, ApprovedBy: policy, Expires: fix, Reason: reason, Owner: msg, Ticket: path, Components: []string{pkg, msg}}},
		Policies:   []string{policy},
		Sources:    doc.Sources,
	}}
}

// checkHuman asserts that a human output carries nothing a report could
// have injected: no control character, and, by format, no workflow
// command, no Markdown link, image, HTML, mention or heading of its own.
func checkHuman(t *testing.T, format, out string) {
	t.Helper()
	checkControls(t, format, out, true)
	switch format {
	case "github":
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "::") && !ownCommand.MatchString(line) {
				t.Errorf("github: a workflow command secgate did not write: %q", line)
			}
		}
	case "markdown":
		checkMarkdown(t, out)
	case "junit":
		if err := xml.Unmarshal([]byte(out), new(struct{})); err != nil {
			t.Errorf("junit: not XML: %v", err)
		}
		fallthrough
	default:
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "::") {
				t.Errorf("%s: a line that is a workflow command: %q", format, line)
			}
		}
	}
}

// ownCommand is an annotation as secgate writes it: properties escaped
// (no ':' in them), then the message.
var ownCommand = regexp.MustCompile(`^::(error|warning) [^:]*::`)

// checkControls finds control characters; with human, bidi controls and
// invisible format characters too (JSON keeps them, escaped, as data).
func checkControls(t *testing.T, format, out string, human bool) {
	t.Helper()
	if i := testutil.ControlAt(out, human); i >= 0 {
		t.Errorf("%s: control character at byte %d: %q", format, i, around(out, i))
	}
}

// ownTags are the HTML secgate's Markdown writes itself.
var ownTags = strings.NewReplacer(report.CommentMarker, "", "<details>", "", "</details>", "", "<summary>", "", "</summary>", "", "<sub>", "", "</sub>", "")

// mention is GitHub's: @name at the start or after a character that is
// not part of a word, a path or an address.
// checkMarkdown parses just enough Markdown: outside code spans and
// backslash escapes, no '[', ']' or '<' of a report, no @mention, no
// heading but secgate's own.
func checkMarkdown(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "## ") && !strings.HasPrefix(line, "### ") {
			t.Errorf("markdown: a heading of the report: %q", line)
		}
		if strings.HasPrefix(line, "#") && !strings.Contains(line, "secgate: ") && line != "### Violations" {
			t.Errorf("markdown: a heading of the report: %q", line)
		}
		if what := testutil.MarkdownInjection(ownTags.Replace(line)); what != "" {
			t.Errorf("markdown: %s in %q", what, line)
		}
	}
}

func around(s string, i int) string {
	return s[max(0, i-40):min(len(s), i+40)]
}
