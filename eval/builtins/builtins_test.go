package builtins

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// call evaluates name(args...) through Rego with strict builtin errors
// and returns the result as plain JSON values (numbers are float64). The
// arguments go in through input, so the builtin sees them at run time
// (constants would be checked, and folded, by the compiler instead).
func call(t *testing.T, name string, args ...any) (any, error) {
	t.Helper()
	refs := make([]string, len(args))
	for i := range args {
		refs[i] = fmt.Sprintf("input.args[%d]", i)
	}
	query := fmt.Sprintf("x := %s(%s)", name, strings.Join(refs, ", "))
	opts := append([]func(*rego.Rego){
		rego.Query(query),
		rego.Input(map[string]any{"args": args}),
		rego.SetRegoVersion(ast.RegoV1),
		rego.StrictBuiltinErrors(true),
	}, RegoOptions()...)
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 {
		t.Fatalf("%s: got %d results, want 1", query, len(rs))
	}
	return plain(t, rs[0].Bindings["x"]), nil
}

// mustCall is call for calls that must succeed.
func mustCall(t *testing.T, name string, args ...any) any {
	t.Helper()
	got, err := call(t, name, args...)
	if err != nil {
		t.Fatalf("%s(%q): %v", name, args, err)
	}
	return got
}

// evalQuery evaluates a Rego query that binds x and returns x.
func evalQuery(t *testing.T, query string) any {
	t.Helper()
	opts := append([]func(*rego.Rego){
		rego.Query(query),
		rego.SetRegoVersion(ast.RegoV1),
		rego.StrictBuiltinErrors(true),
	}, RegoOptions()...)
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if len(rs) != 1 {
		t.Fatalf("%s: got %d results, want 1", query, len(rs))
	}
	return plain(t, rs[0].Bindings["x"])
}

// plain turns a Rego result into what encoding/json makes of its JSON.
func plain(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// fromJSON parses a test's expected value.
func fromJSON(t *testing.T, s string) any {
	t.Helper()
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("bad expected JSON %s: %v", s, err)
	}
	return out
}

// wantBuiltinErr checks that err is a Rego builtin error whose message
// holds every one of wants.
func wantBuiltinErr(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a builtin error containing %q", wants)
	}
	var te *topdown.Error
	if !errors.As(err, &te) {
		t.Fatalf("got %T %v, want a *topdown.Error", err, err)
	}
	if te.Code != topdown.BuiltinErr {
		t.Errorf("error code %q, want %q (%v)", te.Code, topdown.BuiltinErr, err)
	}
	for _, w := range wants {
		if !strings.Contains(te.Message, w) {
			t.Errorf("error %q does not contain %q", te.Message, w)
		}
	}
}

var builtinNames = []string{
	"secgate.components",
	"secgate.cvss_score",
	"secgate.group_by",
	"secgate.pluck",
	"secgate.purl_parse",
	"secgate.remediation",
	"secgate.spdx_all_of",
	"secgate.spdx_denied",
	"secgate.spdx_normalize",
	"secgate.spdx_parse",
	"secgate.spdx_satisfies",
	"secgate.unique",
	"secgate.version_compare",
}

