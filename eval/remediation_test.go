package eval_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/eval/builtins"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/policies"
)

// regoRemediation is how the thresholds policy said what fixes a group
// of findings before secgate.remediation did it in Go.
const regoRemediation = `package old

remediation(fs) := sprintf("upgrade %s", [concat("; ", secgate.unique([upgrade(f) | some f in fs; f.package]))]) if {
	in_packages(fs)
	count(fs) <= 5
}

remediation(fs) := sprintf("upgrade the %d packages concerned to their fixed versions (remediation tickets: --tickets DIR)", [count(secgate.group_by(fs, "package.name"))]) if {
	in_packages(fs)
	count(fs) > 5
}

remediation(fs) := sprintf("fix %s", [concat(", ", secgate.unique([where(f) | some f in fs]))]) if {
	not in_packages(fs)
	count(fs) <= 5
}

remediation(fs) := sprintf("fix the %d findings listed (remediation tickets: --tickets DIR)", [count(fs)]) if {
	not in_packages(fs)
	count(fs) > 5
}

in_packages(fs) if count(secgate.pluck(fs, "package")) == count(fs)

upgrade(f) := sprintf("%s to %s", [installed(f), f.fixed_versions[0]]) if count(f.fixed_versions) == 1

upgrade(f) := sprintf("%s to a fixed version (%s)", [installed(f), concat(", ", f.fixed_versions)]) if count(f.fixed_versions) > 1

upgrade(f) := sprintf("%s (no fixed version named in the report)", [installed(f)]) if count(f.fixed_versions) == 0

installed(f) := trim_space(concat(" ", [f.package.name, f.package.version]))

where(f) := sprintf("%s at %s%s", [f.rule_id, f.location.path, line_of(f)]) if f.location

where(f) := f.rule_id if not f.location

line_of(f) := sprintf(":%d", [f.location.start_line]) if f.location.start_line

line_of(f) := "" if not f.location.start_line

components(fs) := sort(object.keys(secgate.group_by(fs, "package.purl")) | {name |
	some name, group in secgate.group_by(fs, "package.name")
	count(secgate.pluck(group, "package.purl")) < count(group)
})

groups := array.concat(
	[input.findings, array.slice(input.findings, 0, 5), array.slice(input.findings, 3, 6)],
	array.concat([[f] | some f in input.findings], [g | some g in secgate.group_by(input.findings, "severity")]),
)

got := [[secgate.remediation(g), secgate.components(g)] | some g in groups]

want := [[remediation(g), components(g)] | some g in groups]
`

// TestRemediationAgreesWithRego: secgate.remediation and
// secgate.components say what the Rego they replaced said, for the findings of every corpus report, in groups
// of one, five, six, all and by severity, and for findings missing what
// the text needs.
func TestRemediationAgreesWithRego(t *testing.T) {
	files, err := filepath.Glob("../testdata/corpus/*/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v", err)
	}
	ctx := context.Background()
	pq, err := rego.New(append([]func(*rego.Rego){
		rego.Query("data.old"),
		rego.Module("old.rego", regoRemediation),
		rego.SetRegoVersion(ast.RegoV1),
		rego.StrictBuiltinErrors(true),
	}, builtins.RegoOptions()...)...).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, input ast.Value) {
		t.Helper()
		rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		res := rs[0].Expressions[0].Value.(map[string]any)
		if got, _ := res["got"].([]any); len(got) == 0 {
			t.Fatalf("%s: no remediation compared", name)
		}
		if diff := cmp.Diff(res["want"], res["got"]); diff != "" {
			t.Errorf("%s: (-rego +builtin)\n%s", name, diff)
		}
	}
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	pols, err := eval.LoadFS("builtin", policies.FS, eval.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := eval.New(ctx, eval.Options{Policies: pols, Data: cfg.Data()})
	if err != nil {
		t.Fatal(err)
	}
	docs := 0
	for _, file := range files {
		r, err := gate.Run(ctx, gate.Options{Reports: []string{file}, Now: now, Engine: gate.Ready(e), Context: document.Context{Now: now.Format(time.RFC3339)}})
		if err != nil {
			continue // not a report
		}
		docs++
		check(file, eval.Value(r.Document))
	}
	if docs < 30 {
		t.Fatalf("only %d documents", docs)
	}
	odd, err := ast.ParseTerm(`{"findings": [
		{"rule_id": "r1", "package": {"name": "a", "version": "1"}, "fixed_versions": ["2"]},
		{"rule_id": "r2", "package": {"name": "b"}, "fixed_versions": ["2", "3"]},
		{"rule_id": "r3", "package": {"name": "c", "version": ""}, "fixed_versions": []},
		{"rule_id": "r4", "package": {"name": "d", "version": "1"}},
		{"rule_id": "r5", "package": null, "fixed_versions": ["1"]},
		{"rule_id": "r6", "location": {"path": "p", "start_line": 0}},
		{"rule_id": "r7", "location": {"path": "p", "start_line": 12}},
		{"rule_id": "r8", "location": {"path": "p"}},
		{"rule_id": "r9", "location": null},
		{"rule_id": "r10", "location": false},
		{"location": {"path": "p"}},
		{"rule_id": "r1", "package": {"name": "a", "version": "1"}, "fixed_versions": ["2"]},
		{"rule_id": "r11", "package": {"name": "a", "purl": "pkg:npm/a@1"}},
		{"rule_id": "r12", "package": {"name": "B", "purl": "pkg:npm/b@1"}},
		{"rule_id": "r13", "package": {"name": "B"}},
		{"rule_id": "r14", "package": {"name": 7, "purl": null}},
		{"rule_id": "r15", "package": {"name": "Z"}}
	]}`)
	if err != nil {
		t.Fatal(err)
	}
	check("odd findings", odd.Value)
}
