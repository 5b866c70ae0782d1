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

// parseErrorCases are files Parse refuses, with a part of the message.
var parseErrorCases = map[string]string{
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
	"coverage:\n  scan_errors: maybe\n":                                  `line 2: coverage.scan_errors: "maybe" is not one of`,
	"coverage:\n  incomplete: ignore\n":                                  `"ignore" is not one of fail, warn`,
}

func TestParseErrors(t *testing.T) {
	for in, want := range parseErrorCases {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
	for _, in := range []string{"", "# only comments\n", "---\n", "~\n"} {
		if c, err := Parse([]byte(in)); err != nil || c.Sections["thresholds"] == nil {
			t.Errorf("%q: an empty file is the defaults: %v", in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("thresholds:\n  fail_severity: high\nexceptions:\n  - id: x\n    reason: y\n    expires: 2027-01-01\n"))
	f.Add([]byte("licenses: {allow: [MIT], unknown: fail}\n"))
	f.Add([]byte("thresholds:\n  fail_severity:\nexceptions:\n  - id: x\n    purl: \"pkg:npm/*\"\n"))
	f.Add([]byte("dependencies:\n  approvals:\n    - match: x\n      approved_by: y\n      expires: 2027-01-01\n      reason: z\nsecrets:\n"))
	defaults, err := Defaults()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		if c.Sections == nil {
			t.Fatal("no error and no sections")
		}
		// Configuration alone never takes a policy's section away.
		for name, d := range defaults.Sections {
			if _, isMap := d.(map[string]any); isMap {
				if _, ok := c.Sections[name].(map[string]any); !ok {
					t.Fatalf("section %s is %#v, want a mapping", name, c.Sections[name])
				}
			}
		}
	})
}

// A section whose keys are all commented out is null in YAML: it keeps
// the defaults instead of switching the policy off.
func TestParseEmptySectionKeepsDefaults(t *testing.T) {
	for _, in := range []string{
		"thresholds:\n  # fail_severity: high\n  # max_findings: 20\n",
		"thresholds: ~\n",
		"thresholds: null\n",
		"thresholds: {}\n",
		"thresholds:\nexceptions:\ndependencies:\nsecrets:\nlicenses:\ntickets:\n",
	} {
		c, err := Parse([]byte(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		th, ok := c.Sections["thresholds"].(map[string]any)
		if !ok || th["fail_severity"] != "high" || th["max_findings"] != 20 {
			t.Errorf("%q: thresholds = %#v, want the defaults", in, c.Sections["thresholds"])
		}
		if exc, ok := c.Sections["exceptions"].([]any); !ok || len(exc) != 0 {
			t.Errorf("%q: exceptions = %#v, want []", in, c.Sections["exceptions"])
		}
		if s, ok := c.Sections["secrets"].(map[string]any); !ok || s["enabled"] != true {
			t.Errorf("%q: secrets = %#v, want enabled", in, c.Sections["secrets"])
		}
	}
}

// A key left empty keeps its default too: `fail_severity:` does not mean
// "never fail".
func TestParseNullKeyKeepsDefault(t *testing.T) {
	c, err := Parse([]byte("thresholds:\n  fail_severity:\n  max_findings: 5\nsecrets:\n  enabled: ~\nlicenses:\n  deny:\ntickets:\n  sla_days:\n    critical: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	th := c.Sections["thresholds"].(map[string]any)
	if th["fail_severity"] != "high" || th["max_findings"] != 5 {
		t.Errorf("thresholds = %v", th)
	}
	if c.Sections["secrets"].(map[string]any)["enabled"] != true {
		t.Errorf("secrets.enabled: empty must keep the default true")
	}
	if deny, _ := c.Sections["licenses"].(map[string]any)["deny"].([]any); len(deny) == 0 {
		t.Errorf("licenses.deny: empty must keep the default list")
	}
	sla := c.Sections["tickets"].(map[string]any)["sla_days"].(map[string]any)
	if sla["critical"] != 3 || sla["high"] != 30 {
		t.Errorf("tickets.sla_days = %v, want critical 3 over the other defaults", sla)
	}
	d, _ := Defaults()
	if d.Sections["thresholds"].(map[string]any)["max_findings"] != 20 {
		t.Error("Parse changed the defaults it started from")
	}
}

func TestParseSectionGivenTwice(t *testing.T) {
	for in, want := range map[string]string{
		"thresholds:\n  fail_severity: critical\nthresholds:\n":                       "line 3: thresholds: given twice (first on line 1)",
		"thresholds:\n  fail_severity: critical\n  fail_severity: none\n":             "line 3: thresholds.fail_severity: given twice (first on line 2)",
		"exceptions:\n  - id: x\n    id: y\n    reason: r\n    expires: 2027-01-01\n": "line 3: exceptions: id: given twice",
	} {
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: err = %v, want one line with %q", in, err, want)
		}
	}
}

// entryRest ends an exception: its reason and expiry.
const entryRest = "    reason: r\n    expires: 2027-01-01\n"

// entryErrorCases are exceptions and approvals Parse refuses, with a part
// of the message.
var entryErrorCases = map[string]string{
	"exceptions:\n  - cve: CVE-2021-1\n" + entryRest:                                                                                "line 2: exceptions: cve: unknown key (known: id, rule, purl, reason, expires, owner, ticket, justification)",
	"exceptions:\n  - purl: pkg:npm/*\n    severity: low\n" + entryRest:                                                             "line 3: exceptions: severity: unknown key",
	"exceptions:\n  - id: CVE-2021-1\n    expires: 2027-01-01\n":                                                                    "line 2: exceptions: missing reason",
	"exceptions:\n  - id: CVE-2021-1\n    reason: r\n":                                                                              "line 2: exceptions: missing expires",
	"exceptions:\n  - id: CVE-2021-1\n    reason:\n    expires: 2027-01-01\n":                                                       "line 3: exceptions: reason: empty",
	"exceptions:\n  - id: CVE-2021-1\n    reason: \"  \"\n    expires: 2027-01-01\n":                                                "line 3: exceptions: reason: empty",
	"exceptions:\n  - reason: r\n    expires: 2027-01-01\n":                                                                         "line 2: exceptions: names nothing to match",
	"exceptions:\n  - id: CVE-2021-1\n    purl: pkg:npm/*\n" + entryRest:                                                            "line 2: exceptions: gives both id and purl",
	"exceptions:\n  - id: 1227\n" + entryRest:                                                                                       `line 2: exceptions: id: want a string, got "1227"`,
	"exceptions:\n  - CVE-2021-1\n":                                                                                                 "line 2: exceptions: want a mapping",
	"exceptions:\n  - id: x\n    reason: r\n    expires: 2027-02-30\n":                                                              "is not a date",
	"dependencies:\n  approvals:\n    - match: pkg:npm/axios@*\n      expires: 2027-01-01\n      reason: r\n":                       "line 3: dependencies.approvals: missing approved_by",
	"dependencies:\n  approvals:\n    - match: x\n      approved_by: me\n      expires: 2027-1-1\n      reason: r\n":                "line 5: dependencies.approvals: expires: want a date YYYY-MM-DD",
	"dependencies:\n  approvals:\n    - match: x\n      approver: me\n      expires: 2027-01-01\n      reason: r\n":                 "line 4: dependencies.approvals: approver: unknown key (known: match, approved_by, expires, reason, owner, ticket)",
	"exceptions:\n  - purl: \"pkg:npm/[abc\"\n" + entryRest:                                                                         `line 2: exceptions: purl: "pkg:npm/[abc" is not a pattern`,
	"dependencies:\n  approvals:\n    - match: \"pkg:npm/{a\"\n      approved_by: me\n      expires: 2027-01-01\n      reason: r\n": "line 3: dependencies.approvals: match: \"pkg:npm/{a\" is not a pattern",
	"dependencies:\n  approvals:\n    - approved_by: me\n      expires: 2027-01-01\n      reason: r\n":                              "missing match",
	// A waiver's owner and ticket are strings: a mapping or a list cannot
	// pass for one in what the warnings and the decision show.
	"exceptions:\n  - id: CVE-2021-1\n    owner: {name: alice}\n" + entryRest:                                                             "line 3: exceptions: owner: want a string",
	"exceptions:\n  - id: CVE-2021-1\n    ticket: [SEC-12]\n" + entryRest:                                                                 "line 3: exceptions: ticket: want a string",
	"exceptions:\n  - id: CVE-2021-1\n    owner: 12\n" + entryRest:                                                                        `line 3: exceptions: owner: want a string, got "12"`,
	"exceptions:\n  - id: CVE-2021-1\n    owner: \"\"\n" + entryRest:                                                                      "line 3: exceptions: owner: empty",
	"exceptions:\n  - id: CVE-2021-1\n    justification: not_reachable\n" + entryRest:                                                     "line 3: exceptions: justification:",
	"dependencies:\n  approvals:\n    - match: x\n      approved_by: me\n      owner: true\n      expires: 2027-01-01\n      reason: r\n": "line 5: dependencies.approvals: owner: want a string",
	"exceptions_warn_days: -1\n":     "line 1: exceptions_warn_days:",
	"exceptions_warn_days: 100000\n": "line 1: exceptions_warn_days:",
	"exceptions_warn_days: soon\n":   "line 1: exceptions_warn_days:",
	"exceptions_unused: error\n":     "line 1: exceptions_unused:",
}

// Exceptions and approvals are checked like thresholds: an entry that
// says more or less than its contract is an error with its line.
func TestParseExceptionAndApprovalErrors(t *testing.T) {
	for in, want := range entryErrorCases {
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q:\n err = %v\nwant one line with %q", in, err, want)
		}
	}
	c, err := Parse([]byte("exceptions:\n  - rule: go/sql-injection\n" + entryRest + "  - purl: \"pkg:npm/*\"\n" + entryRest +
		"dependencies:\n  approvals:\n    - match: pkg:npm/axios@*\n      approved_by: security-team\n      expires: 2027-01-01\n      reason: r\n"))
	if err != nil {
		t.Fatalf("valid exceptions and approvals: %v", err)
	}
	if n := len(c.Sections["exceptions"].([]any)); n != 2 {
		t.Errorf("%d exceptions, want 2", n)
	}
}

// TestCoverageSettings: the coverage section's words are read; the
// defaults fail incomplete scans and warn on scan errors.
func TestCoverageSettings(t *testing.T) {
	c, err := Parse([]byte("coverage:\n  scan_errors: fail\n"))
	if err != nil {
		t.Fatal(err)
	}
	cov := c.Sections["coverage"].(map[string]any)
	if cov["scan_errors"] != "fail" || cov["incomplete"] != "fail" {
		t.Errorf("coverage = %v", cov)
	}
	d, _ := Defaults()
	if def := d.Sections["coverage"].(map[string]any); def["scan_errors"] != "warn" || def["incomplete"] != "fail" {
		t.Errorf("defaults = %v", def)
	}
}

// TestCoverageRequired: coverage.required is read as written, stage by
// stage, and a kind, tool or age it does not know is an error on its line,
// never a requirement that silently requires nothing.
func TestCoverageRequired(t *testing.T) {
	c, err := Parse([]byte("coverage:\n  required:\n    release:\n      - kind: sbom\n        max_age: 7d\n      - tool: semgrep\n    \"*\":\n      - kind: secrets\n    nightly-build:\n"))
	if err != nil {
		t.Fatal(err)
	}
	req := c.Sections["coverage"].(map[string]any)["required"].(map[string]any)
	release := req["release"].([]any)
	if len(release) != 2 || release[0].(map[string]any)["max_age"] != "7d" || release[1].(map[string]any)["tool"] != "semgrep" {
		t.Errorf("release = %v", release)
	}
	if len(req["*"].([]any)) != 1 {
		t.Errorf("* = %v", req["*"])
	}
	d, _ := Defaults()
	if def := d.Sections["coverage"].(map[string]any)["required"]; len(def.(map[string]any)) != 0 {
		t.Errorf("default required = %v, want {}", def)
	}
	for _, tc := range []struct{ in, want string }{
		{"      - kind: sbomm\n", `line 4: coverage.required: "release": kind: "sbomm" is not one of sbom, vulnerabilities, secrets, sast, misconfigurations`},
		{"      - kind: SBOM\n", `line 4: coverage.required: "release": kind: "SBOM" is not one of sbom,`},
		{"      - tool: semgrp\n", `line 4: coverage.required: "release": tool: "semgrp" is not one of bandit,`},
		{"      - kind: sbom\n        tool: syft\n", `line 4: coverage.required: "release": gives both kind and tool; give one; each requirement needs one of kind`},
		{"      - max_age: 7d\n", `line 4: coverage.required: "release": names nothing to match; each requirement needs one of kind`},
		{"      - kind: sbom\n        max_age: 7 days\n", `line 5: coverage.required: "release": max_age: want days (7d), weeks (2w) or hours (36h), or forever; got "7 days"`},
		{"      - kind: sbom\n        max_age: 0d\n", `line 5: coverage.required: "release": max_age: want days (7d), weeks (2w) or hours (36h), or forever; got "0d"`},
		{"      - kind: sbom\n        max_age: 30m\n", `line 5: coverage.required: "release": max_age: want days (7d), weeks (2w) or hours (36h), or forever; got "30m"`},
		{"      - kind: sbom\n        max_age: +7d\n", `line 5: coverage.required: "release": max_age: want days (7d), weeks (2w) or hours (36h), or forever; got "+7d"`},
		{"      - kind: sbom\n        maxage: 7d\n", `line 5: coverage.required: "release": maxage: unknown key (known: kind, tool, max_age)`},
		{"      sbom\n", `line 4: coverage.required: "release": want a list`},
	} {
		_, err := Parse([]byte("coverage:\n  required:\n    release:\n" + tc.in))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %s…", tc.in, err, tc.want)
		}
	}
	// retention's ages are the same values, worded alike.
	if _, err := Parse([]byte("retention:\n  reports: 90 days\n")); err == nil || err.Error() != `line 2: retention.reports: want days (7d), weeks (2w) or hours (36h), or forever; got "90 days"` {
		t.Errorf("retention: err = %v", err)
	}
}