func TestAllDeclsOptionsAgree(t *testing.T) {
	all, decls, opts := All(), Decls(), RegoOptions()
	if len(all) != len(builtinNames) || len(decls) != len(builtinNames) || len(opts) != len(builtinNames) {
		t.Fatalf("All %d, Decls %d, RegoOptions %d; want %d each", len(all), len(decls), len(opts), len(builtinNames))
	}
	var names []string
	for i, b := range all {
		if b.Decl == nil || b.Decl.Decl == nil || b.Func == nil {
			t.Fatalf("All()[%d] is incomplete: %+v", i, b)
		}
		if b.Decl.Name != decls[i].Name {
			t.Errorf("All()[%d] is %s, Decls()[%d] is %s", i, b.Decl.Name, i, decls[i].Name)
		}
		if b.Decl.Nondeterministic {
			t.Errorf("%s is declared non-deterministic", b.Decl.Name)
		}
		if b.Decl.Description == "" {
			t.Errorf("%s has no description", b.Decl.Name)
		}
		names = append(names, b.Decl.Name)
	}
	slices.Sort(names)
	if diff := cmp.Diff(builtinNames, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	// Fresh values each call: a caller changing one must not change the next.
	decls[0].Name = "changed"
	if Decls()[0].Name == "changed" {
		t.Error("Decls returns shared values")
	}
}

// policy calls every builtin; it compiles only where they are declared.
const policy = `package secgate.test

licensed if secgate.spdx_satisfies("MIT OR GPL-3.0-only", ["MIT"])
parsed := secgate.spdx_parse("MIT AND Custom")
score := secgate.cvss_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
purl := secgate.purl_parse("pkg:npm/lodash@4.17.21")
older := secgate.version_compare("npm", "4.17.20", "4.17.21")
`

// TestCapabilities wires the builtins as eval does: declarations in the
// compiler's capabilities, implementations as rego options.
func TestCapabilities(t *testing.T) {
	ctx := context.Background()
	if _, err := compile(t, ast.CapabilitiesForThisVersion(), policy); err == nil {
		t.Error("policy compiled without secgate's declarations")
	} else if !strings.Contains(err.Error(), "undefined function secgate.cvss_score") {
		t.Errorf("without Decls: %v, want undefined function", err)
	}

	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = append(caps.Builtins, Decls()...)
	compiler, err := compile(t, caps, policy)
	if err != nil {
		t.Fatalf("compile with Decls: %v", err)
	}
	opts := append([]func(*rego.Rego){
		rego.Compiler(compiler),
		rego.Query("data.secgate.test"),
		rego.StrictBuiltinErrors(true),
	}, RegoOptions()...)
	pq, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := pq.Eval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := fromJSON(t, `{
		"licensed": true,
		"parsed": {"valid": false, "ids": ["MIT"], "exceptions": [], "invalid": ["Custom"]},
		"score": {"version": "3.1", "score": 9.8, "severity": "critical"},
		"purl": {"type": "npm", "namespace": "", "name": "lodash", "version": "4.17.21", "qualifiers": {}, "subpath": ""},
		"older": -1
	}`)
	if diff := cmp.Diff(want, plain(t, rs[0].Expressions[0].Value)); diff != "" {
		t.Errorf("policy results (-want +got):\n%s", diff)
	}
}

// compile compiles Rego v1 sources (named by position) under caps.
func compile(t *testing.T, caps *ast.Capabilities, sources ...string) (*ast.Compiler, error) {
	t.Helper()
	modules := map[string]*ast.Module{}
	for i, src := range sources {
		name := fmt.Sprintf("m%d.rego", i)
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		modules[name] = m
	}
	c := ast.NewCompiler().WithCapabilities(caps).WithDefaultRegoVersion(ast.RegoV1)
	if c.Compile(modules); c.Failed() {
		return nil, c.Errors
	}
	return c, nil
}

// TestRunner runs Rego unit tests that call the builtins, as secgate test
// does, and checks that a builtin error fails its test.
func TestRunner(t *testing.T) {
	ctx := context.Background()
	tests := `package secgate.test_test

import data.secgate.test

test_licensed if test.licensed
test_score if test.score.severity == "critical"
test_purl if test.purl.name == "lodash"
test_order if test.older == -1
test_bad_vector if secgate.cvss_score("CVSS:3.1/AV:X").score > 0
`
	modules := map[string]*ast.Module{}
	for name, src := range map[string]string{"policy.rego": policy, "policy_test.rego": tests} {
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		modules[name] = m
	}
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = append(caps.Builtins, Decls()...)
	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithCapabilities(caps).WithDefaultRegoVersion(ast.RegoV1)).
		SetModules(modules).
		AddCustomBuiltins(All()).
		RaiseBuiltinErrors(true).
		SetDefaultRegoVersion(ast.RegoV1).
		RunTests(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for r := range ch {
		switch {
		case r.Pass():
			got[r.Name] = "pass"
		case r.Error != nil:
			got[r.Name] = "error: " + r.Error.Error()
		default:
			got[r.Name] = "fail"
		}
	}
	for _, name := range []string{"test_licensed", "test_score", "test_purl", "test_order"} {
		if got[name] != "pass" {
			t.Errorf("%s: %s", name, got[name])
		}
	}
	if r := got["test_bad_vector"]; !strings.Contains(r, "secgate.cvss_score: invalid CVSS vector") {
		t.Errorf("test_bad_vector: %s, want the builtin error", r)
	}
}

// TestTypeCheck: arguments of the wrong type are caught when the policy
// compiles, from the declarations.
func TestTypeCheck(t *testing.T) {
	for _, q := range []string{
		`x := secgate.spdx_satisfies("MIT", "MIT")`,
		`x := secgate.spdx_satisfies("MIT", [1])`,
		`x := secgate.spdx_parse(["MIT"])`,
		`x := secgate.cvss_score(7.5)`,
		`x := secgate.purl_parse({"type": "npm"})`,
		`x := secgate.version_compare("npm", 1, "2")`,
		`x := secgate.version_compare("npm", "1")`,
		`x := secgate.spdx_parse("MIT").valid + 1`,
	} {
		t.Run(q, func(t *testing.T) {
			opts := append([]func(*rego.Rego){rego.Query(q), rego.SetRegoVersion(ast.RegoV1)}, RegoOptions()...)
			_, err := rego.New(opts...).PrepareForEval(context.Background())
			if err == nil {
				t.Fatal("compiled; want a type error")
			}
			if !strings.Contains(err.Error(), "rego_type_error") {
				t.Errorf("got %v, want a rego_type_error", err)
			}
		})
	}
}

// TestNotStrict: without strict builtin errors a failing call is
// undefined, as OPA does for its own builtins.
func TestNotStrict(t *testing.T) {
	opts := append([]func(*rego.Rego){
		rego.Query(`x := secgate.cvss_score("nonsense")`),
		rego.SetRegoVersion(ast.RegoV1),
	}, RegoOptions()...)
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 0 {
		t.Errorf("got %v, want undefined", rs)
	}
}
