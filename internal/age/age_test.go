package age

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * day, "12w": 84 * day, "36h": 36 * time.Hour, "7d": 7 * day, "forever": 0} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("%s: %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "d", "0d", "-1d", "90", "90y", "30m", "ninety days"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
