package tickets

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/testutil"
	"github.com/secgate/secgate/policies"
)

// premergeTickets are the tickets of examples/next against
// examples/reports, judged by the built-in policies with approvals as
// dependencies.approvals, as `secgate check --baseline … --tickets`
// makes them.
func premergeTickets(t *testing.T, approvals []any) []Ticket {
	t.Helper()
	ctx := context.Background()
	load := func(dir string) *document.Document {
		exp, err := ingest.Expand([]string{filepath.Join("..", "examples", dir)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ingest.Load(exp.Reports, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	doc, base := load("next"), load("reports")
	document.CompareComponents(doc.Components, base.Components)
	doc.Context = document.Context{Now: testNow.UTC().Format(time.RFC3339), Baseline: true}
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sections["dependencies"].(map[string]any)["approvals"] = approvals
	pols, err := eval.LoadFS("builtin", policies.FS, eval.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	engine, err := eval.New(ctx, eval.Options{Policies: pols, Data: cfg.Data()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Evaluate(ctx, doc, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return Build(doc, res.Denies, Options{Now: testNow})
}

func ticketOf(t *testing.T, ts []Ticket, component string) Ticket {
	t.Helper()
	for _, tk := range ts {
		if tk.Kind == KindDependency && len(tk.Components) == 1 && tk.Components[0] == component {
			return tk
		}
	}
	t.Fatalf("no dependency ticket for %s among %d", component, len(ts))
	return Ticket{}
}

func lapsed(owner, ticket string) map[string]any {
	a := map[string]any{"match": "pkg:npm/axios", "approved_by": "security-team", "expires": "2026-01-31", "reason": "HTTP client replacing request"}
	if owner != "" {
		a["owner"] = owner
	}
	if ticket != "" {
		a["ticket"] = ticket
	}
	return a
}

// The ticket of a dependency whose approval lapsed names the approval's
// owner and ticket, so that the person who approved it is asked to renew
// it or have the dependency removed; its fingerprint is the one the
// dependency's ticket always had, so a synced issue is updated, not
// duplicated.
func TestLapsedApprovalTicketNamesItsOwner(t *testing.T) {
	tk := ticketOf(t, premergeTickets(t, []any{lapsed("alice", "SEC-12")}), "pkg:npm/axios@1.7.9")
	const want = `new dependency pkg:npm/axios@1.7.9 is not approved \(its approval by security-team \(owner alice, ticket SEC-12\) expired on 2026-01-31\)`
	if !strings.Contains(tk.Body, want) {
		t.Errorf("ticket body lacks %s:\n%s", want, tk.Body)
	}
	plain := ticketOf(t, premergeTickets(t, []any{lapsed("", "")}), "pkg:npm/axios@1.7.9")
	if plain.Fingerprint != tk.Fingerprint {
		t.Errorf("fingerprint %s with an owner, %s without", tk.Fingerprint, plain.Fingerprint)
	}
	if strings.Contains(plain.Body, "owner") || !strings.Contains(plain.Body, `\(its approval by security-team expired on 2026-01-31\)`) {
		t.Errorf("an approval without owner or ticket:\n%s", plain.Body)
	}
}

// An owner or ticket is the configuration's text, and a ticket body is
// Markdown an issue tracker renders: a line break, a heading, a link, an
// image, HTML or a mention in one are shown as text, never made.
func TestLapsedApprovalOwnerInjectsNothing(t *testing.T) {
	tk := ticketOf(t, premergeTickets(t, []any{lapsed(
		"alice\n## Approved\n@security-team <img src=x onerror=alert(1)>",
		"[SEC-12](https://evil.example/x) ![p](https://evil.example/p.png)\x1b[2K\u202e",
	)}), "pkg:npm/axios@1.7.9")
	if !strings.Contains(tk.Body, "owner alice") || !strings.Contains(tk.Body, "SEC-12") {
		t.Fatalf("the owner is not shown:\n%s", tk.Body)
	}
	if i := testutil.ControlAt(tk.Body, true); i >= 0 {
		t.Errorf("body with a control character at %d: %q", i, tk.Body[max(0, i-40):min(len(tk.Body), i+40)])
	}
	for _, line := range strings.Split(tk.Body, "\n") {
		if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "## Approve or remove") && !strings.HasPrefix(line, "### ") {
			t.Errorf("a heading of the configuration: %q", line)
		}
		if what := testutil.MarkdownInjection(ownMarkdown.ReplaceAllString(line, "")); what != "" {
			t.Errorf("%s in %q", what, line)
		}
	}
}
