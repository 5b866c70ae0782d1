// Package ignorefile reads the ignore files of Trivy (.trivyignore and
// .trivyignore.yaml) and Grype (the ignore rules of .grype.yaml) and turns
// each rule into a secgate exception — exactly, or not at all.
//
// A secgate exception names one thing: a vulnerability or rule id (in
// every package and file), or a purl pattern (every finding in the
// packages it matches). A rule that says more than that (a vulnerability
// in one package, a fix state, a path, a namespace) is refused with its
// reason rather than imported as an exception that waives more than the
// rule did. A rule may be imported narrower than it was (a Grype package
// name read literally where Grype reads a regular expression): the gate
// then fails on what the rule let through, and says so, which is the
// safe side.
package ignorefile

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Format is the kind of ignore file read.
type Format string

// The formats Parse reads, told apart by content.
const (
	// TrivyPlain is .trivyignore: one id a line, # comments, an optional
	// exp:YYYY-MM-DD after the id.
	TrivyPlain Format = "trivyignore"
	// TrivyYAML is .trivyignore.yaml: vulnerabilities, misconfigurations,
	// secrets and licenses, each a list of {id, paths, purls, statement,
	// expired_at}.
	TrivyYAML Format = "trivyignore.yaml"
	// Grype is a Grype configuration with an ignore list of rules.
	Grype Format = "grype"
)

// ErrFormat says a file is none of the formats: a YAML mapping with
// neither Grype's ignore key nor Trivy's lists.
var ErrFormat = errors.New("not an ignore file: want a .trivyignore (one id a line), a .trivyignore.yaml (vulnerabilities, misconfigurations, secrets, licenses) or a Grype configuration with ignore rules")

// ErrBinary says a file holds NUL bytes, which no ignore file does.
var ErrBinary = errors.New("holds NUL bytes: not an ignore file")

// Exception is one secgate exception, with the keys secgate.yaml gives
// it. Reason and Expires are empty when the rule did not say them.
type Exception struct {
	ID      string `yaml:"id,omitempty"`
	Purl    string `yaml:"purl,omitempty"`
	Reason  string `yaml:"reason"`
	Expires string `yaml:"expires"`
}

// Entry is one rule of an ignore file: the exception it became, or why
// it was refused.
type Entry struct {
	// Line is the rule's line in its file.
	Line int
	// What names the rule for people: its id, or the package it names.
	What string
	// Exception is nil when the rule was refused.
	Exception *Exception
	// Refused says why the rule was not imported; empty when it was.
	Refused string
}

// ParseError is a file that could not be read as its format.
type ParseError struct {
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads one ignore file, telling its format from its content: a
// YAML mapping with ignore is Grype's, one with Trivy's lists is a
// .trivyignore.yaml, anything else a plain .trivyignore.
func Parse(data []byte) (Format, []Entry, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		// Binary, or an environment dump: nothing of it is echoed.
		return "", nil, &ParseError{Err: ErrBinary}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err == nil && len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		root := doc.Content[0]
		if value(root, "ignore") != nil {
			entries, err := parseGrype(root)
			return Grype, entries, err
		}
		for _, k := range trivyLists {
			if value(root, k) != nil {
				entries, err := parseTrivyYAML(root)
				return TrivyYAML, entries, err
			}
		}
		return "", nil, &ParseError{Line: root.Line, Err: ErrFormat}
	}
	entries, err := parsePlain(data)
	return TrivyPlain, entries, err
}

// parsePlain reads .trivyignore as Trivy does: blank lines and lines
// starting with # are skipped, the first field is the id, and a field
// exp:YYYY-MM-DD ends the rule. Other fields are ignored, as Trivy
// ignores them.
func parsePlain(data []byte) ([]Entry, error) {
	var out []Entry
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		id := fields[0]
		if bad := control(id); bad != "" {
			// Not echoed: a file that is no ignore file (an environment
			// dump) would have its content printed.
			return nil, &ParseError{Line: n, Err: fmt.Errorf("the id holds %s: not a .trivyignore", bad)}
		}
		e := Exception{ID: id}
		for _, f := range fields[1:] {
			if d, ok := strings.CutPrefix(f, "exp:"); ok {
				exp, err := time.Parse(time.DateOnly, d)
				if err != nil {
					return nil, &ParseError{Line: n, Err: fmt.Errorf("exp:%s is not a date YYYY-MM-DD", d)}
				}
				e.Expires = lastDay(exp)
			}
		}
		out = append(out, Entry{Line: n, What: id, Exception: &e})
	}
	return out, nil
}

// lastDay is the last whole day a rule applied that Trivy applies until
// the instant t (a date is its midnight, UTC): the day before t's. A
// secgate exception applies through its expires day, so this never
// applies longer than the rule did.
func lastDay(t time.Time) string {
	return t.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
}

var trivyLists = []string{"vulnerabilities", "misconfigurations", "secrets", "licenses"}

// trivyKeys are the keys of a .trivyignore.yaml entry.
var trivyKeys = []string{"id", "paths", "purls", "statement", "expired_at"}

