package config

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// commentedKey is a key Sample commented out: "#" then the key, at the
// key's indentation; a description is "# " then text.
var commentedKey = regexp.MustCompile(`(?m)^(\s*)#([^\s#])`)

// TestSampleUncommentedIsDefaults: with every "#" of a key removed, the
// sample still parses and means exactly the defaults, so each key is
// written where it belongs, with its default.
func TestSampleUncommentedIsDefaults(t *testing.T) {
	out, err := Sample(nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(out), "\n#") == 0 {
		t.Fatal("nothing commented out")
	}
	all := commentedKey.ReplaceAll(out, []byte("$1$2"))
	for _, data := range [][]byte{out, all} {
		got, err := Parse(data)
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		want, err := Defaults()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.Sections, got.Sections); diff != "" {
			t.Errorf("sections differ from the defaults (-want +got):\n%s", diff)
		}
	}
}

// TestSampleSetsKeys: the keys set are written uncommented, with their
// values, and nothing else changes.
func TestSampleSetsKeys(t *testing.T) {
	out, err := Sample(map[string]any{"thresholds.max_findings": 5, "thresholds.fail_severity": "critical", "tickets.sla_days.high": 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"\n  max_findings: 5\n", "\n  fail_severity: critical\n", "\n    high: 3\n"} {
		if !strings.Contains(string(out), line) {
			t.Errorf("sample lacks %q", line)
		}
	}
	c, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	th := c.Sections["thresholds"].(map[string]any)
	if th["max_findings"] != 5 || th["fail_severity"] != "critical" || th["warn_severity"] != "medium" {
		t.Errorf("thresholds %v", th)
	}
}

// TestSampleRefusesUnknownKey: a key to set that the schema does not have
// (or a whole section) is an error, never silently dropped.
func TestSampleRefusesUnknownKey(t *testing.T) {
	for _, key := range []string{"thresholds.max_finding", "thresholds", "nope"} {
		if _, err := Sample(map[string]any{key: 1}); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: err = %v", key, err)
		}
	}
}

// TestSampleLinesFit: comments are wrapped to the width.
func TestSampleLinesFit(t *testing.T) {
	out, err := Sample(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if n := len([]rune(line)); n > sampleWidth && strings.Contains(strings.TrimSpace(line), " ") {
			t.Errorf("%d characters: %q", n, line)
		}
	}
}
