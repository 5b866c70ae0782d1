package license

import (
	"slices"
	"strings"
	"testing"
)

func TestIDs(t *testing.T) {
	tests := []struct {
		expr string
		ids  []string
		ok   bool
	}{
		{"MIT", []string{"MIT"}, true},
		{"(LicenseRef-1 AND Apache-2.0)", []string{"LicenseRef-1", "Apache-2.0"}, true},
		{"MIT OR Apache-2.0 OR MIT", []string{"MIT", "Apache-2.0"}, true},
		{"GPL-2.0+ WITH Classpath-exception-2.0 or MIT", []string{"GPL-2.0+", "MIT"}, true},
		{"DocumentRef-a:LicenseRef-b AND ((BSD-3-Clause))", []string{"DocumentRef-a:LicenseRef-b", "BSD-3-Clause"}, true},
		{"", nil, false},
		{"BSD License", nil, false},
		{"Apache 2.0", nil, false},
		{"MIT AND", nil, false},
		{"(MIT", nil, false},
		{"MIT)", nil, false},
		{"MIT WITH", nil, false},
		{"a:b", nil, false},
		{strings.Repeat("(", 100) + "MIT" + strings.Repeat(")", 100), nil, false},
		{strings.Repeat("(", 64) + "MIT" + strings.Repeat(")", 64), []string{"MIT"}, true},
		{"MIT with Classpath-exception-2.0 and Foo-1", []string{"MIT", "Foo-1"}, true},
		{"MIT WITH with", nil, false},
		{"MIT WITH a WITH b", nil, false},
	}
	for _, tt := range tests {
		ids, ok := IDs(tt.expr)
		if ok != tt.ok || !slices.Equal(ids, tt.ids) {
			t.Errorf("IDs(%q) = %q, %v; want %q, %v", tt.expr, ids, ok, tt.ids, tt.ok)
		}
	}
}
