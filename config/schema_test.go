package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// TestSchemaIsValid: schema.json is a draft 2020-12 schema (compiling
// checks it against the meta-schema), and every key in it is described.
func TestSchemaIsValid(t *testing.T) {
	var raw map[string]any
	if err := json.Unmarshal(Schema, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v, want draft 2020-12", raw["$schema"])
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compile("schema.json"); err != nil {
		t.Fatalf("not a valid schema: %v", err)
	}
	if _, err := root(); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, s map[string]any)
	walk = func(path string, s map[string]any) {
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			p := p.(map[string]any)
			if d, _ := p["description"].(string); strings.TrimSpace(d) == "" {
				t.Errorf("%s%s: no description", path, name)
			}
			walk(path+name+".", p)
		}
		for _, k := range []string{"items", "additionalProperties"} {
			if sub, ok := s[k].(map[string]any); ok {
				walk(path, sub)
			}
		}
	}
	walk("", raw)
}

// TestGateKeysInSchema: every key Parse reads into Config (its yaml tags)
// is a top-level key of the schema, and every other top-level key is a
// section with defaults, so code and schema cannot drift apart.
func TestGateKeysInSchema(t *testing.T) {
	r, err := root()
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		if tag := typ.Field(i).Tag.Get("yaml"); tag != "-" {
			if tag == "" {
				t.Errorf("Config.%s: no yaml tag (a gate key names its key; anything else is yaml:\"-\")", typ.Field(i).Name)
			}
			tags = append(tags, tag)
		}
	}
	if len(tags) == 0 {
		t.Error("Config reads no gate key: policies, verification_key and severity_source are its fields")
	}
	for _, tag := range tags {
		if r.Properties.get(tag) == nil {
			t.Errorf("Config reads %q, which the schema does not describe", tag)
		}
	}
	d, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range r.Properties.names() {
		if !slices.Contains(tags, name) && d.Sections[name] == nil {
			t.Errorf("section %q: no default in the schema", name)
		}
	}
}

// TestDefaultsAreTheSchemas: Defaults are the schema's defaults, read here
// straight from schema.json: a key's default, a section of keys the
// defaults of its keys.
func TestDefaultsAreTheSchemas(t *testing.T) {
	var raw struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(Schema, &raw); err != nil {
		t.Fatal(err)
	}
	var fromSchema func(raw json.RawMessage) (any, bool)
	fromSchema = func(raw json.RawMessage) (any, bool) {
		var s struct {
			Default    json.RawMessage            `json:"default"`
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		if s.Default != nil {
			var v any
			if err := json.Unmarshal(s.Default, &v); err != nil {
				t.Fatal(err)
			}
			return v, true
		}
		out := map[string]any{}
		for k, p := range s.Properties {
			if v, ok := fromSchema(p); ok {
				out[k] = v
			}
		}
		return out, len(out) > 0
	}
	want := map[string]any{}
	for name, p := range raw.Properties {
		if gateKeys()[name] {
			continue
		}
		if v, ok := fromSchema(p); ok {
			want[name] = v
		}
	}
	d, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	// Compared as JSON: the schema's numbers are float64 here, int there.
	got, _ := json.Marshal(d.Sections)
	wantJSON, _ := json.Marshal(want)
	if diff := cmp.Diff(string(wantJSON), string(got)); diff != "" {
		t.Errorf("Defaults (-schema +got):\n%s", diff)
	}
	if r := d.Retention; r != (Retention{Reports: "90d", Decisions: "365d", SBOMs: "forever"}) {
		t.Errorf("retention: %+v", r)
	}
	if th := d.Sections["thresholds"].(map[string]any); th["max_findings"] != 20 {
		t.Errorf("thresholds.max_findings = %#v, want the int 20 (as YAML gives it)", th["max_findings"])
	}
	sla := DefaultSLADays()
	if diff := cmp.Diff(map[string]int{"critical": 7, "high": 30, "medium": 90, "low": 180, "info": 180, "unknown": 180}, sla); diff != "" {
		t.Errorf("DefaultSLADays (-want +got):\n%s", diff)
	}
}

// TestSchemaAcceptsConfigsInRepo: every secgate.yaml of the repository
// that loads (the examples, the fail-closed cases, the scripts' files)
// passes both Parse and the bare schema, as an editor checks it; every one
// that must be refused fails both.
func TestSchemaAcceptsConfigsInRepo(t *testing.T) {
	files := repoConfigs(t)
	// The files the repository holds to be refused: the fail-closed cases
	// whose output is a secgate.yaml error, and the scripts' bad files.
	refused := func(name string) bool {
		if dir, ok := strings.CutSuffix(name, "/secgate.yaml"); ok && strings.Contains(dir, "failclosed") {
			out, _ := os.ReadFile(filepath.Join(dir, "output"))
			return bytes.Contains(out, []byte("secgate.yaml: line"))
		}
		for _, bad := range []string{
			"check.txtar/typo.yaml", "check.txtar/badvalue.yaml", "check.txtar/baddate.yaml",
			"severity_source.txtar/bad.yaml", "config_schema.txtar/typo.yaml", "config_schema.txtar/wrongtype.yaml",
			"exceptions_aging.txtar/huge.yaml", "exceptions_aging.txtar/negative.yaml", "exceptions_aging.txtar/owner-list.yaml",
			"coverage_required.txtar/typo.yaml", "coverage_required.txtar/typo-tool.yaml", "coverage_required.txtar/typo-age.yaml",
			"ratchet.txtar/yes.yaml",
		} {
			if strings.HasSuffix(name, bad) {
				return true
			}
		}
		return false
	}
	nGood, nBad := 0, 0
	for name, data := range files {
		_, parseErr := Parse(data)
		editorErr := validateBare(data)
		if refused(name) {
			nBad++
			if parseErr == nil || editorErr == nil {
				t.Errorf("%s: must be refused: Parse: %v; schema: %v", name, parseErr, editorErr)
			}
			continue
		}
		nGood++
		if parseErr != nil {
			t.Errorf("%s: Parse: %v", name, parseErr)
		}
		if editorErr != nil {
			t.Errorf("%s: schema: %v", name, editorErr)
		}
	}
	if nGood < 15 || nBad < 8 {
		t.Errorf("%d files loaded, %d refused: the globs missed some", nGood, nBad)
	}
}

// repoConfigs are the secgate.yaml files the repository holds, by name:
// the examples, the fail-closed cases' and the scripts' files.
func repoConfigs(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	add := func(pattern string) {
		paths, err := filepath.Glob(pattern)
		if err != nil || len(paths) == 0 {
			t.Fatalf("%s: no files (%v)", pattern, err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files[filepath.ToSlash(p)] = b
		}
	}
	add("../examples/secgate*.yaml")
	add("../testdata/failclosed/*/secgate.yaml")
	scripts, err := filepath.Glob("../cmd/secgate/testdata/*/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scripts {
		a, err := txtar.ParseFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			if strings.HasSuffix(f.Name, ".yaml") {
				files[filepath.ToSlash(s)+"/"+f.Name] = f.Data
			}
		}
	}
	return files
}

// validateBare checks a YAML file against schema.json alone, as an editor
// does: decoded plainly, dates as written, with the compiler's defaults
// but formats asserted.
func validateBare(data []byte) error {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		return err
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		return err
	}
	return s.Validate(normalize(v))
}

