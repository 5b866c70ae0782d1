package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/textsafe"
)

// Markdown writes a pull-request comment: the verdict, counts by severity
// (new and pre-existing with a baseline), a table of violations, and the
// details collapsed.
type Markdown struct{}

// Name implements Format.
func (Markdown) Name() string { return "markdown" }

// maxTableRows bounds the violations table of a comment.
const maxTableRows = 30

// Write implements Format.
func (Markdown) Write(w io.Writer, r *gate.Result) error {
	bw := bufio.NewWriter(w)
	d, doc := r.Decision, r.Document
	icon := map[string]string{gate.Pass: "✅", gate.Warn: "⚠️", gate.Fail: "❌"}[d.Decision]
	fmt.Fprintf(bw, "## %s secgate: %s\n\n", icon, strings.ToUpper(d.Decision))
	fmt.Fprintf(bw, "%d violation(s), %d warning(s), %d exception(s) applied · %d open finding(s) of %d · %d component(s)\n\n",
		len(d.Violations), len(d.Warnings), len(d.Exceptions), d.Summary.OpenFindings, d.Summary.Findings, d.Summary.Components)

	newBySev := map[string]int{}
	for i := range doc.Findings {
		f := &doc.Findings[i]
		if f.Status == document.StatusOpen && f.New != nil && *f.New {
			newBySev[string(f.Severity)]++
		}
	}
	if d.Context.Baseline {
		fmt.Fprintln(bw, "| severity | open | new in this change | pre-existing |")
		fmt.Fprintln(bw, "|---|---:|---:|---:|")
	} else {
		fmt.Fprintln(bw, "| severity | open |")
		fmt.Fprintln(bw, "|---|---:|")
	}
	for _, s := range document.Severities {
		n := d.Summary.OpenBySeverity[string(s)]
		if d.Context.Baseline {
			fmt.Fprintf(bw, "| %s | %d | %d | %d |\n", s, n, newBySev[string(s)], n-newBySev[string(s)])
		} else {
			fmt.Fprintf(bw, "| %s | %d |\n", s, n)
		}
	}
	fmt.Fprintln(bw)

	its := items(r, false)
	var violations []item
	for _, it := range its {
		if it.Level == "error" {
			violations = append(violations, it)
		}
	}
	if len(violations) > 0 {
		fmt.Fprintln(bw, "### Violations")
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "| severity | policy | what | where | fix |")
		fmt.Fprintln(bw, "|---|---|---|---|---|")
		for i, it := range violations {
			if i == maxTableRows {
				fmt.Fprintf(bw, "\n… and %d more violation(s).\n", len(violations)-maxTableRows)
				break
			}
			path, line := place(r, it)
			where := path
			if line > 0 {
				where = fmt.Sprintf("%s:%d", path, line)
			}
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", escapeMarkdown(it.Msg.Severity), escapeMarkdown(it.Msg.Policy), escapeMarkdown(it.Msg.Msg), code(where), escapeMarkdown(it.Msg.Remediation))
		}
		fmt.Fprintln(bw)
	}
	details := func(summary string, level string) {
		var rows []item
		for _, it := range its {
			if it.Level == level {
				rows = append(rows, it)
			}
		}
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(bw, "<details><summary>%s (%d)</summary>\n\n", summary, len(rows))
		for _, it := range rows {
			fmt.Fprintf(bw, "- **%s** %s\n", escapeMarkdown(it.Msg.Policy), escapeMarkdown(it.Msg.Msg))
		}
		fmt.Fprint(bw, "\n</details>\n\n")
	}
	details("All violations", "error")
	details("Warnings", "warning")
	if len(d.Exceptions) > 0 {
		fmt.Fprintf(bw, "<details><summary>Exceptions applied (%d)</summary>\n\n", len(d.Exceptions))
		byID := findingIndex(doc)
		for _, x := range d.Exceptions {
			reason, terms := waiverTerms(x.Exception)
			fmt.Fprintf(bw, "- %s — %s (%s)\n", escapeMarkdown(evidence(byID[x.FindingID], x.FindingID)), escapeMarkdown(reason), escapeMarkdown(terms))
		}
		fmt.Fprint(bw, "\n</details>\n\n")
	}
	if len(d.Approvals) > 0 {
		fmt.Fprintf(bw, "<details><summary>Approvals applied (%d)</summary>\n\n", len(d.Approvals))
		for _, a := range d.Approvals {
			fmt.Fprintf(bw, "- %s\n", escapeMarkdown(approvalLine(a)))
		}
		fmt.Fprint(bw, "\n</details>\n\n")
	}
	if r := d.Ratchet; r != nil {
		fmt.Fprint(bw, ratchetMarkdown(r))
	}
	if d.Shadow != nil {
		markdownShadow(bw, d)
	}
	var srcs []string
	for _, s := range d.Sources {
		srcs = append(srcs, fmt.Sprintf("%s (%s)", textsafe.Code(s.Path, textsafe.MaxField, false), escapeMarkdown(s.Format)))
	}
	fmt.Fprintf(bw, "<sub>Reports: %s. Policies: %s.</sub>\n", strings.Join(srcs, ", "), escapeMarkdown(strings.Join(d.Policies, ", ")))
	return bw.Flush()
}

// markdownShadow writes what the candidate policies (check
// --shadow-policy) would have decided, folded: their verdict beside the
// one in force, and each violation and warning that would appear or
// vanish.
func markdownShadow(w io.Writer, d *gate.Decision) {
	sh := d.Shadow
	fmt.Fprintf(w, "<details><summary>Shadow policies, not enforced: %s (%d violation(s) would appear, %d vanish)</summary>\n\n",
		shadowVerdict(d), len(sh.Violations.Appeared), len(sh.Violations.Vanished))
	for i, c := range shadowChanges(sh) {
		if i == maxTableRows {
			fmt.Fprint(w, "- … and more (all of them in the decision's JSON)\n")
			fmt.Fprint(w, "\n</details>\n\n")
			return
		}
		fmt.Fprintf(w, "- %s: **%s** %s\n", markdownShadowVerb(c), escapeMarkdown(c.Msg.Policy), escapeMarkdown(c.Msg.Msg))
	}
	fmt.Fprintf(w, "\n<sub>Candidate policies: %s.</sub>\n", escapeMarkdown(strings.Join(sh.PolicySources, ", ")))
	fmt.Fprint(w, "\n</details>\n\n")
}

// markdownShadowVerb is how a Markdown list names a shadow's change:
// "would appear" for a violation, "warning would appear" for a warning.
func markdownShadowVerb(c shadowChange) string {
	if c.What == "warning" {
		return "warning " + c.Verb()
	}
	return c.Verb()
}

// code is report text as a code span in a table cell.
func code(s string) string {
	return textsafe.Code(s, textsafe.MaxField, true)
}

// escapeMarkdown is report text as plain text, in a table cell or a list:
// no link, image, HTML, heading, table cell, mention or line break of its
// own (see textsafe.Markdown).
func escapeMarkdown(s string) string {
	return textsafe.Markdown(s, textsafe.MaxMessage)
}
