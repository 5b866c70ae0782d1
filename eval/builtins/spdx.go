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

//go:generate go run ../../tools/spdxdeprecated spdx_deprecated.go

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
	bind: func(f *rego.Function) func(*rego.Rego) { return rego.Function2(f, guard2(spdxNormalize)) },
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
	bind: func(f *rego.Function) func(*rego.Rego) { return rego.Function2(f, guard2(spdxDenied)) },
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
	bind: func(f *rego.Function) func(*rego.Rego) { return rego.Function1(f, guard1(spdxAllOf)) },
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
	ok, err := satisfies(expr, list)
	if err != nil {
		return nil, err
	}
	return ast.BooleanTerm(ok), nil
}

// satisfies is secgate.spdx_satisfies on Go values.
func satisfies(expr string, list []string) (bool, error) {
	expr = normalizeLicences(expr, nil)
	// Check the allow-list before the expression: a broken allow-list is
	// the policy's bug and must surface whatever licence is being tested.
	var allowed spdxAllowed
	for _, a := range list {
		a = normalizeLicences(a, nil)
		if !spdxValid(a) {
			// Not SPDX ("MIT/X11"): a licence allowed by name, as written.
			allowed.names = append(allowed.names, a)
			continue
		}
		if err := checkAllowedLicense(a); err != nil {
			return false, err
		}
		allowed.ids = append(allowed.ids, a)
	}
	if slices.Contains(allowed.names, expr) {
		return true, nil
	}
	// A part that is not SPDX is a licence like any other, met only when
	// the allow-list names it; a syntax error with no such part ("(MIT")
	// is met by nothing.
	if len(splitSPDX(expr).invalid) == 0 && !spdxValid(expr) {
		return false, nil
	}
	tree, ok := parseSPDXTree(expr)
	if !ok {
		// go-spdx read it but this parser cannot: say "not satisfied",
		// the answer that lets nothing through.
		return false, nil
	}
	return tree.satisfiedBy(allowed), nil
}

