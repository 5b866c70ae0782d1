package builtins

import (
	"context"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSPDXSatisfies(t *testing.T) {
	tests := []struct {
		expr    string
		allowed any
		want    bool
	}{
		// OR needs one side, AND needs both.
		{"MIT OR GPL-3.0-only", []string{"MIT"}, true},
		{"MIT OR GPL-3.0-only", []string{"Apache-2.0"}, false},
		{"MIT AND Apache-2.0", []string{"MIT"}, false},
		{"MIT AND Apache-2.0", []string{"MIT", "Apache-2.0"}, true},
		{"MIT AND (Apache-2.0 OR BSD-3-Clause)", []string{"MIT", "BSD-3-Clause"}, true},
		{"(MIT OR Apache-2.0) AND BSD-3-Clause", []string{"MIT", "Apache-2.0"}, false},
		// AND binds tighter than OR; parentheses group.
		{"MIT AND Apache-2.0 OR ISC", []string{"ISC"}, true},
		{"MIT AND Apache-2.0 OR ISC", []string{"MIT"}, false},
		{"MIT OR Apache-2.0 AND ISC", []string{"Apache-2.0"}, false},
		{"MIT OR Apache-2.0 AND ISC", []string{"MIT"}, true},
		{"((MIT))", []string{"MIT"}, true},
		// Where go-spdx v2.3.1's own Satisfies is wrong.
		{"MIT AND (LicenseRef-a OR LicenseRef-b)", []string{"MIT"}, false},
		{"MIT AND (LicenseRef-a OR LicenseRef-b)", []string{"MIT", "LicenseRef-b"}, true},
		{"LicenseRef-a OR LicenseRef-b", []string{"LicenseRef-b"}, true},
		{"(MIT AND (ISC OR Apache-2.0)) OR BSD-3-Clause", []string{"MIT", "Apache-2.0"}, true},
		{"(MIT AND (ISC OR Apache-2.0)) OR BSD-3-Clause", []string{"ISC", "Apache-2.0"}, false},
		{"MIT OR (ISC AND Apache-2.0)", []string{"ISC"}, false},
		{"GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT", []string{"MIT"}, true},
		// Ids are case-insensitive, on either side.
		{"mit", []string{"MIT"}, true},
		{"MIT AND Apache-2.0", []string{"mit", "APACHE-2.0"}, true},
		// Exceptions must be allowed as such.
		{"GPL-2.0-only WITH Classpath-exception-2.0", []string{"GPL-2.0-only"}, false},
		{"GPL-2.0-only WITH Classpath-exception-2.0", []string{"GPL-2.0-only WITH Classpath-exception-2.0"}, true},
		{"GPL-2.0-only", []string{"GPL-2.0-only WITH Classpath-exception-2.0"}, false},
		// "+" and "-or-later": go-spdx's ranges.
		{"Apache-2.0+", []string{"Apache-2.0"}, true},
		{"Apache-1.0+", []string{"Apache-2.0"}, true},
		{"GPL-2.0-or-later", []string{"GPL-3.0-only"}, true},
		{"GPL-2.0+", []string{"GPL-2.0-only"}, true},
		{"GPL-3.0-only", []string{"GPL-2.0-or-later"}, true},
		{"GPL-2.0-or-later", []string{"LGPL-2.1-only"}, false},
		{"GPL-2.0", []string{"GPL-2.0-only"}, true},
		// LicenseRefs only verbatim.
		{"LicenseRef-acme", []string{"LicenseRef-acme"}, true},
		{"LicenseRef-acme", []string{"LicenseRef-ACME"}, false},
		{"LicenseRef-acme", []string{"MIT"}, false},
		{"MIT OR LicenseRef-acme", []string{"LicenseRef-acme"}, true},
		{"DocumentRef-spdx:LicenseRef-acme", []string{"LicenseRef-acme"}, false},
		// Not valid SPDX: false, not an error.
		{"", []string{"MIT"}, false},
		{"Apache License 2.0", []string{"Apache-2.0"}, false},
		{"BSD", []string{"BSD-3-Clause"}, false},
		{"mit or apache-2.0", []string{"MIT"}, false},
		{"(MIT", []string{"MIT"}, false},
		{"NOASSERTION", []string{"MIT"}, false},
		{"(", []string{"MIT"}, false},
		// Tabs and line breaks count as spaces.
		{"MIT\nOR\tGPL-3.0-only", []string{"MIT"}, true},
		{"MIT AND  Apache-2.0", []string{" MIT ", "Apache-2.0\n"}, true},
		// An empty allow-list satisfies nothing.
		{"MIT", []string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got := mustCall(t, "secgate.spdx_satisfies", tt.expr, tt.allowed)
			if got != tt.want {
				t.Errorf("spdx_satisfies(%q, %q) = %v, want %v", tt.expr, tt.allowed, got, tt.want)
			}
		})
	}
}

