// Package config reads secgate.yaml: the configuration of the built-in
// policies (one section each; the keys and defaults are those of
// policies/defaults.yaml) and of the gate itself. Unknown keys, values of
// the wrong type and malformed dates are errors with the line they are on,
// so a typo never silently turns a policy off. A section or key left
// empty (null) keeps its default, for the same reason. Exceptions and
// approvals are held to their contract: the keys they may have, the keys
// they must have.
package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gobwas/glob"
	"gopkg.in/yaml.v3"

	"github.com/secgate/secgate/internal/limitread"
	"github.com/secgate/secgate/policies"
)

// DefaultFile is read when present and no --config is given.
const DefaultFile = "secgate.yaml"

// Bounds on the files this package reads whole. A file over its bound is
// refused, and one that is no regular file (a FIFO, /dev/zero, a symlink
// to either) is read only up to it.
const (
	// MaxFileSize bounds secgate.yaml: hundreds of times a large one.
	MaxFileSize int64 = 16 << 20
	// MaxDataFileSize bounds a policy data file (-d), as a policy bundle
	// and the data in it are bounded.
	MaxDataFileSize int64 = 64 << 20
)

// Config is a loaded secgate.yaml.
type Config struct {
	// Path is the file read, or "" for the defaults alone.
	Path string
	// Sections are the policies' data: the defaults with the file's values
	// laid over them. Policies see it as data.secgate.config.
	Sections map[string]any
	// Policies are policy sources named in the file (key "policies").
	Policies []string
	// VerificationKey is the public key bundles must be signed with.
	VerificationKey string
	// SeveritySource orders the sources whose rating wins over the highest
	// stated severity: score sources (nvd, ghsa, redhat …) or "tool".
	SeveritySource []string
}

// gateKeys are top-level keys that configure secgate, not a policy.
var gateKeys = map[string]bool{"policies": true, "verification_key": true, "severity_source": true}

// enums lists the allowed values of keys that take one of a few words.
var enums = map[string][]string{
	"thresholds.fail_severity": {"critical", "high", "medium", "low", "info", "unknown", "none"},
	"thresholds.warn_severity": {"critical", "high", "medium", "low", "info", "unknown", "none"},
	"thresholds.unknown_as":    {"critical", "high", "medium", "low", "info", "none"},
	"licenses.unknown":         {"fail", "warn", "ignore"},
	"vex.problems":             {"fail", "warn", "ignore"},
	"licenses.deny_categories": {"strong-copyleft", "network-copyleft", "weak-copyleft"},
	"coverage.incomplete":      {"fail", "warn"},
	"coverage.scan_errors":     {"fail", "warn", "ignore"},
}

// licenceLists hold one licence an entry: an SPDX id (with an exception)
// or a name, never an expression.
var licenceLists = map[string]bool{"licenses.allow": true, "licenses.deny": true}

// dateKeys are list entry keys that hold a YYYY-MM-DD date.
var dateKeys = map[string]bool{"expires": true}

// entryRule says what each entry of a list of mappings holds: the keys it
// may have, the keys it must have (each a non-empty string), and keys of
// which it must have exactly one.
type entryRule struct {
	keys, required, oneOf []string
	// patterns are keys whose value is a pattern with * as wildcard, as
	// the policies match it (glob.match without delimiters).
	patterns []string
	// needs is the contract, for messages.
	needs string
}

