package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/textsafe"
)

// Limits keep a table readable in a CI log; what is cut is counted.
const (
	maxMessages         = 50
	maxFindingsPerEntry = 5
)

// Table is the human-readable output: the verdict first, then each
// violation with its evidence, then warnings and a summary.
type Table struct {
	Color bool
}

// Name implements Format.
func (*Table) Name() string { return "table" }

const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	green  = "\x1b[32m"
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

func (t *Table) paint(code, s string) string {
	if !t.Color {
		return s
	}
	return code + s + reset
}

// Write implements Format.
func (t *Table) Write(w io.Writer, r *gate.Result) error {
	bw := bufio.NewWriter(w)
	d, doc := r.Decision, r.Document
	byID := make(map[string]*document.Finding, len(doc.Findings))
	for i := range doc.Findings {
		byID[doc.Findings[i].ID] = &doc.Findings[i]
	}

	verdict := strings.ToUpper(d.Decision)
	switch d.Decision {
	case gate.Fail:
		verdict = t.paint(bold+red, verdict)
	case gate.Warn:
		verdict = t.paint(bold+yellow, verdict)
	default:
		verdict = t.paint(bold+green, verdict)
	}
	fmt.Fprintf(bw, "%s  %d violation(s), %d warning(s), %d exception(s) applied", verdict,
		len(d.Violations), len(d.Warnings), len(d.Exceptions))
	if len(d.Excepted) > 0 {
		fmt.Fprintf(bw, ", %d result(s) excepted by policy", len(d.Excepted))
	}
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "%s\n", t.paint(dim, "policies: "+textsafe.Clean(strings.Join(d.Policies, ", "), textsafe.MaxMessage)))

	t.messages(bw, "Violations", "✗", red, d.Violations, byID)
	t.messages(bw, "Warnings", "!", yellow, d.Warnings, byID)

	if len(d.Exceptions) > 0 {
		fmt.Fprintf(bw, "\n%s\n", t.paint(bold, "Exceptions applied"))
		for i, x := range d.Exceptions {
			if i == maxMessages {
				fmt.Fprintf(bw, "  … and %d more\n", len(d.Exceptions)-maxMessages)
				break
			}
			reason, terms := waiverTerms(x.Exception)
			fmt.Fprintf(bw, "  ✓ %s: %s (%s)\n", evidence(byID[x.FindingID], x.FindingID),
				textsafe.Clean(reason, textsafe.MaxMessage), textsafe.Clean(terms, textsafe.MaxMessage))
		}
	}

	if len(d.Excepted) > 0 {
		excepted := make([]eval.Message, len(d.Excepted))
		for i, x := range d.Excepted {
			excepted[i] = x.Message
		}
		t.messages(bw, "Excepted by policy", "✓", dim, excepted, byID)
	}

	if len(d.Approvals) > 0 {
		fmt.Fprintf(bw, "\n%s\n", t.paint(bold, "Approvals applied"))
		for i, a := range d.Approvals {
			if i == maxMessages {
				fmt.Fprintf(bw, "  … and %d more\n", len(d.Approvals)-maxMessages)
				break
			}
			fmt.Fprintf(bw, "  ✓ %s\n", textsafe.Clean(approvalLine(a), textsafe.MaxMessage))
		}
	}

	if r := d.Ratchet; r != nil {
		t.ratchet(bw, r)
	}
	if d.Shadow != nil {
		t.shadow(bw, d)
	}

	s := d.Summary
	fmt.Fprintf(bw, "\n%s findings: %d, open: %d (critical %d, high %d, medium %d, low %d, info %d, unknown %d); components: %d",
		t.paint(bold, "Summary"), s.Findings, s.OpenFindings,
		s.OpenBySeverity["critical"], s.OpenBySeverity["high"], s.OpenBySeverity["medium"],
		s.OpenBySeverity["low"], s.OpenBySeverity["info"], s.OpenBySeverity["unknown"], s.Components)
	if d.Context.Baseline {
		fmt.Fprintf(bw, "; new: %d findings, %d components", s.NewFindings, s.NewComponents)
	}
	fmt.Fprintln(bw)
	var srcs []string
	for _, src := range d.Sources {
		srcs = append(srcs, fmt.Sprintf("%s (%s)", textsafe.Clean(src.Path, textsafe.MaxField), textsafe.Clean(src.Format, textsafe.MaxField)))
	}
	fmt.Fprintf(bw, "%s\n", t.paint(dim, "reports: "+strings.Join(srcs, ", ")))
	return bw.Flush()
}

