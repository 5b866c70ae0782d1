package builtins

import (
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
		{"MIT OR Custom", []string{"MIT"}, false},
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

func TestSPDXSatisfiesErrors(t *testing.T) {
	tests := []struct {
		name    string
		expr    any
		allowed any
		want    []string
	}{
		{"not SPDX in allow-list", "MIT", []any{"MIT", "Custom"}, []string{"secgate.spdx_satisfies:", `allowed licence "Custom" is not an SPDX licence id`}},
		{"typo in allow-list", "Apache-2.0", []any{"Apache 2.0"}, []string{`"Apache 2.0"`}},
		{"expression in allow-list", "MIT", []any{"MIT OR Apache-2.0"}, []string{"is an expression"}},
		{"bad allow-list even for an invalid expression", "Custom", []any{"Custom"}, []string{`"Custom"`}},
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
		{"GPL-2.0+", `{"valid": true, "ids": ["GPL-2.0"], "exceptions": [], "invalid": []}`},
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
