package config

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// document is a secgate.yaml document read into JSON values, with the YAML
// node every value and every key came from, by JSON pointer: a problem the
// schema finds is reported on the line it is on.
type document struct {
	schema *node
	values map[string]*yaml.Node
	keys   map[string]*yaml.Node
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// read turns a YAML node into the JSON value the schema checks: mappings
// with string keys, lists, strings (a YAML date as written), numbers,
// booleans and null. A key given twice, an alias and a number JSON cannot
// hold are errors here, before the schema.
func (d *document) read(n *yaml.Node, at []string) (any, error) {
	ptr := pointer(at)
	d.values[ptr] = n
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		first := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			child := append(slices.Clip(at), k.Value)
			if k.Kind != yaml.ScalarNode {
				name := d.where(at).path
				if name == "" {
					name = "top level"
				}
				return nil, fmt.Errorf("line %d: %s: want a name as key, got %s", k.Line, name, kindOf(k))
			}
			if line, ok := first[k.Value]; ok {
				return nil, fmt.Errorf("line %d: %s: given twice (first on line %d)", k.Line, d.where(child).path, line)
			}
			first[k.Value] = k.Line
			d.keys[pointer(child)] = k
			val, err := d.read(v, child)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, item := range n.Content {
			val, err := d.read(item, append(slices.Clip(at), strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			l[i] = val
		}
		return l, nil
	case yaml.AliasNode:
		return nil, fmt.Errorf("line %d: %s: YAML aliases (*%s) are not supported: write the value out", n.Line, d.where(at).path, n.Value)
	}
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Value, nil
		}
		if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
			return nil, fmt.Errorf("line %d: %s: want a finite number, got %q", n.Line, d.where(at).path, n.Value)
		}
		return v, nil
	}
	return n.Value, nil
}

// place is where a value is in the file, as messages name it, and the
// schemas that apply there.
type place struct {
	// path names the value: sections and keys joined with dots
	// (thresholds.fail_severity), list positions left out, a key of a list
	// entry after a colon (exceptions: expires), a name in a free-form
	// mapping quoted (licenses.aliases: "MIT/X11").
	path string
	// schema is the value's schema; nil for a key the schema does not know.
	schema *node
	// entry is the schema of the list entry the value is in or is
	// (an exception, an approval); nil outside one.
	entry *node
}

func (d *document) where(at []string) place {
	p := place{schema: d.schema}
	for _, tok := range at {
		s := p.schema
		switch {
		case s != nil && s.Items != nil && isIndex(tok):
			p.schema = s.Items
			if slices.Contains(s.Items.Type, "object") {
				p.entry = s.Items
			}
			continue
		case s != nil && !s.object() && s.Additional != nil && !s.Additional.False:
			p.path += ": " + strconv.Quote(tok)
			p.schema = s.Additional
			continue
		case p.entry != nil:
			p.path += ": " + tok
		case p.path == "":
			p.path = tok
		default:
			p.path += "." + tok
		}
		if s != nil {
			p.schema = s.Properties.get(tok)
		}
	}
	return p
}

func isIndex(tok string) bool {
	_, err := strconv.Atoi(tok)
	return err == nil
}

// problem is one thing the schema found wrong, worded.
type problem struct {
	line int
	// entry is the line of the list entry the problem is in, else line:
	// an entry is reported whole before what follows it, its keys before
	// what it lacks.
	entry int
	rank  int
	// col orders the problems of one line (a flow mapping's keys).
	col int
	msg string
}

