package eval

import (
	"context"
	"io/fs"
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/secgate/secgate/policies"
)

// projectedEngine compiles src with the projection asked for.
func projectedEngine(t *testing.T, src string) (*Engine, *Policies) {
	t.Helper()
	return projectedFS(t, fstest.MapFS{"p.rego": &fstest.MapFile{Data: []byte(src)}})
}

// projectedFS compiles the policies of fsys with the projection asked for.
func projectedFS(t *testing.T, fsys fs.FS) (*Engine, *Policies) {
	t.Helper()
	pols, err := LoadFS("test", fsys, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	pols.NamedFieldsOnly = true
	e, err := New(context.Background(), Options{Policies: pols})
	if err != nil {
		t.Fatal(err)
	}
	return e, pols
}

func denies(t *testing.T, e *Engine) []string {
	t.Helper()
	// Two findings that differ only in their id, which no policy names.
	d := sampleDoc(2)
	d.Findings[1].RuleID = d.Findings[0].RuleID
	res, err := e.Evaluate(context.Background(), d, now)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range res.Denies {
		out = append(out, m.Msg)
	}
	return out
}

// TestProjectionRefused: a policy that reads findings or components in
// any way but by keys it spells out gets the whole input, though the
// projection was asked for. Each policy would decide otherwise on the
// projected input (checked here by forcing it): it reads the KEV entry,
// the description, the licences or the id, which none of them names.
func TestProjectionRefused(t *testing.T) {
	for name, src := range map[string]string{
		"walk": `package p
deny contains "patch" if {
	walk(input.findings, [_, v])
	v == "patch"
}`,
		"walk of the input": `package p
deny contains "patch" if {
	walk(input, [_, v])
	v == "patch"
}`,
		"object.keys": `package p
deny contains "keys" if {
	some f in input.findings
	count(object.keys(f)) > 10
}`,
		"json.marshal": `package p
deny contains "patch" if {
	some f in input.findings
	contains(json.marshal(f), "patch")
}`,
		"json.marshal_with_options": `package p
deny contains "patch" if {
	some f in input.findings
	contains(json.marshal_with_options(f, {"pretty": true}), "patch")
}`,
		"yaml.marshal": `package p
deny contains "patch" if {
	some f in input.findings
	contains(yaml.marshal(f), "patch")
}`,
		"object.get with a computed key": `package p
deny contains "d" if {
	some f in input.findings
	k := concat("", ["descr", "iption"])
	object.get(f, k, "") == "d"
}`,
		"object.get with a computed path": `package p
deny contains "patch" if {
	some f in input.findings
	k := concat("", ["k", "ev"])
	object.get(f, [k, "required_action"], "") == "patch"
}`,
		"a computed key": `package p
deny contains "d" if {
	k := concat("", ["descr", "iption"])
	input.findings[_][k] == "d"
}`,
		"a computed key into an object of a finding": `package p
deny contains "patch" if {
	some f in input.findings
	f.kev[concat("", ["required_", "action"])] == "patch"
}`,
		"sprintf of a whole finding": `package p
deny contains "patch" if {
	some f in input.findings
	contains(sprintf("%v", [f]), "patch")
}`,
		"a set of findings": `package p
deny contains "two" if count({f | some f in input.findings}) == 2`,
		"a rule's set of findings": `package p
all contains f if some f in input.findings

deny contains "two" if count(all) == 2`,
		"findings compared": `package p
deny contains "differ" if {
	input.findings[0] != input.findings[1]
}`,
		"through a function": `package p
leaks(x) if contains(json.marshal(x), "patch")

deny contains "patch" if {
	some f in input.findings
	leaks(f)
}`,
		"through a rule": `package p
all := [f | some f in input.findings]

deny contains "patch" if {
	walk(all, [_, v])
	v == "patch"
}`,
		"through a document of rules": `package p
docs.all := input.findings

deny contains "patch" if {
	contains(json.marshal(data.p.docs), "patch")
}`,
		"components": `package p
deny contains "mit" if {
	some c in input.components
	contains(json.marshal(c), "MIT")
}`,
	} {
		t.Run(name, func(t *testing.T) {
			e, pols := projectedEngine(t, src)
			if e.unprojected == nil {
				t.Fatalf("projection granted to %s", src)
			}
			whole := denies(t, e)
			if len(whole) == 0 {
				t.Fatalf("the policy denies nothing on the whole input")
			}
			e.fields = namedFields(pols.Modules)
			if projected := denies(t, e); reflect.DeepEqual(projected, whole) {
				t.Fatalf("the policy decides alike on the projected input (%v): the case proves nothing", projected)
			}
		})
	}
}

// TestProjectionGranted: policies that read findings by the keys they
// name, directly, through rules, functions and secgate's builtins, are
// projected; so are the built-in policies.
func TestProjectionGranted(t *testing.T) {
	for name, src := range map[string]string{
		"named keys": `package p
deny contains f.rule_id if {
	some f in input.findings
	f.severity == "high"
	f.package.name == "lodash"
	f.scores[_].score > 7
	count(input.findings) > 1
}`,
		"rules and functions": `package p
high := [f | some f in input.findings; f.severity == "high"]

by_id := {f.id: f | some f in high}

name(f) := f.package.name

deny contains name(f) if {
	some id, f in by_id
	startswith(id, "0")
}`,
		"secgate builtins": `package p
groups := secgate.group_by(input.findings, "package.name")

deny contains secgate.remediation(fs) if {
	some fs in groups
	count(fs) > 1
	secgate.pluck(fs, "kind")[0] == "vulnerability"
	object.get(fs[0], ["package", "name"], "") == "lodash"
}`,
	} {
		t.Run(name, func(t *testing.T) {
			e, _ := projectedEngine(t, src)
			if e.unprojected != nil {
				t.Fatalf("projection refused: %v", e.unprojected)
			}
			if len(denies(t, e)) == 0 {
				t.Fatal("the policy denies nothing")
			}
		})
	}
	t.Run("built-ins", func(t *testing.T) {
		if e, _ := projectedFS(t, policies.FS); e.unprojected != nil {
			t.Fatalf("projection refused: %v", e.unprojected)
		}
	})
}
