package gate

import (
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secgate/secgate/eval"
)

// A policy source that brings its own exceptions package keeps it; without
// exceptions configured nothing is added.
func TestWithExceptionsAddsTheBuiltinOnlyWhenNeeded(t *testing.T) {
	parse := func(src string) *eval.Policies {
		m, err := ast.ParseModuleWithOpts("own.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		return &eval.Policies{Modules: map[string]*ast.Module{"own.rego": m}, Data: map[string]any{}}
	}
	configured := map[string]any{"secgate": map[string]any{"config": map[string]any{"exceptions": []any{map[string]any{"id": "x"}}}}}
	packages := func(p *eval.Policies) []string {
		var out []string
		for _, m := range p.Modules {
			out = append(out, strings.TrimPrefix(m.Package.Path.String(), "data."))
		}
		slices.Sort(out)
		return out
	}

	own := parse("package secgate.exceptions\n\napplied := set()\n")
	if err := withExceptions(own, configured); err != nil || !slices.Equal(packages(own), []string{"secgate.exceptions"}) {
		t.Errorf("own exceptions package: %v, %v", packages(own), err)
	}
	user := parse("package main\n\ndeny contains \"x\" if false\n")
	if err := withExceptions(user, map[string]any{}); err != nil || !slices.Equal(packages(user), []string{"main"}) {
		t.Errorf("no exceptions configured: %v, %v", packages(user), err)
	}
	if err := withExceptions(user, configured); err != nil || !slices.Equal(packages(user), []string{"main", "secgate.exceptions", "secgate.lib"}) {
		t.Errorf("exceptions configured: %v, %v", packages(user), err)
	}
}
