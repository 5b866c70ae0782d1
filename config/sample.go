package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// sampleWidth is the width Sample wraps its comments at.
const sampleWidth = 78

// Sample is a secgate.yaml that documents every key of the schema, in the
// schema's order: each with its description as a comment above it. A
// mapping of named keys (a section) is written as itself, so that its
// keys sit under it; every other key is commented out with its default
// ("#fail_severity: high"), so the file means the defaults, and removing
// the "#" sets a key. The keys of list entries and of free-form mappings
// are described in the comment of the key that holds them.
//
// set names the keys written uncommented, by dotted path
// ("thresholds.max_findings"), with their values; a path that is not a
// key of the schema is an error. The result parses to the defaults with
// set laid over them.
func Sample(set map[string]any) ([]byte, error) {
	r, err := root()
	if err != nil {
		return nil, err
	}
	out, err := sampleOf(r, set)
	if err != nil {
		return nil, err
	}
	if _, err := Parse(out); err != nil {
		return nil, fmt.Errorf("sample: %w", err)
	}
	return out, nil
}

// sampleOf is Sample of the schema r.
func sampleOf(r *node, set map[string]any) ([]byte, error) {
	s := &sample{set: set, used: map[string]bool{}}
	s.comment("", r.Description)
	for i, p := range r.Properties {
		if i > 0 || r.Description != "" {
			s.b.WriteString("\n")
		}
		if err := s.key("", p.name, p.schema, "", false); err != nil {
			return nil, err
		}
	}
	var unknown []string
	for k := range set {
		if !s.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("sample: not keys of the schema: %s", strings.Join(unknown, ", "))
	}
	return []byte(s.b.String()), nil
}

type sample struct {
	b    strings.Builder
	set  map[string]any
	used map[string]bool
}

// key writes the key name at path (a dotted prefix, "" at the top),
// commented out when its section is.
func (s *sample) key(path, name string, n *node, indent string, commented bool) error {
	full := path + name
	s.comment(indent, n.Description)
	s.entries(indent, n)
	if n.object() {
		// A section is written as itself, its keys under it, unless a
		// section above it is commented out, or it may not be left empty
		// and nothing in it is set: then it is commented out, and so is
		// every key under it, each at its own indentation.
		// A section inside another whose default is empty (by_kind) is
		// commented out too: written, its entries would be null ones.
		if commented || (!n.allows("null") || indent != "" && emptyDefault(n)) && !s.setBelow(full) {
			commented = true
			s.b.WriteString(indent + "#" + name + ":\n")
		} else {
			s.b.WriteString(indent + name + ":\n")
		}
		for _, p := range n.Properties {
			if err := s.key(full+".", p.name, p.schema, indent+"  ", commented); err != nil {
				return err
			}
		}
		return nil
	}
	if v, ok := s.set[full]; ok && !commented {
		s.used[full] = true
		text, err := flow(v)
		if err != nil {
			return fmt.Errorf("sample: %s: %w", full, err)
		}
		s.b.WriteString(indent + name + ": " + text + "\n")
		return nil
	}
	line := indent + "#" + name + ":"
	if n.Default != nil {
		text, err := flow(jsonValue(n.Default))
		if err != nil {
			return fmt.Errorf("sample: %s: %w", full, err)
		}
		line += " " + text
	}
	s.b.WriteString(line + "\n")
	return nil
}

// emptyDefault says n's default is an empty mapping.
func emptyDefault(n *node) bool {
	m, ok := jsonValue(n.Default).(map[string]any)
	return ok && len(m) == 0
}

// setBelow says a key under the section at path is to be set.
func (s *sample) setBelow(path string) bool {
	for k := range s.set {
		if strings.HasPrefix(k, path+".") {
			return true
		}
	}
	return false
}

// entries describes the keys of each entry of a list, or of each value of
// a free-form mapping, or of each entry of its values when they are lists,
// when they are mappings of named keys.
func (s *sample) entries(indent string, n *node) {
	var each *node
	var what string
	switch {
	case n.Items != nil && n.Items.object():
		each, what = n.Items, "Each entry has"
	case n.Additional != nil && n.Additional.object():
		each, what = n.Additional, "Each value has"
	case n.Additional != nil && n.Additional.Items != nil && n.Additional.Items.object():
		each, what = n.Additional.Items, "Each value is a list of entries with"
	default:
		return
	}
	keys := strings.Join(each.Properties.names(), ", ")
	if len(each.Required) > 0 {
		keys += "; required: " + strings.Join(each.Required, ", ")
	}
	s.comment(indent, what+" the keys "+keys+":")
	s.describe(indent, each, "  ")
}

// describe lists the keys of n with their descriptions, deeper ones
// further in.
func (s *sample) describe(indent string, n *node, in string) {
	for _, p := range n.Properties {
		s.comment(indent+"#"+in, p.name+": "+p.schema.Description)
		if p.schema.object() {
			s.describe(indent, p.schema, in+"  ")
		}
	}
}

// comment writes text as comment lines at indent, wrapped. A prefix that
// already holds its "#" (describe's) is continued two spaces further in.
func (s *sample) comment(indent, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	first, rest := indent+"# ", indent+"# "
	if strings.Contains(indent, "#") {
		first, rest = indent, indent+"  "
	}
	line := first
	empty := true
	for _, w := range strings.Fields(text) {
		if !empty && len(line)+1+len(w) > sampleWidth {
			s.b.WriteString(line + "\n")
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += w
		empty = false
	}
	s.b.WriteString(line + "\n")
}

// allows says the schema's type takes t (any type when it names none).
func (n *node) allows(t string) bool {
	return len(n.Type) == 0 || slices.Contains(n.Type, t)
}

// flow is v as one line of YAML: lists and mappings in flow style.
func flow(v any) (string, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return "", err
	}
	setFlow(&n)
	out, err := yaml.Marshal(&n)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func setFlow(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		setFlow(c)
	}
}
