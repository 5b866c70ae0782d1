// Package bandit ingests Bandit's JSON reports (bandit -f json): an object
// with results, errors, metrics and generated_at. Each result becomes one
// code finding whose severity and confidence are exactly Bandit's (HIGH,
// MEDIUM, LOW), with the CWE of issue_cwe when the report has it (Bandit
// 1.7.3 and later).
//
// Bandit's errors[] lists files it could not scan ({filename, reason}):
// they are no findings but the scan errors of the source, at level
// warning. Windows paths (dojo\views.py) are written with
// forward slashes so that a finding's id does not depend on the OS that ran
// the scan.
//
// The hardcoded-password tests (B105, B106, B107) quote the password they
// found in issue_text and code: the quoted value is redacted from the
// description and the snippet is dropped, as secgate never copies a
// secret into the document.
package bandit

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads Bandit JSON reports.
type Ingester struct{}

// New returns the Bandit ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "bandit" }

// Detect implements ingest.Ingester. It claims an object with results and
// generated_at, and metrics or errors: Semgrep's reports have results and
// errors too, but never generated_at or metrics.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	if f.Shape != sniff.JSONObject {
		return false, nil
	}
	return f.HasAll("results", "generated_at") && (f.Has("metrics") || f.Has("errors")), nil
}

type report struct {
	GeneratedAt string    `json:"generated_at"`
	Results     []*result `json:"results"`
	Errors      []*struct {
		Filename string `json:"filename"`
		Reason   string `json:"reason"`
	} `json:"errors"`
}

type result struct {
	Code            string  `json:"code"`
	Filename        string  `json:"filename"`
	IssueConfidence string  `json:"issue_confidence"`
	IssueSeverity   string  `json:"issue_severity"`
	IssueText       string  `json:"issue_text"`
	LineNumber      int     `json:"line_number"`
	LineRange       []int   `json:"line_range"`
	ColOffset       *int    `json:"col_offset"`
	EndColOffset    *int    `json:"end_col_offset"`
	MoreInfo        string  `json:"more_info"`
	TestID          string  `json:"test_id"`
	TestName        string  `json:"test_name"`
	IssueCWE        *cweRef `json:"issue_cwe"`
}

type cweRef struct {
	ID   json.RawMessage `json:"id"`
	Link string          `json:"link"`
}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	var r report
	if err := json.Unmarshal(f.Data, &r); err != nil {
		return nil, sniff.DecodeError(f.Data, err)
	}
	rep := &document.Report{
		Tool:     document.Tool{Name: "bandit"},
		Created:  r.GeneratedAt,
		Findings: make([]document.Finding, 0, len(r.Results)),
	}
	for i, res := range r.Results {
		if res == nil {
			continue
		}
		if res.TestID == "" {
			return nil, fmt.Errorf("results[%d]: no test_id", i)
		}
		rep.Findings = append(rep.Findings, finding(res))
	}
	for _, e := range r.Errors {
		if e != nil {
			rep.Errors = append(rep.Errors, document.NewScanError(document.ScanErrorLevelWarning, norm.FirstNonEmpty(e.Reason, "bandit could not scan the file"), e.Filename, 0, ""))
		}
	}
	return rep, nil
}

// passwordTests quote the password they found.
var passwordTests = map[string]bool{"B105": true, "B106": true, "B107": true}

func finding(r *result) document.Finding {
	sev, ok := document.ParseSeverity(r.IssueSeverity)
	if !ok {
		sev = document.SeverityUnknown
	}
	f := document.Finding{
		Kind:        document.KindCode,
		RuleID:      r.TestID,
		Title:       r.TestName,
		Description: strings.TrimSpace(r.IssueText),
		Severity:    sev,
		Confidence:  r.IssueConfidence,
		Location: &document.Location{
			Path:      slashes(r.Filename),
			StartLine: norm.NonNegative(r.LineNumber),
			Snippet:   r.Code,
		},
		Origins: []document.Origin{{RuleID: r.TestID, Severity: r.IssueSeverity}},
	}
	if f.Title == "" {
		f.Title = r.TestID
	}
	if n := len(r.LineRange); n > 0 && r.LineRange[n-1] > r.LineNumber {
		f.Location.EndLine = r.LineRange[n-1]
	}
	if r.ColOffset != nil {
		f.Location.StartColumn = norm.NonNegative(*r.ColOffset + 1)
	}
	if r.EndColOffset != nil {
		f.Location.EndColumn = norm.NonNegative(*r.EndColOffset + 1)
	}
	if passwordTests[r.TestID] {
		f.Description = redactQuoted(f.Description)
		f.Location.Snippet = ""
	}
	if r.MoreInfo != "" {
		f.References = []string{r.MoreInfo}
	}
	if r.IssueCWE != nil {
		if c := norm.CWEExceptZero(norm.Text(r.IssueCWE.ID)); c != "" {
			f.CWE = []string{c}
		}
		if r.IssueCWE.Link != "" {
			f.References = append(f.References, r.IssueCWE.Link)
		}
	}
	return f
}

// redactQuoted replaces what the first quote of s opens: "Possible
// hardcoded password: 'hunter2'" becomes "Possible hardcoded password:
// '<redacted>'".
func redactQuoted(s string) string {
	i := strings.IndexAny(s, `'"`)
	if i < 0 {
		return s
	}
	j := strings.LastIndexByte(s, s[i])
	if j <= i {
		return s[:i+1] + "<redacted>"
	}
	return s[:i+1] + "<redacted>" + s[j:]
}

func slashes(p string) string { return strings.ReplaceAll(p, `\`, "/") }
