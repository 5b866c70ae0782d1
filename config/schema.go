package config

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gobwas/glob"
)

// Schema is the JSON Schema (draft 2020-12) of secgate.yaml: every
// section and key, its description, its default and the values it takes.
// It is the one home of all of them: Parse checks a file against it, the
// defaults of the policies' data come from it, and `secgate policies`
// prints its descriptions.
//
//go:embed schema.json
var Schema []byte

// Formats of schema.json, checked at load: JSON Schema's date, and two
// of secgate's own (an editor that does not know them lets anything
// through).
const (
	// formatDate is JSON Schema's date: an RFC 3339 full-date, YYYY-MM-DD,
	// a day the month has.
	formatDate = "date"
	// formatGlob is a pattern with * as wildcard, as the policies match it
	// (glob.match without delimiters).
	formatGlob = "glob"
	// formatLicence is one licence: an SPDX id (with an exception) or a
	// name, never an expression.
	formatLicence = "licence"
)

// formats check a string of each format the schema uses; a format not
// here makes the schema fail to load rather than pass anything.
var formats = map[string]func(string) error{
	formatDate: func(s string) error {
		_, err := time.Parse(time.DateOnly, s)
		return err
	},
	formatGlob: func(s string) error {
		_, err := glob.Compile(s)
		return err
	},
	formatLicence: func(s string) error {
		for _, w := range strings.Fields(s) {
			if w == "AND" || w == "OR" {
				return errors.New("an expression")
			}
		}
		return nil
	},
}

// node is one schema of schema.json, as far as this package reads it.
// Properties keep the file's order: messages and `secgate policies` list
// keys as the schema does.
type node struct {
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Type        typeList        `json:"type"`
	Enum        []any           `json:"enum"`
	Default     json.RawMessage `json:"default"`
	Properties  properties      `json:"properties"`
	// Additional is nil when any further key is allowed with no schema,
	// and a node with False set when none is.
	Additional *node            `json:"additionalProperties"`
	Items      *node            `json:"items"`
	Required   []string         `json:"required"`
	OneOf      []*node          `json:"oneOf"`
	Ref        string           `json:"$ref"`
	Defs       map[string]*node `json:"$defs"`
	Format     string           `json:"format"`
	Pattern    string           `json:"pattern"`
	Minimum    json.Number      `json:"minimum"`
	Maximum    json.Number      `json:"maximum"`
	// False is the schema false: nothing is valid.
	False bool `json:"-"`

	// The keywords above made ready to check, by compile.
	re       *regexp.Regexp
	min, max *big.Rat
}

func (n *node) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "false":
		n.False = true
		return nil
	case "true":
		return nil
	}
	type plain node
	return json.Unmarshal(b, (*plain)(n))
}

// typeList is the type keyword: one name or a list.
type typeList []string

func (t *typeList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*t = typeList{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(t))
}

// properties are a schema's named keys in the order written.
type properties []property

type property struct {
	name   string
	schema *node
}

func (p *properties) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := t.(string)
		var n node
		if err := dec.Decode(&n); err != nil {
			return err
		}
		*p = append(*p, property{name, &n})
	}
	return nil
}

func (p properties) get(name string) *node {
	for _, q := range p {
		if q.name == name {
			return q.schema
		}
	}
	return nil
}

func (p properties) names() []string {
	out := make([]string, len(p))
	for i, q := range p {
		out[i] = q.name
	}
	return out
}

// object says that the schema takes a mapping of named keys, laid over its
// defaults key by key; any other mapping (licenses.aliases) replaces its
// default as a whole.
func (n *node) object() bool { return len(n.Properties) > 0 }

// defaultValue is the schema's default as JSON decodes it, whole numbers as
// int. A mapping of named keys without a default of its own defaults to
// the defaults of its keys.
func (n *node) defaultValue() (any, bool) {
	if n.Default != nil {
		return jsonValue(n.Default), true
	}
	if !n.object() {
		return nil, false
	}
	out := map[string]any{}
	for _, p := range n.Properties {
		if v, ok := p.schema.defaultValue(); ok {
			out[p.name] = v
		}
	}
	return out, len(out) > 0
}

// jsonValue decodes JSON the way policies see YAML: whole numbers as int.
func jsonValue(raw []byte) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	return ints(v)
}

func ints(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, vv := range x {
			x[k] = ints(vv)
		}
	case []any:
		for i := range x {
			x[i] = ints(x[i])
		}
	}
	return v
}

// subschemas are the schemas below n, in the order written: its keys',
// then additionalProperties, items and each of oneOf (nil when absent).
func (n *node) subschemas() []*node {
	out := make([]*node, 0, len(n.Properties)+2+len(n.OneOf))
	for _, p := range n.Properties {
		out = append(out, p.schema)
	}
	return append(append(out, n.Additional, n.Items), n.OneOf...)
}

