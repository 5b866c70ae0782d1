// Package semgrep ingests Semgrep's JSON reports (semgrep --json): an
// object with results and errors, and since about 0.60 version and paths.
// Each result becomes one code finding at its path, lines and columns, or
// a secret finding for the rules of Semgrep Secrets and of the secrets
// rulesets; a secret finding never carries the matched lines.
//
// Severity: Semgrep's ERROR, WARNING and INFO are high, medium and low;
// the words of newer releases (CRITICAL, HIGH, MEDIUM, LOW) are taken as
// they say; EXPERIMENT and INVENTORY are info. The rule's metadata gives
// the CWE ("CWE-79: Improper Neutralization …" becomes "CWE-79"), the
// confidence, the references, and tags: "owasp:<entry>", "category:<c>",
// "subcategory:<s>", "likelihood:<L>" and "impact:<I>". A result Semgrep
// marks is_ignored (a nosemgrep comment) is accepted.
//
// errors[] lists files Semgrep could not parse or rules that timed out: the
// scan is partial, but its results stand. The errors are no findings: they
// are the scan errors of the source, with their level, file, line and
// type ("Syntax error", "Timeout", "PartialParsing"). An error of level
// "error" (not "warn") makes the scan incomplete; a report with no results
// and such an error is a scan that failed: it is refused with
// sniff.ErrFailedScan rather than passed as a clean run.
package semgrep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads Semgrep JSON reports.
type Ingester struct{}

// New returns the Semgrep ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "semgrep" }

// Detect implements ingest.Ingester. It claims an object with results and
// errors whose results, when there are any, have check_id. Bandit's
// reports also have results and errors, but with generated_at and
// metrics: those are not claimed.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	if f.Shape != sniff.JSONObject || !f.HasAll("results", "errors") || f.Has("generated_at") || f.Has("metrics") {
		return false, nil
	}
	raw := bytes.TrimSpace(f.Keys["results"])
	if raw == nil {
		// Too large to be kept: look for a result's key in the file.
		return bytes.Contains(f.Data, []byte(`"check_id"`)), nil
	}
	if len(raw) == 0 || raw[0] != '[' {
		return false, nil
	}
	if bytes.Equal(bytes.Join(bytes.Fields(raw), nil), []byte("[]")) {
		return true, nil
	}
	return bytes.Contains(raw, []byte(`"check_id"`)), nil
}

type report struct {
	Version string          `json:"version"`
	Results []*result       `json:"results"`
	Errors  []*semgrepError `json:"errors"`
}

// semgrepError is one entry of errors[]. type is a word ("Timeout") or,
// in newer releases, a list whose first element is the word
// (["PartialParsing", [spans]]).
type semgrepError struct {
	Level   string          `json:"level"`
	Message json.RawMessage `json:"message"`
	Path    string          `json:"path"`
	Type    json.RawMessage `json:"type"`
	RuleID  string          `json:"rule_id"`
	Spans   []struct {
		Start position `json:"start"`
	} `json:"spans"`
}

// text is the error's message, whatever its JSON type.
func (e *semgrepError) text() string {
	var msg string
	if json.Unmarshal(e.Message, &msg) != nil {
		msg = string(e.Message)
	}
	return msg
}

// scanError is the scan error e reports.
func (e *semgrepError) scanError() document.ScanError {
	typ := norm.Text(e.Type)
	var list []json.RawMessage
	if typ == "" && json.Unmarshal(e.Type, &list) == nil && len(list) > 0 {
		typ = norm.Text(list[0])
	}
	line := 0
	if len(e.Spans) > 0 {
		line = e.Spans[0].Start.Line
	}
	return document.NewScanError(level(e.Level), e.text(), e.Path, line, typ)
}

// level maps Semgrep's error levels: "error" is an error, "warn" and the
// rest warnings.
func level(word string) string {
	if strings.EqualFold(strings.TrimSpace(word), "error") {
		return document.ScanErrorLevelError
	}
	return document.ScanErrorLevelWarning
}

type result struct {
	CheckID string   `json:"check_id"`
	Path    string   `json:"path"`
	Start   position `json:"start"`
	End     position `json:"end"`
	Extra   struct {
		Message   string                     `json:"message"`
		Severity  string                     `json:"severity"`
		Metadata  map[string]json.RawMessage `json:"metadata"`
		Lines     string                     `json:"lines"`
		IsIgnored bool                       `json:"is_ignored"`
	} `json:"extra"`
}

