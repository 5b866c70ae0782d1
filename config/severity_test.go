package config

import (
	"strings"
	"testing"
)

func TestUnknownAsDefaultsToHigh(t *testing.T) {
	c, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Sections["thresholds"].(map[string]any)["unknown_as"]; got != "high" {
		t.Errorf("thresholds.unknown_as = %v, want high", got)
	}
}

func TestSeverityThresholdsAcceptUnknown(t *testing.T) {
	for _, in := range []string{
		"thresholds:\n  fail_severity: unknown\n",
		"thresholds:\n  warn_severity: unknown\n",
		"thresholds:\n  unknown_as: none\n",
		"thresholds:\n  unknown_as: critical\n",
	} {
		if _, err := Parse([]byte(in)); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestUnknownAsRejectsUnknown(t *testing.T) {
	// Counting unknown as unknown would let it reach no threshold but
	// "unknown": that is unknown_as none, said plainly.
	for _, in := range []string{"thresholds:\n  unknown_as: unknown\n", "thresholds:\n  unknown_as: severe\n"} {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), "is not one of") {
			t.Errorf("%q: err = %v, want an enum error", in, err)
		}
	}
}
