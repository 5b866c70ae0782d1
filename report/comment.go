package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/textsafe"
)

// CommentMarker is the first line of every pull-request comment body
// secgate writes. GitHub does not render it; `secgate comment` finds its
// own comment by it. Report text cannot write it: the comment escapes
// every < of a report.
const CommentMarker = "<!-- secgate:pr-comment -->"

// GitHub's bound on a comment's body, in characters.
const gitHubCommentLimit = 65536

// DefaultCommentLimit is the size a comment's body stays within, in
// UTF-16 code units (what a JavaScript string counts; never fewer than
// the characters GitHub counts), well under GitHub's 65,536 characters.
const DefaultCommentLimit = 60000

// commentField bounds each piece of report text in a comment, in
// characters, so that more rows fit: the full text is in -o json.
const commentField = 300

// commentTableRows bounds the violations shown in the table; the next
// ones are listed, collapsed, while they fit.
const commentTableRows = 20

// Comment writes the body of a pull-request comment that stays within a
// size whatever the report's: the marker, the verdict, open findings by
// severity, the violations worst first (a table, then a collapsed list)
// for as long as they fit, then how many more there are by severity; the
// warnings, exceptions and approvals collapsed, likewise bounded; the
// reports and policies last.
type Comment struct {
	// Limit bounds the body in UTF-16 code units; 0 means
	// DefaultCommentLimit. It is never more than GitHub's limit.
	Limit int
}

// Name implements Format.
func (Comment) Name() string { return "comment" }

// Write implements Format.
func (c Comment) Write(w io.Writer, r *gate.Result) error {
	_, err := io.WriteString(w, CommentBody(r, c.Limit))
	return err
}

