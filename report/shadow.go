package report

import (
	"fmt"
	"strings"

	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
)

// shadowChange is one message the candidate policies (check
// --shadow-policy) would add to the decision or take from it.
type shadowChange struct {
	// Appears is true for a message the candidate says and the policies
	// in force do not; false for one it would take away.
	Appears bool
	// What is "violation" or "warning".
	What string
	Msg  eval.Message
}

// Mark is + for a message that would appear, - for one that would vanish.
func (c shadowChange) Mark() string {
	if c.Appears {
		return "+"
	}
	return "-"
}

// Verb says what would happen to the message.
func (c shadowChange) Verb() string {
	if c.Appears {
		return "would appear"
	}
	return "would vanish"
}

// shadowChanges lists what the candidate would change, violations
// first, in every output's order: appeared, then vanished.
func shadowChanges(sh *gate.Shadow) []shadowChange {
	var out []shadowChange
	for _, l := range []struct {
		appears bool
		what    string
		ms      []eval.Message
	}{
		{true, "violation", sh.Violations.Appeared},
		{false, "violation", sh.Violations.Vanished},
		{true, "warning", sh.Warnings.Appeared},
		{false, "warning", sh.Warnings.Vanished},
	} {
		for _, m := range l.ms {
			out = append(out, shadowChange{Appears: l.appears, What: l.what, Msg: m})
		}
	}
	return out
}

// shadowVerdict is the candidate's verdict beside the one in force:
// "WARN → FAIL", or "same decision, FAIL".
func shadowVerdict(d *gate.Decision) string {
	if !d.Shadow.Changed {
		return "same decision, " + strings.ToUpper(d.Shadow.Decision)
	}
	return strings.ToUpper(d.Decision) + " → " + strings.ToUpper(d.Shadow.Decision)
}

// ratchetChange is a severity's change in the ratchet's Markdown tables:
// 0, -N, or +N marked as what fails.
func ratchetChange(c gate.RatchetCount) string {
	switch {
	case c.Delta == 0:
		return "0"
	case c.Delta > 0:
		return fmt.Sprintf("**%+d** ✗", c.Delta)
	}
	return fmt.Sprintf("%+d", c.Delta)
}

// ratchetMarkdown is the ratchet's counts as a Markdown table.
func ratchetMarkdown(r *gate.Ratchet) string {
	var sb strings.Builder
	sb.WriteString("| Ratchet | baseline | current | change |\n|---|---:|---:|---:|\n")
	for _, c := range r.Counts {
		fmt.Fprintf(&sb, "| %s | %d | %d | %s |\n", c.Severity, c.Baseline, c.Current, ratchetChange(c))
	}
	sb.WriteString("\n")
	return sb.String()
}
