package builtins

import (
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

var groupByDef = definition{
	name: "secgate.group_by",
	description: "Groups the objects of an array by the value at a path (a dotted string or an array of keys): " +
		"an object from each value (as a string) to the array of the objects that have it, in their order. " +
		"Objects without the path are left out. One pass in Go, where a comprehension per group would " +
		"walk the array once per group.",
	decl: types.NewFunction(
		types.Args(
			types.Named("items", types.NewArray(nil, types.A)).Description("array of objects, e.g. input.findings"),
			types.Named("path", types.NewAny(types.S, types.NewArray(nil, types.S))).Description("\"severity\", \"package.name\" or [\"package\", \"name\"]"),
		),
		types.Named("groups", types.NewObject(nil, types.NewDynamicProperty(types.S, types.NewArray(nil, types.A)))).Description("value → objects"),
	),
	impl:   guard2(groupBy),
	noMemo: true,
}

func groupBy(_ rego.BuiltinContext, itemsTerm, pathTerm *ast.Term) (*ast.Term, error) {
	items, path, err := itemsAndPath(itemsTerm, pathTerm)
	if err != nil {
		return nil, err
	}
	// Two passes: the groups are counted first, so their members share
	// one exact allocation instead of growing a slice each.
	n := items.Len()
	group := make([]int, n) // each item's group, or -1
	index := map[string]int{}
	var names []string
	var sizes []int
	for i := range n {
		v := at(items.Elem(i), path)
		if v == nil {
			group[i] = -1
			continue
		}
		key, ok := v.Value.(ast.String)
		name := string(key)
		if !ok {
			name = v.Value.String()
		}
		g, seen := index[name]
		if !seen {
			g = len(names)
			index[name] = g
			names = append(names, name)
			sizes = append(sizes, 0)
		}
		sizes[g]++
		group[i] = g
	}
	members := make([][]*ast.Term, len(names))
	all := make([]*ast.Term, 0, n)
	for g, size := range sizes {
		members[g] = all[len(all) : len(all) : len(all)+size]
		all = all[:len(all)+size]
	}
	for i, g := range group {
		if g >= 0 {
			members[g] = append(members[g], items.Elem(i))
		}
	}
	out := ast.NewObjectWithCapacity(len(names))
	for g, name := range names {
		out.Insert(ast.StringTerm(name), ast.ArrayTerm(members[g]...))
	}
	return ast.NewTerm(out), nil
}

var pluckDef = definition{
	name: "secgate.pluck",
	description: "The value at a path (a dotted string or an array of keys) of each object of an array, in their order: " +
		"pluck(fs, \"id\") is [f.id | some f in fs], in one pass in Go. Objects without the path are left out.",
	decl: types.NewFunction(
		types.Args(
			types.Named("items", types.NewArray(nil, types.A)).Description("array of objects, e.g. input.findings"),
			types.Named("path", types.NewAny(types.S, types.NewArray(nil, types.S))).Description("\"id\", \"package.purl\" or [\"package\", \"purl\"]"),
		),
		types.Named("values", types.NewArray(nil, types.A)).Description("the values, in the items' order"),
	),
	impl:   guard2(pluck),
	noMemo: true,
}

func pluck(_ rego.BuiltinContext, itemsTerm, pathTerm *ast.Term) (*ast.Term, error) {
	items, path, err := itemsAndPath(itemsTerm, pathTerm)
	if err != nil {
		return nil, err
	}
	out := make([]*ast.Term, 0, items.Len())
	items.Foreach(func(item *ast.Term) {
		if v := at(item, path); v != nil {
			out = append(out, v)
		}
	})
	return ast.ArrayTerm(out...), nil
}

var uniqueDef = definition{
	name: "secgate.unique",
	description: "The distinct values of an array, each where it first appears: the order of a list kept " +
		"(input.findings is worst first), where a set would sort it. unique([\"b\", \"a\", \"b\"]) is [\"b\", \"a\"].",
	decl: types.NewFunction(
		types.Args(
			types.Named("items", types.NewArray(nil, types.A)).Description("array of values"),
		),
		types.Named("values", types.NewArray(nil, types.A)).Description("the distinct values, in their first order"),
	),
	impl:   guard1(unique),
	noMemo: true,
}

func unique(_ rego.BuiltinContext, itemsTerm *ast.Term) (*ast.Term, error) {
	items, ok := itemsTerm.Value.(*ast.Array)
	if !ok {
		return nil, operandTypeErr(1, itemsTerm.Value, "array")
	}
	seen := ast.NewSet()
	out := make([]*ast.Term, 0, items.Len())
	items.Foreach(func(item *ast.Term) {
		if !seen.Contains(item) {
			seen.Add(item)
			out = append(out, item)
		}
	})
	return ast.ArrayTerm(out...), nil
}

// at is the value at path in item, or nil.
func at(item *ast.Term, path []*ast.Term) *ast.Term {
	v := item
	for _, k := range path {
		obj, ok := v.Value.(ast.Object)
		if !ok {
			return nil
		}
		if v = obj.Get(k); v == nil {
			return nil
		}
	}
	return v
}

// itemsAndPath checks the arguments group_by and pluck share.
func itemsAndPath(itemsTerm, pathTerm *ast.Term) (*ast.Array, []*ast.Term, error) {
	items, ok := itemsTerm.Value.(*ast.Array)
	if !ok {
		return nil, nil, fmt.Errorf("operand 1 must be an array, got %s", ast.ValueName(itemsTerm.Value))
	}
	var path []*ast.Term
	switch p := pathTerm.Value.(type) {
	case ast.String:
		if p == "" {
			return nil, nil, fmt.Errorf("operand 2 must name at least one key")
		}
		for _, k := range strings.Split(string(p), ".") {
			path = append(path, ast.StringTerm(k))
		}
	case *ast.Array:
		for i := 0; i < p.Len(); i++ {
			if _, ok := p.Elem(i).Value.(ast.String); !ok {
				return nil, nil, fmt.Errorf("operand 2 must be a string or an array of strings")
			}
			path = append(path, p.Elem(i))
		}
	default:
		return nil, nil, fmt.Errorf("operand 2 must be a string or an array of strings, got %s", ast.ValueName(pathTerm.Value))
	}
	if len(path) == 0 {
		return nil, nil, fmt.Errorf("operand 2 must name at least one key")
	}
	return items, path, nil
}