// resolve replaces each $ref to #/$defs/… by the definition, with the
// referring schema's own keywords kept over it.
func (n *node) resolve(defs map[string]*node) error {
	if n == nil {
		return nil
	}
	if n.Ref != "" {
		d := defs[strings.TrimPrefix(n.Ref, "#/$defs/")]
		if d == nil || !strings.HasPrefix(n.Ref, "#/$defs/") {
			return fmt.Errorf("$ref %q: not a definition of the schema", n.Ref)
		}
		merged := *d
		if n.Title != "" {
			merged.Title = n.Title
		}
		if n.Description != "" {
			merged.Description = n.Description
		}
		if n.Default != nil {
			merged.Default = n.Default
		}
		*n = merged
	}
	for _, s := range n.subschemas() {
		if err := s.resolve(defs); err != nil {
			return err
		}
	}
	return nil
}

// root is schema.json read once.
var root = sync.OnceValues(func() (*node, error) {
	var n node
	if err := json.Unmarshal(Schema, &n); err != nil {
		return nil, fmt.Errorf("built-in schema.json: %w", err)
	}
	if err := n.resolve(n.Defs); err != nil {
		return nil, fmt.Errorf("built-in schema.json: %w", err)
	}
	if err := n.compile(map[string]*regexp.Regexp{}); err != nil {
		return nil, fmt.Errorf("built-in schema.json: %w", err)
	}
	return &n, nil
})

// compile readies the keywords check needs beyond their JSON: the
// pattern, the bounds, the format's check. A keyword it cannot honour is
// an error, never a schema that lets anything through. Patterns are
// compiled once each: most keys share one.
func (n *node) compile(patterns map[string]*regexp.Regexp) error {
	if n == nil {
		return nil
	}
	if n.Pattern != "" && patterns[n.Pattern] == nil {
		re, err := regexp.Compile(n.Pattern)
		if err != nil {
			return fmt.Errorf("pattern %q: %w", n.Pattern, err)
		}
		patterns[n.Pattern] = re
	}
	n.re = patterns[n.Pattern]
	if n.Format != "" && formats[n.Format] == nil {
		return fmt.Errorf("format %q: not one secgate checks", n.Format)
	}
	for _, b := range []struct {
		raw json.Number
		to  **big.Rat
	}{{n.Minimum, &n.min}, {n.Maximum, &n.max}} {
		if b.raw == "" {
			continue
		}
		r, ok := new(big.Rat).SetString(string(b.raw))
		if !ok {
			return fmt.Errorf("bound %s: not a number", b.raw)
		}
		*b.to = r
	}
	for _, s := range n.subschemas() {
		if err := s.compile(patterns); err != nil {
			return err
		}
	}
	return nil
}

// gateKeys are the top-level keys that configure secgate rather than a
// policy: those of Config's fields. Every other key of the schema is a
// policy's section.
var gateKeys = sync.OnceValue(func() map[string]bool {
	keys := map[string]bool{}
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("yaml"); tag != "" && tag != "-" {
			keys[strings.Split(tag, ",")[0]] = true
		}
	}
	return keys
})

// sectionDefaults are the policies' sections as the schema defaults them.
func sectionDefaults() (map[string]any, error) {
	r, err := root()
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, p := range r.Properties {
		if gateKeys()[p.name] {
			continue
		}
		v, _ := p.schema.defaultValue()
		out[p.name] = v
	}
	return out, nil
}

// Key documents a section of secgate.yaml or a key in one, as the schema
// describes it.
type Key struct {
	Name        string
	Description string
	// Default is the default as policies see it (nil for null or none).
	Default any
	// Keys are the keys of a section that is a mapping of named keys, in
	// the schema's order; nil for any other section.
	Keys []Key
}

// Section documents the section name of secgate.yaml; false when the
// schema has no such section.
func Section(name string) (Key, bool) {
	r, err := root()
	if err != nil {
		return Key{}, false
	}
	n := r.Properties.get(name)
	if n == nil {
		return Key{}, false
	}
	return describe(name, n), true
}

func describe(name string, n *node) Key {
	k := Key{Name: name, Description: n.Description}
	k.Default, _ = n.defaultValue()
	for _, p := range n.Properties {
		k.Keys = append(k.Keys, describe(p.name, p.schema))
	}
	return k
}

// DefaultSLADays are the days to fix by severity when secgate.yaml says
// nothing: the defaults of tickets.sla_days.
func DefaultSLADays() map[string]int {
	out := map[string]int{}
	d, _ := sectionDefaults()
	t, _ := d["tickets"].(map[string]any)
	days, _ := t["sla_days"].(map[string]any)
	for sev, v := range days {
		if n, ok := v.(int); ok {
			out[sev] = n
		}
	}
	return out
}
