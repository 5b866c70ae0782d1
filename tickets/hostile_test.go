package tickets

import (
	"regexp"
	"strings"
	"testing"

	"github.com/secgate/secgate/internal/testutil"
)

// ownMarkdown is the structure a ticket body has of its own: links to a
// vulnerability's advisory or a CWE (label escaped, address percent-encoded:
// plain ASCII without brackets, parentheses or @), autolinks of references,
// and the fingerprint marker.
var ownMarkdown = regexp.MustCompile(`\[(?:\\.|[^\\\[\]])*\]\(https?://[A-Za-z0-9\-._~:/?#&=+%,;]*\)|<!-- secgate:fingerprint=[0-9a-f]+ -->|<https?://[^\s<>]*>`)

// TestHostileReportTicketsInjectNothing builds tickets from a Trivy report
// and a SARIF file whose every field carries line breaks, workflow
// commands, escape sequences, bidi controls and Markdown: no title or body
// has a control character, and no body has a link, image, HTML, heading or
// mention that the report wrote.
func TestHostileReportTicketsInjectNothing(t *testing.T) {
	dir := []string{"..", "testdata", "hostile", "output"}
	res := checkReal(t, "", strings.Join(append(dir, "trivy.json"), "/"), strings.Join(append(dir, "hostile.sarif"), "/"))
	ts := res.build(Options{Now: testNow})
	if len(ts) == 0 {
		t.Fatal("no tickets from the hostile reports")
	}
	for _, tk := range ts {
		if i := testutil.ControlAt(tk.Title, true); i >= 0 || strings.Contains(tk.Title, "\n") {
			t.Errorf("title with a control character: %q", tk.Title)
		}
		if i := testutil.ControlAt(tk.Body, true); i >= 0 {
			t.Errorf("%q: body with a control character at %d: %q", tk.Title, i, tk.Body[max(0, i-40):min(len(tk.Body), i+40)])
		}
		for _, line := range strings.Split(tk.Body, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "::") {
				t.Errorf("%q: a workflow command: %q", tk.Title, line)
			}
			if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "## ") && !strings.HasPrefix(line, "### ") {
				t.Errorf("%q: a heading of the report: %q", tk.Title, line)
			}
			if what := testutil.MarkdownInjection(ownMarkdown.ReplaceAllString(line, "")); what != "" {
				t.Errorf("%q: %s in %q", tk.Title, what, line)
			}
		}
	}
}