// entries are the lists whose entries are waivers or approvals: an entry
// that says more or less than its contract is an error, never an entry
// that silently waives more than meant (or nothing).
var entries = map[string]entryRule{
	"exceptions": {
		keys:     []string{"id", "rule", "purl", "reason", "expires"},
		required: []string{"reason", "expires"},
		oneOf:    []string{"id", "rule", "purl"},
		patterns: []string{"purl"},
		needs:    "each exception needs one of id, rule or purl, a reason and expires (YYYY-MM-DD)",
	},
	"dependencies.approvals": {
		keys:     []string{"match", "approved_by", "expires", "reason"},
		required: []string{"match", "approved_by", "expires", "reason"},
		patterns: []string{"match"},
		needs:    "each approval needs match, approved_by, expires (YYYY-MM-DD) and reason",
	},
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Defaults returns the configuration with no file.
func Defaults() (*Config, error) {
	d, err := policies.Defaults()
	if err != nil {
		return nil, err
	}
	return &Config{Sections: d}, nil
}

// Load reads path. A missing file is an error; use Find for the optional
// default file.
func Load(path string) (*Config, error) {
	data, err := limitread.File(path, MaxFileSize)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// Find loads ./secgate.yaml when it exists, else the defaults.
func Find() (*Config, error) {
	if _, err := os.Stat(DefaultFile); err == nil {
		return Load(DefaultFile)
	}
	return Defaults()
}

// Parse reads a secgate.yaml document.
func Parse(data []byte) (*Config, error) {
	c, err := Defaults()
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("malformed YAML: %w", err)
	}
	if len(root.Content) == 0 {
		return c, nil // an empty file: defaults
	}
	doc := root.Content[0]
	if doc.Tag == "!!null" {
		return c, nil // a document with nothing in it (---, ~): defaults
	}
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want a mapping of sections (thresholds, licenses, …)", doc.Line)
	}
	defaults, err := policies.DefaultsNode()
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if first, ok := seen[k.Value]; ok {
			return nil, fmt.Errorf("line %d: %s: given twice (first on line %d)", k.Line, k.Value, first)
		}
		seen[k.Value] = k.Line
		switch k.Value {
		case "policies":
			if err := v.Decode(&c.Policies); err != nil {
				return nil, fmt.Errorf("line %d: policies: want a list of policy sources", v.Line)
			}
			continue
		case "severity_source":
			if err := v.Decode(&c.SeveritySource); err != nil {
				return nil, fmt.Errorf("line %d: severity_source: want a list such as [nvd, ghsa, tool]", v.Line)
			}
			continue
		case "verification_key":
			if v.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: verification_key: want a file name", v.Line)
			}
			c.VerificationKey = v.Value
			continue
		}
		def := mappingValue(defaults.Content[0], k.Value)
		if def == nil {
			return nil, fmt.Errorf("line %d: unknown section %q (known: %s)", k.Line, k.Value, strings.Join(sectionNames(defaults.Content[0]), ", "))
		}
		if err := check(k.Value, def, v); err != nil {
			return nil, err
		}
		var val any
		if err := v.Decode(&val); err != nil {
			// yaml's type errors list one problem a line.
			return nil, fmt.Errorf("line %d: %s: %s", v.Line, k.Value, strings.Join(strings.Fields(err.Error()), " "))
		}
		// A section left empty (every key commented out) keeps its
		// defaults; so does a key left empty inside one.
		c.Sections[k.Value] = overlay(c.Sections[k.Value], normalize(val), def)
	}
	return c, nil
}

// overlay lays a user value over its default: null keeps the default, a
// mapping with known keys is laid over key by key, anything else replaces
// it. def is the default's node: a free-form mapping (an empty default)
// is replaced as a whole.
func overlay(dflt, user any, def *yaml.Node) any {
	if user == nil {
		return dflt
	}
	dm, ok1 := dflt.(map[string]any)
	um, ok2 := user.(map[string]any)
	if !ok1 || !ok2 || def == nil || def.Kind != yaml.MappingNode || len(def.Content) == 0 {
		return user
	}
	out := make(map[string]any, len(dm))
	for k, v := range dm {
		out[k] = v
	}
	for k, v := range um {
		out[k] = overlay(dm[k], v, mappingValue(def, k))
	}
	return out
}

