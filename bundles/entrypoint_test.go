package bundles

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/secgate/secgate/internal/testutil"
)

// TestBuildEntrypoint: --opa-entrypoint adds the decision entry point and
// its root (also to roots given explicitly); without it nothing changes;
// a folder without deciding rules, or one defining the entry point's
// package itself, is refused.
func TestBuildEntrypoint(t *testing.T) {
	dir := policyDir(t)
	for _, tc := range []struct {
		roots, want []string
	}{
		{nil, []string{"main", "main_test", "secgate/decision"}},
		{[]string{"main", "main_test"}, []string{"main", "main_test", "secgate/decision"}},
		{[]string{""}, []string{""}},
	} {
		raw := build(t, dir, BuildOptions{Roots: tc.roots, Entrypoint: true})
		b, err := bundle.NewReader(bytes.NewReader(raw)).Read()
		if err != nil {
			t.Fatal(err)
		}
		if got := *b.Manifest.Roots; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("roots %q: got %q, want %q", tc.roots, got, tc.want)
		}
		var entry string
		for _, m := range b.Modules {
			if m.Path == "/secgate/decision/decision.rego" {
				entry = string(m.Raw)
			}
		}
		if !strings.Contains(entry, "package secgate.decision") || !strings.Contains(entry, "data.main.deny with data.secgate.config as input.config with time.now_ns as input.now_ns with input as input.document") {
			t.Errorf("entry point:\n%s", entry)
		}
		if strings.Contains(entry, "main_test") {
			t.Errorf("entry point reads the tests:\n%s", entry)
		}
	}
	raw := build(t, dir, BuildOptions{})
	if bytes.Contains(raw, []byte("secgate/decision")) {
		t.Error("a build without Entrypoint has the entry point")
	}
	for name, files := range map[string]map[string]string{
		"no deciding rules": {"lib.rego": "package lib\n\nx := 1\n"},
		"own entry point":   {"d.rego": "package secgate.decision\n\ndeny contains 1\n"},
	} {
		if _, err := Build(context.Background(), testutil.WriteTree(t, files), BuildOptions{Entrypoint: true}); err == nil {
			t.Errorf("%s: built", name)
		}
	}
}

// TestStockOPALacksTheBuiltins: OPA without secgate's builtins (a stock
// opa run or opa eval) refuses the built-in policies' bundle: it names a
// secgate builtin it does not know. secgate opa run registers them.
func TestStockOPALacksTheBuiltins(t *testing.T) {
	raw := build(t, filepath.Join("..", "policies"), BuildOptions{Entrypoint: true})
	path := writeFile(t, "b.tar.gz", raw)
	_, err := rego.New(rego.Query("data.secgate.decision"), rego.LoadBundle(path)).PrepareForEval(context.Background())
	if err == nil || !strings.Contains(err.Error(), "undefined function secgate.") {
		t.Fatalf("err = %v, want an undefined secgate builtin", err)
	}
}
