package builtins

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

var spdxSatisfiesDef = definition{
	name:        "secgate.spdx_satisfies",
	description: "Reports whether an SPDX licence expression can be satisfied using only the allowed licences; false for an expression that is not valid SPDX.",
	decl: types.NewFunction(
		types.Args(
			types.Named("expression", types.S).Description("SPDX licence expression, e.g. \"MIT OR Apache-2.0\""),
			types.Named("allowed", types.NewAny(stringArrayType, types.NewSet(types.S))).Description("the licences that may be used: SPDX ids, \"id WITH exception\" or LicenseRef-…"),
		),
		types.Named("satisfied", types.B).Description("true when the allowed licences satisfy the expression"),
	),
	bind: func(f *rego.Function) func(*rego.Rego) { return rego.Function2(f, guard2(spdxSatisfies)) },
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
	bind: func(f *rego.Function) func(*rego.Rego) { return rego.Function1(f, guard1(spdxParse)) },
}

func spdxSatisfies(_ rego.BuiltinContext, exprTerm, allowedTerm *ast.Term) (*ast.Term, error) {
	expr, err := stringArg(exprTerm, 1)
	if err != nil {
		return nil, err
	}
	expr = normalizeSpace(expr)
	allowed, err := stringList(allowedTerm, 2)
	if err != nil {
		return nil, err
	}
	// Check the allow-list before the expression: a broken allow-list is
	// the policy's bug and must surface whatever licence is being tested.
	for i, a := range allowed {
		allowed[i] = normalizeSpace(a)
		if err := checkAllowedLicense(allowed[i]); err != nil {
			return nil, err
		}
	}
	if len(allowed) == 0 {
		return ast.BooleanTerm(false), nil
	}
	if !spdxValid(expr) {
		return ast.BooleanTerm(false), nil
	}
	tree, ok := parseSPDXTree(expr)
	if !ok {
		// go-spdx read it but this parser cannot: say "not satisfied",
		// the answer that lets nothing through.
		return ast.BooleanTerm(false), nil
	}
	return ast.BooleanTerm(tree.satisfiedBy(allowed)), nil
}

// spdxNode is a node of a licence expression: an AND or OR of two
// expressions, or one licence (with its "+" and "WITH exception").
//
// secgate evaluates AND and OR itself and asks go-spdx only whether each
// licence is covered by the allow-list: go-spdx v2.3.1's Satisfies drops
// LicenseRefs under OR and all but the first alternative of an AND nested
// in an OR, so "MIT AND (LicenseRef-a OR LicenseRef-b)" was satisfied by
// ["MIT"] alone.
type spdxNode struct {
	op          string // "AND", "OR", or "" for a licence
	left, right *spdxNode
	license     string
}

func (n *spdxNode) satisfiedBy(allowed []string) bool {
	return n.eval(allowed, map[string]bool{})
}

// eval evaluates the expression, asking go-spdx once per distinct licence.
func (n *spdxNode) eval(allowed []string, seen map[string]bool) bool {
	switch n.op {
	case "OR":
		return n.left.eval(allowed, seen) || n.right.eval(allowed, seen)
	case "AND":
		return n.left.eval(allowed, seen) && n.right.eval(allowed, seen)
	}
	ok, found := seen[n.license]
	if !found {
		ok = spdxLicenceSatisfied(n.license, allowed)
		seen[n.license] = ok
	}
	return ok
}

// parseSPDXTree parses an expression that go-spdx has validated, with
// SPDX's precedence: WITH, then AND, then OR.
func parseSPDXTree(expr string) (*spdxNode, bool) {
	p := &spdxTreeParser{words: spdxWords(expr)}
	n := p.or()
	if n == nil || p.pos != len(p.words) {
		return nil, false
	}
	return n, true
}

type spdxTreeParser struct {
	words []string
	pos   int
}

func (p *spdxTreeParser) peek() string {
	if p.pos < len(p.words) {
		return p.words[p.pos]
	}
	return ""
}

func (p *spdxTreeParser) or() *spdxNode {
	return p.binary("OR", p.and)
}

func (p *spdxTreeParser) and() *spdxNode {
	return p.binary("AND", p.licence)
}

func (p *spdxTreeParser) binary(op string, operand func() *spdxNode) *spdxNode {
	left := operand()
	for left != nil && p.peek() == op {
		p.pos++
		right := operand()
		if right == nil {
			return nil
		}
		left = &spdxNode{op: op, left: left, right: right}
	}
	return left
}

func (p *spdxTreeParser) licence() *spdxNode {
	switch w := p.peek(); w {
	case "", ")", "AND", "OR", "WITH":
		return nil
	case "(":
		p.pos++
		n := p.or()
		if n == nil || p.peek() != ")" {
			return nil
		}
		p.pos++
		return n
	default:
		p.pos++
		if p.peek() == "WITH" {
			p.pos++
			exception := p.peek()
			switch exception {
			case "", "(", ")", "AND", "OR", "WITH":
				return nil
			}
			p.pos++
			w += " WITH " + exception
		}
		return &spdxNode{license: w}
	}
}

