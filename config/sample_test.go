package config

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
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
		// A key left null keeps its default: entries of a section whose
		// default is empty (by_kind), all null once uncommented, mean
		// nothing.
		got.Sections = withoutNulls(got.Sections, want.Sections).(map[string]any)
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

// TestSampleShapes: sections of every shape a schema may grow are written
// so that removing every "#" of a key gives YAML with each key in its
// place: a section that may not be left empty is commented out whole, a
// section inside it too, and the keys of entries and of free-form
// mappings are described.
func TestSampleShapes(t *testing.T) {
	const schema = `{"type": "object", "properties": {
	  "th": {"type": ["object", "null"], "properties": {
	    "by_kind": {"description": "Per kind.", "type": "object", "properties": {
	      "code": {"type": ["object", "null"], "properties": {"fail": {"type": ["string", "null"], "default": "high"}}},
	      "max": {"type": ["integer", "null"], "default": 3}}},
	    "by_tool": {"description": "Per tool.", "type": ["object", "null"], "additionalProperties": {
	      "type": "object", "properties": {"fail": {"description": "Fail at.", "type": "string"}}}, "default": {}},
	    "set_in": {"type": "object", "properties": {"x": {"type": "integer", "default": 1}}},
	    "list": {"type": ["array", "null"], "items": {"type": "object", "required": ["a"], "properties": {"a": {"description": "The a.", "type": "string"}}}, "default": []}}}}}`
	var r node
	if err := json.Unmarshal([]byte(schema), &r); err != nil {
		t.Fatal(err)
	}
	out, err := sampleOf(&r, map[string]any{"th.set_in.x": 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\n  #by_kind:\n", "\n    #code:\n", "\n      #fail: high\n", "\n    #max: 3\n",
		"\n  set_in:\n    x: 2\n", "\n  #  fail: Fail at.\n", "\n  #  a: The a.\n", "\n  #list: []\n", "\n  #by_tool: {}\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("sample lacks %q:\n%s", want, out)
		}
	}
	var commented, all map[string]any
	if err := yaml.Unmarshal(out, &commented); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if err := yaml.Unmarshal(commentedKey.ReplaceAll(out, []byte("$1$2")), &all); err != nil {
		t.Fatalf("uncommented: %v\n%s", err, out)
	}
	want := map[string]any{"th": map[string]any{
		"by_kind": map[string]any{"code": map[string]any{"fail": "high"}, "max": 3},
		"by_tool": map[string]any{}, "set_in": map[string]any{"x": 2}, "list": []any{}}}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("uncommented (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"th": map[string]any{"set_in": map[string]any{"x": 2}}}, commented); diff != "" {
		t.Errorf("as written (-want +got):\n%s", diff)
	}
}

// withoutNulls is got without the keys want lacks whose values are null,
// or mappings of nulls only.
func withoutNulls(got, want any) any {
	g, ok := got.(map[string]any)
	if !ok {
		return got
	}
	w, _ := want.(map[string]any)
	out := map[string]any{}
	for k, v := range g {
		wv, inWant := w[k]
		if !inWant && allNull(v) {
			continue
		}
		out[k] = withoutNulls(v, wv)
	}
	return out
}

func allNull(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return v == nil
	}
	for _, x := range m {
		if !allNull(x) {
			return false
		}
	}
	return true
}
