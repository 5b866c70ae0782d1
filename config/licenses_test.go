package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLicenceAliases(t *testing.T) {
	c, err := Parse([]byte("licenses:\n  aliases:\n    MIT/X11: MIT\n    Apache 2: Apache-2.0\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Sections["licenses"].(map[string]any)["aliases"]
	want := map[string]any{"MIT/X11": "MIT", "Apache 2": "Apache-2.0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("aliases (-want +got):\n%s", diff)
	}
}
