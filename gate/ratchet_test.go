package gate

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/secgate/secgate/config"
)

const (
	ratchetBase      = "../testdata/corpus/trivy-json/trivy-image-alpine310-os-vulns.json"
	ratchetRegressed = "../testdata/moved/trivy-image-alpine310.regressed.json"
	ratchetUpgraded  = "../testdata/moved/trivy-image-alpine310.upgraded.json"
)

func ratchetConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// The ratchet counts the baseline into the document and lays both sides'
// counts in the decision; a rise fails, a kept count passes above
// max_findings.
func TestRunRatchet(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := ratchetConfig(t, "thresholds:\n  ratchet: true\n  fail_severity: critical\n  max_findings: 1\n")
	run := func(report string) *Result {
		t.Helper()
		res, err := Run(context.Background(), Options{Reports: []string{report}, Baseline: []string{ratchetBase}, Now: now, Policy: Policy{Config: cfg}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	rise := run(ratchetRegressed)
	if rise.Decision.Decision != Fail || len(rise.Decision.Violations) != 2 {
		t.Fatalf("regressed: %s with %+v, want the two severities that rose", rise.Decision.Decision, rise.Decision.Violations)
	}
	want := map[string]int{"critical": 0, "high": 0, "medium": 4, "low": 0, "info": 0, "unknown": 0}
	if got := rise.Document.Baseline.RatchetCounts; !reflect.DeepEqual(got, want) {
		t.Errorf("input.baseline.ratchet_counts = %v, want %v", got, want)
	}
	if got := rise.Decision.Ratchet.Counts[1]; got != (RatchetCount{Severity: "high", Baseline: 0, Current: 1, Delta: 1}) {
		t.Errorf("high: %+v", got)
	}
	if !rise.Decision.Ratchet.Rose() {
		t.Error("Rose: want true")
	}
	kept := run(ratchetUpgraded)
	if kept.Decision.Failed(Fail) || kept.Decision.Ratchet.Rose() {
		t.Errorf("upgraded: %s with %+v, want the kept counts to pass above max_findings", kept.Decision.Decision, kept.Decision.Violations)
	}
	if err := kept.Document.Validate(); err != nil {
		t.Errorf("document with its baseline: %v", err)
	}
}

// Without a baseline the ratchet is an error, never a pass; without it
// on, the decision and the document say nothing of it.
func TestRunRatchetNeedsBaseline(t *testing.T) {
	cfg := ratchetConfig(t, "thresholds:\n  ratchet: true\n")
	_, err := Run(context.Background(), Options{Reports: []string{ratchetUpgraded}, Policy: Policy{Config: cfg}})
	if !errors.Is(err, ErrRatchetNoBaseline) {
		t.Fatalf("err = %v, want ErrRatchetNoBaseline", err)
	}
	res, err := Run(context.Background(), Options{Reports: []string{ratchetUpgraded}, Baseline: []string{ratchetBase}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision.Ratchet != nil || res.Document.Baseline != nil {
		t.Errorf("ratchet off: decision ratchet %+v, document baseline %+v; want neither", res.Decision.Ratchet, res.Document.Baseline)
	}
}

func TestCount(t *testing.T) {
	for _, v := range []any{-1.0, 1.5, "3", nil, float64(1 << 40)} {
		if _, ok := count(v); ok {
			t.Errorf("count(%v): want refused", v)
		}
	}
	if n, ok := count(3.0); !ok || n != 3 {
		t.Errorf("count(3) = %d, %v", n, ok)
	}
}

// A shadow sees the baseline's counts the ratchet set: the built-ins as
// their own shadow change nothing, with the counts rising or kept.
func TestRatchetShadowSeesTheCounts(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := ratchetConfig(t, "thresholds:\n  ratchet: true\n  fail_severity: critical\n  max_findings: 1\n")
	for _, report := range []string{ratchetRegressed, ratchetUpgraded} {
		res, err := Run(context.Background(), Options{Reports: []string{report}, Baseline: []string{ratchetBase}, Now: now,
			Policy: Policy{Config: cfg}, Shadow: &Policy{Config: cfg, Sources: []string{"builtin"}}})
		if err != nil {
			t.Fatal(err)
		}
		sh := res.Decision.Shadow
		if sh == nil || sh.Changed || len(sh.Violations.Appeared)+len(sh.Violations.Vanished)+len(sh.Warnings.Appeared)+len(sh.Warnings.Vanished) != 0 {
			t.Errorf("%s: the built-ins as shadow changed the decision: %+v", report, sh)
		}
	}
}
