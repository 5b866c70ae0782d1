package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
)

// item is one thing an output reports: a message of a policy, narrowed to
// one finding where the message is about exactly one.
type item struct {
	Level   string // "error" for violations, "warning" for warnings
	Msg     eval.Message
	Finding *document.Finding // nil for messages about no or several findings
}

// items lists violations then warnings, in the decision's order. With
// perFinding, a message about several findings becomes one item per
// finding (what code scanning and annotations show), unless the policy
// marked it "per_finding": false (a count of findings is about the set).
func items(r *gate.Result, perFinding bool) []item {
	byID := findingIndex(r.Document)
	var out []item
	add := func(level string, ms []eval.Message) {
		for _, m := range ms {
			if perFinding && len(m.FindingIDs) > 1 && m.Extra["per_finding"] != false {
				for _, id := range m.FindingIDs {
					f := byID[id]
					if f == nil {
						continue
					}
					one := m
					one.Msg = evidence(f, id) + ": " + m.Msg
					one.FindingIDs = []string{id}
					one.Components = ownComponents(f, m.Components)
					out = append(out, item{Level: level, Msg: one, Finding: f})
				}
				continue
			}
			it := item{Level: level, Msg: m}
			if len(m.FindingIDs) == 1 {
				it.Finding = byID[m.FindingIDs[0]]
			}
			out = append(out, it)
		}
	}
	add("error", r.Decision.Violations)
	add("warning", r.Decision.Warnings)
	return out
}

// ownComponents are the components of a message that are f's package:
// an item about one finding names its own, not every component of the
// message (a count of 100,000 findings would repeat them all in each).
func ownComponents(f *document.Finding, cs []string) []string {
	if f.Package == nil || len(cs) == 0 {
		return nil
	}
	for _, c := range cs {
		if c != "" && (c == f.Package.Purl || c == f.Package.Name) {
			return []string{c}
		}
	}
	return nil
}

func findingIndex(d *document.Document) map[string]*document.Finding {
	m := make(map[string]*document.Finding, len(d.Findings))
	for i := range d.Findings {
		m[d.Findings[i].ID] = &d.Findings[i]
	}
	return m
}

// place is where an item points in the repository: the finding's file for
// code, the manifest or SBOM for a dependency, else the report it came from.
func place(r *gate.Result, it item) (path string, line int) {
	if f := it.Finding; f != nil {
		if f.Location != nil && f.Location.Path != "" {
			return f.Location.Path, f.Location.StartLine
		}
		if f.Package != nil && f.Package.Path != "" {
			return f.Package.Path, 0
		}
		if len(f.Origins) > 0 && f.Origins[0].Source < len(r.Document.Sources) {
			return r.Document.Sources[f.Origins[0].Source].Path, 0
		}
	}
	for i := range r.Document.Components {
		c := &r.Document.Components[i]
		for _, label := range it.Msg.Components {
			if (c.Purl == label || c.Name == label) && len(c.Sources) > 0 {
				return r.Document.Sources[c.Sources[0]].Path, 0
			}
		}
	}
	if len(r.Document.Sources) > 0 {
		return r.Document.Sources[0].Path, 0
	}
	return "", 0
}

// ruleOf is the rule an item is reported under: the finding's rule, or
// the policy for messages about no single finding.
func ruleOf(it item) string {
	if it.Finding != nil {
		return it.Finding.RuleID
	}
	return it.Msg.Policy
}

// fingerprint identifies an item across runs: the finding id, or a hash of
// the policy and message.
func fingerprint(it item) string {
	if it.Finding != nil {
		return it.Finding.ID
	}
	h := sha256.Sum256([]byte(it.Msg.Policy + "\x00" + it.Msg.Msg))
	return hex.EncodeToString(h[:10])
}

// title is a short heading for an item.
func title(it item) string {
	if f := it.Finding; f != nil {
		if f.Package != nil {
			return f.RuleID + " in " + strings.TrimSpace(f.Package.Name+" "+f.Package.Version)
		}
		if f.Title != "" {
			return f.RuleID + ": " + f.Title
		}
		return f.RuleID
	}
	return it.Msg.Policy
}

// maxApproved bounds the components an approval's line names.
const maxApproved = 5

// approvalLine says what an approval let through, and on whose word:
// "pkg:npm/left-pad, by security-team until 2099-12-31 (reason):
// pkg:npm/left-pad@1.3.0".
func approvalLine(a eval.Approval) string {
	cs := a.Components
	more := ""
	if len(cs) > maxApproved {
		more = fmt.Sprintf(" and %d more", len(cs)-maxApproved)
		cs = cs[:maxApproved]
	}
	reason := a.Reason
	if o := ownership(a.Owner, a.Ticket); o != "" {
		reason += "; " + o
	}
	return fmt.Sprintf("%s, by %s until %s (%s): %s%s", a.Match, a.ApprovedBy, a.Expires, reason, strings.Join(cs, ", "), more)
}

// ownership names who answers for a waiver or an approval and what tracks
// it: "owner alice, ticket SEC-12", or "" when it says neither.
func ownership(owner, ticket string) string { return eval.Ownership(owner, ticket) }

// waiverTerms reads an applied exception: its reason, and its terms,
// "until 2027-01-31" followed by its owner and ticket when it names them
// ("until 2027-01-31; owner alice, ticket SEC-12").
func waiverTerms(x map[string]any) (reason, terms string) {
	reason, _ = x["reason"].(string)
	expires, _ := x["expires"].(string)
	owner, _ := x["owner"].(string)
	ticket, _ := x["ticket"].(string)
	terms = "until " + expires
	if o := ownership(owner, ticket); o != "" {
		terms += "; " + o
	}
	return reason, terms
}
