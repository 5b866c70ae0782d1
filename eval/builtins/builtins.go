package builtins

import (
	"fmt"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/types"
)

// definition is one builtin: its declaration and its implementation, a
// rego.Builtin1, Builtin2 or Builtin3.
type definition struct {
	name        string
	description string
	decl        *types.Function
	impl        any
	// noMemo turns memoization off: for builtins over whole collections,
	// hashing the arguments would cost more than the call.
	noMemo bool
}

// definitions lists secgate's builtins in a fixed order, so All, Decls and
// RegoOptions agree with each other and from run to run.
var definitions = []definition{
	spdxSatisfiesDef,
	spdxParseDef,
	spdxNormalizeDef,
	spdxDeniedDef,
	spdxAllOfDef,
	cvssScoreDef,
	purlParseDef,
	versionCompareDef,
	groupByDef,
	pluckDef,
	uniqueDef,
	remediationDef,
	componentsDef,
}

func (d definition) function() *rego.Function {
	return &rego.Function{
		Name:             d.name,
		Description:      d.description,
		Decl:             d.decl,
		Memoize:          !d.noMemo,
		Nondeterministic: false,
	}
}

// bind is the rego.New option that adds the builtin as f.
func (d definition) bind(f *rego.Function) func(*rego.Rego) {
	switch impl := d.impl.(type) {
	case rego.Builtin1:
		return rego.Function1(f, impl)
	case rego.Builtin2:
		return rego.Function2(f, impl)
	case rego.Builtin3:
		return rego.Function3(f, impl)
	}
	panic(fmt.Sprintf("builtin %s: implementation of type %T", d.name, d.impl))
}

// register adds the builtin to OPA's global table.
func (d definition) register() {
	switch impl := d.impl.(type) {
	case rego.Builtin1:
		rego.RegisterBuiltin1(d.function(), impl)
	case rego.Builtin2:
		rego.RegisterBuiltin2(d.function(), impl)
	case rego.Builtin3:
		rego.RegisterBuiltin3(d.function(), impl)
	default:
		panic(fmt.Sprintf("builtin %s: implementation of type %T", d.name, d.impl))
	}
}

var registerOnce sync.Once

// Register adds secgate's builtins to OPA's global table of builtins, as
// OPA documents for extending its own server and command line: every
// compiler and evaluation of the process then knows them. It is for a
// process that runs OPA's runtime (secgate-opa, which secgate opa run
// becomes); secgate's own evaluation adds them per query (RegoOptions,
// Decls) and never calls it. Calling it again does nothing.
func Register() {
	registerOnce.Do(func() {
		for _, d := range definitions {
			d.register()
		}
	})
}

func (d definition) builtin() *ast.Builtin {
	return &ast.Builtin{
		Name:        d.name,
		Description: d.description,
		Decl:        d.decl,
	}
}

// All returns secgate's builtins, for rego.New options and the test runner
// (tester.Runner.AddCustomBuiltins). Each call returns new values, so a
// caller may keep or change them freely.
func All() []*tester.Builtin {
	out := make([]*tester.Builtin, 0, len(definitions))
	for _, d := range definitions {
		out = append(out, &tester.Builtin{Decl: d.builtin(), Func: d.bind(d.function())})
	}
	return out
}

// RegoOptions returns the rego.New options that add secgate's builtins
// (the Func of each of All).
func RegoOptions() []func(*rego.Rego) {
	out := make([]func(*rego.Rego), 0, len(definitions))
	for _, d := range definitions {
		out = append(out, d.bind(d.function()))
	}
	return out
}

// Decls returns the declarations of secgate's builtins, for
// ast.Capabilities.Builtins: a compiler built with them accepts policies
// that call the builtins (their implementations come from RegoOptions).
func Decls() []*ast.Builtin {
	out := make([]*ast.Builtin, 0, len(definitions))
	for _, d := range definitions {
		out = append(out, d.builtin())
	}
	return out
}

// The guards turn a panic in a builtin (in practice, in a parsing library
// fed a hostile report) into a builtin error: a policy run reports it
// rather than crashing secgate.

func guard1(f rego.Builtin1) rego.Builtin1 {
	return func(bctx rego.BuiltinContext, a *ast.Term) (t *ast.Term, err error) {
		defer recoverInto(&err)
		return f(bctx, a)
	}
}

func guard2(f rego.Builtin2) rego.Builtin2 {
	return func(bctx rego.BuiltinContext, a, b *ast.Term) (t *ast.Term, err error) {
		defer recoverInto(&err)
		return f(bctx, a, b)
	}
}

func guard3(f rego.Builtin3) rego.Builtin3 {
	return func(bctx rego.BuiltinContext, a, b, c *ast.Term) (t *ast.Term, err error) {
		defer recoverInto(&err)
		return f(bctx, a, b, c)
	}
}

func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("internal error: %v", r)
	}
}

// stringArg returns operand pos (1-based) as a string, or OPA's usual
// operand type error.
func stringArg(t *ast.Term, pos int) (string, error) {
	s, ok := t.Value.(ast.String)
	if !ok {
		return "", operandTypeErr(pos, t.Value, "string")
	}
	return string(s), nil
}

// operandTypeErr mirrors OPA's own wording for a wrongly typed operand.
func operandTypeErr(pos int, got ast.Value, want string) error {
	return fmt.Errorf("operand %d must be %s but got %s", pos, want, ast.ValueName(got))
}

// stringArray builds a Rego array of strings.
func stringArray(ss []string) *ast.Term {
	terms := make([]*ast.Term, len(ss))
	for i, s := range ss {
		terms[i] = ast.StringTerm(s)
	}
	return ast.ArrayTerm(terms...)
}

// stringArrayType is array[string], the type of the list results.
var stringArrayType = types.NewArray(nil, types.S)
