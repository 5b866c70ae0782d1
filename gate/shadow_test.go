package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/eval"
)

// writePolicy writes one Rego file in a folder of its own.
func writePolicy(t *testing.T, rego string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.rego"), []byte(rego), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A shadow's evaluation leaves the decision in force, and the document it
// was made on, as they are without it: whatever the shadow waives,
// replaces or says, even with the configuration's exceptions applied by
// both.
func TestShadowLeavesDecisionAlone(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	cfgPath := filepath.Join(t.TempDir(), "secgate.yaml")
	if err := os.WriteFile(cfgPath, []byte("exceptions:\n  - id: CVE-2019-1549\n    reason: not reachable\n    expires: 2027-01-31\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	waiveAll := writePolicy(t, `package secgate.exceptions

applied contains {"finding_id": f.id, "exception": {"id": f.rule_id, "reason": "shadow"}} if {
	some f in input.findings
}
`)
	sameName := writePolicy(t, `package secgate.thresholds

deny contains "every finding" if count(input.findings) > 0
`)
	run := func(shadow []string) *Result {
		t.Helper()
		opts := Options{Reports: []string{"../examples/reports"}, Now: now, Inventory: true, Policy: Policy{Config: cfg}}
		if shadow != nil {
			sp := opts.Policy
			sp.Sources = shadow
			opts.Shadow = &sp
		}
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	text := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	alone := run(nil)
	if alone.Decision.Shadow != nil || strings.Contains(text(alone.Decision), `"shadow"`) {
		t.Fatal("without shadow policies the decision has a shadow")
	}
	if len(alone.Decision.Exceptions) != 2 {
		t.Fatalf("the configuration's exception applies to %d findings, want 2", len(alone.Decision.Exceptions))
	}
	for name, shadow := range map[string][]string{
		"waives everything":      {waiveAll, Builtin},
		"built-in package names": {sameName},
		"the built-ins":          {Builtin},
	} {
		t.Run(name, func(t *testing.T) {
			with := run(shadow)
			if with.Decision.Shadow == nil {
				t.Fatal("no shadow in the decision")
			}
			with.Decision.Shadow = nil
			if got, want := text(with.Decision), text(alone.Decision); got != want {
				t.Errorf("decision in force changed by the shadow:\n%s\nwant\n%s", got, want)
			}
			if got, want := text(with.Document), text(alone.Document); got != want {
				t.Errorf("document changed by the shadow")
			}
		})
	}
	waived := run([]string{waiveAll, Builtin}).Decision.Shadow
	if waived.Decision != Warn || len(waived.Violations.Vanished) != 1 || len(waived.Violations.Appeared) != 0 {
		t.Errorf("waiving every finding: shadow %s, %d vanished, %d appeared; want warn, the high finding's violation vanished",
			waived.Decision, len(waived.Violations.Vanished), len(waived.Violations.Appeared))
	}
}

// Messages are the same by package, rule, findings and components,
// whatever their text; without findings and components, by their text.
// A message said twice counts twice.
func TestCompareMessages(t *testing.T) {
	m := func(policy, rule, msg string, ids ...string) eval.Message {
		return eval.Message{Policy: policy, Rule: rule, Msg: msg, FindingIDs: ids, Components: []string{}}
	}
	current := []eval.Message{
		m("p", "deny", "2 high", "b", "a"),
		m("p", "deny", "no SBOM"),
		m("p", "deny", "twice"),
		m("p", "deny", "twice"),
		m("q", "deny", "gone", "c"),
	}
	candidate := []eval.Message{
		m("p", "deny", "two high findings", "a", "b"), // the same, reworded
		m("p", "deny", "no SBOM"),                     // the same
		m("p", "deny", "twice"),                       // once only
		m("p", "deny_new", "gone", "c"),               // another rule
		m("q", "deny", "gone", "c", "d"),              // other findings
	}
	ch := CompareMessages(current, candidate)
	var appeared, vanished []string
	for _, a := range ch.Appeared {
		appeared = append(appeared, a.Rule+" "+strings.Join(a.FindingIDs, ","))
	}
	for _, v := range ch.Vanished {
		vanished = append(vanished, v.Msg+" "+strings.Join(v.FindingIDs, ","))
	}
	if got, want := strings.Join(appeared, "; "), "deny_new c; deny c,d"; got != want {
		t.Errorf("appeared %q, want %q", got, want)
	}
	if got, want := strings.Join(vanished, "; "), "twice ; gone c"; got != want {
		t.Errorf("vanished %q, want %q", got, want)
	}
	if ch.Total != len(candidate) {
		t.Errorf("total %d, want %d", ch.Total, len(candidate))
	}
}

// The policies in force and the shadow evaluate at once and print to one
// log: each line whole, none lost (go test -race checks the writes).
func TestShadowSharesLog(t *testing.T) {
	printer := func(name string) string {
		return writePolicy(t, "package org."+name+"\n\ndeny contains \"x\" if {\n\tsome f in input.findings\n\tprint(\""+name+"\", f.id)\n\tfalse\n}\n")
	}
	var log bytes.Buffer
	p := Policy{Sources: []string{printer("live")}, Log: &log}
	sp := p
	sp.Sources = []string{printer("shadow")}
	res, err := Run(context.Background(), Options{Reports: []string{"../testdata/corpus/grype-json/grype-0.7-image-327-matches.json"}, Policy: p, Shadow: &sp})
	if err != nil {
		t.Fatal(err)
	}
	n := len(res.Document.Findings)
	for _, name := range []string{"live", "shadow"} {
		if got := regexp.MustCompile(`(?m)^\S+p\.rego:5: `+name+` [0-9a-f]{20}$`).FindAllString(log.String(), -1); len(got) != n {
			t.Errorf("%d whole lines of %s, want %d:\n%s", len(got), name, n, log.String())
		}
	}
}
