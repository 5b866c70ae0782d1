package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"gopkg.in/yaml.v3"
)

// The keywords a schema may use: those check asserts, and the
// annotations, which assert nothing.
var (
	checkedKeywords = []string{
		"type", "properties", "additionalProperties", "items", "enum", "pattern",
		"format", "required", "minimum", "maximum", "oneOf", "$ref",
	}
	annotationKeywords = []string{"title", "description", "default", "$schema", "$id", "$defs"}
	// refSiblings are the keywords resolve keeps beside a $ref.
	refSiblings = []string{"$ref", "title", "description", "default"}
	jsonTypes   = []string{"null", "boolean", "object", "array", "number", "integer", "string"}
)

// uncheckedKeywords lists, by JSON pointer, what in a schema check would
// not honour: a keyword it does not implement, a format it does not know,
// a $ref beside keywords resolve drops or to anything but a definition.
func uncheckedKeywords(schema []byte) ([]string, error) {
	var raw any
	if err := json.Unmarshal(schema, &raw); err != nil {
		return nil, err
	}
	var out []string
	var walk func(at string, s any, top bool)
	walk = func(at string, s any, top bool) {
		if _, ok := s.(bool); ok {
			return
		}
		m, ok := s.(map[string]any)
		if !ok {
			out = append(out, at+": not a schema")
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			switch v := m[k]; {
			case k == "$defs" && !top:
				out = append(out, at+"/$defs: definitions below the top")
			case k == "$ref":
				if r, _ := v.(string); !strings.HasPrefix(r, "#/$defs/") {
					out = append(out, fmt.Sprintf("%s/$ref: %v is not a definition", at, v))
				}
				for sibling := range m {
					if !slices.Contains(refSiblings, sibling) {
						out = append(out, at+"/"+sibling+": beside $ref")
					}
				}
			case k == "format":
				if name, _ := v.(string); formats[name] == nil {
					out = append(out, fmt.Sprintf("%s/format: %v", at, v))
				}
			case k == "type":
				names, ok := v.([]any)
				if !ok {
					names = []any{v}
				}
				for _, n := range names {
					if name, _ := n.(string); !slices.Contains(jsonTypes, name) {
						out = append(out, fmt.Sprintf("%s/type: %v", at, n))
					}
				}
			case slices.Contains(checkedKeywords, k), slices.Contains(annotationKeywords, k):
			default:
				out = append(out, at+"/"+k)
			}
		}
		for _, k := range []string{"properties", "$defs"} {
			sub, _ := m[k].(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(sub)) {
				walk(at+"/"+k+"/"+name, sub[name], false)
			}
		}
		for _, k := range []string{"additionalProperties", "items"} {
			if sub, ok := m[k]; ok {
				walk(at+"/"+k, sub, false)
			}
		}
		alts, _ := m["oneOf"].([]any)
		for i, sub := range alts {
			walk(fmt.Sprintf("%s/oneOf/%d", at, i), sub, false)
		}
	}
	walk("#", raw, true)
	return out, nil
}

