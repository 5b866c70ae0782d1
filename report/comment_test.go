package report_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/benchgen"
	"github.com/secgate/secgate/report"
)

// checkComment asserts what every comment body holds: the marker on its
// first line and nowhere else, the verdict next, nothing a report could
// have injected, and a size within the limit.
func checkComment(t *testing.T, body string) {
	t.Helper()
	checkHuman(t, "markdown", body)
	if !strings.HasPrefix(body, report.CommentMarker+"\n## ") {
		t.Errorf("comment: does not start with the marker and the verdict: %q", body[:min(len(body), 80)])
	}
	// Report text may quote the marker, escaped or in a code span, never
	// as a line of its own: the comment is found by its first line.
	for i, line := range strings.Split(body, "\n") {
		if i > 0 && strings.TrimSpace(line) == report.CommentMarker {
			t.Errorf("comment: line %d is the marker", i+1)
		}
	}
	if n := report.Units(body); n > report.DefaultCommentLimit {
		t.Errorf("comment: %d UTF-16 units, over %d", n, report.DefaultCommentLimit)
	}
}

func TestCommentOnExamples(t *testing.T) {
	r := result(t, filepath.Join("..", "examples", "reports"))
	body := string(render(t, report.Comment{}, r))
	checkComment(t, body)
	for _, want := range []string{"## ❌ secgate: FAIL", "| high | 1 |", "| high | secgate.thresholds |", "npm:1227", "<details><summary>Warnings (", "<sub>Reports: "} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "more violation(s) not shown") {
		t.Errorf("a small report's comment leaves violations out:\n%s", body)
	}
}

