package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/textsafe"
)

// SARIF writes SARIF 2.1.0 that GitHub code scanning accepts: one result
// per violation or warning (per failing finding where the policy names
// one), rules with security-severity and the remediation as help, and
// partialFingerprints from the finding id so alerts stay stable.
type SARIF struct {
	// Version is secgate's version, for tool.driver.version.
	Version string
}

// Name implements Format.
func (SARIF) Name() string { return "sarif" }

// informationURI is where the driver's documentation lives.
const informationURI = "https://github.com/secgate/secgate"

// Write implements Format.
func (s SARIF) Write(w io.Writer, r *gate.Result) error {
	rep, err := sarif.New(sarif.Version210, true)
	if err != nil {
		return err
	}
	run := sarif.NewRunWithInformationURI("secgate", informationURI)
	if s.Version != "" {
		run.Tool.Driver.Version = &s.Version
	}
	ruleIndex := map[string]uint{}
	run.Results = []*sarif.Result{}
	for _, it := range items(r, true) {
		id := ruleOf(it)
		if _, ok := ruleIndex[id]; !ok {
			ruleIndex[id] = uint(len(run.Tool.Driver.Rules))
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, newRule(id, it))
		}
		res := sarif.NewRuleResult(id).
			WithLevel(it.Level).
			WithMessage(sarif.NewTextMessage(it.Msg.Msg))
		idx := ruleIndex[id]
		res.RuleIndex = &idx
		path, line := place(r, it)
		if path == "" {
			path = "."
		}
		region := sarif.NewRegion().WithStartLine(max(line, 1))
		if f := it.Finding; f != nil && f.Location != nil && f.Location.EndLine >= max(line, 1) {
			region.WithEndLine(f.Location.EndLine)
		}
		res.AddLocation(sarif.NewLocationWithPhysicalLocation(
			sarif.NewPhysicalLocation().
				WithArtifactLocation(sarif.NewSimpleArtifactLocation(uriOf(path))).
				WithRegion(region)))
		res.PartialFingerprints = map[string]interface{}{"secgate/v1": fingerprint(it)}
		res.Properties = sarif.Properties{"policy": it.Msg.Policy}
		if len(it.Msg.FindingIDs) > 0 {
			res.Properties["finding_ids"] = it.Msg.FindingIDs
		}
		if len(it.Msg.Components) > 0 {
			res.Properties["components"] = it.Msg.Components
		}
		run.AddResult(res)
	}
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []*sarif.ReportingDescriptor{}
	}
	rep.AddRun(run)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return err
	}
	// C1 and bidi controls as \u escapes: printed, the SARIF acts on no
	// terminal.
	_, err = w.Write(textsafe.EscapeJSON(buf.Bytes()))
	return err
}

func newRule(id string, it item) *sarif.ReportingDescriptor {
	rule := sarif.NewRule(id)
	short := title(it)
	full := it.Msg.Msg
	sev := it.Msg.Severity
	var tags []string
	help := it.Msg.Remediation
	if f := it.Finding; f != nil {
		if f.Title != "" {
			short = f.Title
		}
		if f.Description != "" {
			full = f.Description
		}
		sev = string(f.Severity)
		tags = append(tags, "security", string(f.Kind))
		tags = append(tags, f.CWE...)
		if len(f.References) > 0 {
			rule.WithHelpURI(f.References[0])
		}
	}
	rule.WithName(ruleName(id))
	rule.WithDescription(firstLine(short))
	rule.WithFullDescription(sarif.NewMultiformatMessageString(full))
	if help == "" {
		help = it.Msg.Msg
	}
	rule.WithHelp(sarif.NewMultiformatMessageString(help).WithMarkdown(help))
	props := sarif.Properties{}
	if tags = uniqueSorted(tags); len(tags) > 0 {
		props["tags"] = tags
	}
	if score := severityScore(sev, it.Finding); score != "" {
		props["security-severity"] = score
	}
	props["precision"] = "high"
	rule.Properties = props
	level := it.Level
	rule.DefaultConfiguration = sarif.NewReportingConfiguration().WithLevel(level)
	return rule
}

// severityScore is the security-severity GitHub reads: the CVSS score when
// known, else a score inside the severity's band.
func severityScore(sev string, f *document.Finding) string {
	if f != nil && f.CVSS != nil && f.CVSS.Score > 0 {
		return fmt.Sprintf("%.1f", f.CVSS.Score)
	}
	switch sev {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	case "low":
		return "2.0"
	}
	return ""
}

// ruleName turns an id into the PascalCase-ish name SARIF viewers show.
func ruleName(id string) string {
	parts := strings.FieldsFunc(id, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, "")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// uriOf makes a relative URI of a path as SARIF wants it.
func uriOf(path string) string {
	p := strings.ReplaceAll(path, "\\", "/")
	p = strings.TrimPrefix(p, "./")
	return strings.ReplaceAll(p, " ", "%20")
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for _, v := range s {
		if v != "" && (len(out) == 0 || v != out[len(out)-1]) {
			out = append(out, v)
		}
	}
	return out
}
