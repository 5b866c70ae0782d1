package config

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
)

// check checks v, the value at the instance location at, against the
// schema and appends to errs everything wrong with it: every problem, not
// only the first, for the file's first problem by line is the one to
// report. It checks the keywords schema.json uses, as JSON Schema (draft
// 2020-12) defines them: a value of the wrong type, outside its enum or
// not of its format is reported for that alone; otherwise each keyword
// and each key and list entry is checked in turn.
func (n *node) check(v any, at []string, errs []schemaError) []schemaError {
	fail := func(k errorKind) []schemaError {
		return append(errs, schemaError{at: slices.Clip(at), kind: k})
	}
	if n.False {
		return fail(&falseSchema{})
	}
	if len(n.Type) > 0 && !slices.ContainsFunc(n.Type, func(t string) bool { return isType(v, t) }) {
		return fail(&wrongType{want: n.Type, got: typeName(v)})
	}
	if n.Enum != nil && !slices.ContainsFunc(n.Enum, func(e any) bool { return equal(v, e) }) {
		return fail(&notInEnum{want: n.Enum})
	}
	if s, ok := v.(string); ok && n.Format != "" {
		if err := formats[n.Format](s); err != nil {
			return fail(&badFormat{name: n.Format, err: err})
		}
	}
	switch x := v.(type) {
	case map[string]any:
		var missing []string
		for _, name := range n.Required {
			if _, ok := x[name]; !ok {
				missing = append(missing, name)
			}
		}
		if missing != nil {
			errs = fail(&missingKeys{names: missing})
		}
		var unknown []string
		for _, name := range slices.Sorted(maps.Keys(x)) {
			child := append(slices.Clip(at), name)
			switch s := n.Properties.get(name); {
			case s != nil:
				errs = s.check(x[name], child, errs)
			case n.Additional == nil:
			case n.Additional.False:
				unknown = append(unknown, name)
			default:
				errs = n.Additional.check(x[name], child, errs)
			}
		}
		if unknown != nil {
			errs = fail(&unknownKeys{names: unknown})
		}
	case []any:
		if n.Items != nil {
			for i, item := range x {
				errs = n.Items.check(item, append(slices.Clip(at), strconv.Itoa(i)), errs)
			}
		}
	case string:
		if n.re != nil && !n.re.MatchString(x) {
			errs = fail(&noMatch{pattern: n.Pattern, got: x})
		}
	default:
		if r, ok := number(v); ok {
			if n.min != nil && r.Cmp(n.min) < 0 {
				errs = fail(&outOfRange{bound: n.min})
			}
			if n.max != nil && r.Cmp(n.max) > 0 {
				errs = fail(&outOfRange{max: true, bound: n.max})
			}
		}
	}
	if len(n.OneOf) > 0 {
		var matched []int
		for i, s := range n.OneOf {
			if len(s.check(v, at, nil)) == 0 {
				matched = append(matched, i)
				if len(matched) == 2 {
					break
				}
			}
		}
		if len(matched) != 1 {
			errs = fail(&oneOfMatched{subschemas: matched})
		}
	}
	return errs
}

// schemaError is one thing the schema finds wrong with a value.
type schemaError struct {
	// at is the value's instance location: the keys and list positions
	// leading to it from the top of the file.
	at   []string
	kind errorKind
}

// errorKind is what is wrong, with what a message needs to say so.
type errorKind interface {
	// keyword is the schema keyword the value fails.
	keyword() string
}

// wrongType: the value is none of the types want; got is its own.
type wrongType struct {
	want []string
	got  string
}

// notInEnum: the value is none of the values want.
type notInEnum struct{ want []any }

// badFormat: the string is not of format name, for the reason err.
type badFormat struct {
	name string
	err  error
}

// noMatch: the string got does not match pattern.
type noMatch struct{ pattern, got string }

// outOfRange: the number is below its minimum bound or, with max, above
// its maximum.
type outOfRange struct {
	max   bool
	bound *big.Rat
}

// missingKeys: the mapping lacks the required keys names, in the schema's
// order.
type missingKeys struct{ names []string }

// unknownKeys: the mapping has the keys names, which the schema does not
// allow.
type unknownKeys struct{ names []string }

// oneOfMatched: the value matches not exactly one of the alternatives of
// oneOf but those at subschemas (none, or the first two that match).
type oneOfMatched struct{ subschemas []int }

// falseSchema: the schema false, which nothing matches.
type falseSchema struct{}

func (*wrongType) keyword() string { return "type" }
func (*notInEnum) keyword() string { return "enum" }
func (*badFormat) keyword() string { return "format" }
func (*noMatch) keyword() string   { return "pattern" }
func (k *outOfRange) keyword() string {
	if k.max {
		return "maximum"
	}
	return "minimum"
}
func (*missingKeys) keyword() string  { return "required" }
func (*unknownKeys) keyword() string  { return "additionalProperties" }
func (*oneOfMatched) keyword() string { return "oneOf" }
func (*falseSchema) keyword() string  { return "false" }

// typeName is the JSON type of a value as read from the file.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	if _, ok := number(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// isType says whether v is of the JSON type t: a number with no fraction
// is an integer, whatever its Go type.
func isType(v any, t string) bool {
	if t == "integer" {
		r, ok := number(v)
		return ok && r.IsInt()
	}
	return typeName(v) == t
}

// number is v as an exact number, if it is one.
func number(v any) (*big.Rat, bool) {
	switch v.(type) {
	case int, int64, uint64, float64:
		return new(big.Rat).SetString(fmt.Sprint(v))
	}
	return nil, false
}

// equal says whether two JSON values are the same value: numbers by
// value, lists and mappings item by item.
func equal(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x.Cmp(y) == 0
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, equal)
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && maps.EqualFunc(x, y, equal)
	case string, bool, nil:
		return a == b
	}
	return false
}
