// Package eslint ingests ESLint's JSON reports (eslint -f json): an array
// with one entry per file, {filePath, messages, errorCount, ...}. Each
// message becomes one code finding at its file, line and column.
//
// ESLint's own severity (1 warning, 2 error) says how a project configured
// a lint rule, not how dangerous the problem is. A finding's severity
// therefore comes from a map of rule to severity (DefaultRuleSeverity,
// replaceable with NewWithSeverities) that covers the security rules of
// eslint-plugin-security, eslint-plugin-no-unsanitized, eslint-plugin-react
// and ESLint's eval-like core rules; their findings carry the tag
// "security". Every other rule is lint, not a
// security problem: ESLint severity 2 is low, 1 is info. A message
// without a rule (an unused eslint-disable directive) is the rule
// "eslint/no-rule".
//
// A fatal message (a file ESLint could not parse, so did not lint) is no
// finding: it is a scan error of its source, at level error, with the
// file and line.
//
// Messages that an eslint-disable comment suppressed (suppressedMessages,
// ESLint 8.8 and later) are accepted findings, with the directive's
// justification.
package eslint

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
)

// DefaultRuleSeverity maps ESLint rules that find security problems to the
// severity of what they find. New uses it; NewWithSeverities replaces it.
var DefaultRuleSeverity = map[string]document.Severity{
	// eslint-plugin-security
	"security/detect-eval-with-expression":           document.SeverityHigh,
	"security/detect-non-literal-require":            document.SeverityMedium,
	"security/detect-object-injection":               document.SeverityMedium,
	"security/detect-unsafe-regex":                   document.SeverityMedium,
	"security/detect-child-process":                  document.SeverityHigh,
	"security/detect-non-literal-fs-filename":        document.SeverityMedium,
	"security/detect-possible-timing-attacks":        document.SeverityLow,
	"security/detect-pseudoRandomBytes":              document.SeverityMedium,
	"security/detect-buffer-noassert":                document.SeverityMedium,
	"security/detect-disable-mustache-escape":        document.SeverityHigh,
	"security/detect-new-buffer":                     document.SeverityMedium,
	"security/detect-no-csrf-before-method-override": document.SeverityMedium,
	"security/detect-bidi-characters":                document.SeverityHigh,
	"security/detect-non-literal-regexp":             document.SeverityMedium,
	// ESLint core rules that run code from strings
	"no-eval":         document.SeverityHigh,
	"no-implied-eval": document.SeverityHigh,
	"no-new-func":     document.SeverityHigh,
	"no-script-url":   document.SeverityMedium,
	// eslint-plugin-no-unsanitized
	"no-unsanitized/method":   document.SeverityHigh,
	"no-unsanitized/property": document.SeverityHigh,
	// eslint-plugin-react
	"react/no-danger":               document.SeverityMedium,
	"react/no-danger-with-children": document.SeverityMedium,
	"react/jsx-no-script-url":       document.SeverityMedium,
	"react/jsx-no-target-blank":     document.SeverityLow,
}

// noRule is the rule id of a non-fatal message without a rule (an unused
// eslint-disable directive, for one).
const noRule = "eslint/no-rule"

// Ingester reads ESLint JSON reports.
type Ingester struct {
	severities map[string]document.Severity
}

// New returns the ESLint ingester with DefaultRuleSeverity.
func New() *Ingester { return &Ingester{severities: DefaultRuleSeverity} }

// NewWithSeverities returns an ESLint ingester that takes the severity of
// a rule's findings from m instead of DefaultRuleSeverity; rules not in m
// are lint (low for ESLint errors, info for warnings).
func NewWithSeverities(m map[string]document.Severity) *Ingester {
	return &Ingester{severities: m}
}

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "eslint" }

// Detect implements ingest.Ingester. It claims an array whose elements
// have filePath and messages. An empty array is no tool's in particular
// and is left to the "empty" format.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	return f.Shape == sniff.JSONArray && f.ElemHas("filePath") && f.ElemHas("messages"), nil
}

type fileResult struct {
	FilePath           string     `json:"filePath"`
	Messages           []*message `json:"messages"`
	SuppressedMessages []*message `json:"suppressedMessages"`
	Source             string     `json:"source"`
}

type message struct {
	RuleID       *string `json:"ruleId"`
	Severity     int     `json:"severity"`
	Message      string  `json:"message"`
	Line         int     `json:"line"`
	Column       int     `json:"column"`
	EndLine      int     `json:"endLine"`
	EndColumn    int     `json:"endColumn"`
	Fatal        bool    `json:"fatal"`
	Suppressions []struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification"`
	} `json:"suppressions"`
}