// Data is the policies' view of the configuration: {"secgate": {"config": sections}}.
func (c *Config) Data() map[string]any {
	return map[string]any{"secgate": map[string]any{"config": c.Sections}}
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func sectionNames(m *yaml.Node) []string {
	var names []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		names = append(names, m.Content[i].Value)
	}
	for k := range gateKeys {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// check compares a user value with the default's shape: the same kind of
// node, known keys, allowed words and dates.
func check(path string, def, v *yaml.Node) error {
	if v.Tag == "!!null" {
		return nil
	}
	switch def.Kind {
	case yaml.MappingNode:
		if v.Kind != yaml.MappingNode {
			return fmt.Errorf("line %d: %s: want a mapping", v.Line, path)
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, vv := v.Content[i], v.Content[i+1]
			if first, ok := seen[k.Value]; ok {
				return fmt.Errorf("line %d: %s.%s: given twice (first on line %d)", k.Line, path, k.Value, first)
			}
			seen[k.Value] = k.Line
			d := mappingValue(def, k.Value)
			if d == nil {
				if len(def.Content) == 0 {
					// A free-form mapping: licenses.aliases maps names to
					// licence expressions.
					if path == "licenses.aliases" && (vv.Kind != yaml.ScalarNode || vv.Tag != "!!str") {
						return fmt.Errorf("line %d: %s: %q: want an SPDX expression, got %s", vv.Line, path, k.Value, kindOf(vv))
					}
					continue
				}
				return fmt.Errorf("line %d: %s.%s: unknown key (known: %s)", k.Line, path, k.Value, strings.Join(keys(def), ", "))
			}
			if err := check(path+"."+k.Value, d, vv); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		if v.Kind != yaml.SequenceNode {
			return fmt.Errorf("line %d: %s: want a list", v.Line, path)
		}
		for _, item := range v.Content {
			if err := checkLicence(path, item); err != nil {
				return err
			}
			if err := checkItem(path, item); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: %s: want a single value", v.Line, path)
		}
		if def.Tag != "!!null" && def.Tag != v.Tag && !(isNumber(def.Tag) && isNumber(v.Tag)) {
			return fmt.Errorf("line %d: %s: want %s, got %q", v.Line, path, kindName(def.Tag), v.Value)
		}
		if allowed, ok := enums[path]; ok && !slices.Contains(allowed, v.Value) {
			return fmt.Errorf("line %d: %s: %q is not one of %s", v.Line, path, v.Value, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// checkItem checks one entry of a list: words against enums, dates, and
// waivers and approvals against their contract.
func checkItem(path string, item *yaml.Node) error {
	if allowed, ok := enums[path]; ok && (item.Kind != yaml.ScalarNode || !slices.Contains(allowed, item.Value)) {
		return fmt.Errorf("line %d: %s: %q is not one of %s", item.Line, path, item.Value, strings.Join(allowed, ", "))
	}
	rule, strict := entries[path]
	if item.Kind != yaml.MappingNode {
		if strict {
			return fmt.Errorf("line %d: %s: want a mapping: %s", item.Line, path, rule.needs)
		}
		return nil
	}
	given := map[string]bool{}
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		if strict {
			if !slices.Contains(rule.keys, k.Value) {
				return fmt.Errorf("line %d: %s: %s: unknown key (known: %s)", k.Line, path, k.Value, strings.Join(rule.keys, ", "))
			}
			if given[k.Value] {
				return fmt.Errorf("line %d: %s: %s: given twice in one entry", k.Line, path, k.Value)
			}
			if v.Tag == "!!null" || (v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) == "") {
				return fmt.Errorf("line %d: %s: %s: empty; %s", k.Line, path, k.Value, rule.needs)
			}
			given[k.Value] = true
		}
		if dateKeys[k.Value] {
			if v.Kind != yaml.ScalarNode || !dateRE.MatchString(v.Value) {
				return fmt.Errorf("line %d: %s: %s: want a date YYYY-MM-DD, got %q", v.Line, path, k.Value, v.Value)
			}
			if _, err := time.Parse("2006-01-02", v.Value); err != nil {
				return fmt.Errorf("line %d: %s: %s: %q is not a date", v.Line, path, k.Value, v.Value)
			}
		} else if strict && (v.Kind != yaml.ScalarNode || v.Tag != "!!str") {
			return fmt.Errorf("line %d: %s: %s: want a string, got %s (quote it)", v.Line, path, k.Value, nodeText(v))
		}
		if strict && slices.Contains(rule.patterns, k.Value) {
			if _, err := glob.Compile(v.Value); err != nil {
				return fmt.Errorf("line %d: %s: %s: %q is not a pattern (* is the wildcard): %v", v.Line, path, k.Value, v.Value, err)
			}
		}
	}
	if !strict {
		return nil
	}
	for _, k := range rule.required {
		if !given[k] {
			return fmt.Errorf("line %d: %s: missing %s; %s", item.Line, path, k, rule.needs)
		}
	}
	var named []string
	for _, k := range rule.oneOf {
		if given[k] {
			named = append(named, k)
		}
	}
	switch {
	case len(rule.oneOf) > 0 && len(named) == 0:
		return fmt.Errorf("line %d: %s: names nothing to match; %s", item.Line, path, rule.needs)
	case len(named) > 1:
		return fmt.Errorf("line %d: %s: gives both %s and %s; give one (an entry matches what any of them matches, so two would waive more than either)", item.Line, path, named[0], named[1])
	}
	return nil
}

// nodeText shows a node in a message: a scalar as written, else its kind.
func nodeText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "an alias"
}

func keys(m *yaml.Node) []string {
	var out []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value)
	}
	return out
}

// checkLicence checks an entry of a licence list: one licence, not an
// expression.
func checkLicence(path string, item *yaml.Node) error {
	if !licenceLists[path] || item.Kind != yaml.ScalarNode {
		return nil
	}
	for _, w := range strings.Fields(item.Value) {
		if w == "AND" || w == "OR" {
			return fmt.Errorf("line %d: %s: %q is an expression; list each licence on its own", item.Line, path, item.Value)
		}
	}
	return nil
}

// kindOf names what a YAML node holds, for an error message.
func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%s %q", kindName(n.Tag), n.Value)
}

func isNumber(tag string) bool { return tag == "!!int" || tag == "!!float" }

func kindName(tag string) string {
	switch tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "true or false"
	case "!!str":
		return "a string"
	}
	return strings.TrimPrefix(tag, "!!")
}

// normalize turns YAML's decoded values into JSON's: timestamps become
// dates, integer maps keys strings.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			x[k] = normalize(vv)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, vv := range x {
			m[fmt.Sprint(k)] = normalize(vv)
		}
		return m
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339)
	}
	return v
}

// ReadDataFile reads a policy data file (-d) of at most MaxDataFileSize
// bytes. Its errors are those of limitread.File.
func ReadDataFile(path string) ([]byte, error) {
	return limitread.File(path, MaxDataFileSize)
}

// DecodeData reads a JSON or YAML object (a -d data file) into the values
// JSON would give: YAML timestamps become dates.
func DecodeData(raw []byte) (map[string]any, error) {
	var v map[string]any
	if err := yaml.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errors.New("not an object")
	}
	return normalize(v).(map[string]any), nil
}
