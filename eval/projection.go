package eval

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The input projection keeps, in each finding and component (and in the
// objects inside a finding), only the keys the policies spell out. That
// gives the same results only if no policy can see which keys an object
// has: a policy that walks a finding, lists its keys, serialises it,
// compares it, puts it in a set or reads it by a computed key would see
// the projection. projectionSafe proves, over the compiled modules, that
// every finding, component and object inside them is only ever read by
// literal keys (or handed to a secgate builtin that reads named fields),
// following values through variables, comprehensions, rules and function
// calls. What it cannot prove safe is refused.

// shape is what a Rego term may hold of the input, as a set of (kind,
// depth) pairs: depth counts the collections (arrays, or objects keyed by
// something else) around a value of the kind; the kinds are the input
// itself, a finding, a component and an object inside a finding. The empty
// set holds nothing projected.
type shape uint32

const (
	kindInput = iota
	kindFinding
	kindComponent
	kindObject
	kinds

	maxDepth = 8 // bits per kind
)

func one(kind, depth int) shape { return 1 << (kind*maxDepth + depth) }

// each calls fn with every (kind, depth) of s.
func (s shape) each(fn func(kind, depth int) error) error {
	for s != 0 {
		b := bits.TrailingZeros32(uint32(s))
		s &^= 1 << b
		if err := fn(b/maxDepth, b%maxDepth); err != nil {
			return err
		}
	}
	return nil
}

// wrap is s inside one more collection.
func (s shape) wrap() (shape, error) {
	var out shape
	err := s.each(func(k, d int) error {
		if d+1 >= maxDepth {
			return fmt.Errorf("collections nested too deep")
		}
		out |= one(k, d+1)
		return nil
	})
	return out, err
}

// objectFields are the keys of a finding that hold projected values: an
// object, or (true) a list of them.
var objectFields = map[string]bool{
	"package": false, "location": false, "cvss": false, "epss": false, "kev": false, "status_reason": false,
	"scores": true, "locations": true, "origins": true,
}

// refusal says why the projection is not safe, and where.
type refusal struct {
	loc *ast.Location
	msg string
}

func (r *refusal) Error() string {
	if r.loc == nil {
		return r.msg
	}
	return fmt.Sprintf("%s:%d: %s", cleanFile(r.loc.File), r.loc.Row, r.msg)
}

// projection is the analysis state: what each rule and each function's
// parameters and result may hold, grown until nothing changes.
type projection struct {
	compiler *ast.Compiler
	rules    map[string]shape   // rule path -> what its value may hold
	refs     map[string]ast.Ref // rule path -> the path as a reference
	params   map[string][]shape // function path -> what each argument may hold
	results  map[string]shape   // function path -> what its result may hold
	changed  bool
}

// projectionSafe reports nil when evaluating the compiled modules over a
// projected input gives what evaluating them over the whole input gives,
// else why not.
func projectionSafe(c *ast.Compiler) error {
	p := &projection{compiler: c, rules: map[string]shape{}, refs: map[string]ast.Ref{}, params: map[string][]shape{}, results: map[string]shape{}}
	for range 100 {
		p.changed = false
		for _, m := range c.Modules {
			for _, r := range m.Rules {
				for rr := r; rr != nil; rr = rr.Else {
					if err := p.rule(r, rr); err != nil {
						return err
					}
				}
			}
		}
		if !p.changed {
			return nil
		}
	}
	return fmt.Errorf("the policies pass values between rules too many times to follow")
}

// scope is one rule's variables.
type scope struct {
	p    *projection
	vars map[ast.Var]shape
	loc  *ast.Location
}

func (s *scope) refuse(msg string, args ...any) error {
	return &refusal{loc: s.loc, msg: fmt.Sprintf(msg, args...)}
}

// rule analyses one rule (or one else branch of it, head of the chain r).
func (p *projection) rule(r, branch *ast.Rule) error {
	s := &scope{p: p, vars: map[ast.Var]shape{}, loc: branch.Location}
	path := r.Ref().GroundPrefix().String()
	for _, args := range []ast.Args{r.Head.Args, branch.Head.Args} {
		params := p.params[path]
		for i, a := range args {
			if i >= len(params) {
				break
			}
			if v, ok := a.Value.(ast.Var); ok {
				s.vars[v] |= params[i]
			} else if params[i] != 0 {
				return s.refuse("a function matches a finding against a pattern")
			}
		}
	}
	if err := s.body(branch.Body); err != nil {
		return err
	}
	var value shape
	if branch.Head.Value != nil {
		v, err := s.term(branch.Head.Value)
		if err != nil {
			return err
		}
		value = v
	}
	if branch.Head.Key != nil {
		k, err := s.term(branch.Head.Key)
		if err != nil {
			return err
		}
		if k != 0 {
			return s.refuse("rule %s collects findings or components in a set, which compares them whole", r.Head.Ref())
		}
	}
	if len(r.Head.Args) > 0 {
		p.grow(p.results, path, value)
		return nil
	}
	// Each variable key of the head (r[k] := v) is one more collection.
	for range len(r.Ref()) - len(r.Ref().GroundPrefix()) {
		var err error
		if value, err = s.collection(value); err != nil {
			return err
		}
	}
	p.refs[path] = r.Ref().GroundPrefix()
	p.grow(p.rules, path, value)
	return nil
}

func (p *projection) grow(m map[string]shape, key string, s shape) {
	if m[key]|s != m[key] {
		m[key] |= s
		p.changed = true
	}
}

func (s *scope) body(b ast.Body) error {
	for _, e := range b {
		if err := s.expr(e); err != nil {
			return err
		}
	}
	return nil
}

func (s *scope) expr(e *ast.Expr) error {
	if e.Location != nil {
		s.loc = e.Location
	}
	for _, w := range e.With {
		v, err := s.term(w.Value)
		if err != nil {
			return err
		}
		if v != 0 {
			return s.refuse("with replaces a value by a finding or component")
		}
	}
	switch t := e.Terms.(type) {
	case *ast.Term:
		_, err := s.term(t)
		return err
	case *ast.Every:
		return s.every(t)
	case *ast.SomeDecl:
		return nil
	case []*ast.Term:
		return s.call(e, t)
	}
	return s.refuse("unknown expression %v", e)
}

func (s *scope) every(ev *ast.Every) error {
	dom, err := s.term(ev.Domain)
	if err != nil {
		return err
	}
	elem, err := s.elements(dom, "every")
	if err != nil {
		return err
	}
	if err := s.bind(ev.Value, elem); err != nil {
		return err
	}
	return s.body(ev.Body)
}

// elements is what iterating a value of shape s yields.
func (s *scope) elements(sh shape, what string) (shape, error) {
	var out shape
	err := sh.each(func(k, d int) error {
		if d == 0 {
			return s.refuse("%s goes through the keys or values of a finding or component", what)
		}
		out |= one(k, d-1)
		return nil
	})
	return out, err
}

// bind records that term t (a variable, usually) holds sh.
func (s *scope) bind(t *ast.Term, sh shape) error {
	if sh == 0 {
		_, err := s.term(t)
		return err
	}
	v, ok := t.Value.(ast.Var)
	if !ok {
		return s.refuse("a finding or component is matched against a pattern")
	}
	s.vars[v] |= sh
	return nil
}

// call analyses a call expression: unification, a builtin or a function.
func (s *scope) call(e *ast.Expr, terms []*ast.Term) error {
	op := e.Operator()
	args := terms[1:]
	name := op.String()
	if name == ast.Equality.Name || name == ast.Assign.Name {
		return s.unify(args[0], args[1])
	}
	arity := s.p.compiler.GetArity(op)
	if arity < 0 {
		arity = len(args)
	}
	in := make([]shape, min(arity, len(args)))
	tainted := false
	for i := range in {
		sh, err := s.term(args[i])
		if err != nil {
			return err
		}
		in[i] = sh
		tainted = tainted || sh != 0
	}
	var out shape
	if op[0].Equal(ast.DefaultRootDocument) {
		path := op.String()
		params := s.p.params[path]
		for len(params) < len(in) {
			params = append(params, 0)
		}
		for i, sh := range in {
			if params[i]|sh != params[i] {
				params[i] |= sh
				s.p.changed = true
			}
		}
		s.p.params[path] = params
		out = s.p.results[path]
	} else if tainted {
		var err error
		if out, err = s.builtin(name, args, in); err != nil {
			return err
		}
	}
	if len(args) > arity {
		return s.output(args[arity], out)
	}
	return nil
}

// output records that a call's output term takes what the call returns.
func (s *scope) output(t *ast.Term, out shape) error {
	sh, err := s.term(t)
	switch {
	case err != nil:
		return err
	case sh != 0 && out != 0:
		return s.refuse("findings or components are compared whole")
	}
	return s.bind(t, out)
}

// builtin is what a builtin given findings or components (in shapes in)
// returns; the builtins that would see what the projection leaves out
// are refused.
func (s *scope) builtin(name string, args []*ast.Term, in []shape) (shape, error) {
	switch name {
	case "count":
		// A collection's size is kept; a finding's number of keys is not.
		err := in[0].each(func(k, d int) error {
			if d == 0 && k != kindInput {
				return s.refuse("count of a finding or component counts its keys")
			}
			return nil
		})
		return 0, err
	case "is_object", "is_array", "is_set", "is_string", "is_number", "is_boolean", "is_null", "type_name":
		return 0, nil
	case "secgate.remediation", "secgate.components":
		// They read builtins.FindingFields, which the projection keeps.
		return 0, nil
	case "array.concat":
		for _, sh := range in {
			if _, err := s.elements(sh, name); err != nil {
				return 0, err
			}
		}
		return in[0] | in[1], nil
	case "array.slice":
		if _, err := s.elements(in[0], name); err != nil {
			return 0, err
		}
		return in[0], nil
	case "object.get":
		if len(in) > 2 && in[1] != 0 {
			break
		}
		out, err := s.path(in[0], args[1], name)
		if len(in) > 2 {
			out |= in[2]
		}
		return out, err
	case "secgate.group_by", "secgate.pluck":
		if in[1] != 0 {
			break
		}
		elem, err := s.elements(in[0], name)
		if err != nil {
			return 0, err
		}
		at, err := s.path(elem, args[1], name)
		if err != nil {
			return 0, err
		}
		if name == "secgate.pluck" {
			return s.collection(at)
		}
		if at != 0 {
			return 0, s.refuse("%s groups by a whole object", name)
		}
		w, err := s.collection(elem)
		if err != nil {
			return 0, err
		}
		return s.collection(w)
	}
	return 0, s.refuse("%s is given a whole finding or component (or the input), and would see the keys the projection leaves out", name)
}

// path is what reading sh at a literal path gives: a dotted string or an
// array of strings, as object.get and secgate's builtins take.
func (s *scope) path(sh shape, p *ast.Term, what string) (shape, error) {
	if sh == 0 {
		return 0, nil
	}
	var keys []*ast.Term
	switch v := p.Value.(type) {
	case ast.String:
		for part := range strings.SplitSeq(string(v), ".") {
			keys = append(keys, ast.StringTerm(part))
		}
		if what == "object.get" {
			keys = []*ast.Term{p}
		}
	case *ast.Array:
		for i := range v.Len() {
			if _, ok := v.Elem(i).Value.(ast.String); !ok {
				return 0, s.refuse("%s reads a finding or component at a computed path", what)
			}
			keys = append(keys, v.Elem(i))
		}
	default:
		return 0, s.refuse("%s reads a finding or component at a computed key", what)
	}
	for _, k := range keys {
		var err error
		if sh, err = s.key(sh, k); err != nil {
			return 0, err
		}
	}
	return sh, nil
}

// unify analyses a = b: a variable takes what the other side holds; two
// sides that may both hold findings compare them whole.
func (s *scope) unify(a, b *ast.Term) error {
	sa, err := s.term(a)
	if err != nil {
		return err
	}
	sb, err := s.term(b)
	if err != nil {
		return err
	}
	switch {
	case sa == 0 && sb == 0:
		return nil
	case sa != 0 && sb != 0:
		return s.refuse("findings or components are compared whole")
	case sb != 0:
		return s.bind(a, sb)
	default:
		return s.bind(b, sa)
	}
}

// term is what t may hold.
func (s *scope) term(t *ast.Term) (shape, error) {
	switch v := t.Value.(type) {
	case ast.Var:
		return s.vars[v], nil
	case ast.Ref:
		return s.ref(v)
	case *ast.Array:
		var out shape
		for i := range v.Len() {
			sh, err := s.term(v.Elem(i))
			if err != nil {
				return 0, err
			}
			out |= sh
		}
		return s.collection(out)
	case ast.Object:
		var err error
		v.Until(func(k, val *ast.Term) bool {
			var sk, sv shape
			if sk, err = s.term(k); err != nil {
				return true
			}
			if sv, err = s.term(val); err != nil {
				return true
			}
			if sk != 0 || sv != 0 {
				err = s.refuse("an object literal holds a finding or component")
			}
			return err != nil
		})
		return 0, err
	case ast.Set:
		var err error
		v.Until(func(e *ast.Term) bool {
			var se shape
			if se, err = s.term(e); err == nil && se != 0 {
				err = s.refuse("a set holds a finding or component, which compares them whole")
			}
			return err != nil
		})
		return 0, err
	case *ast.ArrayComprehension:
		if err := s.body(v.Body); err != nil {
			return 0, err
		}
		head, err := s.term(v.Term)
		if err != nil {
			return 0, err
		}
		return s.collection(head)
	case *ast.SetComprehension:
		if err := s.body(v.Body); err != nil {
			return 0, err
		}
		head, err := s.term(v.Term)
		if err == nil && head != 0 {
			err = s.refuse("a set comprehension collects findings or components, which compares them whole")
		}
		return 0, err
	case *ast.ObjectComprehension:
		if err := s.body(v.Body); err != nil {
			return 0, err
		}
		k, err := s.term(v.Key)
		if err != nil {
			return 0, err
		}
		if k != 0 {
			return 0, s.refuse("an object comprehension is keyed by findings or components")
		}
		val, err := s.term(v.Value)
		if err != nil {
			return 0, err
		}
		return s.collection(val)
	case ast.Call:
		return 0, s.refuse("a nested call %v", v)
	}
	return 0, nil
}

// collection is what a collection of values of shape sh holds.
func (s *scope) collection(sh shape) (shape, error) {
	w, err := sh.wrap()
	if err != nil {
		return 0, s.refuse("%v", err)
	}
	return w, nil
}

// ref is what a reference may hold: the input, a rule's value or a
// variable's, read by its keys.
func (s *scope) ref(r ast.Ref) (shape, error) {
	// The keys are terms of their own (variables, nested references).
	for _, k := range r[1:] {
		if sh, err := s.term(k); err != nil {
			return 0, err
		} else if sh != 0 {
			return 0, s.refuse("a finding or component is used as a key")
		}
	}
	var sh shape
	rest := r[1:]
	switch {
	case r[0].Equal(ast.InputRootDocument):
		sh = one(kindInput, 0)
	case r[0].Equal(ast.DefaultRootDocument):
		var err error
		if sh, rest, err = s.rules(r); err != nil {
			return 0, err
		}
	default:
		var err error
		if sh, err = s.term(r[0]); err != nil {
			return 0, err
		}
	}
	for _, k := range rest {
		var err error
		if sh, err = s.key(sh, k); err != nil {
			return 0, err
		}
	}
	return sh, nil
}

// rules is what the rules a data reference names may hold, and the keys
// of the reference left to read in their values.
func (s *scope) rules(r ast.Ref) (shape, ast.Ref, error) {
	var out shape
	var rest ast.Ref
	for path, sh := range s.p.rules {
		if sh == 0 {
			continue
		}
		rp := s.p.refs[path]
		n := min(len(rp), len(r))
		match, dynamic := true, false
		for i := 1; i < n; i++ {
			if _, ok := r[i].Value.(ast.Var); ok {
				dynamic = true
				continue
			}
			if !r[i].Equal(rp[i]) {
				match = false
				break
			}
		}
		switch {
		case !match:
			continue
		case len(r) < len(rp) || dynamic:
			return 0, nil, s.refuse("%v reads rules that hold findings or components as a whole", r)
		}
		if rest != nil && len(rest) != len(r)-len(rp) {
			return 0, nil, s.refuse("%v reads rules of two lengths that hold findings or components", r)
		}
		out |= sh
		rest = r[len(rp):]
	}
	return out, rest, nil
}

// key is what reading key k of a value of shape sh gives.
func (s *scope) key(sh shape, k *ast.Term) (shape, error) {
	var out shape
	lit, isString := k.Value.(ast.String)
	err := sh.each(func(kind, d int) error {
		if d > 0 {
			out |= one(kind, d-1)
			return nil
		}
		if !isString {
			return s.refuse("a finding or component (or the input) is read by a computed key %v", k)
		}
		switch kind {
		case kindInput:
			switch lit {
			case "findings":
				out |= one(kindFinding, 1)
			case "components":
				out |= one(kindComponent, 1)
			}
		case kindFinding:
			if list, ok := objectFields[string(lit)]; ok {
				if list {
					out |= one(kindObject, 1)
				} else {
					out |= one(kindObject, 0)
				}
			}
		}
		return nil
	})
	return out, err
}
