package eval

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
)

// loadFS is what LoadFS did with OPA's loader alone: the reference its
// parallel parsing must agree with.
func loadFS(t *testing.T, fsys fstest.MapFS, filter Filter) *Policies {
	t.Helper()
	res, err := loader.NewFileLoader().
		WithFS(fsys).
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotation(true).
		Filtered([]string{"."}, filter.loaderFilter())
	if err != nil {
		t.Fatal(err)
	}
	return fromResult("ref", res)
}

func TestLoadFSAgreesWithLoader(t *testing.T) {
	rule := func(pkg string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("# METADATA\n# title: " + pkg + "\npackage " + pkg + "\n\ndeny contains \"x\" if input.a\n")}
	}
	fsys := fstest.MapFS{
		"top.rego":              rule("top"),
		"top_test.rego":         rule("top_test"),
		"a/a.rego":              rule("a"),
		"a/b/deep.rego":         rule("a.b"),
		"a/data.json":           {Data: []byte(`{"limit": 3}`)},
		"data.yaml":             {Data: []byte("team: sec\n")},
		"a/testdata/skip.rego":  {Data: []byte("not rego at all")},
		".git/hooks/skip.rego":  {Data: []byte("not rego at all")},
		"a/.hidden/skip.rego":   {Data: []byte("not rego at all")},
		"README.md":             {Data: []byte("# not read")},
		"a/b/notes.txt":         {Data: []byte("not read")},
		"a/b/more_test.rego":    rule("a.b_test"),
		"defaults.yaml":         {Data: []byte("thresholds: {}\n")},
		"a/b/c/d/e/leaf.rego":   rule("leaf"),
		"a/b/c/d/e/policy.yaml": {Data: []byte("not data: it has another name\n")},
	}
	for _, filter := range []Filter{{}, {Tests: true}} {
		got, err := LoadFS("test", fsys, filter)
		if err != nil {
			t.Fatal(err)
		}
		want := loadFS(t, fsys, filter)
		if g, w := slices.Sorted(maps.Keys(got.Modules)), slices.Sorted(maps.Keys(want.Modules)); !slices.Equal(g, w) {
			t.Fatalf("tests %v: modules %v, loader read %v", filter.Tests, g, w)
		}
		for name, m := range want.Modules {
			if !m.Equal(got.Modules[name]) || len(m.Annotations) != len(got.Modules[name].Annotations) {
				t.Errorf("tests %v: %s parsed differently", filter.Tests, name)
			}
		}
		if g, w := ast.MustInterfaceToValue(got.Data), ast.MustInterfaceToValue(want.Data); g.Compare(w) != 0 {
			t.Errorf("tests %v: data %v, loader read %v", filter.Tests, g, w)
		}
	}
}

func TestLoadFSParseErrorsAsLoader(t *testing.T) {
	fsys := fstest.MapFS{
		"ok.rego":      {Data: []byte("package ok\n")},
		"x/bad.rego":   {Data: []byte("package bad\n\ndeny contains if {\n")},
		"y/worse.rego": {Data: []byte("package\n")},
	}
	_, err := LoadFS("test", fsys, Filter{})
	if err == nil {
		t.Fatal("broken policies loaded")
	}
	_, lerr := loader.NewFileLoader().WithFS(fsys).WithRegoVersion(ast.RegoV1).Filtered([]string{"."}, Filter{}.loaderFilter())
	if want := policyLoadError(lerr).Error(); err.Error() != want {
		t.Errorf("error\n%s\nloader's\n%s", err, want)
	}
	for _, file := range []string{"x/bad.rego:3:", "y/worse.rego:2:"} {
		if !strings.Contains(err.Error(), file) {
			t.Errorf("error %q does not name %s", err, file)
		}
	}
}

// MergeOver lays user data over policy data: objects merge key by key,
// anything else is replaced. Policies.Merge merges the same way but
// refuses a key two data files set differently.
func TestMergeData(t *testing.T) {
	dst := map[string]any{"a": map[string]any{"x": 1, "y": map[string]any{"z": true}}, "b": []any{1}}
	MergeOver(dst, map[string]any{"a": map[string]any{"y": map[string]any{"w": 2}, "x": "one"}, "b": "list", "c": nil})
	want := map[string]any{"a": map[string]any{"x": "one", "y": map[string]any{"z": true, "w": 2}}, "b": "list", "c": nil}
	if !reflect.DeepEqual(dst, want) {
		t.Errorf("MergeOver = %v, want %v", dst, want)
	}

	p := &Policies{Modules: map[string]*ast.Module{}, Data: map[string]any{"a": map[string]any{"x": 1.0}}}
	if err := p.Merge(&Policies{Modules: map[string]*ast.Module{}, Data: map[string]any{"a": map[string]any{"x": 1.0, "y": 2.0}}}); err != nil {
		t.Errorf("agreeing data: %v", err)
	}
	err := p.Merge(&Policies{Modules: map[string]*ast.Module{}, Data: map[string]any{"a": map[string]any{"x": 3.0}}})
	if err == nil || err.Error() != "data.a.x is set twice with different values" {
		t.Errorf("conflicting data: %v", err)
	}
	if !reflect.DeepEqual(p.Data, map[string]any{"a": map[string]any{"x": 1.0, "y": 2.0}}) {
		t.Errorf("merged policy data %v", p.Data)
	}
}