// TestSchemaUsesOnlyCheckedKeywords: schema.json asks nothing of a file
// that check does not check, so the schema cannot grow a keyword the
// loader would silently let anything through.
func TestSchemaUsesOnlyCheckedKeywords(t *testing.T) {
	got, err := uncheckedKeywords(Schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		t.Errorf("schema.json uses what check does not implement:\n%s", strings.Join(got, "\n"))
	}
	// And the walk finds what it must.
	got, err = uncheckedKeywords([]byte(`{
		"type": "object",
		"properties": {
			"a": {"type": "string", "minLength": 1, "format": "email"},
			"b": {"$ref": "#/$defs/d", "type": "string"},
			"c": {"items": [{"type": "string"}]},
			"e": {"oneOf": [{"not": {}}], "type": "text"},
			"f": {"additionalProperties": {"$defs": {}}}
		},
		"if": {},
		"$defs": {"d": {"const": 1}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"#/if",
		"#/properties/a/format: email",
		"#/properties/a/minLength",
		"#/properties/b/type: beside $ref",
		"#/properties/c/items: not a schema",
		"#/properties/e/type: text",
		"#/properties/e/oneOf/0/not",
		"#/properties/f/additionalProperties/$defs: definitions below the top",
		"#/$defs/d/const",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("uncheckedKeywords (-want +got):\n%s", diff)
	}
}

// library is schema.json compiled by a JSON Schema library, formats
// asserted, secgate's own checked as check does: what check is held to.
var library = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for _, name := range []string{formatGlob, formatLicence} {
		c.RegisterFormat(&jsonschema.Format{Name: name, Validate: func(v any) error {
			if s, ok := v.(string); ok {
				return formats[name](s)
			}
			return nil
		}})
	}
	if err := c.AddResource("schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("schema.json")
})

// libraryFindings are the errors the library finds in v, each as its
// instance location, keyword and details.
func libraryFindings(t testing.TB, v any) []string {
	t.Helper()
	s, err := library()
	if err != nil {
		t.Fatal(err)
	}
	err = s.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		var f string
		switch k := e.ErrorKind.(type) {
		case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
			for _, c := range e.Causes {
				walk(c)
			}
			return
		case *kind.Type:
			f = finding("type", sorted(k.Want), k.Got)
		case *kind.Enum:
			f = finding("enum")
		case *kind.Format:
			f = finding("format", k.Want)
		case *kind.Pattern:
			f = finding("pattern", k.Want, k.Got)
		case *kind.Minimum:
			f = finding("minimum", k.Want.RatString())
		case *kind.Maximum:
			f = finding("maximum", k.Want.RatString())
		case *kind.Required:
			f = finding("required", k.Missing)
		case *kind.AdditionalProperties:
			f = finding("additionalProperties", sorted(k.Properties))
		case *kind.OneOf:
			f = finding("oneOf", k.Subschemas)
		case *kind.FalseSchema:
			f = finding("false")
		default:
			f = finding(fmt.Sprintf("%T", k))
		}
		out = append(out, pointer(e.InstanceLocation)+" "+f)
	}
	walk(ve)
	slices.Sort(out)
	return out
}

// checkFindings are the errors check finds in v, as libraryFindings
// gives them.
func checkFindings(t testing.TB, v any) []string {
	t.Helper()
	r, err := root()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range r.check(v, nil, nil) {
		var f string
		switch k := e.kind.(type) {
		case *wrongType:
			f = finding("type", sorted(k.want), k.got)
		case *notInEnum:
			f = finding("enum")
		case *badFormat:
			f = finding("format", k.name)
		case *noMatch:
			f = finding("pattern", k.pattern, k.got)
		case *outOfRange:
			f = finding(k.keyword(), k.bound.RatString())
		case *missingKeys:
			f = finding("required", k.names)
		case *unknownKeys:
			f = finding("additionalProperties", k.names)
		case *oneOfMatched:
			f = finding("oneOf", k.subschemas)
		default:
			f = finding(k.keyword())
		}
		out = append(out, pointer(e.at)+" "+f)
	}
	slices.Sort(out)
	return out
}

func finding(keyword string, details ...any) string {
	for _, d := range details {
		if l, ok := d.([]int); ok && len(l) == 0 {
			d = []int(nil) // none matched: nil in one, empty in the other
		}
		keyword += fmt.Sprintf(" %v", d)
	}
	return keyword
}

func sorted(l []string) []string { return slices.Sorted(slices.Values(l)) }

// instance is a secgate.yaml document as Parse hands it to check; false
// when Parse stops before.
func instance(data []byte) (any, bool) {
	var file yaml.Node
	if yaml.Unmarshal(data, &file) != nil || len(file.Content) == 0 || file.Content[0].Kind != yaml.MappingNode {
		return nil, false
	}
	r, err := root()
	if err != nil {
		return nil, false
	}
	d := &document{schema: r, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	v, err := d.read(file.Content[0], nil)
	return v, err == nil
}

// agree fails the test unless check and the library find the same errors
// in data, and says whether they found any.
func agree(t testing.TB, name string, data []byte) (valid, checked bool) {
	t.Helper()
	v, ok := instance(data)
	if !ok {
		return false, false
	}
	want, got := libraryFindings(t, v), checkFindings(t, v)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: check and the library differ (-library +check):\n%s\n%s", name, diff, data)
	}
	return len(got) == 0, true
}

// TestCheckAgreesWithLibrary: on every secgate.yaml the tests use, check
// finds what a JSON Schema library finds: the same errors at the same
// places, so the same files load.
func TestCheckAgreesWithLibrary(t *testing.T) {
	files := repoConfigs(t)
	for i, c := range typoCases {
		files[fmt.Sprintf("typoCases[%d]", i)] = []byte(c.in)
	}
	for i, in := range unusualProblems {
		files[fmt.Sprintf("unusualProblems[%d]", i)] = []byte(in)
	}
	for _, cases := range []map[string]string{parseErrorCases, entryErrorCases} {
		for in := range cases {
			files[in] = []byte(in)
		}
	}
	nValid, nInvalid := 0, 0
	for _, name := range slices.Sorted(maps.Keys(files)) {
		valid, checked := agree(t, name, files[name])
		switch {
		case !checked:
		case valid:
			nValid++
		default:
			nInvalid++
		}
	}
	if nValid < 15 || nInvalid < 50 {
		t.Errorf("%d valid and %d invalid files checked: the cases went missing", nValid, nInvalid)
	}
}

// fullConfig sets every key of the schema, for mutations to reach them all.
const fullConfig = `thresholds:
  fail_severity: high
  warn_severity: medium
  unknown_as: high
  max_findings: 40
  warn_findings: 20
  only_new: false
  fail_on_kev: true
  fail_epss_at: 0.5
licenses:
  allow: [MIT]
  deny: [GPL-3.0-only]
  deny_categories: [strong-copyleft]
  aliases: {"MIT/X11": MIT}
  unknown: warn
  ignore: ["pkg:npm/*"]
dependencies:
  require_approval: true
  approvals:
    - match: "pkg:npm/axios@*"
      approved_by: security-team
      expires: 2027-01-01
      reason: r
secrets: {enabled: true}
coverage: {incomplete: fail, scan_errors: warn}
vex: {problems: warn}
exceptions:
  - rule: go/sql-injection
    reason: r
    expires: 2027-06-30
tickets:
  sla_days: {critical: 7, high: 30, medium: 90, low: 180, info: 180, unknown: 180}
policies: [builtin]
verification_key: key.pem
severity_source: [nvd, tool]
`

// mutationValues replace a value, or are a new key's, in mutations: one
// of each type, and strings each keyword has something to say about.
var mutationValues = []any{
	nil, true, 0, -1, 1, 2.5, 36501, 1e300,
	"", " ", "x", "high", "fail", "2027-02-29", "2027-01-01", "2027-1-1", "MIT AND ISC", "pkg:npm/{a", "*",
	[]any{}, []any{"x"}, []any{1}, []any{nil}, []any{map[string]any{}},
	map[string]any{}, map[string]any{"zz": 1},
	map[string]any{"id": "x", "reason": "r", "expires": "2027-01-01"},
	map[string]any{"id": "x", "purl": "y", "reason": "r", "expires": "2027-01-01"},
}

// mutations calls yield with each document that differs from doc by one
// mutation: a value replaced, a key removed or added, a list entry added.
func mutations(doc any, keys []string, yield func(any)) {
	var walk func(v any, at []any)
	walk = func(v any, at []any) {
		for _, m := range mutationValues {
			if len(at) > 0 {
				yield(edit(doc, at, func(any) any { return clone(m) }))
			}
		}
		switch x := v.(type) {
		case map[string]any:
			for _, k := range keys {
				for _, m := range []any{nil, "x", 1, "2027-01-01", []any{"x"}, map[string]any{}} {
					yield(edit(doc, at, func(v any) any {
						v.(map[string]any)[k] = clone(m)
						return v
					}))
				}
				if _, ok := x[k]; ok {
					yield(edit(doc, at, func(v any) any {
						delete(v.(map[string]any), k)
						return v
					}))
				}
			}
			for k, vv := range x {
				walk(vv, append(slices.Clip(at), k))
			}
		case []any:
			for _, m := range mutationValues {
				yield(edit(doc, at, func(v any) any { return append(v.([]any), clone(m)) }))
			}
			for i, vv := range x {
				walk(vv, append(slices.Clip(at), i))
			}
		}
	}
	walk(doc, nil)
}

// edit is a copy of doc with the value at path replaced by f of it.
func edit(doc any, path []any, f func(any) any) any {
	doc = clone(doc)
	if len(path) == 0 {
		return f(doc)
	}
	parent := doc
	for _, p := range path[:len(path)-1] {
		switch x := parent.(type) {
		case map[string]any:
			parent = x[p.(string)]
		case []any:
			parent = x[p.(int)]
		}
	}
	switch x := parent.(type) {
	case map[string]any:
		k := path[len(path)-1].(string)
		x[k] = f(x[k])
	case []any:
		i := path[len(path)-1].(int)
		x[i] = f(x[i])
	}
	return doc
}

func clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, vv := range x {
			out[k] = clone(vv)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, vv := range x {
			out[i] = clone(vv)
		}
		return out
	}
	return v
}

// TestCheckAgreesOnMutations: check and the library agree on thousands of
// files one mistake away from the examples (a value of each type in each
// place, a key removed, a known or unknown key added), and Parse refuses
// exactly the files they find errors in, with one line.
func TestCheckAgreesOnMutations(t *testing.T) {
	r, err := root()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"zz"}
	var names func(n *node)
	names = func(n *node) {
		for _, p := range n.Properties {
			if !slices.Contains(keys, p.name) {
				keys = append(keys, p.name)
			}
			names(p.schema)
		}
		for _, s := range []*node{n.Items, n.Additional} {
			if s != nil {
				names(s)
			}
		}
	}
	names(r)
	bases := map[string][]byte{"fullConfig": []byte(fullConfig)}
	for _, name := range []string{"../examples/secgate.yaml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		bases[name] = b
	}
	seen := map[string]bool{}
	nValid, nInvalid := 0, 0
	for _, name := range slices.Sorted(maps.Keys(bases)) {
		doc, ok := instance(bases[name])
		if !ok {
			t.Fatalf("%s: not a configuration", name)
		}
		mutations(doc, keys, func(m any) {
			data, err := yaml.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if seen[string(data)] {
				return
			}
			seen[string(data)] = true
			valid, checked := agree(t, name+" mutated", data)
			if !checked {
				return
			}
			_, err = Parse(data)
			switch {
			case valid && err != nil:
				t.Errorf("valid, but Parse: %v\n%s", err, data)
			case !valid && err == nil:
				t.Errorf("invalid, but Parse accepts it:\n%s", data)
			case err != nil && (!strings.HasPrefix(err.Error(), "line ") || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "does not match the schema")):
				t.Errorf("Parse: %v, want one line in secgate's words\n%s", err, data)
			}
			if valid {
				nValid++
			} else {
				nInvalid++
			}
		})
	}
	if nValid < 500 || nInvalid < 2000 {
		t.Errorf("%d valid and %d invalid mutations: too few to trust", nValid, nInvalid)
	}
	t.Logf("%d valid and %d invalid mutations", nValid, nInvalid)
}

// FuzzCheck: on any file, check and the library find the same errors.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(fullConfig))
	for _, data := range repoConfigs(f) {
		f.Add(data)
	}
	for _, c := range typoCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		agree(t, "input", data)
	})
}

// TestCompileRefusesWhatCheckCannotHonour: a schema with a format check
// does not know, a pattern Go cannot compile or a bound that is no number
// does not load, rather than let values through unchecked.
func TestCompileRefusesWhatCheckCannotHonour(t *testing.T) {
	for _, schema := range []string{
		`{"properties": {"a": {"format": "email"}}}`,
		`{"items": {"pattern": "(?=x)"}}`,
		`{"oneOf": [{"minimum": "low"}]}`,
		`{"additionalProperties": {"maximum": true}}`,
	} {
		var n node
		err := json.Unmarshal([]byte(schema), &n)
		if err == nil {
			err = n.compile(map[string]*regexp.Regexp{})
		}
		if err == nil {
			t.Errorf("%s: compiles", schema)
		}
	}
}