// spdxAllowed is an allow-list: SPDX licences (ids, "id WITH exception",
// LicenseRefs) and licences that are not SPDX, allowed by name as written.
type spdxAllowed struct {
	ids, names []string
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

func (n *spdxNode) satisfiedBy(allowed spdxAllowed) bool {
	return n.eval(allowed, map[string]bool{})
}

// eval evaluates the expression, asking go-spdx once per distinct licence.
func (n *spdxNode) eval(allowed spdxAllowed, seen map[string]bool) bool {
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
		// The words up to the next operator are one licence: a name that
		// is not SPDX ("Apache 2") may have several.
		start := p.pos
		for p.pos < len(p.words) && !slices.Contains([]string{"(", ")", "AND", "OR", "WITH"}, p.words[p.pos]) {
			p.pos++
		}
		w = strings.Join(p.words[start:p.pos], " ")
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
	valid, p := readSPDX(expr)
	return ast.ObjectTerm(
		ast.Item(ast.StringTerm("valid"), ast.BooleanTerm(valid)),
		ast.Item(ast.StringTerm("ids"), stringArray(p.ids)),
		ast.Item(ast.StringTerm("exceptions"), stringArray(p.exceptions)),
		ast.Item(ast.StringTerm("invalid"), stringArray(p.invalid)),
	), nil
}

// readSPDX is what secgate.spdx_parse returns: whether expr is valid
// SPDX, and its ids, exceptions and invalid parts, sorted and unique.
func readSPDX(expr string) (bool, spdxParts) {
	expr = normalizeLicences(expr, nil)
	p := splitSPDX(expr)
	libValid := spdxValid(expr)
	valid := libValid && len(p.invalid) == 0
	if !valid && len(p.invalid) == 0 {
		// A syntax error ("(MIT", "MIT OR", "") with no bad part: the
		// expression as a whole is what cannot be read.
		p.invalid = []string{expr}
	}
	p.ids, p.exceptions, p.invalid = sortedUnique(p.ids), sortedUnique(p.exceptions), sortedUnique(p.invalid)
	return valid, p
}

// spdxDenied lists the licences of an expression (its ids and its parts
// that are not SPDX, as secgate.spdx_parse reads them) that are denied,
// when the expression cannot be satisfied by its other licences (each
// also with the expression's exceptions); else none. It is what the
// licence policy once wrote as a comprehension over spdx_parse and a
// call of spdx_satisfies, and asks satisfies the same question.
func spdxDenied(_ rego.BuiltinContext, exprTerm, deniedTerm *ast.Term) (*ast.Term, error) {
	expr, err := stringArg(exprTerm, 1)
	if err != nil {
		return nil, err
	}
	list, err := stringList(deniedTerm, 2)
	if err != nil {
		return nil, err
	}
	denied := make(map[string]bool, len(list))
	for _, d := range list {
		denied[d] = true
	}
	_, p := readSPDX(expr)
	var hits []string
	var others []string
	for _, id := range p.ids {
		if denied[id] {
			hits = append(hits, id)
			continue
		}
		others = append(others, id)
		for _, e := range p.exceptions {
			others = append(others, id+" WITH "+e)
		}
	}
	for _, n := range p.invalid {
		if denied[n] {
			hits = append(hits, n)
			continue
		}
		others = append(others, n)
	}
	if len(hits) == 0 {
		return stringArray(nil), nil
	}
	ok, err := satisfies(expr, others)
	if err != nil {
		return nil, err
	}
	if ok {
		return stringArray(nil), nil
	}
	return stringArray(sortedUnique(hits)), nil
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
// exception) is covered by the allow-list: by name as written, else by
// go-spdx's ranges.
func spdxLicenceSatisfied(licence string, allowed spdxAllowed) (ok bool) {
	if slices.Contains(allowed.names, licence) {
		return true
	}
	if len(allowed.ids) == 0 || !spdxValid(licence) {
		return false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	ok, err := spdxexp.Satisfies(licence, allowed.ids)
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
		exception bool // the part being read follows WITH
	)
	for _, t := range spdxTerms(expr) {
		switch t {
		case "AND", "OR":
			exception = false
			p.compound = true
		case "WITH":
			exception = true
		case "(", ")":
			exception = false
		default:
			switch {
			case exception:
				exception = false
				if id, ok := spdxTables().exceptions[strings.ToLower(t)]; ok {
					p.exceptions = append(p.exceptions, id)
				} else {
					p.invalid = append(p.invalid, t)
				}
			case spdxValid(t):
				p.ids = append(p.ids, canonicalLicense(t))
			default:
				p.invalid = append(p.invalid, t)
			}
		}
	}
	return p
}

// spdxTerms splits expr into its operators (AND, OR, WITH), parentheses
// and the parts between them: the words up to the next operator or
// parenthesis, joined by one space.
func spdxTerms(expr string) []string {
	var out, words []string
	for _, w := range spdxWords(expr) {
		switch w {
		case "AND", "OR", "WITH", "(", ")":
			if len(words) > 0 {
				out = append(out, strings.Join(words, " "))
				words = words[:0]
			}
			out = append(out, w)
		default:
			words = append(words, w)
		}
	}
	if len(words) > 0 {
		out = append(out, strings.Join(words, " "))
	}
	return out
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
	// deprecated maps lower-case deprecated ids to their replacement.
	deprecated map[string]string
}

var spdxTables = sync.OnceValue(func() spdxLookup {
	t := spdxLookup{licenses: map[string]string{}, exceptions: map[string]string{}, deprecated: map[string]string{}}
	for id, repl := range deprecatedLicences {
		t.deprecated[strings.ToLower(id)] = repl
	}
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
			return fmt.Errorf("operand 2: alias %s is %s, not a licence expression", quote(string(name)), ast.ValueName(v.Value))
		}
		aliases[normalizeSpace(string(name))] = string(to)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ast.StringTerm(normalizeLicences(expr, aliases)), nil
}

// normalizeLicences rewrites expr in current SPDX ids, after normalising
// its white space. The whole expression, or a part of it (the words
// between two operators), that aliases names as written becomes the
// alias's value; each deprecated id becomes its replacement ("GPL-2.0"
// becomes "GPL-2.0-only", "GPL-2.0+" and "GFDL-1.3+" "-or-later"). Other
// parts, exceptions, operators and parentheses stay as written, so an
// expression that is not SPDX stays what it was.
func normalizeLicences(expr string, aliases map[string]string) string {
	expr = normalizeSpace(expr)
	if to, ok := aliases[expr]; ok {
		return normalizeLicences(to, nil)
	}
	out := spdxTerms(expr)
	exception := false // the part being read follows WITH
	for i, t := range out {
		switch t {
		case "AND", "OR", "(", ")":
			exception = false
		case "WITH":
			exception = true
		default:
			switch to, ok := aliases[t]; {
			case exception:
				exception = false
			case ok:
				t = normalizeLicences(to, nil)
				if strings.Contains(t, " ") {
					t = "(" + t + ")"
				}
			default:
				t = replaceDeprecated(t)
			}
			out[i] = t
		}
	}
	out = dropSingleParens(out)
	s := strings.Join(out, " ")
	s = strings.ReplaceAll(s, "( ", "(")
	return strings.ReplaceAll(s, " )", ")")
}

// dropSingleParens drops the parentheses around one licence of one word
// ("(GPL v3)" whose alias is GPL-3.0-only reads "GPL-3.0-only").
func dropSingleParens(tokens []string) []string {
	out := tokens[:0:0]
	for i := 0; i < len(tokens); i++ {
		if tokens[i] == "(" && i+2 < len(tokens) && tokens[i+2] == ")" && !strings.Contains(tokens[i+1], " ") && !slices.Contains([]string{"(", ")", "AND", "OR", "WITH"}, tokens[i+1]) {
			out = append(out, tokens[i+1])
			i += 2
			continue
		}
		out = append(out, tokens[i])
	}
	return out
}

// replaceDeprecated returns the replacement of a deprecated licence id
// (with or without "+"), or part unchanged.
func replaceDeprecated(part string) string {
	deprecated := spdxTables().deprecated
	lower := strings.ToLower(part)
	if to, ok := deprecated[lower]; ok {
		return to
	}
	if base, ok := strings.CutSuffix(lower, "+"); ok {
		if to, ok := deprecated[base]; ok {
			return orLater(to)
		}
	}
	return part
}

// orLater returns the "or any later version" form of a replacement:
// "GPL-2.0-only WITH X" becomes "GPL-2.0-or-later WITH X"; a licence
// without an "-or-later" id keeps SPDX's "+".
func orLater(repl string) string {
	licence, exception, with := strings.Cut(repl, " WITH ")
	base, only := strings.CutSuffix(licence, "-only")
	switch {
	case only && spdxTables().licenses[strings.ToLower(base+"-or-later")] != "":
		licence = base + "-or-later"
	case !strings.HasSuffix(licence, "-or-later"):
		licence += "+"
	}
	if with {
		return licence + " WITH " + exception
	}
	return licence
}
