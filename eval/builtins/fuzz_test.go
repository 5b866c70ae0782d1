package builtins

import (
	"errors"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// The fuzz targets call the implementations directly (Rego adds nothing
// to what they check, and costs time per input). Seeds run under plain
// go test; go test -fuzz=FuzzX explores.

func FuzzSPDX(f *testing.F) {
	for _, s := range []string{
		"MIT", "MIT OR GPL-3.0-only", "(MIT AND (ISC OR Apache-2.0)) OR BSD-3-Clause",
		"GPL-2.0-only WITH Classpath-exception-2.0", "Apache-2.0+", "LicenseRef-a OR MIT",
		"DocumentRef-x:LicenseRef-y", "Apache License 2.0", "((MIT", "MIT OR", "WITH", ")(", "",
		"GPL-2.0+", "GFDL-1.3+ AND GPL-2.0-with-GCC-exception", "MIT/X11 OR gpl-3.0",
	} {
		f.Add(s)
	}
	allowed := ast.ArrayTerm(ast.StringTerm("MIT"), ast.StringTerm("Apache-2.0"), ast.StringTerm("LicenseRef-a"))
	f.Fuzz(func(t *testing.T, expr string) {
		got, err := spdxParse(rego.BuiltinContext{}, ast.StringTerm(expr))
		if err != nil {
			t.Fatalf("spdx_parse(%q): %v", expr, err)
		}
		obj := got.Value.(ast.Object)
		valid := obj.Get(ast.StringTerm("valid")).Value.(ast.Boolean)
		invalid := obj.Get(ast.StringTerm("invalid")).Value.(*ast.Array)
		if bool(valid) != (invalid.Len() == 0) {
			t.Errorf("spdx_parse(%q): valid %v with invalid %v", expr, valid, invalid)
		}
		sat, err := spdxSatisfies(rego.BuiltinContext{}, ast.StringTerm(expr), allowed)
		if err != nil {
			t.Fatalf("spdx_satisfies(%q): %v", expr, err)
		}
		ids := obj.Get(ast.StringTerm("ids")).Value.(*ast.Array)
		if sat.Value.(ast.Boolean) && ids.Len() == 0 {
			t.Errorf("spdx_satisfies(%q) is true for an expression without an SPDX id", expr)
		}
		aliases := ast.NewObject(ast.Item(ast.StringTerm("MIT/X11"), ast.StringTerm("MIT")), ast.Item(ast.StringTerm(expr), ast.StringTerm("GPL-2.0+")))
		if _, err := spdxNormalize(rego.BuiltinContext{}, ast.StringTerm(expr), ast.NewTerm(aliases)); err != nil {
			t.Fatalf("spdx_normalize(%q): %v", expr, err)
		}
	})
}

func FuzzCVSSAndPURL(f *testing.F) {
	for _, s := range []string{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "(AV:N/AC:L/Au:N/C:P/I:P/A:P)",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
		"pkg:npm/%40babel/core@7.24.0?a=b#c/d", "pkg:maven/g/a@1?type=jar", "pkg:", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, err := cvssScore(rego.BuiltinContext{}, ast.StringTerm(s)); err == nil {
			score := got.Value.(ast.Object).Get(ast.StringTerm("score")).Value.(ast.Number)
			if f, ok := score.Float64(); !ok || f < 0 || f > 10 {
				t.Errorf("cvss_score(%q) = %v", s, score)
			}
		}
		if got, err := purlParse(rego.BuiltinContext{}, ast.StringTerm(s)); err == nil {
			name := got.Value.(ast.Object).Get(ast.StringTerm("name")).Value.(ast.String)
			if name == "" {
				t.Errorf("purl_parse(%q) has no name", s)
			}
		}
	})
}

func FuzzVersionCompare(f *testing.F) {
	for _, p := range [][2]string{
		{"1.0.0-rc.1", "1.0.0"}, {"v0.0.0-20191109021931-daa7c04131f5", "go1.21rc1"},
		{"1!0.1", "1.0+local"}, {"1:1.0~rc1-1", "1.0"}, {"1.0_rc1-r3", "1.0~abc"},
		{"1.0-SNAPSHOT", "1.0.RELEASE"}, {"1.0.a", "1.0-1"}, {"0", ""},
	} {
		f.Add(p[0], p[1])
	}
	ecos := []string{"semver", "golang", "pypi", "deb", "rpm", "apk", "maven", "gem"}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, eco := range ecos {
			ab, errA := versionCompare(rego.BuiltinContext{}, ast.StringTerm(eco), ast.StringTerm(a), ast.StringTerm(b))
			ba, errB := versionCompare(rego.BuiltinContext{}, ast.StringTerm(eco), ast.StringTerm(b), ast.StringTerm(a))
			if (errA == nil) != (errB == nil) {
				t.Fatalf("%s: %q vs %q: error only one way round: %v / %v", eco, a, b, errA, errB)
			}
			if errA != nil {
				continue
			}
			x, _ := ab.Value.(ast.Number).Int()
			y, _ := ba.Value.(ast.Number).Int()
			if x != -y || x < -1 || x > 1 {
				t.Errorf("%s: compare(%q, %q) = %d but compare(%q, %q) = %d", eco, a, b, x, b, a, y)
			}
		}
	})
}

func TestGuard(t *testing.T) {
	boom := func(rego.BuiltinContext, *ast.Term) (*ast.Term, error) { panic("boom") }
	_, err := guard1(boom)(rego.BuiltinContext{}, ast.StringTerm("x"))
	if err == nil || !strings.Contains(err.Error(), "internal error: boom") {
		t.Errorf("guard1: got %v, want the panic as an error", err)
	}
	want := errors.New("plain")
	_, err = guard3(func(rego.BuiltinContext, *ast.Term, *ast.Term, *ast.Term) (*ast.Term, error) {
		return nil, want
	})(rego.BuiltinContext{}, nil, nil, nil)
	if !errors.Is(err, want) {
		t.Errorf("guard3: got %v, want %v unchanged", err, want)
	}
}