// Units is the length of s in UTF-16 code units: a character outside the
// Basic Multilingual Plane counts two. A body of at most 65,536 units is
// within GitHub's limit however GitHub counts.
func Units(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// body is a comment being written within a limit.
type body struct {
	sb          strings.Builder
	used, limit int
}

func (b *body) write(s string) {
	b.sb.WriteString(s)
	b.used += Units(s)
}

// fits says whether s can be written and leave reserve units.
func (b *body) fits(s string, reserve int) bool {
	return b.used+Units(s)+reserve <= b.limit
}

// sectionReserve is what each section after the one being written needs
// at least: its heading, its "and N more" line and its closing tags.
const sectionReserve = 700

// CommentBody renders the comment (see Comment) within limit UTF-16 code
// units (0: DefaultCommentLimit).
func CommentBody(r *gate.Result, limit int) string {
	if limit <= 0 || limit > gitHubCommentLimit {
		limit = DefaultCommentLimit
	}
	d, doc := r.Decision, r.Document
	b := &body{limit: limit}
	b.write(CommentMarker + "\n")
	icon := map[string]string{gate.Pass: "✅", gate.Warn: "⚠️", gate.Fail: "❌"}[d.Decision]
	b.write(fmt.Sprintf("## %s secgate: %s\n\n", icon, strings.ToUpper(textsafe.Clean(d.Decision, 16))))
	b.write(fmt.Sprintf("**%s violation(s)**, %s warning(s), %s exception(s) applied · %s open finding(s) of %s · %s component(s)\n\n",
		thousands(len(d.Violations)), thousands(len(d.Warnings)), thousands(len(d.Exceptions)),
		thousands(d.Summary.OpenFindings), thousands(d.Summary.Findings), thousands(d.Summary.Components)))
	b.write(severityTable(r))
	if d.Ratchet != nil {
		b.write(ratchetMarkdown(d.Ratchet))
	}

	footer := commentFooter(d)
	its := items(r, true)
	var violations, warnings []item
	for _, it := range its {
		if it.Level == "error" {
			violations = append(violations, it)
		} else {
			warnings = append(warnings, it)
		}
	}
	// Worst first: the order of the decision within a severity.
	slices.SortStableFunc(violations, func(a, b item) int { return severityRank(severityOf(a)) - severityRank(severityOf(b)) })
	slices.SortStableFunc(warnings, func(a, b item) int { return severityRank(severityOf(a)) - severityRank(severityOf(b)) })

	// What the sections after the violations need at least.
	sections := 3
	if d.Shadow != nil {
		sections++
	}
	reserve := Units(footer) + sections*sectionReserve
	if len(violations) > 0 {
		b.write("### Violations\n\n")
		b.write("| severity | policy | what | where | fix |\n|---|---|---|---|---|\n")
		n := 0
		for _, it := range violations {
			if n == commentTableRows {
				break
			}
			row := violationRow(r, it)
			if !b.fits(row, reserve+sectionReserve) {
				break
			}
			b.write(row)
			n++
		}
		b.write("\n")
		if rest := violations[n:]; len(rest) > 0 {
			head := fmt.Sprintf("<details><summary>More violations (%s)</summary>\n\n", thousands(len(rest)))
			if b.fits(head, reserve+sectionReserve) {
				b.write(head)
				rest = writeList(b, r, rest, reserve+sectionReserve)
				b.write(moreLine(rest, "violation(s)"))
				b.write("\n</details>\n\n")
			} else {
				b.write(moreLine(rest, "violation(s)") + "\n")
			}
		}
	}
	reserve -= sectionReserve
	if len(warnings) > 0 {
		b.write(fmt.Sprintf("<details><summary>Warnings (%s)</summary>\n\n", thousands(len(warnings))))
		rest := writeList(b, r, warnings, reserve+sectionReserve)
		b.write(moreLine(rest, "warning(s)"))
		b.write("\n</details>\n\n")
	}
	reserve -= sectionReserve
	if len(d.Exceptions) > 0 {
		b.write(fmt.Sprintf("<details><summary>Exceptions applied (%s)</summary>\n\n", thousands(len(d.Exceptions))))
		byID := findingIndex(doc)
		n := 0
		for _, x := range d.Exceptions {
			reason, terms := waiverTerms(x.Exception)
			line := fmt.Sprintf("- %s — %s (%s)\n", commentText(evidence(byID[x.FindingID], x.FindingID)), commentText(reason), commentText(terms))
			if !b.fits(line, reserve+sectionReserve) {
				break
			}
			b.write(line)
			n++
		}
		if rest := len(d.Exceptions) - n; rest > 0 {
			b.write(fmt.Sprintf("\n… and %s more exception(s) applied.\n", thousands(rest)))
		}
		b.write("\n</details>\n\n")
	}
	reserve -= sectionReserve
	if len(d.Approvals) > 0 {
		b.write(fmt.Sprintf("<details><summary>Approvals applied (%s)</summary>\n\n", thousands(len(d.Approvals))))
		n := 0
		for _, a := range d.Approvals {
			line := "- " + commentText(approvalLine(a)) + "\n"
			if !b.fits(line, reserve+sectionReserve) {
				break
			}
			b.write(line)
			n++
		}
		if rest := len(d.Approvals) - n; rest > 0 {
			b.write(fmt.Sprintf("\n… and %s more approval(s) applied.\n", thousands(rest)))
		}
		b.write("\n</details>\n\n")
	}
	if d.Shadow != nil {
		reserve -= sectionReserve
		commentShadow(b, d, reserve+sectionReserve)
	}
	b.write(footer)
	return b.sb.String()
}

// severityTable counts open findings by severity; with a baseline, and a
// document that says which findings are new, new and pre-existing apart.
func severityTable(r *gate.Result) string {
	d, doc := r.Decision, r.Document
	newBySev := map[string]int{}
	known := false
	for i := range doc.Findings {
		f := &doc.Findings[i]
		if f.New != nil {
			known = true
			if *f.New && f.Status == document.StatusOpen {
				newBySev[string(f.Severity)]++
			}
		}
	}
	var sb strings.Builder
	split := d.Context.Baseline && known
	if split {
		sb.WriteString("| severity | open | new in this change | pre-existing |\n|---|---:|---:|---:|\n")
	} else {
		sb.WriteString("| severity | open |\n|---|---:|\n")
	}
	for _, s := range document.Severities {
		n := d.Summary.OpenBySeverity[string(s)]
		if split {
			fmt.Fprintf(&sb, "| %s | %s | %s | %s |\n", s, thousands(n), thousands(newBySev[string(s)]), thousands(n-newBySev[string(s)]))
		} else {
			fmt.Fprintf(&sb, "| %s | %s |\n", s, thousands(n))
		}
	}
	sb.WriteString("\n")
	if d.Context.Baseline && !known {
		fmt.Fprintf(&sb, "%s finding(s) new in this change.\n\n", thousands(d.Summary.NewFindings))
	}
	return sb.String()
}

// violationRow is a row of the violations table.
func violationRow(r *gate.Result, it item) string {
	path, line := place(r, it)
	where := path
	if line > 0 {
		where = fmt.Sprintf("%s:%d", path, line)
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", commentText(severityOf(it)), commentText(it.Msg.Policy),
		commentText(what(it)), textsafe.Code(where, textsafe.MaxField, true), commentText(it.Msg.Remediation))
}

// writeList writes items as list lines while they fit and leave reserve,
// and returns those it did not write.
func writeList(b *body, r *gate.Result, its []item, reserve int) []item {
	for i, it := range its {
		sev := severityOf(it)
		if sev == "" {
			sev = "—"
		}
		line := fmt.Sprintf("- **%s** %s: %s\n", commentText(sev), commentText(it.Msg.Policy), commentText(what(it)))
		if !b.fits(line, reserve) {
			return its[i:]
		}
		b.write(line)
	}
	return nil
}

// moreLine counts, by severity, the items that did not fit ("" when all did).
func moreLine(rest []item, what string) string {
	if len(rest) == 0 {
		return ""
	}
	counts := map[string]int{}
	for _, it := range rest {
		counts[severityOf(it)]++
	}
	var parts []string
	for _, s := range document.Severities {
		if n := counts[string(s)]; n > 0 {
			parts = append(parts, thousands(n)+" "+string(s))
		}
	}
	if n := counts[""]; n > 0 {
		parts = append(parts, thousands(n)+" without severity")
	}
	return fmt.Sprintf("\n… and %s more %s not shown: %s. All of them: the job's SARIF and `secgate check -o json`.\n",
		thousands(len(rest)), what, strings.Join(parts, ", "))
}

// commentFooter names the reports and the policies, within a bound.
func commentFooter(d *gate.Decision) string {
	const maxList = 1500
	list := func(names []string) string {
		var sb strings.Builder
		for i, n := range names {
			if Units(sb.String()) > maxList {
				fmt.Fprintf(&sb, " and %s more", thousands(len(names)-i))
				break
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(n)
		}
		return sb.String()
	}
	srcs := make([]string, len(d.Sources))
	for i, s := range d.Sources {
		srcs[i] = fmt.Sprintf("%s (%s)", textsafe.Code(s.Path, textsafe.MaxField, false), commentText(s.Format))
	}
	pols := make([]string, len(d.Policies))
	for i, p := range d.Policies {
		pols[i] = commentText(p)
	}
	return fmt.Sprintf("<sub>Reports: %s. Policies: %s.</sub>\n", list(srcs), list(pols))
}

// what is an item's message, after the finding it is about when the
// message does not name it already.
func what(it item) string {
	if it.Finding == nil {
		return it.Msg.Msg
	}
	ev := evidence(it.Finding, it.Finding.ID)
	if strings.HasPrefix(it.Msg.Msg, ev) {
		return it.Msg.Msg
	}
	return ev + ": " + it.Msg.Msg
}

// severityOf is the severity an item is ranked and counted by: its
// finding's, else the one its policy gave.
func severityOf(it item) string {
	if it.Finding != nil && it.Finding.Severity != "" {
		return string(it.Finding.Severity)
	}
	return it.Msg.Severity
}

// severityRank orders severities worst first; none comes last.
func severityRank(s string) int {
	for i, sev := range document.Severities {
		if string(sev) == s {
			return i
		}
	}
	return len(document.Severities)
}

// commentText is report text as plain Markdown, shorter than elsewhere.
func commentText(s string) string {
	return textsafe.Markdown(s, commentField)
}

// thousands writes n with thousands separators: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var sb strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(c)
	}
	if neg {
		return "-" + sb.String()
	}
	return sb.String()
}