const waiver = "exceptions:\n  - id: CVE-2021-1\n    reason: r\n    expires: 2027-01-01\n"

// typoCases are mistakes at each depth of the file, with the start of
// the message each gives.
var typoCases = []struct{ in, want string }{
	// A section.
	{"thresholds: {}\nlicence: {}\n", `line 2: unknown section "licence" (known: thresholds, licenses, dependencies, secrets, coverage, vex, exceptions, exceptions_warn_days, exceptions_unused, tickets, only_new, policies, verification_key, severity_source, history, retention)`},
	{"secrets: true\n", "line 1: secrets: want a mapping"},
	{"exceptions: {id: x}\n", "line 1: exceptions: want a list"},
	{"policies: builtin\n", `line 1: policies: want a list of policy sources, got a string "builtin"`},
	// A key of a section.
	{"\nvex:\n  problem: fail\n", "line 3: vex.problem: unknown key (known: problems)"},
	{"coverage:\n  incomplete: warm\n", `line 2: coverage.incomplete: "warm" is not one of fail, warn`},
	{"secrets:\n  enabled: \"false\"\n", `line 2: secrets.enabled: want true or false, got "false" (unquote it)`},
	{"thresholds:\n  warn_findings: 2.5\n", `line 2: thresholds.warn_findings: want a whole number, got "2.5"`},
	{"thresholds:\n  fail_epss_at: 5\n", "line 2: thresholds.fail_epss_at: want at most 1, got 5"},
	{"licenses:\n  ignore: [\"pkg:npm/{a\"]\n", `line 2: licenses.ignore: "pkg:npm/{a" is not a pattern (* is the wildcard): `},
	{"dependencies:\n  approvals: {}\n", "line 2: dependencies.approvals: want a list"},
	{"dependencies:\n  require_approval_for: [added, removed]\n", `line 2: dependencies.require_approval_for: "removed" is not one of added, upgraded, downgraded, license_changed`},
	{"only_new: \"true\"\n", `line 1: only_new: want true or false, got "true" (unquote it)`},
	{"licenses:\n  only_new: yes please\n", `line 2: licenses.only_new: want true or false, got "yes please"`},
	// A key of a key.
	{"tickets:\n  sla_days:\n    critcal: 3\n", "line 3: tickets.sla_days.critcal: unknown key (known: critical, high, medium, low, info, unknown)"},
	{"tickets:\n  sla_days:\n    high: soon\n", `line 3: tickets.sla_days.high: want a number, got "soon"`},
	{"tickets:\n  sla_days:\n    low: -1\n", "line 3: tickets.sla_days.low: want at least 0, got -1"},
	{"licenses:\n  aliases:\n    GPLv2: {id: GPL-2.0}\n", `line 3: licenses.aliases: "GPLv2": want an SPDX expression, got a mapping`},
	// Thresholds by kind and by tool: a kind is one of the five, a tool
	// any name, and their keys those of the section they override.
	{"thresholds:\n  by_kind:\n    vulnerabilities: {fail_severity: none}\n", "line 3: thresholds.by_kind.vulnerabilities: unknown key (known: vulnerability, code, secret, misconfiguration, license)"},
	{"thresholds:\n  by_kind:\n    code: {fail_severty: none}\n", "line 3: thresholds.by_kind.code.fail_severty: unknown key (known: fail_severity, warn_severity, count_from)"},
	{"thresholds:\n  by_tool:\n    semgrep: {max_findings: 3}\n", "line 3: thresholds.by_tool: \"semgrep\".max_findings: unknown key (known: fail_severity, warn_severity, count_from)"},
	{"thresholds:\n  by_tool:\n    semgrep: {fail_severity: lowest}\n", `line 3: thresholds.by_tool: "semgrep".fail_severity: "lowest" is not one of`},
	{"thresholds:\n  count_from: all\n", `line 2: thresholds.count_from: "all" is not one of`},
	{"thresholds:\n  ignore_unfixed: yes please\n", `line 2: thresholds.ignore_unfixed: want true or false`},
	// A key of a list entry.
	{waiver + "  - rule: x\n    reason: r\n    expires: 2027-01-01\n    approver: me\n", "line 8: exceptions: approver: unknown key (known: id, rule, purl, reason, expires, owner, ticket, justification)"},
	{waiver + "  - rule: x\n    reason: [r]\n    expires: 2027-01-01\n", "line 6: exceptions: reason: want a string, got a list"},
	{waiver + "  - rule: x\n    reason: r\n    expires: 2027-02-29\n", `line 7: exceptions: expires: "2027-02-29" is not a date`},
	{"dependencies:\n  approvals:\n    - match: \"*\"\n      approved_by: 42\n      expires: 2027-01-01\n      reason: r\n", `line 4: dependencies.approvals: approved_by: want a string, got "42" (quote it)`},
	// Before the schema: a key given twice, an alias.
	{"tickets:\n  sla_days:\n    high: 3\n    high: 4\n", "line 4: tickets.sla_days.high: given twice (first on line 3)"},
	{"licenses:\n  aliases:\n    MIT: MIT\n    MIT: ISC\n", `line 4: licenses.aliases: "MIT": given twice (first on line 3)`},
	{"thresholds: &t {}\nvex: *t\n", "line 2: vex: YAML aliases (*t) are not supported: write the value out"},
}

