// Package gosec ingests gosec's JSON reports (gosec -fmt=json): an object
// with Issues, Stats and, in later releases, GosecVersion and "Golang
// errors". Each issue becomes one code finding with gosec's severity and
// confidence, its CWE (early releases wrote a rule's CWE on its first
// issue only; the rule's other issues take it from there), and its place: the file, the line (gosec writes "12"
// or a range "12-14") and the column.
//
// An issue suppressed in the source (#nosec, reported with -nosec=false or
// -track-suppressions) is accepted, with the justification gosec recorded.
// The snippet of G101 (hard-coded credentials) is dropped: it holds the
// credential. "Golang errors" (files gosec could not load or type-check,
// each with its errors) are no findings but the scan errors of the
// source, at level warning, sorted by file and line.
package gosec

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads gosec JSON reports.
type Ingester struct{}

// New returns the gosec ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "gosec" }

// Detect implements ingest.Ingester. It claims an object with Issues and
// gosec's Stats, GosecVersion or "Golang errors".
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	if f.Shape != sniff.JSONObject || !f.Has("Issues") {
		return false, nil
	}
	return f.Has("Stats") || f.Has("GosecVersion") || f.Has("Golang errors"), nil
}

type report struct {
	Issues       []*issue `json:"Issues"`
	GosecVersion string   `json:"GosecVersion"`
	GolangErrors map[string][]*struct {
		Line   int    `json:"line"`
		Column int    `json:"column"`
		Error  string `json:"error"`
	} `json:"Golang errors"`
}

type issue struct {
	Severity     string          `json:"severity"`
	Confidence   string          `json:"confidence"`
	CWE          *cwe            `json:"cwe"`
	RuleID       string          `json:"rule_id"`
	Details      string          `json:"details"`
	File         string          `json:"file"`
	Code         string          `json:"code"`
	Line         json.RawMessage `json:"line"`
	Column       json.RawMessage `json:"column"`
	NoSec        bool            `json:"nosec"`
	Suppressions []struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification"`
	} `json:"suppressions"`
}

type cwe struct {
	ID  json.RawMessage `json:"id"`
	URL string          `json:"url"`
}

// credentialRules are the rules whose code snippet holds a credential.
var credentialRules = map[string]bool{"G101": true}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	var r report
	if err := json.Unmarshal(f.Data, &r); err != nil {
		return nil, sniff.DecodeError(f.Data, err)
	}
	rep := &document.Report{
		Tool:     document.Tool{Name: "gosec", Version: r.GosecVersion},
		Findings: make([]document.Finding, 0, len(r.Issues)),
	}
	// Early gosec releases wrote a rule's cwe on its first issue only:
	// the others take it from there.
	ruleCWE := map[string]*cwe{}
	for _, is := range r.Issues {
		if is != nil && is.CWE != nil && ruleCWE[is.RuleID] == nil {
			ruleCWE[is.RuleID] = is.CWE
		}
	}
	for i, is := range r.Issues {
		if is == nil {
			continue
		}
		if is.RuleID == "" {
			return nil, fmt.Errorf("issue %d: no rule_id", i)
		}
		if is.CWE == nil {
			is.CWE = ruleCWE[is.RuleID]
		}
		rep.Findings = append(rep.Findings, finding(is))
	}
	for _, file := range slices.Sorted(maps.Keys(r.GolangErrors)) {
		for _, e := range r.GolangErrors[file] {
			if e != nil {
				rep.Errors = append(rep.Errors, document.NewScanError(document.ScanErrorLevelWarning, norm.FirstNonEmpty(e.Error, "gosec could not check the file"), file, e.Line, "Golang error"))
			}
		}
	}
	return rep, nil
}

func finding(is *issue) document.Finding {
	sev, ok := document.ParseSeverity(is.Severity)
	if !ok {
		sev = document.SeverityUnknown
	}
	start, end := lineRange(norm.Text(is.Line))
	col, _ := strconv.Atoi(strings.TrimSpace(norm.Text(is.Column)))
	f := document.Finding{
		Kind:        document.KindCode,
		RuleID:      is.RuleID,
		Title:       norm.FirstLine(is.Details),
		Description: strings.TrimSpace(is.Details),
		Severity:    sev,
		Confidence:  is.Confidence,
		Location: &document.Location{
			Path:        strings.ReplaceAll(is.File, `\`, "/"),
			StartLine:   start,
			EndLine:     end,
			StartColumn: norm.NonNegative(col),
			Snippet:     is.Code,
		},
		Origins: []document.Origin{{RuleID: is.RuleID, Severity: is.Severity}},
	}
	if f.Title == "" {
		f.Title = is.RuleID
	}
	if credentialRules[is.RuleID] {
		f.Location.Snippet = ""
	}
	if is.CWE != nil {
		if c := norm.CWEExceptZero(norm.Text(is.CWE.ID)); c != "" {
			f.CWE = []string{c}
		}
		if is.CWE.URL != "" {
			f.References = []string{is.CWE.URL}
		}
	}
	if is.NoSec || len(is.Suppressions) > 0 {
		note := &document.StatusNote{By: "report", Statement: "suppressed in the source (#nosec)"}
		for _, s := range is.Suppressions {
			if s.Kind != "" {
				note.Statement = "suppressed by gosec " + s.Kind
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

// lineRange reads gosec's line: "12" or "12-14".
func lineRange(s string) (start, end int) {
	a, b, found := strings.Cut(strings.TrimSpace(s), "-")
	start, _ = strconv.Atoi(strings.TrimSpace(a))
	start = norm.NonNegative(start)
	if found {
		end, _ = strconv.Atoi(strings.TrimSpace(b))
		if end <= start {
			end = 0
		}
	}
	return start, end
}