// commentShadow writes what the candidate policies (check
// --shadow-policy) would change, folded: their verdict, then each
// violation and warning that would appear or vanish while it fits and
// leaves reserve, then how many more.
func commentShadow(b *body, d *gate.Decision, reserve int) {
	sh := d.Shadow
	b.write(fmt.Sprintf("<details><summary>Shadow policies, not enforced: %s (%s violation(s) would appear, %s vanish)</summary>\n\n",
		shadowVerdict(d), thousands(len(sh.Violations.Appeared)), thousands(len(sh.Violations.Vanished))))
	changes := shadowChanges(sh)
	n := 0
	for _, c := range changes {
		sev := c.Msg.Severity
		if sev == "" {
			sev = "—"
		}
		line := fmt.Sprintf("- %s %s · **%s** %s: %s\n", c.What, c.Verb(), commentText(sev), commentText(c.Msg.Policy), commentText(c.Msg.Msg))
		if !b.fits(line, reserve) {
			break
		}
		b.write(line)
		n++
	}
	if rest := len(changes) - n; rest > 0 {
		b.write(fmt.Sprintf("\n… and %s more change(s), all of them in the decision's JSON.\n", thousands(rest)))
	}
	if line := fmt.Sprintf("\n<sub>Candidate policies: %s.</sub>\n", commentText(strings.Join(sh.PolicySources, ", "))); b.fits(line, reserve) {
		b.write(line)
	}
	b.write("\n</details>\n\n")
}
