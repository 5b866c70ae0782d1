// Package gitleaks ingests Gitleaks' JSON reports: an array of findings,
// with v8's PascalCase fields (RuleID, File, StartLine, Commit …) or v7's
// lower-case ones (rule, file, lineNumber, commit …). Gitleaks writes the
// JSON literal null, or an empty array, when it found nothing; null is
// claimed here and is an empty report ([] is left to the "empty" format,
// as no content can tell its tool).
//
// Each leak becomes one secret finding at its file and lines, severity
// high (Gitleaks states none, and any open secret is to be rotated). The
// commit it was found in is the tag "commit:<sha>": the same secret found
// in several commits at the same place is one finding with several commit
// tags.
//
// Nothing that holds the secret is read, let alone copied: not v8's Secret
// and Match, not v7's offender and line, and not commit messages either.
package gitleaks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads Gitleaks JSON reports.
type Ingester struct{}

// New returns the Gitleaks ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "gitleaks" }

// Detect implements ingest.Ingester. It claims an array of v8 findings
// (RuleID with File or StartLine), of v7 leaks (rule with offender or
// lineNumber), and a file that is nothing but the JSON literal null.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	switch f.Shape {
	case sniff.Text:
		return isNull(f.Data), nil
	case sniff.JSONArray:
		return isV8(f) || isV7(f), nil
	}
	return false, nil
}

func isNull(data []byte) bool {
	return bytes.Equal(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), []byte("null"))
}

func isV8(f *sniff.File) bool {
	return f.ElemHas("RuleID") && (f.ElemHas("File") || f.ElemHas("StartLine"))
}

func isV7(f *sniff.File) bool {
	return f.ElemHas("rule") && (f.ElemHas("offender") || f.ElemHas("lineNumber"))
}

// leakV8 holds the fields of a v8 finding that hold no secret. Match,
// Secret and Message are deliberately absent.
type leakV8 struct {
	Description string          `json:"Description"`
	StartLine   int             `json:"StartLine"`
	EndLine     int             `json:"EndLine"`
	StartColumn int             `json:"StartColumn"`
	EndColumn   int             `json:"EndColumn"`
	File        string          `json:"File"`
	Link        string          `json:"Link"`
	Commit      string          `json:"Commit"`
	Tags        json.RawMessage `json:"Tags"`
	RuleID      string          `json:"RuleID"`
}

// leakV7 holds the fields of a v7 leak that hold no secret. line,
// offender and commitMessage are deliberately absent.
type leakV7 struct {
	LineNumber int             `json:"lineNumber"`
	Commit     string          `json:"commit"`
	LeakURL    string          `json:"leakURL"`
	Rule       string          `json:"rule"`
	File       string          `json:"file"`
	Tags       json.RawMessage `json:"tags"`
}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	rep := &document.Report{Tool: document.Tool{Name: "gitleaks"}}
	if isNull(f.Data) {
		return rep, nil
	}
	// encoding/json matches field names without regard to case, so v7's
	// "tags" (a string) would land in v8's Tags: each version is decoded
	// into its own type.
	if !isV8(f) && isV7(f) {
		var leaks []*leakV7
		if err := json.Unmarshal(f.Data, &leaks); err != nil {
			return nil, sniff.DecodeError(f.Data, err)
		}
		for _, l := range leaks {
			if l != nil {
				rep.Findings = append(rep.Findings, finding(l.Rule, "", l.File, l.Commit, l.LeakURL, l.Tags,
					document.Location{StartLine: norm.NonNegative(l.LineNumber)}))
			}
		}
		return rep, nil
	}
	var leaks []*leakV8
	if err := json.Unmarshal(f.Data, &leaks); err != nil {
		return nil, sniff.DecodeError(f.Data, err)
	}
	for _, l := range leaks {
		if l == nil {
			continue
		}
		loc := document.Location{
			StartLine:   norm.NonNegative(l.StartLine),
			EndLine:     norm.NonNegative(l.EndLine),
			StartColumn: norm.NonNegative(l.StartColumn),
			EndColumn:   norm.NonNegative(l.EndColumn),
		}
		rep.Findings = append(rep.Findings, finding(l.RuleID, l.Description, l.File, l.Commit, l.Link, l.Tags, loc))
	}
	return rep, nil
}

// fallbackRule names a leak whose rule the report leaves empty.
const fallbackRule = "gitleaks-secret"

func finding(rule, title, file, commit, link string, tags json.RawMessage, loc document.Location) document.Finding {
	rule = strings.TrimSpace(rule)
	if rule == "" {
		rule = fallbackRule
	}
	if title = strings.TrimSpace(title); title == "" {
		title = rule
	}
	loc.Path = strings.ReplaceAll(file, `\`, "/")
	if loc.EndLine <= loc.StartLine {
		loc.EndLine = 0
	}
	f := document.Finding{
		Kind:     document.KindSecret,
		RuleID:   rule,
		Title:    title,
		Severity: document.SeverityHigh,
		Location: &loc,
		Tags:     tagList(tags),
		Origins:  []document.Origin{{RuleID: rule}},
	}
	where := loc.Path
	if loc.StartLine > 0 {
		where = fmt.Sprintf("%s:%d", where, loc.StartLine)
	}
	f.Description = fmt.Sprintf("Gitleaks rule %q matched a secret in %s", rule, where)
	f.Description += ". The value is not copied here; rotate the secret and remove it from the history."
	if commit = strings.TrimSpace(commit); commit != "" {
		f.Tags = append(f.Tags, "commit:"+commit)
	}
	if link != "" {
		f.References = []string{link}
	}
	return f
}

// tagList reads v8's tag list or v7's comma-separated string.
func tagList(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		var out []string
		for _, t := range list {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
		return out
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		var out []string
		for _, t := range strings.Split(s, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
		return out
	}
	return nil
}
