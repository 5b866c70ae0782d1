package eval_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/policies"
)

// projectionConfig turns on every built-in policy and most of their
// options, so that every field they read matters somewhere.
const projectionConfig = `
thresholds:
  fail_severity: critical
  warn_severity: low
  max_findings: 30
  warn_findings: 5
  fail_on_kev: true
  fail_epss_at: 0.1
licenses:
  allow: [MIT, ISC, Apache-2.0, BSD-3-Clause]
  deny: [GPL-3.0-only]
  unknown: warn
dependencies:
  require_approval: true
  approvals:
    - match: "pkg:npm/*"
      approved_by: a@example.org
      expires: 2020-01-01
      reason: expired on purpose
    - match: "lodash*"
      approved_by: a@example.org
      expires: 2099-01-01
      reason: vetted
exceptions:
  - id: CVE-2019-11358
    reason: never given user input
    expires: 2099-01-01
  - purl: "pkg:npm/jquery@*"
    reason: pinned
    expires: 2099-01-01
  - rule: generic-api-key
    reason: test key
    expires: 2020-01-01
`

// TestProjectionDecidesAlike: the built-in policies, given findings and
// components that keep only the keys the policies name
// (Policies.NamedFieldsOnly) and compiled without the stages that only
// check (Policies.Checked), decide exactly as with the whole document and
// every stage, on every corpus report, under the defaults and a configuration that
// turns every policy on, with a baseline and exploit data.
func TestProjectionDecidesAlike(t *testing.T) {
	files, err := filepath.Glob("../testdata/corpus/*/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v", err)
	}
	files = append(files, "../examples/reports/npm-audit.json", "../examples/reports/trivy-image.json", "../examples/reports/sbom.cdx.json")
	defaults, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	full, err := config.Parse([]byte(projectionConfig))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	decisions := 0
	for _, cfg := range []*config.Config{defaults, full} {
		projected, whole := builtinEngines(t, cfg)
		for _, file := range files {
			for _, baseline := range [][]string{nil, {"../testdata/sbom-versions/v1.cdx.json"}} {
				opts := gate.Options{
					Reports: []string{file}, Baseline: baseline, Now: now,
					Context: document.Context{Stage: "pre-merge", Now: now.Format(time.RFC3339)},
					EPSS:    "../testdata/enrich/epss_scores-sample.csv",
					KEV:     "../testdata/enrich/known_exploited_vulnerabilities-sample.json",
				}
				opts.Engine = gate.Ready(projected)
				a, errA := gate.Run(context.Background(), opts)
				opts.Engine = gate.Ready(whole)
				b, errB := gate.Run(context.Background(), opts)
				if (errA == nil) != (errB == nil) {
					t.Fatalf("%s: projected error %v, whole error %v", file, errA, errB)
				}
				if errA != nil {
					continue // not a report (licence notices, README)
				}
				decisions++
				if !reflect.DeepEqual(a.Decision, b.Decision) {
					t.Errorf("%s (baseline %v): decisions differ\nprojected %+v\n    whole %+v", file, baseline, a.Decision, b.Decision)
				}
			}
		}
	}
	if decisions < 100 {
		t.Fatalf("only %d decisions compared", decisions)
	}
}

func builtinEngines(t *testing.T, cfg *config.Config) (projected, whole *eval.Engine) {
	t.Helper()
	for _, named := range []bool{true, false} {
		pols, err := eval.LoadFS("builtin", policies.FS, eval.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		pols.NamedFieldsOnly = named
		pols.Checked = named
		e, err := eval.New(context.Background(), eval.Options{Policies: pols, Data: cfg.Data()})
		if err != nil {
			t.Fatal(err)
		}
		if named {
			projected = e
		} else {
			whole = e
		}
	}
	return projected, whole
}
