package builtins

import (
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/secgate/secgate/internal/license"
	"github.com/secgate/secgate/internal/textsafe"
)

var spdxSatisfiesDef = definition{
	name:        "secgate.spdx_satisfies",
	description: "Reports whether an SPDX licence expression can be satisfied using only the allowed licences. A licence that is not SPDX (\"MIT/X11\") is met only by the same name in the allowed list, as written; false for an expression that cannot be read.",
	decl: types.NewFunction(
		types.Args(
			types.Named("expression", types.S).Description("SPDX licence expression, e.g. \"MIT OR Apache-2.0\""),
			types.Named("allowed", types.NewAny(stringArrayType, types.NewSet(types.S))).Description("the licences that may be used: SPDX ids, \"id WITH exception\", LicenseRef-… or other names as written"),
		),
		types.Named("satisfied", types.B).Description("true when the allowed licences satisfy the expression"),
	),
	impl: guard2(spdxSatisfies),
}

var spdxParseDef = definition{
	name:        "secgate.spdx_parse",
	description: "Splits an SPDX licence expression into its licence ids, exceptions and the parts that are not SPDX ids.",
	decl: types.NewFunction(
		types.Args(
			types.Named("expression", types.S).Description("SPDX licence expression"),
		),
		types.Named("result", types.NewObject([]*types.StaticProperty{
			types.NewStaticProperty("valid", types.B),
			types.NewStaticProperty("ids", stringArrayType),
			types.NewStaticProperty("exceptions", stringArrayType),
			types.NewStaticProperty("invalid", stringArrayType),
		}, nil)).Description("valid, ids, exceptions and invalid parts (sorted, unique)"),
	),
	impl: guard1(spdxParse),
}

var spdxNormalizeDef = definition{
	name:        "secgate.spdx_normalize",
	description: "Rewrites a licence expression in current SPDX ids: the parts an alias names become the alias's value, deprecated ids their replacements (\"GPL-2.0\" becomes \"GPL-2.0-only\", \"GPL-2.0+\" \"GPL-2.0-or-later\"); everything else stays as written.",
	decl: types.NewFunction(
		types.Args(
			types.Named("expression", types.S).Description("licence expression as a report wrote it"),
			types.Named("aliases", types.NewObject(nil, types.NewDynamicProperty(types.S, types.S))).Description("licence names (as written) mapped to SPDX expressions, e.g. {\"MIT/X11\": \"MIT\"}"),
		),
		types.Named("normalized", types.S).Description("the expression with aliases and deprecated ids replaced"),
	),
	impl: guard2(spdxNormalize),
}

var spdxDeniedDef = definition{
	name:        "secgate.spdx_denied",
	description: "Lists the denied licences an SPDX licence expression cannot be satisfied without: those of its ids and non-SPDX parts (as secgate.spdx_parse reads them) that are denied, when its other licences cannot satisfy it; empty when they can or when it names none.",
	decl: types.NewFunction(
		types.Args(
			types.Named("expression", types.S).Description("SPDX licence expression"),
			types.Named("denied", types.NewAny(stringArrayType, types.NewSet(types.S))).Description("the denied licences: SPDX ids, or other names as written"),
		),
		types.Named("needed", stringArrayType).Description("the denied licences the expression needs (sorted, unique)"),
	),
	impl: guard2(spdxDenied),
}

var spdxAllOfDef = definition{
	name:        "secgate.spdx_all_of",
	description: "Joins a list of licences into one expression that needs them all: one licence as written, several joined with AND, each that holds a space in parentheses; an empty list gives \"\".",
	decl: types.NewFunction(
		types.Args(
			types.Named("licenses", stringArrayType).Description("licences or licence expressions, e.g. a component's licenses"),
		),
		types.Named("expression", types.S).Description("\"MIT AND (Apache-2.0 OR BSD-3-Clause)\""),
	),
	impl: guard1(spdxAllOf),
}