// TestTypoAtEachDepth: a mistake at any depth fails at load with one line
// naming the file, the line and the problem.
func TestTypoAtEachDepth(t *testing.T) {
	dir := t.TempDir()
	for _, c := range typoCases {
		path := filepath.Join(dir, "secgate.yaml")
		if err := os.WriteFile(path, []byte(c.in), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		want := path + ": " + c.want
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q:\n err = %v\nwant one line starting %q", c.in, err, want)
		}
	}
}

// unusualProblems are files with problems of each kind of schema error.
var unusualProblems = []string{
	"thresholds:\n  only_new: 1\n",
	"licenses:\n  deny_categories: [5]\n",
	"licenses:\n  allow: [\"MIT AND ISC\"]\n",
	"exceptions:\n  - purl: \"\"\n    reason: r\n    expires: 2027-01-01\n",
	"exceptions:\n  - id: a\n    rule: b\n    purl: c\n    reason: r\n    expires: 2027-01-01\n",
	"exceptions:\n  - {}\n",
	"severity_source: [[nvd]]\n",
	"verification_key: {a: b}\n",
	"tickets: []\n",
}

// TestEveryProblemIsWorded: no schema error reaches the user in the
// validator's own words (or without a line).
func TestEveryProblemIsWorded(t *testing.T) {
	line := regexp.MustCompile(`^line [1-9][0-9]*: [a-z"]`)
	for _, in := range unusualProblems {
		_, err := Parse([]byte(in))
		if err == nil || !line.MatchString(err.Error()) || strings.Contains(err.Error(), "jsonschema") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: err = %v", in, err)
		}
	}
}

// TestFirstProblemIsDeterministic: of several problems on one line, the
// leftmost is reported, every time.
func TestFirstProblemIsDeterministic(t *testing.T) {
	const in = "thresholds: {zeta: 1, alpha: 2, max_findings: x}\n"
	for range 20 {
		_, err := Parse([]byte(in))
		if err == nil || !strings.HasPrefix(err.Error(), "line 1: thresholds.zeta: unknown key") {
			t.Fatalf("err = %v, want the first key, zeta", err)
		}
	}
}
