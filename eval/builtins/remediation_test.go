package builtins

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRemediation(t *testing.T) {
	pkg := func(name, version string, fixed ...string) map[string]any {
		fv := []any{}
		for _, f := range fixed {
			fv = append(fv, f)
		}
		return map[string]any{"rule_id": "CVE-1", "package": map[string]any{"name": name, "version": version}, "fixed_versions": fv}
	}
	code := func(rule, path string, line int) map[string]any {
		loc := map[string]any{"path": path}
		if line > 0 {
			loc["start_line"] = line
		}
		return map[string]any{"rule_id": rule, "location": loc}
	}
	six := []any{pkg("a", "1", "2"), pkg("b", "1", "2"), pkg("a", "1", "3"), pkg("c", "1"), pkg("d", "1"), pkg("e", "1")}
	tests := []struct {
		name string
		fs   []any
		want string
	}{
		{"one fix", []any{pkg("lodash", "4.17.20", "4.17.21")}, "upgrade lodash 4.17.20 to 4.17.21"},
		{"several fixes", []any{pkg("a", "1", "2", "3")}, "upgrade a 1 to a fixed version (2, 3)"},
		{"no fix", []any{pkg("a", "1")}, "upgrade a 1 (no fixed version named in the report)"},
		{"no version", []any{pkg("a", "", "2")}, "upgrade a to 2"},
		{"repeats once", []any{pkg("a", "1", "2"), pkg("a", "1", "2")}, "upgrade a 1 to 2"},
		{"many packages", six, "upgrade the 5 packages concerned to their fixed versions (remediation tickets: --tickets DIR)"},
		{"code", []any{code("r1", "a.go", 3), code("r2", "b.go", 0)}, "fix r1 at a.go:3, r2 at b.go"},
		{"mixed", []any{pkg("a", "1", "2"), map[string]any{"rule_id": "r"}}, "fix CVE-1, r"},
		{"many findings", append(six[:5:5], code("r", "x", 1)), "fix the 6 findings listed (remediation tickets: --tickets DIR)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustCall(t, "secgate.remediation", tt.fs); got != tt.want {
				t.Errorf("remediation = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestComponents(t *testing.T) {
	fs := []any{
		map[string]any{"package": map[string]any{"name": "b", "purl": "pkg:npm/b@1"}},
		map[string]any{"package": map[string]any{"name": "a"}},
		map[string]any{"package": map[string]any{"name": "b", "purl": "pkg:npm/b@1"}},
		map[string]any{"package": map[string]any{"name": "c", "purl": "pkg:npm/c@2"}},
		map[string]any{"rule_id": "no-package"},
	}
	want := []any{"a", "pkg:npm/b@1", "pkg:npm/c@2"}
	if diff := cmp.Diff(want, mustCall(t, "secgate.components", fs)); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{}, mustCall(t, "secgate.components", []any{})); diff != "" {
		t.Errorf("components of none (-want +got):\n%s", diff)
	}
}