// checkAllowedLicense accepts one licence as go-spdx's allow-list does: an
// id (with "+" or an exception) or a LicenseRef, but no AND/OR.
func checkAllowedLicense(s string) error {
	if !spdxValid(s) {
		return fmt.Errorf("operand 2: allowed licence %s is not an SPDX licence id or LicenseRef", quote(s))
	}
	if splitSPDX(s).compound {
		return fmt.Errorf("operand 2: allowed licence %s is an expression; list each licence on its own", quote(s))
	}
	return nil
}

func spdxParse(_ rego.BuiltinContext, exprTerm *ast.Term) (*ast.Term, error) {
	expr, err := stringArg(exprTerm, 1)
	if err != nil {
		return nil, err
	}
	expr = normalizeSpace(expr)
	p := splitSPDX(expr)
	libValid := spdxValid(expr)
	valid := libValid && len(p.invalid) == 0
	if !valid && len(p.invalid) == 0 {
		// A syntax error ("(MIT", "MIT OR", "") with no bad part: the
		// expression as a whole is what cannot be read.
		p.invalid = []string{expr}
	}
	return ast.ObjectTerm(
		ast.Item(ast.StringTerm("valid"), ast.BooleanTerm(valid)),
		ast.Item(ast.StringTerm("ids"), stringArray(sortedUnique(p.ids))),
		ast.Item(ast.StringTerm("exceptions"), stringArray(sortedUnique(p.exceptions))),
		ast.Item(ast.StringTerm("invalid"), stringArray(sortedUnique(p.invalid))),
	), nil
}

// spdxValid reports whether go-spdx reads s. go-spdx v2.3.1 panics on
// some malformed expressions (a lone "("); those are invalid too.
func spdxValid(s string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	ok, _ = spdxexp.ValidateLicenses([]string{s})
	return ok
}

// spdxLicenceSatisfied reports whether one licence (with its "+" or
// exception) is covered by the allow-list, by go-spdx's ranges.
func spdxLicenceSatisfied(licence string, allowed []string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	ok, err := spdxexp.Satisfies(licence, allowed)
	return err == nil && ok
}

// normalizeSpace turns each run of white space into one space and trims
// the ends: go-spdx reads only spaces, and licence fields in reports carry
// tabs and line breaks.
func normalizeSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// spdxParts is an expression taken apart word by word, independently of
// go-spdx's parser, which stops at the first error and so cannot list
// every bad part.
type spdxParts struct {
	ids, exceptions, invalid []string
	// compound is set when the expression has AND or OR.
	compound bool
}

// splitSPDX splits expr at its operators (AND, OR, WITH; case-sensitive,
// as in SPDX) and parentheses. The words between two operators form one
// part, so "Apache License 2.0" is one invalid part, not three.
func splitSPDX(expr string) spdxParts {
	var (
		p         spdxParts
		words     []string
		exception bool // the part being read follows WITH
	)
	flush := func() {
		if len(words) == 0 {
			return
		}
		part := strings.Join(words, " ")
		words = words[:0]
		if exception {
			exception = false
			if id, ok := spdxTables().exceptions[strings.ToLower(part)]; ok {
				p.exceptions = append(p.exceptions, id)
			} else {
				p.invalid = append(p.invalid, part)
			}
			return
		}
		if spdxValid(part) {
			p.ids = append(p.ids, canonicalLicense(part))
		} else {
			p.invalid = append(p.invalid, part)
		}
	}
	for _, w := range spdxWords(expr) {
		switch w {
		case "AND", "OR":
			flush()
			exception = false
			p.compound = true
		case "WITH":
			flush()
			exception = true
		case "(", ")":
			flush()
			exception = false
		default:
			words = append(words, w)
		}
	}
	flush()
	return p
}

// spdxWords splits expr at white space, keeping each parenthesis as a
// word of its own.
func spdxWords(expr string) []string {
	var out []string
	start := -1
	for i, r := range expr {
		switch {
		case unicode.IsSpace(r) || r == '(' || r == ')':
			if start >= 0 {
				out = append(out, expr[start:i])
				start = -1
			}
			if r == '(' || r == ')' {
				out = append(out, string(r))
			}
		case start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, expr[start:])
	}
	return out
}

// canonicalLicense returns a valid licence part as its SPDX id in the
// list's own case, without "+"; "-only" and "-or-later" forms that the
// list lacks map to their base id, as go-spdx reads them. LicenseRefs stay
// verbatim.
func canonicalLicense(part string) string {
	id := strings.TrimSuffix(part, "+")
	licenses := spdxTables().licenses
	lower := strings.ToLower(id)
	if c, ok := licenses[lower]; ok {
		return c
	}
	for _, suffix := range []string{"-only", "-or-later"} {
		if base, ok := strings.CutSuffix(lower, suffix); ok {
			if c, ok := licenses[base]; ok {
				return c
			}
		}
	}
	return id
}

type spdxLookup struct {
	// licenses and exceptions map lower-case ids to the list's spelling.
	licenses, exceptions map[string]string
}

var spdxTables = sync.OnceValue(func() spdxLookup {
	t := spdxLookup{licenses: map[string]string{}, exceptions: map[string]string{}}
	for _, list := range [][]string{spdxlicenses.GetLicenses(), spdxlicenses.GetDeprecated()} {
		for _, id := range list {
			t.licenses[strings.ToLower(id)] = id
		}
	}
	for _, id := range spdxlicenses.GetExceptions() {
		t.exceptions[strings.ToLower(id)] = id
	}
	return t
})

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

func sortedUnique(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}