func (t *Table) messages(w io.Writer, title, mark, colour string, ms []eval.Message, byID map[string]*document.Finding) {
	if len(ms) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s (%d)\n", t.paint(bold, title), len(ms))
	for i, m := range ms {
		if i == maxMessages {
			fmt.Fprintf(w, "  … and %d more (all of them in -o json)\n", len(ms)-maxMessages)
			break
		}
		sev := ""
		if m.Severity != "" {
			sev = "[" + textsafe.Clean(m.Severity, textsafe.MaxField) + "] "
		}
		fmt.Fprintf(w, "  %s %s%s %s\n", t.paint(colour, mark), sev, t.paint(dim, textsafe.Clean(m.Policy, textsafe.MaxField)+":"),
			textsafe.Clean(m.Msg, textsafe.MaxMessage))
		// Evidence: the findings behind the message, unless it names its
		// one finding itself.
		if len(m.FindingIDs) > 1 || (len(m.FindingIDs) == 1 && !namesFinding(m.Msg, byID[m.FindingIDs[0]])) {
			for j, id := range m.FindingIDs {
				if j == maxFindingsPerEntry {
					fmt.Fprintf(w, "      … and %d more\n", len(m.FindingIDs)-maxFindingsPerEntry)
					break
				}
				fmt.Fprintf(w, "      - %s\n", evidence(byID[id], id))
			}
		}
		if m.Remediation != "" {
			fmt.Fprintf(w, "      %s %s\n", t.paint(dim, "fix:"), textsafe.Clean(m.Remediation, textsafe.MaxMessage))
		}
	}
}

// evidence describes one finding on one line: rule, package with
// installed → fixed version, file:line. Each field is cleaned (see
// textsafe.Clean), so the line is safe to print.
func evidence(f *document.Finding, id string) string {
	clean := func(s string) string { return textsafe.Clean(s, textsafe.MaxField) }
	if f == nil {
		return clean(id)
	}
	parts := []string{clean(f.RuleID), "(" + clean(string(f.Severity)) + ")"}
	if p := f.Package; p != nil {
		pkg := strings.TrimSpace(clean(p.Name) + " " + clean(p.Version))
		if len(f.FixedVersions) > 0 {
			fixed := make([]string, len(f.FixedVersions))
			for i, v := range f.FixedVersions {
				fixed[i] = clean(v)
			}
			pkg += " → " + strings.Join(fixed, ", ")
		}
		parts = append(parts, pkg)
		// A package found at several paths (vendored twice) is fixed at each.
		if len(p.Paths) > 1 {
			paths := make([]string, len(p.Paths))
			for i, path := range p.Paths {
				paths[i] = clean(path)
			}
			parts = append(parts, "at "+strings.Join(paths, ", "))
		}
	}
	if len(f.Locations) > 1 {
		places := make([]string, len(f.Locations))
		for i := range f.Locations {
			places[i] = placeString(&f.Locations[i])
		}
		parts = append(parts, strings.Join(places, ", "))
	} else if l := f.Location; l != nil && l.Path != "" {
		parts = append(parts, placeString(l))
	}
	return strings.Join(parts, " ")
}

// placeString is a location as path:line, its path cleaned.
func placeString(l *document.Location) string {
	path := textsafe.Clean(l.Path, textsafe.MaxField)
	if l.StartLine > 0 {
		return fmt.Sprintf("%s:%d", path, l.StartLine)
	}
	return path
}

// namesFinding reports whether a message already names the finding.
func namesFinding(msg string, f *document.Finding) bool {
	return f != nil && strings.Contains(msg, f.RuleID)
}

// ratchet shows the baseline's and the current counts side by side, and
// marks the severities whose count rose.
func (t *Table) ratchet(w io.Writer, r *gate.Ratchet) {
	fmt.Fprintf(w, "\n%s\n", t.paint(bold, "Ratchet (open findings counted: baseline → current)"))
	for _, c := range r.Counts {
		line := fmt.Sprintf("  %-8s %5d → %-5d", c.Severity, c.Baseline, c.Current)
		switch {
		case c.Delta > 0:
			line = t.paint(red, fmt.Sprintf("%s +%d ✗", line, c.Delta))
		case c.Delta < 0:
			line = fmt.Sprintf("%s %d", line, c.Delta)
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

// shadow writes what the candidate policies (check --shadow-policy)
// would have decided: their verdict beside the one in force, and the
// violations and warnings that would appear (+) or vanish (-).
func (t *Table) shadow(w io.Writer, d *gate.Decision) {
	sh := d.Shadow
	fmt.Fprintf(w, "\n%s %s\n", t.paint(bold, "Shadow policies (not enforced):"), shadowVerdict(d))
	fmt.Fprintf(w, "%s\n", t.paint(dim, "  policies: "+textsafe.Clean(strings.Join(sh.PolicySources, ", "), textsafe.MaxMessage)))
	fmt.Fprintf(w, "  violations: %d (%d would appear, %d vanish); warnings: %d (%d would appear, %d vanish)\n",
		sh.Violations.Total, len(sh.Violations.Appeared), len(sh.Violations.Vanished),
		sh.Warnings.Total, len(sh.Warnings.Appeared), len(sh.Warnings.Vanished))
	for i, c := range shadowChanges(sh) {
		if i == maxMessages {
			fmt.Fprintf(w, "  … and more (all of them in -o json)\n")
			return
		}
		colour := green
		switch {
		case c.Appears && c.What == "violation":
			colour = red
		case c.Appears:
			colour = yellow
		}
		sev := ""
		if c.Msg.Severity != "" {
			sev = "[" + textsafe.Clean(c.Msg.Severity, textsafe.MaxField) + "] "
		}
		fmt.Fprintf(w, "  %s %s %s%s %s\n", t.paint(colour, c.Mark()), c.What, sev,
			t.paint(dim, textsafe.Clean(c.Msg.Policy, textsafe.MaxField)+":"), textsafe.Clean(c.Msg.Msg, textsafe.MaxMessage))
	}
}