// Ingest implements ingest.Ingester.
func (in *Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	var files []*fileResult
	if err := json.Unmarshal(f.Data, &files); err != nil {
		return nil, sniff.DecodeError(f.Data, err)
	}
	rep := &document.Report{Tool: document.Tool{Name: "eslint"}}
	for _, fr := range files {
		if fr == nil {
			continue
		}
		var lines []string
		if fr.Source != "" {
			lines = strings.Split(fr.Source, "\n")
		}
		for _, m := range fr.Messages {
			switch {
			case m == nil:
			case m.Fatal:
				rep.Errors = append(rep.Errors, document.NewScanError(document.ScanErrorLevelError, m.Message, fr.FilePath, m.Line, "fatal"))
			default:
				rep.Findings = append(rep.Findings, in.finding(fr, m, lines, false))
			}
		}
		for _, m := range fr.SuppressedMessages {
			if m != nil {
				rep.Findings = append(rep.Findings, in.finding(fr, m, lines, true))
			}
		}
	}
	return rep, nil
}

func (in *Ingester) finding(fr *fileResult, m *message, lines []string, suppressed bool) document.Finding {
	rule := ""
	if m.RuleID != nil {
		rule = strings.TrimSpace(*m.RuleID)
	}
	word := severityWord(m.Severity)
	var sev document.Severity
	switch {
	case rule == "":
		rule, sev = noRule, lintSeverity(m.Severity)
	default:
		s, ok := in.severities[rule]
		if !ok || !s.Valid() {
			s = lintSeverity(m.Severity)
		}
		sev = s
	}
	f := document.Finding{
		Kind:        document.KindCode,
		RuleID:      rule,
		Title:       norm.FirstLine(m.Message),
		Description: strings.TrimSpace(m.Message),
		Severity:    sev,
		Location: &document.Location{
			Path:        strings.ReplaceAll(fr.FilePath, `\`, "/"),
			StartLine:   norm.NonNegative(m.Line),
			EndLine:     norm.NonNegative(m.EndLine),
			StartColumn: norm.NonNegative(m.Column),
			EndColumn:   norm.NonNegative(m.EndColumn),
			Snippet:     snippet(lines, m.Line, m.EndLine),
		},
		Origins: []document.Origin{{RuleID: rule, Severity: word}},
	}
	if f.Title == "" {
		f.Title = rule
	}
	if u := ruleURL(rule); u != "" {
		f.References = []string{u}
	}
	if in.severities[rule].Valid() {
		f.Tags = []string{"security"}
	}
	if suppressed {
		note := &document.StatusNote{By: "report", Statement: "suppressed by an eslint-disable directive"}
		for _, s := range m.Suppressions {
			if s.Kind != "" {
				note.Statement = fmt.Sprintf("suppressed by an ESLint %s", s.Kind)
			}
			if s.Justification != "" {
				note.Justification = s.Justification
				break
			}
		}
		f.Status, f.StatusReason = document.StatusAccepted, note
	}
	return f
}

// lintSeverity is the severity of a rule that is not a security rule.
func lintSeverity(eslint int) document.Severity {
	if eslint >= 2 {
		return document.SeverityLow
	}
	return document.SeverityInfo
}

// severityWord is ESLint's name of its severity number.
func severityWord(n int) string {
	switch n {
	case 2:
		return "error"
	case 1:
		return "warning"
	case 0:
		return "off"
	}
	return fmt.Sprint(n)
}

// ruleURL documents ESLint's core rules and eslint-plugin-security's.
func ruleURL(rule string) string {
	switch {
	case strings.HasPrefix(rule, "security/"):
		return "https://github.com/eslint-community/eslint-plugin-security/blob/main/docs/rules/" +
			strings.TrimPrefix(rule, "security/") + ".md"
	case rule != "" && !strings.ContainsAny(rule, "/@ "):
		return "https://eslint.org/docs/latest/rules/" + rule
	}
	return ""
}

// Snippets are cut to a few short lines: a minified file is one long line.
const (
	maxSnippetLines = 5
	maxSnippetBytes = 500
)

// snippet returns the source lines start..end (1-based) when the report
// carries the file's source.
func snippet(lines []string, start, end int) string {
	if start < 1 || start > len(lines) {
		return ""
	}
	if end < start {
		end = start
	}
	if end > len(lines) {
		end = len(lines)
	}
	if end-start >= maxSnippetLines {
		end = start + maxSnippetLines - 1
	}
	picked := make([]string, 0, end-start+1)
	for _, l := range lines[start-1 : end] {
		picked = append(picked, strings.TrimSuffix(l, "\r"))
	}
	s := strings.Join(picked, "\n")
	if len(s) > maxSnippetBytes {
		s = strings.ToValidUTF8(s[:maxSnippetBytes], "") + "…"
	}
	return s
}