func TestUnits(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "✅": 1, "😀": 2, "a😀b": 4} {
		if got := report.Units(s); got != want {
			t.Errorf("Units(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestCommentOf100000Findings: the comment on 100,000 vulnerabilities
// stays within the limit, starts with the worst ones, and counts by
// severity, exactly, the violations it could not show.
func TestCommentOf100000Findings(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 findings")
	}
	path := filepath.Join(t.TempDir(), "trivy.json")
	data, err := benchgen.Bytes("trivy", 100000)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := result(t, path)
	body := report.CommentBody(r, 0)
	checkComment(t, body)
	if n := report.Units(body); n < report.DefaultCommentLimit/2 {
		t.Errorf("comment of %d units: the room is not used", n)
	}
	if !strings.HasPrefix(strings.SplitN(body, "\n", 3)[1], "## ❌ secgate: FAIL") {
		t.Errorf("verdict not first: %q", body[:200])
	}

	total := violationsBySeverity(r)
	shown := map[string]int{}
	_, section, _ := strings.Cut(body, "### Violations")
	section, _, _ = strings.Cut(section, "<details><summary>Warnings")
	row := regexp.MustCompile(`^(?:\| |- \*\*)(critical|high|medium|low|info|unknown)(?: \||\*\*)`)
	firstSev := ""
	for _, line := range strings.Split(section, "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			shown[m[1]]++
			if firstSev == "" {
				firstSev = m[1]
			}
		}
	}
	if firstSev != "critical" {
		t.Errorf("the first violation shown is %q, want critical", firstSev)
	}
	if shown["critical"] < 20 {
		t.Errorf("only %d critical violations shown", shown["critical"])
	}
	// The worst finding is named.
	worst := r.Document.Findings[0]
	if worst.Severity != document.SeverityCritical || !strings.Contains(section, worst.RuleID) {
		t.Errorf("the worst finding %s (%s) is not named", worst.RuleID, worst.Severity)
	}
	more := regexp.MustCompile(`… and ([0-9,]+) more violation\(s\) not shown: ([^.]*)\.`).FindStringSubmatch(section)
	if more == nil {
		t.Fatalf("no count of the violations left out:\n%s", section[len(section)-2000:])
	}
	notShown := map[string]int{}
	sum := 0
	for _, part := range strings.Split(more[2], ", ") {
		n, sev, _ := strings.Cut(part, " ")
		v, err := strconv.Atoi(strings.ReplaceAll(n, ",", ""))
		if err != nil {
			t.Fatalf("count %q: %v", part, err)
		}
		notShown[sev] = v
		sum += v
	}
	if all, _ := strconv.Atoi(strings.ReplaceAll(more[1], ",", "")); all != sum {
		t.Errorf("%d more in all, but the severities add up to %d", all, sum)
	}
	for sev, n := range total {
		if shown[sev]+notShown[sev] != n {
			t.Errorf("%s: %d shown + %d not shown, want %d", sev, shown[sev], notShown[sev], n)
		}
	}
}

// violationsBySeverity counts the violations per finding, as the comment
// lists them, by the finding's severity.
func violationsBySeverity(r *gate.Result) map[string]int {
	sev := map[string]string{}
	for _, f := range r.Document.Findings {
		sev[f.ID] = string(f.Severity)
	}
	out := map[string]int{}
	for _, m := range r.Decision.Violations {
		if len(m.FindingIDs) > 1 && m.Extra["per_finding"] != false {
			for _, id := range m.FindingIDs {
				out[sev[id]]++
			}
			continue
		}
		if len(m.FindingIDs) == 1 {
			out[sev[m.FindingIDs[0]]]++
			continue
		}
		out[m.Severity]++
	}
	return out
}

// TestCommentLimitHolds: however small the limit, the body stays within
// it once the fixed parts fit, and never exceeds GitHub's.
func TestCommentLimitHolds(t *testing.T) {
	r := result(t, filepath.Join("..", "examples", "reports"))
	for _, limit := range []int{6000, 8000, 20000, 1 << 20} {
		body := report.CommentBody(r, limit)
		want := limit
		if limit > 65536 {
			want = report.DefaultCommentLimit
		}
		if n := report.Units(body); n > want {
			t.Errorf("limit %d: %d units", limit, n)
		}
	}
}

// TestCommentFromDecision: the comment written later from the decision
// check -o json wrote (gate.ReadResult) gives the same verdict, counts
// and violations as the comment of the run.
func TestCommentFromDecision(t *testing.T) {
	r := result(t, filepath.Join("..", "examples", "reports"))
	inv := gate.NewInventory(r.Document)
	r.Decision.Inventory = &inv
	data := render(t, report.JSON{}, r)
	back, err := gate.ReadResult(data)
	if err != nil {
		t.Fatal(err)
	}
	got, want := report.CommentBody(back, 0), report.CommentBody(r, 0)
	checkComment(t, got)
	head := func(s string) string { h, _, _ := strings.Cut(s, "### Violations"); return h }
	if head(got) != head(want) {
		t.Errorf("from the decision:\n%s\nfrom the run:\n%s", head(got), head(want))
	}
	for _, s := range []string{"npm:1227", "Warnings (15)", "secgate.licenses: pkg:npm/asap@2.0.6"} {
		if !strings.Contains(got, s) {
			t.Errorf("the comment from the decision lacks %q:\n%s", s, got)
		}
	}
	if _, err := gate.ReadResult([]byte(`{"decision": "pass"}`)); err == nil {
		t.Error("a decision without inventory was read")
	}
}

// TestSARIFResultNamesItsOwnComponent: a message about several findings
// becomes one SARIF result per finding, each naming its own component,
// not every component of the message (on 100,000 findings that repeated
// 2,000 purls in each result).
func TestSARIFResultNamesItsOwnComponent(t *testing.T) {
	r := result(t, corpus("trivy-json/trivy-legacy-array-debian-93-vulns.json"))
	var log struct {
		Runs []struct {
			Results []struct {
				Properties struct {
					FindingIDs []string `json:"finding_ids"`
					Components []string `json:"components"`
				} `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, report.SARIF{Version: "test"}, r), &log); err != nil {
		t.Fatal(err)
	}
	split := 0
	for _, res := range log.Runs[0].Results {
		if len(res.Properties.FindingIDs) == 1 && len(res.Properties.Components) > 1 {
			t.Errorf("result of %s names %d components", res.Properties.FindingIDs[0], len(res.Properties.Components))
		}
		if len(res.Properties.FindingIDs) == 1 {
			split++
		}
	}
	if split == 0 {
		t.Error("no result about one finding")
	}
}