type position struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// loginPlaceholder is what Semgrep writes for lines and fingerprint when
// the user is not logged in.
const loginPlaceholder = "requires login"

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	var r report
	if err := json.Unmarshal(f.Data, &r); err != nil {
		return nil, sniff.DecodeError(f.Data, err)
	}
	rep := &document.Report{
		Tool:     document.Tool{Name: "semgrep", Version: r.Version},
		Findings: make([]document.Finding, 0, len(r.Results)),
	}
	for _, e := range r.Errors {
		if e == nil {
			continue
		}
		se := e.scanError()
		rep.Errors = append(rep.Errors, se)
		if se.Level != document.ScanErrorLevelError || rep.Incomplete != "" {
			continue
		}
		if len(r.Results) == 0 {
			return nil, fmt.Errorf("%w: semgrep reported an error and no results: %s", sniff.ErrFailedScan, firstLineOf(e.text()))
		}
		rep.Incomplete = "semgrep reported an error: " + se.Message
	}
	for i, res := range r.Results {
		if res == nil {
			continue
		}
		if strings.TrimSpace(res.CheckID) == "" {
			return nil, fmt.Errorf("results[%d]: no check_id", i)
		}
		rep.Findings = append(rep.Findings, finding(res))
	}
	return rep, nil
}

func finding(r *result) document.Finding {
	md := r.Extra.Metadata
	f := document.Finding{
		Kind:        document.KindCode,
		RuleID:      r.CheckID,
		Title:       title(r.CheckID),
		Description: strings.TrimSpace(r.Extra.Message),
		Severity:    severity(r.Extra.Severity),
		Confidence:  norm.TrimmedText(md["confidence"]),
		Location: &document.Location{
			Path:        strings.ReplaceAll(r.Path, `\`, "/"),
			StartLine:   norm.NonNegative(r.Start.Line),
			EndLine:     norm.NonNegative(r.End.Line),
			StartColumn: norm.NonNegative(r.Start.Col),
			EndColumn:   norm.NonNegative(r.End.Col),
		},
		Origins: []document.Origin{{RuleID: r.CheckID, Severity: r.Extra.Severity}},
	}
	if isSecret(r.CheckID, md) {
		f.Kind = document.KindSecret
	} else if r.Extra.Lines != loginPlaceholder {
		f.Location.Snippet = r.Extra.Lines
	}
	for _, c := range norm.Strings(md["cwe"]) {
		if c = normCWE(c); c != "" {
			f.CWE = append(f.CWE, c)
		}
	}
	for _, key := range []string{"references", "source", "source-rule-url", "source_rule_url"} {
		for _, u := range norm.Strings(md[key]) {
			if isURL(u) {
				f.References = append(f.References, u)
			}
		}
	}
	for _, key := range []string{"owasp", "category", "subcategory"} {
		for _, v := range norm.Strings(md[key]) {
			f.Tags = append(f.Tags, key+":"+v)
		}
	}
	for _, key := range []string{"likelihood", "impact"} {
		if v := norm.TrimmedText(md[key]); v != "" {
			f.Tags = append(f.Tags, key+":"+v)
		}
	}
	if r.Extra.IsIgnored {
		f.Status = document.StatusAccepted
		f.StatusReason = &document.StatusNote{By: "report", Statement: "ignored by a nosemgrep comment"}
	}
	return f
}

// severity maps Semgrep's words.
func severity(word string) document.Severity {
	switch strings.ToUpper(strings.TrimSpace(word)) {
	case "ERROR":
		return document.SeverityHigh
	case "WARNING":
		return document.SeverityMedium
	case "INFO":
		return document.SeverityLow
	case "EXPERIMENT", "INVENTORY":
		return document.SeverityInfo
	}
	if s, ok := document.ParseSeverity(word); ok {
		return s
	}
	return document.SeverityUnknown
}

// isSecret tells the rules that find secrets: Semgrep Secrets' (with a
// secret_type), and the community secrets rules (category or technology
// "secrets", or a "secrets" segment in the rule id).
func isSecret(checkID string, md map[string]json.RawMessage) bool {
	if norm.TrimmedText(md["secret_type"]) != "" {
		return true
	}
	for _, key := range []string{"category", "technology", "product"} {
		for _, v := range norm.Strings(md[key]) {
			if v := strings.ToLower(v); v == "secrets" || v == "secret" {
				return true
			}
		}
	}
	for _, seg := range strings.Split(checkID, ".") {
		if seg == "secrets" {
			return true
		}
	}
	return false
}

// title is the last segment of a rule id: the rule's own name.
func title(checkID string) string {
	id := strings.TrimRight(checkID, ".")
	if i := strings.LastIndexByte(id, '.'); i >= 0 && i < len(id)-1 {
		return id[i+1:]
	}
	return checkID
}

// normCWE reads the CWE id at the start of "CWE-79: Improper …", or "".
func normCWE(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && strings.EqualFold(s[:4], "CWE-") {
		s = s[4:]
	}
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 || strings.Trim(s[:n], "0") == "" {
		return ""
	}
	return "CWE-" + s[:n]
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// firstLineOf is the first line of s, at most 200 characters.
func firstLineOf(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
