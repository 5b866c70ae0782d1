package gate

import (
	"slices"
	"testing"
)

// TestUnread: a finding's origins are left out of the input unless
// thresholds.by_tool names a tool or coverage.required a report, the
// settings that read them.
func TestUnread(t *testing.T) {
	for _, tc := range []struct {
		data map[string]any
		want []string
	}{
		{map[string]any{}, []string{"origins"}},
		{map[string]any{"secgate": map[string]any{"config": map[string]any{"thresholds": map[string]any{"by_tool": map[string]any{}}}}}, []string{"origins"}},
		{map[string]any{"secgate": map[string]any{"config": map[string]any{"thresholds": map[string]any{"by_tool": map[string]any{"semgrep": map[string]any{"fail_severity": "none"}}}}}}, nil},
		{map[string]any{"secgate": map[string]any{"config": map[string]any{"coverage": map[string]any{"required": map[string]any{}}}}}, []string{"origins"}},
		{map[string]any{"secgate": map[string]any{"config": map[string]any{"coverage": map[string]any{"required": map[string]any{"release": []any{map[string]any{"kind": "secrets"}}}}}}}, nil},
	} {
		if got := unread(tc.data); !slices.Equal(got, tc.want) {
			t.Errorf("unread(%v) = %v, want %v", tc.data, got, tc.want)
		}
	}
}