func parseTrivyYAML(root *yaml.Node) ([]Entry, error) {
	var out []Entry
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, list := root.Content[i], root.Content[i+1]
		if !contains(trivyLists, key.Value) {
			return nil, &ParseError{Line: key.Line, Err: fmt.Errorf("%s: unknown key (known: %s)", key.Value, strings.Join(trivyLists, ", "))}
		}
		if isNull(list) {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			return nil, &ParseError{Line: list.Line, Err: fmt.Errorf("%s: want a list", key.Value)}
		}
		for _, item := range list.Content {
			out = append(out, trivyEntry(key.Value, item))
		}
	}
	return out, nil
}

func trivyEntry(list string, item *yaml.Node) Entry {
	e := Entry{Line: item.Line, What: fmt.Sprintf("%s entry", list)}
	if item.Kind != yaml.MappingNode {
		e.Refused = "not a mapping of id, paths, purls, statement, expired_at"
		return e
	}
	id, ok := scalar(value(item, "id"))
	if ok && control(id) == "" && strings.TrimSpace(id) != "" {
		e.What = id
	}
	if k := unknownKey(item, trivyKeys); k != "" {
		e.Refused = fmt.Sprintf("%s: unknown key (known: %s); Trivy would not read it, secgate does not guess", k, strings.Join(trivyKeys, ", "))
		return e
	}
	if !ok || strings.TrimSpace(id) == "" {
		e.Refused = "no id"
		return e
	}
	if bad := control(id); bad != "" {
		e.Refused = fmt.Sprintf("the id holds %s", bad)
		return e
	}
	switch {
	case !isEmpty(value(item, "paths")):
		e.Refused = "paths: a secgate exception cannot be limited to files; waive each finding by its id (secgate check -o json lists them) instead"
		return e
	case !isEmpty(value(item, "purls")):
		e.Refused = "purls: a secgate exception names a vulnerability or packages, not a vulnerability in some packages"
		return e
	case list == "licenses":
		e.Refused = "licences are judged by the licenses policy: allow this one with licenses.allow, or its packages with licenses.ignore"
		return e
	}
	x := Exception{ID: id}
	if n := value(item, "statement"); n != nil {
		s, ok := scalar(n)
		if !ok {
			e.Refused = "statement: want a string"
			return e
		}
		x.Reason = strings.TrimSpace(s)
	}
	if n := value(item, "expired_at"); !isNull(n) {
		t, err := timeOf(n)
		if err != nil {
			e.Refused = fmt.Sprintf("expired_at: %v", err)
			return e
		}
		x.Expires = lastDay(t)
	}
	e.Exception = &x
	return e
}

// timeOf reads a YAML date or timestamp, as Trivy reads expired_at.
func timeOf(n *yaml.Node) (time.Time, error) {
	s, ok := scalar(n)
	if !ok {
		return time.Time{}, errors.New("want a date YYYY-MM-DD")
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
}

// YAML helpers over nodes, which keep the lines messages name.

func value(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func unknownKey(m *yaml.Node, known []string) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !contains(known, m.Content[i].Value) {
			return m.Content[i].Value
		}
	}
	return ""
}

func scalar(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// isEmpty: absent, null, an empty list or an empty string.
func isEmpty(n *yaml.Node) bool {
	if isNull(n) {
		return true
	}
	switch n.Kind {
	case yaml.SequenceNode, yaml.MappingNode:
		return len(n.Content) == 0
	case yaml.ScalarNode:
		return strings.TrimSpace(n.Value) == ""
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// control names the first control character of s, or "".
func control(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) {
			return fmt.Sprintf("a control character (%U)", r)
		}
	}
	if !bytes.Equal([]byte(s), bytes.ToValidUTF8([]byte(s), nil)) {
		return "bytes that are not UTF-8"
	}
	return ""
}

// Render writes exceptions as secgate.yaml's exceptions section, each
// under a comment saying where it came from (comments[i], one line; empty
// for none). Values are quoted as YAML needs: nothing a rule holds can
// add a key or an entry.
func Render(exceptions []Exception, comments []string) ([]byte, error) {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for i, x := range exceptions {
		m := &yaml.Node{Kind: yaml.MappingNode}
		add := func(k, v string) {
			m.Content = append(m.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Value: k},
				&yaml.Node{Kind: yaml.ScalarNode, Value: v, Style: styleFor(v)})
		}
		if x.ID != "" {
			add("id", x.ID)
		}
		if x.Purl != "" {
			add("purl", x.Purl)
		}
		add("reason", x.Reason)
		add("expires", x.Expires)
		if i < len(comments) && comments[i] != "" {
			m.HeadComment = "# " + strings.Join(strings.Fields(comments[i]), " ")
		}
		seq.Content = append(seq.Content, m)
	}
	if len(seq.Content) == 0 {
		seq.Style = yaml.FlowStyle
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "exceptions"}, seq}}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// styleFor quotes a value that YAML would otherwise read as another
// type or structure; a plain word stays plain.
func styleFor(v string) yaml.Style {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(v), &n); err != nil || len(n.Content) != 1 ||
		n.Content[0].Kind != yaml.ScalarNode || n.Content[0].Tag != "!!str" || n.Content[0].Value != v {
		return yaml.DoubleQuotedStyle
	}
	return 0
}