// TestSPDXSatisfiesSet: a set of allowed licences, written in Rego.
func TestSPDXSatisfiesSet(t *testing.T) {
	for query, want := range map[string]bool{
		`x := secgate.spdx_satisfies("MIT OR GPL-3.0-only", {"MIT", "ISC"})`:        true,
		`x := secgate.spdx_satisfies("MIT AND BSD-2-Clause", {"MIT", "ISC"})`:       false,
		`x := secgate.spdx_satisfies("Apache-2.0", {s | some s in ["apache-2.0"]})`: true,
	} {
		t.Run(query, func(t *testing.T) {
			if got := evalQuery(t, query); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestSPDXSatisfiesNamesAsWritten: a licence that is not SPDX ("MIT/X11")
// in the allow-list is allowed by name, exactly as written, not an error.
func TestSPDXSatisfiesNamesAsWritten(t *testing.T) {
	tests := []struct {
		expr    string
		allowed []string
		want    bool
	}{
		{"MIT/X11", []string{"MIT/X11"}, true},
		{"MIT/X11", []string{"MIT/X11", "MIT"}, true},
		{"MIT/X11 AND Apache-2.0", []string{"MIT/X11", "Apache-2.0"}, true},
		{"MIT/X11 AND Apache-2.0", []string{"MIT/X11"}, false},
		{"(Apache 2) OR GPL-3.0-only", []string{"Apache 2"}, true},
		{"Apache  2", []string{"Apache 2"}, true},
		{"GPL v2 or later", []string{"GPL v2 or later"}, true},
		// As written: case and spelling count.
		{"mit/x11", []string{"MIT/X11"}, false},
		{"Apache 2", []string{"Apache-2.0"}, false},
		{"MIT", []string{"MIT/X11"}, false},
		// A part that is not SPDX is met only by its name, like a
		// LicenseRef; a syntax error by nothing.
		{"MIT OR Custom", []string{"MIT"}, true},
		{"MIT AND Custom", []string{"MIT"}, false},
		{"Custom", []string{"MIT"}, false},
		{"(MIT/X11", []string{"MIT/X11"}, false},
		{"MIT/X11 OR", []string{"MIT/X11"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := call(t, "secgate.spdx_satisfies", tt.expr, tt.allowed)
			if err != nil {
				t.Fatalf("spdx_satisfies(%q, %q): %v", tt.expr, tt.allowed, err)
			}
			if got != tt.want {
				t.Errorf("spdx_satisfies(%q, %q) = %v, want %v", tt.expr, tt.allowed, got, tt.want)
			}
		})
	}
}

// TestSPDXSatisfiesDeprecatedIDs: a deprecated id reads as its
// replacement on either side.
func TestSPDXSatisfiesDeprecatedIDs(t *testing.T) {
	tests := []struct {
		expr    string
		allowed []string
		want    bool
	}{
		{"GPL-2.0", []string{"GPL-2.0-only"}, true},
		{"GPL-2.0-only", []string{"GPL-2.0"}, true},
		{"GPL-2.0-with-classpath-exception", []string{"GPL-2.0-only WITH Classpath-exception-2.0"}, true},
		{"GPL-2.0-only WITH Classpath-exception-2.0", []string{"GPL-2.0-with-classpath-exception"}, true},
		{"GPL-2.0-with-classpath-exception", []string{"GPL-2.0-only"}, false},
		{"GPL-2.0-with-classpath-exception OR MIT", []string{"MIT"}, true},
		{"LGPL-2.1+", []string{"LGPL-2.1-or-later"}, true},
		{"StandardML-NJ", []string{"SMLNJ"}, true},
		{"wxWindows", []string{"LGPL-2.0-only"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			if got := mustCall(t, "secgate.spdx_satisfies", tt.expr, tt.allowed); got != tt.want {
				t.Errorf("spdx_satisfies(%q, %q) = %v, want %v", tt.expr, tt.allowed, got, tt.want)
			}
		})
	}
}

func TestSPDXSatisfiesErrors(t *testing.T) {
	tests := []struct {
		name    string
		expr    any
		allowed any
		want    []string
	}{
		{"expression in allow-list", "MIT", []any{"MIT OR Apache-2.0"}, []string{"secgate.spdx_satisfies:", `allowed licence "MIT OR Apache-2.0" is an expression`}},
		{"bad allow-list even for an invalid expression", "Custom", []any{"MIT AND ISC"}, []string{`"MIT AND ISC"`}},
		{"number in allow-list", "MIT", []any{"MIT", 1}, []string{"operand 2 must contain only strings but has number"}},
		{"allow-list is a string", "MIT", "MIT", []string{"operand 2 must be array or set of strings but got string"}},
		{"expression is a number", 1, []any{"MIT"}, []string{"operand 1 must be string but got number"}},
		{"expression is null", nil, []any{"MIT"}, []string{"operand 1 must be string but got null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := call(t, "secgate.spdx_satisfies", tt.expr, tt.allowed)
			wantBuiltinErr(t, err, tt.want...)
		})
	}
}

func TestSPDXParse(t *testing.T) {
	tests := []struct {
		expr string
		want string
	}{
		{"MIT", `{"valid": true, "ids": ["MIT"], "exceptions": [], "invalid": []}`},
		{"mit", `{"valid": true, "ids": ["MIT"], "exceptions": [], "invalid": []}`},
		{"MIT OR GPL-3.0-only", `{"valid": true, "ids": ["GPL-3.0-only", "MIT"], "exceptions": [], "invalid": []}`},
		{"(MIT OR Apache-2.0) AND MIT", `{"valid": true, "ids": ["Apache-2.0", "MIT"], "exceptions": [], "invalid": []}`},
		{"MIT AND(Apache-2.0 OR BSD-3-Clause)", `{"valid": true, "ids": ["Apache-2.0", "BSD-3-Clause", "MIT"], "exceptions": [], "invalid": []}`},
		{"GPL-2.0-only WITH Classpath-exception-2.0", `{"valid": true, "ids": ["GPL-2.0-only"], "exceptions": ["Classpath-exception-2.0"], "invalid": []}`},
		{"gpl-2.0-only WITH classpath-exception-2.0", `{"valid": true, "ids": ["GPL-2.0-only"], "exceptions": ["Classpath-exception-2.0"], "invalid": []}`},
		{"Apache-2.0+", `{"valid": true, "ids": ["Apache-2.0"], "exceptions": [], "invalid": []}`},
		{"GPL-2.0+", `{"valid": true, "ids": ["GPL-2.0-or-later"], "exceptions": [], "invalid": []}`},
		{"GPL-2.0-or-later", `{"valid": true, "ids": ["GPL-2.0-or-later"], "exceptions": [], "invalid": []}`},
		{"LicenseRef-acme OR MIT", `{"valid": true, "ids": ["LicenseRef-acme", "MIT"], "exceptions": [], "invalid": []}`},
		{"DocumentRef-spdx:LicenseRef-acme", `{"valid": true, "ids": ["DocumentRef-spdx:LicenseRef-acme"], "exceptions": [], "invalid": []}`},
		{"  MIT  AND  ISC  ", `{"valid": true, "ids": ["ISC", "MIT"], "exceptions": [], "invalid": []}`},
		{"MIT\n\tAND ISC", `{"valid": true, "ids": ["ISC", "MIT"], "exceptions": [], "invalid": []}`},
		// Not SPDX: the words between operators are one part.
		{"BSD", `{"valid": false, "ids": [], "exceptions": [], "invalid": ["BSD"]}`},
		{"Apache License 2.0", `{"valid": false, "ids": [], "exceptions": [], "invalid": ["Apache License 2.0"]}`},
		{"Custom", `{"valid": false, "ids": [], "exceptions": [], "invalid": ["Custom"]}`},
		{"MIT OR Custom", `{"valid": false, "ids": ["MIT"], "exceptions": [], "invalid": ["Custom"]}`},
		{"MIT AND Apache License 2.0 AND Custom AND Custom", `{"valid": false, "ids": ["MIT"], "exceptions": [], "invalid": ["Apache License 2.0", "Custom"]}`},
		{"GPL-2.0-only WITH No-Such-exception", `{"valid": false, "ids": ["GPL-2.0-only"], "exceptions": [], "invalid": ["No-Such-exception"]}`},
		{"Classpath-exception-2.0", `{"valid": false, "ids": [], "exceptions": [], "invalid": ["Classpath-exception-2.0"]}`},
		{"NOASSERTION", `{"valid": false, "ids": [], "exceptions": [], "invalid": ["NOASSERTION"]}`},
		{"licenseref-acme", `{"valid": false, "ids": [], "exceptions": [], "invalid": ["licenseref-acme"]}`},
		// Lower-case operators are not operators.
		{"mit or apache-2.0", `{"valid": false, "ids": [], "exceptions": [], "invalid": ["mit or apache-2.0"]}`},
		// Syntax errors with every part valid: the whole expression.
		{"(MIT", `{"valid": false, "ids": ["MIT"], "exceptions": [], "invalid": ["(MIT"]}`},
		{"MIT OR", `{"valid": false, "ids": ["MIT"], "exceptions": [], "invalid": ["MIT OR"]}`},
		{"MIT Apache-2.0", `{"valid": false, "ids": [], "exceptions": [], "invalid": ["MIT Apache-2.0"]}`},
		{"", `{"valid": false, "ids": [], "exceptions": [], "invalid": [""]}`},
		// go-spdx v2.3.1 panics on these; they are just invalid.
		{"(", `{"valid": false, "ids": [], "exceptions": [], "invalid": ["("]}`},
		{"((MIT", `{"valid": false, "ids": ["MIT"], "exceptions": [], "invalid": ["((MIT"]}`},
		{" MIT\tOR ", `{"valid": false, "ids": ["MIT"], "exceptions": [], "invalid": ["MIT OR"]}`},
		{"GPL-2.0 +", `{"valid": false, "ids": [], "exceptions": [], "invalid": ["GPL-2.0 +"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got := mustCall(t, "secgate.spdx_parse", tt.expr)
			if diff := cmp.Diff(fromJSON(t, tt.want), got); diff != "" {
				t.Errorf("spdx_parse(%q) (-want +got):\n%s", tt.expr, diff)
			}
		})
	}
}

// TestSPDXParseDeprecatedIDs: deprecated ids come out as their
// replacements, so a deny list or category of current ids matches them.
func TestSPDXParseDeprecatedIDs(t *testing.T) {
	tests := []struct {
		expr string
		want string
	}{
		{"GPL-2.0", `{"valid": true, "ids": ["GPL-2.0-only"], "exceptions": [], "invalid": []}`},
		{"GPL-3.0", `{"valid": true, "ids": ["GPL-3.0-only"], "exceptions": [], "invalid": []}`},
		{"gpl-3.0", `{"valid": true, "ids": ["GPL-3.0-only"], "exceptions": [], "invalid": []}`},
		{"GPL-3.0+", `{"valid": true, "ids": ["GPL-3.0-or-later"], "exceptions": [], "invalid": []}`},
		{"AGPL-3.0", `{"valid": true, "ids": ["AGPL-3.0-only"], "exceptions": [], "invalid": []}`},
		{"LGPL-2.1", `{"valid": true, "ids": ["LGPL-2.1-only"], "exceptions": [], "invalid": []}`},
		{"GFDL-1.3", `{"valid": true, "ids": ["GFDL-1.3-only"], "exceptions": [], "invalid": []}`},
		{"GFDL-1.3+", `{"valid": true, "ids": ["GFDL-1.3-or-later"], "exceptions": [], "invalid": []}`},
		{"MIT OR GPL-2.0", `{"valid": true, "ids": ["GPL-2.0-only", "MIT"], "exceptions": [], "invalid": []}`},
		{"GPL-2.0-with-classpath-exception", `{"valid": true, "ids": ["GPL-2.0-only"], "exceptions": ["Classpath-exception-2.0"], "invalid": []}`},
		{"eCos-2.0", `{"valid": true, "ids": ["GPL-2.0-or-later"], "exceptions": ["eCos-exception-2.0"], "invalid": []}`},
		{"BSD-2-Clause-NetBSD", `{"valid": true, "ids": ["BSD-2-Clause"], "exceptions": [], "invalid": []}`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got := mustCall(t, "secgate.spdx_parse", tt.expr)
			if diff := cmp.Diff(fromJSON(t, tt.want), got); diff != "" {
				t.Errorf("spdx_parse(%q) (-want +got):\n%s", tt.expr, diff)
			}
		})
	}
}

func TestSPDXNormalize(t *testing.T) {
	aliases := map[string]any{"MIT/X11": "MIT", "Apache 2": "Apache-2.0", "GPLv2+": "GPL-2.0+", "Dual": "MIT OR ISC"}
	tests := []struct{ expr, want string }{
		{"GPL-2.0", "GPL-2.0-only"},
		{"GPL-2.0+", "GPL-2.0-or-later"},
		{"GPL-3.0 AND (LGPL-2.1+ OR MIT)", "GPL-3.0-only AND (LGPL-2.1-or-later OR MIT)"},
		{"GPL-2.0-with-GCC-exception OR MIT", "GPL-2.0-only WITH GCC-exception-2.0 OR MIT"},
		{"GPL-2.0-with-GCC-exception+", "GPL-2.0-or-later WITH GCC-exception-2.0"},
		{"bzip2-1.0.5+", "bzip2-1.0.6+"},
		{"GPL-2.0 WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"},
		{"GPL-2.0-only", "GPL-2.0-only"},
		{"Apache-2.0+", "Apache-2.0+"},
		{"mit\tAND\n  isc", "mit AND isc"},
		// Aliases: the whole expression, or a part of it, as written.
		{"MIT/X11", "MIT"},
		{"Apache  2", "Apache-2.0"},
		{"MIT/X11 AND (Apache 2 OR BSD)", "MIT AND (Apache-2.0 OR BSD)"},
		{"GPLv2+", "GPL-2.0-or-later"},
		{"Dual AND Apache-2.0", "(MIT OR ISC) AND Apache-2.0"},
		{"mit/x11", "mit/x11"},
		{"(Apache 2) AND (MIT)", "Apache-2.0 AND MIT"},
		{"(Apache 2 OR MIT)", "(Apache-2.0 OR MIT)"},
		{"(MIT/X11)", "MIT"},
		// Not SPDX: as written.
		{"Apache License 2.0", "Apache License 2.0"},
		{"(GPL-2.0", "(GPL-2.0-only"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			if got := mustCall(t, "secgate.spdx_normalize", tt.expr, aliases); got != tt.want {
				t.Errorf("spdx_normalize(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
	_, err := call(t, "secgate.spdx_normalize", "MIT", map[string]any{"MIT/X11": []any{"MIT"}})
	wantBuiltinErr(t, err, `secgate.spdx_normalize: operand 2: alias "MIT/X11" is array, not a licence expression`)
}

func TestSPDXParseErrors(t *testing.T) {
	for name, arg := range map[string]any{
		"number": 1,
		"array":  []any{"MIT"},
		"object": map[string]any{"license": "MIT"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := call(t, "secgate.spdx_parse", arg)
			wantBuiltinErr(t, err, "secgate.spdx_parse: operand 1 must be string but got "+name)
		})
	}
}

func TestSPDXDenied(t *testing.T) {
	gpl := []string{"GPL-2.0-only", "GPL-3.0-only", "Custom"}
	tests := []struct {
		expr   string
		denied []string
		want   []string
	}{
		{"MIT", gpl, []string{}},
		{"GPL-3.0-only", gpl, []string{"GPL-3.0-only"}},
		{"MIT OR GPL-3.0-only", gpl, []string{}},
		{"MIT AND GPL-3.0-only", gpl, []string{"GPL-3.0-only"}},
		{"GPL-2.0-only OR GPL-3.0-only", gpl, []string{"GPL-2.0-only", "GPL-3.0-only"}},
		// Deprecated ids read as their replacements.
		{"GPL-2.0", gpl, []string{"GPL-2.0-only"}},
		// Exceptions go with the licences that are not denied.
		{"GPL-2.0-only WITH Classpath-exception-2.0 OR MIT", gpl, []string{}},
		{"GPL-2.0-only WITH Classpath-exception-2.0", gpl, []string{"GPL-2.0-only"}},
		// Names that are not SPDX, as written.
		{"Custom", gpl, []string{"Custom"}},
		{"Custom OR MIT", gpl, []string{}},
		{"Other AND Custom", gpl, []string{"Custom"}},
		{"MIT", []string{}, []string{}},
		{"", gpl, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got := mustCall(t, "secgate.spdx_denied", tt.expr, tt.denied)
			want := make([]any, len(tt.want))
			for i, w := range tt.want {
				want[i] = w
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("spdx_denied(%q, %q) (-want +got):\n%s", tt.expr, tt.denied, diff)
			}
		})
	}
}

// TestSPDXDeniedAgreesWithRego: spdx_denied answers as the Rego the
// licence policy used to spell out with spdx_parse and spdx_satisfies.
func TestSPDXDeniedAgreesWithRego(t *testing.T) {
	const rules = `hits := {id | some id in array.concat(p.ids, p.invalid); id in denied}
	without := array.concat(
		[x | some id in p.ids; not id in denied; some x in array.concat([id], [sprintf("%s WITH %s", [id, e]) | some e in p.exceptions])],
		[n | some n in p.invalid; not n in denied],
	)`
	exprs := []string{
		"MIT", "GPL-3.0-only", "MIT OR GPL-3.0-only", "MIT AND GPL-3.0-only",
		"GPL-2.0+", "GPL-2.0-or-later OR Apache-2.0", "(MIT OR GPL-2.0) AND LGPL-2.1-only",
		"GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0 OR MIT",
		"LicenseRef-acme", "LicenseRef-acme AND MIT", "Custom", "Custom OR GPL-3.0-only",
		"Apache License 2.0", "(MIT", "MIT OR", "", "NOASSERTION", "mit and gpl-3.0-only",
	}
	denieds := [][]string{{}, {"GPL-3.0-only"}, {"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "LGPL-2.1-only"}, {"Custom", "LicenseRef-acme", "MIT"}}
	for _, expr := range exprs {
		for _, denied := range denieds {
			query := `p := secgate.spdx_parse(input.expr)
	denied := {d | some d in input.denied}
	` + rules + `
	old := [id | count(hits) > 0; not secgate.spdx_satisfies(input.expr, without); some id in sort(hits)]
	new := secgate.spdx_denied(input.expr, denied)`
			opts := append([]func(*rego.Rego){
				rego.Query(query),
				rego.Input(map[string]any{"expr": expr, "denied": denied}),
				rego.SetRegoVersion(ast.RegoV1),
				rego.StrictBuiltinErrors(true),
			}, RegoOptions()...)
			rs, err := rego.New(opts...).Eval(context.Background())
			if err != nil {
				t.Fatalf("%q %q: %v", expr, denied, err)
			}
			if len(rs) != 1 {
				t.Fatalf("%q %q: %d results", expr, denied, len(rs))
			}
			b := rs[0].Bindings
			if diff := cmp.Diff(b["old"], b["new"]); diff != "" {
				t.Errorf("%q %q: (-rego +builtin)\n%s", expr, denied, diff)
			}
		}
	}
}

func TestSPDXAllOf(t *testing.T) {
	tests := []struct {
		licenses []string
		want     string
	}{
		{[]string{}, ""},
		{[]string{"MIT OR Apache-2.0"}, "MIT OR Apache-2.0"},
		{[]string{"MIT", "ISC"}, "MIT AND ISC"},
		{[]string{"MIT", "Apache-2.0 OR BSD-3-Clause", "Apache License 2.0"}, "MIT AND (Apache-2.0 OR BSD-3-Clause) AND (Apache License 2.0)"},
	}
	for _, tt := range tests {
		if got := mustCall(t, "secgate.spdx_all_of", tt.licenses); got != tt.want {
			t.Errorf("spdx_all_of(%q) = %q, want %q", tt.licenses, got, tt.want)
		}
	}
	if _, err := call(t, "secgate.spdx_all_of", []any{"MIT", 1}); err == nil {
		t.Error("spdx_all_of([\"MIT\", 1]): no error")
	}
}