// check validates the document against the schema and words the first
// problem in the file, if any.
func (d *document) check(inst any) error {
	errs := d.schema.check(inst, nil, nil)
	if len(errs) == 0 {
		return nil
	}
	var problems []problem
	for _, e := range errs {
		problems = append(problems, d.word(e)...)
	}
	if len(problems) == 0 {
		return errors.New("does not match the schema")
	}
	sort.SliceStable(problems, func(i, j int) bool {
		a, b := problems[i], problems[j]
		if a.entry != b.entry {
			return a.entry < b.entry
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.line != b.line {
			return a.line < b.line
		}
		if a.col != b.col {
			return a.col < b.col
		}
		return a.msg < b.msg
	})
	p := problems[0]
	return fmt.Errorf("line %d: %s", p.line, p.msg)
}

// Ranks order the problems of one place: what is wrong with a key before
// what the entry lacks.
const (
	rankKey = iota
	rankType
	rankEmpty
	rankValue
	rankMissing
	rankChoice
)

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// agePattern is the schema's pattern of an age (retention, max_age):
// the shape the history's ParseAge reads and policies read as written.
const agePattern = `^([1-9][0-9]{0,5}[dwh]|forever)$`

// notBlank is the schema's pattern for a string that must say something:
// a value that fails it is empty.
const notBlank = `\S`

// word turns a schema error into problems in secgate's words.
func (d *document) word(e schemaError) []problem {
	at := e.at
	p := d.where(at)
	n := d.values[pointer(at)]
	if n == nil {
		return []problem{{msg: fmt.Sprintf("%s: does not match the schema", p.path)}}
	}
	line := n.Line
	needs := func(sep string) string {
		if p.entry == nil || p.entry.Description == "" {
			return ""
		}
		return sep + p.entry.Description
	}
	one := func(rank int, format string, args ...any) []problem {
		return []problem{{line: line, entry: d.entryLine(at, line), rank: rank, col: n.Column, msg: p.path + ": " + fmt.Sprintf(format, args...)}}
	}
	switch k := e.kind.(type) {
	case *unknownKeys:
		var out []problem
		for _, name := range k.names {
			child := append(slices.Clip(at), name)
			kl, col := line, n.Column
			if key := d.keys[pointer(child)]; key != nil {
				kl, col = key.Line, key.Column
			}
			msg := fmt.Sprintf("%s: unknown key (known: %s)", d.where(child).path, strings.Join(known(p.schema), ", "))
			if len(at) == 0 {
				msg = fmt.Sprintf("unknown section %q (known: %s)", name, strings.Join(known(p.schema), ", "))
			}
			out = append(out, problem{line: kl, entry: d.entryLine(child, kl), rank: rankKey, col: col, msg: msg})
		}
		return out
	case *wrongType:
		want := typeNoun(k.want, k.got)
		switch {
		case p.schema != nil && p.schema.Title != "":
			return one(rankType, "want %s, got %s", article(p.schema.Title), kindOf(n))
		case p.entry != nil && p.schema == p.entry:
			return one(rankType, "want a mapping%s", needs(": "))
		case k.got == "null":
			if key := d.keys[pointer(at)]; key != nil {
				line = key.Line
			}
			return one(rankEmpty, "empty%s", needs("; "))
		case want == "a mapping" || want == "a list":
			return one(rankType, "want %s", want)
		case want == "a string" && n.Kind == yaml.ScalarNode:
			return one(rankType, "want a string, got %s (quote it)", nodeText(n))
		case k.got == "string" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
			return one(rankType, "want %s, got %s (unquote it)", want, nodeText(n))
		}
		return one(rankType, "want %s, got %s", want, nodeText(n))
	case *notInEnum:
		var words []string
		for _, w := range k.want {
			if w != nil {
				words = append(words, fmt.Sprint(w))
			}
		}
		return one(rankValue, "%q is not one of %s", scalar(n), strings.Join(words, ", "))
	case *badFormat:
		s := scalar(n)
		switch k.name {
		case formatDate:
			if strings.TrimSpace(s) == "" {
				// As notBlank would say, had the format not failed first.
				if key := d.keys[pointer(at)]; key != nil {
					line = key.Line
				}
				return one(rankEmpty, "empty%s", needs("; "))
			}
			if !dateRE.MatchString(s) {
				return one(rankValue, "want a date YYYY-MM-DD, got %q", s)
			}
			return one(rankValue, "%q is not a date", s)
		case formatGlob:
			return one(rankValue, "%q is not a pattern (* is the wildcard): %v", s, k.err)
		case formatLicence:
			return one(rankValue, "%q is an expression; list each licence on its own", s)
		}
		return one(rankValue, "%q is not a %s", s, k.name)
	case *noMatch:
		if k.pattern == notBlank {
			if key := d.keys[pointer(at)]; key != nil {
				line = key.Line
			}
			return one(rankEmpty, "empty%s", needs("; "))
		}
		if k.pattern == agePattern {
			return one(rankValue, "want days (7d), weeks (2w) or hours (36h), or forever; got %q", k.got)
		}
		return one(rankValue, "%q does not match %s", k.got, k.pattern)
	case *outOfRange:
		if k.max {
			return one(rankValue, "want at most %s, got %s", k.bound.RatString(), scalar(n))
		}
		return one(rankValue, "want at least %s, got %s", k.bound.RatString(), scalar(n))
	case *missingKeys:
		missing := k.names
		return one(rankMissing, "missing %s%s", strings.Join(missing[:min(1, len(missing))], ""), needs("; "))
	case *oneOfMatched:
		if len(k.subschemas) < 2 || p.schema == nil {
			return one(rankChoice, "names nothing to match%s", needs("; "))
		}
		var named []string
		for _, i := range k.subschemas {
			if i < len(p.schema.OneOf) && len(p.schema.OneOf[i].Required) > 0 {
				named = append(named, p.schema.OneOf[i].Required[0])
			}
		}
		if len(named) < 2 {
			return one(rankChoice, "names more than one thing to match%s", needs("; "))
		}
		if p.schema.Properties.get("reason") == nil {
			return one(rankChoice, "gives both %s and %s; give one%s", named[0], named[1], needs("; "))
		}
		return one(rankChoice, "gives both %s and %s; give one (an entry matches what any of them matches, so two would waive more than either)", named[0], named[1])
	}
	return one(rankValue, "does not match the schema (%s)", e.kind.keyword())
}

// entryLine is the line of the outermost list entry holding the value at,
// else line.
func (d *document) entryLine(at []string, line int) int {
	for i := 1; i <= len(at); i++ {
		parent := d.values[pointer(at[:i-1])]
		if parent != nil && parent.Kind == yaml.SequenceNode {
			if n := d.values[pointer(at[:i])]; n != nil {
				return n.Line
			}
		}
	}
	return line
}

func known(s *node) []string {
	if s == nil {
		return nil
	}
	return s.Properties.names()
}

// typeNoun names the JSON types a value may have, null aside.
func typeNoun(want []string, got string) string {
	for _, t := range want {
		switch t {
		case "object":
			return "a mapping"
		case "array":
			return "a list"
		case "string":
			return "a string"
		case "integer":
			if got == "number" {
				return "a whole number"
			}
			return "a number"
		case "number":
			return "a number"
		case "boolean":
			return "true or false"
		}
	}
	return "nothing"
}

// article puts a or an before a noun, as it is said: an initialism by the
// name of its first letter (an SPDX expression).
func article(noun string) string {
	first, _, _ := strings.Cut(noun, " ")
	vowels := "aeiouAEIOU"
	if len(first) > 1 && first == strings.ToUpper(first) {
		vowels = "AEFHILMNORSX"
	}
	if noun != "" && strings.ContainsRune(vowels, rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

func scalar(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	return n.Value
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

func kindName(tag string) string {
	switch tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "true or false"
	case "!!str":
		return "a string"
	case "!!timestamp":
		return "a date"
	}
	return strings.TrimPrefix(tag, "!!")
}
