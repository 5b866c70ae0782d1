package report_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/report"
)

// withRatchetAndShadow gives r's decision the ratchet's counts (high
// rose) and a shadow that would add n violations, each message carrying
// hostile text, and take one away.
func withRatchetAndShadow(r *gate.Result, n int) *gate.Result {
	r.Decision.Ratchet = &gate.Ratchet{Counts: []gate.RatchetCount{
		{Severity: "critical", Baseline: 0, Current: 0}, {Severity: "high", Baseline: 2, Current: 3, Delta: 1},
		{Severity: "medium", Baseline: 9, Current: 7, Delta: -2}, {Severity: "low"}, {Severity: "info"}, {Severity: "unknown"},
	}}
	sh := &gate.Shadow{Decision: gate.Fail, Changed: r.Decision.Decision != gate.Fail, PolicySources: []string{"candidate " + hostile}}
	for i := range n {
		sh.Violations.Appeared = append(sh.Violations.Appeared, eval.Message{Policy: "org.candidate", Severity: "high",
			Msg: fmt.Sprintf("candidate violation %d %s %s", i, strings.Repeat("x", 200), hostile)})
	}
	sh.Violations.Vanished = []eval.Message{{Policy: "secgate.thresholds", Severity: "medium", Msg: "the one that vanishes " + hostile}}
	sh.Violations.Total = n
	r.Decision.Shadow = sh
	return r
}

// The pull-request comment holds the ratchet's counts side by side and
// the shadow's changes, folded, while they fit: however many there are,
// the body stays within its limit and says how many it left out.
func TestCommentShowsRatchetAndShadow(t *testing.T) {
	r := withRatchetAndShadow(result(t, filepath.Join("..", "examples", "reports")), 3)
	body := report.CommentBody(r, 0)
	checkComment(t, body)
	for _, want := range []string{
		"| Ratchet | baseline | current | change |", "| high | 2 | 3 | **+1** ✗ |", "| medium | 9 | 7 | -2 |",
		"<details><summary>Shadow policies, not enforced: same decision, FAIL", "(3 violation(s) would appear, 1 vanish)",
		"- violation would appear · **high** org.candidate: candidate violation 0",
		"- violation would vanish · **medium** secgate.thresholds: the one that vanishes",
		"<sub>Candidate policies: candidate",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "more change(s)") {
		t.Error("a short shadow's changes left out")
	}

	big := withRatchetAndShadow(result(t, filepath.Join("..", "examples", "reports")), 20000)
	for _, limit := range []int{8000, 0} {
		body := report.CommentBody(big, limit)
		checkComment(t, body)
		if limit > 0 && report.Units(body) > limit {
			t.Errorf("limit %d: %d units", limit, report.Units(body))
		}
		if !strings.Contains(body, "more change(s), all of them in the decision's JSON.") || !strings.Contains(body, "<sub>Reports: ") {
			t.Errorf("limit %d: the shadow's rest is not counted, or the footer is lost:\n%s", limit, body[max(0, len(body)-800):])
		}
	}
}

// The page shows the ratchet's counts, a severity that rose marked, and
// the shadow's changes; the report's text in them is text, not markup.
func TestHTMLShowsRatchetAndShadow(t *testing.T) {
	r := withRatchetAndShadow(result(t, filepath.Join("..", "examples", "reports")), 2)
	var buf bytes.Buffer
	if err := report.WritePage(&buf, report.Page{Title: "t", Result: r}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		`<table id="ratchet">`, `<tr class="rose"><td>high</td><td>2</td><td>3</td><td>&#43;1 ✗</td></tr>`, `<td>medium</td><td>9</td><td>7</td><td>-2</td>`,
		`<section id="shadow"><h2>Shadow policies, not enforced: same decision, FAIL`, `<td>&#43; violation would appear</td>`, `<td>- violation would vanish</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<img src=x") || strings.Contains(page, "<!-- c -->") {
		t.Error("the shadow's text is markup on the page")
	}
}