func spdxAllOf(_ rego.BuiltinContext, licensesTerm *ast.Term) (*ast.Term, error) {
	if _, ok := licensesTerm.Value.(*ast.Array); !ok {
		return nil, operandTypeErr(1, licensesTerm.Value, "array")
	}
	list, err := stringList(licensesTerm, 1)
	if err != nil {
		return nil, err
	}
	if len(list) == 1 {
		return ast.StringTerm(list[0]), nil
	}
	for i, l := range list {
		if strings.Contains(l, " ") {
			list[i] = "(" + l + ")"
		}
	}
	return ast.StringTerm(strings.Join(list, " AND ")), nil
}

func spdxSatisfies(_ rego.BuiltinContext, exprTerm, allowedTerm *ast.Term) (*ast.Term, error) {
	expr, err := stringArg(exprTerm, 1)
	if err != nil {
		return nil, err
	}
	list, err := stringList(allowedTerm, 2)
	if err != nil {
		return nil, err
	}
	ok, err := license.Satisfies(expr, list)
	if err != nil {
		return nil, fmt.Errorf("operand 2: %w", err)
	}
	return ast.BooleanTerm(ok), nil
}

func spdxParse(_ rego.BuiltinContext, exprTerm *ast.Term) (*ast.Term, error) {
	expr, err := stringArg(exprTerm, 1)
	if err != nil {
		return nil, err
	}
	valid, p := license.Read(expr)
	return ast.ObjectTerm(
		ast.Item(ast.StringTerm("valid"), ast.BooleanTerm(valid)),
		ast.Item(ast.StringTerm("ids"), stringArray(p.IDs)),
		ast.Item(ast.StringTerm("exceptions"), stringArray(p.Exceptions)),
		ast.Item(ast.StringTerm("invalid"), stringArray(p.Invalid)),
	), nil
}

// spdxDenied is license.Denied: what the licence policy once wrote as a
// comprehension over spdx_parse and a call of spdx_satisfies.
func spdxDenied(_ rego.BuiltinContext, exprTerm, deniedTerm *ast.Term) (*ast.Term, error) {
	expr, err := stringArg(exprTerm, 1)
	if err != nil {
		return nil, err
	}
	list, err := stringList(deniedTerm, 2)
	if err != nil {
		return nil, err
	}
	needed, err := license.Denied(expr, list)
	if err != nil {
		return nil, fmt.Errorf("operand 2: %w", err)
	}
	return stringArray(needed), nil
}

// stringList returns operand pos as the strings of an array or set.
func stringList(t *ast.Term, pos int) ([]string, error) {
	var elems []*ast.Term
	switch v := t.Value.(type) {
	case *ast.Array:
		v.Foreach(func(e *ast.Term) { elems = append(elems, e) })
	case ast.Set:
		elems = v.Slice()
	default:
		return nil, operandTypeErr(pos, t.Value, "array or set of strings")
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, ok := e.Value.(ast.String)
		if !ok {
			return nil, fmt.Errorf("operand %d must contain only strings but has %s %v", pos, ast.ValueName(e.Value), e)
		}
		out = append(out, string(s))
	}
	return out, nil
}

func spdxNormalize(_ rego.BuiltinContext, exprTerm, aliasesTerm *ast.Term) (*ast.Term, error) {
	expr, err := stringArg(exprTerm, 1)
	if err != nil {
		return nil, err
	}
	obj, ok := aliasesTerm.Value.(ast.Object)
	if !ok {
		return nil, operandTypeErr(2, aliasesTerm.Value, "object of strings")
	}
	aliases := make(map[string]string, obj.Len())
	err = obj.Iter(func(k, v *ast.Term) error {
		name, ok := k.Value.(ast.String)
		if !ok {
			return fmt.Errorf("operand 2: alias name %v is %s, not a string", k, ast.ValueName(k.Value))
		}
		to, ok := v.Value.(ast.String)
		if !ok {
			return fmt.Errorf("operand 2: alias %s is %s, not a licence expression", textsafe.Quote(string(name)), ast.ValueName(v.Value))
		}
		aliases[license.NormalizeSpace(string(name))] = string(to)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ast.StringTerm(license.Normalize(expr, aliases)), nil
}
