package config

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	c, err := Parse([]byte(`
thresholds:
  fail_severity: critical
  max_findings: 5
licenses:
  allow: [MIT]
exceptions:
  - id: CVE-2021-1
    reason: r
    expires: 2027-01-31
severity_source: [nvd, tool]
policies: [builtin, policy/]
`))
	if err != nil {
		t.Fatal(err)
	}
	th := c.Sections["thresholds"].(map[string]any)
	if th["fail_severity"] != "critical" || th["max_findings"] != 5 || th["warn_severity"] != "medium" {
		t.Errorf("thresholds = %v (defaults must stay for keys not given)", th)
	}
	exc := c.Sections["exceptions"].([]any)
	if exc[0].(map[string]any)["expires"] != "2027-01-31" {
		t.Errorf("a YAML date must stay a YYYY-MM-DD string: %#v", exc[0])
	}
	if strings.Join(c.SeveritySource, ",") != "nvd,tool" || strings.Join(c.Policies, ",") != "builtin,policy/" {
		t.Errorf("gate keys: %v %v", c.SeveritySource, c.Policies)
	}
	if d := c.Data()["secgate"].(map[string]any)["config"]; d == nil {
		t.Error("Data must hold the sections under secgate.config")
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"thresholds:\n  fail_severty: high\n":               "line 2: thresholds.fail_severty: unknown key",
		"thresholds:\n  fail_severity: severe\n":            `"severe" is not one of`,
		"thresholds:\n  max_findings: many\n":               "thresholds.max_findings: want a number",
		"licences:\n  allow: [MIT]\n":                       `unknown section "licences"`,
		"licenses:\n  allow: MIT\n":                         "licenses.allow: want a list",
		"licenses:\n  deny_categories: [copyleft]\n":        `"copyleft" is not one of`,
		"licenses:\n  allow: [MIT, \"MIT OR ISC\"]\n":       `line 2: licenses.allow: "MIT OR ISC" is an expression; list each licence on its own`,
		"licenses:\n  deny:\n    - GPL-2.0 AND MIT\n":       `line 3: licenses.deny: "GPL-2.0 AND MIT" is an expression`,
		"licenses:\n  aliases: [MIT]\n":                     "licenses.aliases: want a mapping",
		"licenses:\n  aliases:\n    MIT/X11: [MIT]\n":       `line 3: licenses.aliases: "MIT/X11": want an SPDX expression, got a list`,
		"licenses:\n  aliases: {Apache 2: 2.0}\n":           `"Apache 2": want an SPDX expression, got a number "2.0"`,
		"exceptions:\n  - id: x\n    expires: 31/01/2027\n": "want a date YYYY-MM-DD",
		"exceptions:\n  - id: x\n    expires: 2027-13-45\n": "is not a date",
		"- a\n- b\n":      "want a mapping of sections",
		"thresholds: [\n": "malformed YAML",
		"dependencies:\n  approvals:\n    - match: x\n      expires: soon\n": "want a date",
	}
	for in, want := range cases {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
	if c, err := Parse(nil); err != nil || c.Sections["thresholds"] == nil {
		t.Errorf("an empty file is the defaults: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("thresholds:\n  fail_severity: high\nexceptions:\n  - id: x\n    reason: y\n    expires: 2027-01-01\n"))
	f.Add([]byte("licenses: {allow: [MIT], unknown: fail}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err == nil && c.Sections == nil {
			t.Fatal("no error and no sections")
		}
	})
}
