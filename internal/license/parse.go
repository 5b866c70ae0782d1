package license

import (
	"slices"
	"strings"
)

// maxDepth bounds the nesting of parentheses in an expression.
const maxDepth = 64

// node is a node of a licence expression: an AND or OR of two
// expressions, or one licence (with its "+") and its exception.
type node struct {
	op          string // "AND", "OR", or "" for a licence
	left, right *node
	// licence is the words of one licence, joined by a space: a name
	// that is not SPDX ("Apache 2") may have several.
	licence, exception string
}

// text is a licence as SPDX writes it: "id", or "id WITH exception".
func (n *node) text() string {
	if n.exception != "" {
		return n.licence + " WITH " + n.exception
	}
	return n.licence
}

// leaves calls fn on each licence of the expression, left to right.
func (n *node) leaves(fn func(*node)) {
	if n.op == "" {
		fn(n)
		return
	}
	n.left.leaves(fn)
	n.right.leaves(fn)
}

// satisfiedBy evaluates the expression, asking go-spdx once per distinct
// licence.
//
// secgate evaluates AND and OR itself and asks go-spdx only whether each
// licence is covered by the allow-list: go-spdx v2.3.1's Satisfies drops
// LicenseRefs under OR and all but the first alternative of an AND nested
// in an OR, so "MIT AND (LicenseRef-a OR LicenseRef-b)" was satisfied by
// ["MIT"] alone.
func (n *node) satisfiedBy(allowed allowList) bool {
	return n.eval(allowed, map[string]bool{})
}

func (n *node) eval(allowed allowList, seen map[string]bool) bool {
	switch n.op {
	case "OR":
		return n.left.eval(allowed, seen) || n.right.eval(allowed, seen)
	case "AND":
		return n.left.eval(allowed, seen) && n.right.eval(allowed, seen)
	}
	l := n.text()
	ok, found := seen[l]
	if !found {
		ok = licenceSatisfied(l, allowed)
		seen[l] = ok
	}
	return ok
}

// parse parses an expression with SPDX's precedence: WITH, then AND, then
// OR, and parentheses nested at most maxDepth deep. SPDX's operators are
// upper case; anyCase also reads "and", "or" and "with", as some tools
// write them.
func parse(expr string, anyCase bool) (*node, bool) {
	p := &parser{words: words(expr), anyCase: anyCase}
	n := p.or()
	if n == nil || p.pos != len(p.words) {
		return nil, false
	}
	return n, true
}

type parser struct {
	words   []string
	pos     int
	depth   int
	anyCase bool
}

// peek returns the next word, an operator in upper case.
func (p *parser) peek() string {
	if p.pos >= len(p.words) {
		return ""
	}
	w := p.words[p.pos]
	if u := strings.ToUpper(w); p.anyCase && isOperator(u) {
		return u
	}
	return w
}

func isOperator(w string) bool {
	return slices.Contains([]string{"(", ")", "AND", "OR", "WITH"}, w)
}

func (p *parser) or() *node {
	return p.binary("OR", p.and)
}

func (p *parser) and() *node {
	return p.binary("AND", p.licence)
}

func (p *parser) binary(op string, operand func() *node) *node {
	left := operand()
	for left != nil && p.peek() == op {
		p.pos++
		right := operand()
		if right == nil {
			return nil
		}
		left = &node{op: op, left: left, right: right}
	}
	return left
}

func (p *parser) licence() *node {
	switch w := p.peek(); w {
	case "", ")", "AND", "OR", "WITH":
		return nil
	case "(":
		if p.depth >= maxDepth {
			return nil
		}
		p.pos++
		p.depth++
		n := p.or()
		p.depth--
		if n == nil || p.peek() != ")" {
			return nil
		}
		p.pos++
		return n
	}
	start := p.pos
	for p.pos < len(p.words) && !isOperator(p.peek()) {
		p.pos++
	}
	n := &node{licence: strings.Join(p.words[start:p.pos], " ")}
	if p.peek() == "WITH" {
		p.pos++
		if w := p.peek(); w == "" || isOperator(w) {
			return nil
		}
		n.exception = p.words[p.pos]
		p.pos++
	}
	return n
}

// IDs returns the licence identifiers of an SPDX licence expression, in
// order and without repeats: "(MIT OR Apache-2.0) AND LicenseRef-x" gives
// MIT, Apache-2.0 and LicenseRef-x. Operators (in any case) and the
// exception after WITH are left out; identifiers stay as written, known to
// the SPDX list or not. ok is false when expr is not a well-formed
// expression of identifiers ("BSD License", "Apache 2.0"): such text names
// a licence but is no SPDX expression.
func IDs(expr string) (ids []string, ok bool) {
	n, ok := parse(expr, true)
	if !ok {
		return nil, false
	}
	n.leaves(func(l *node) {
		if !isLicenseID(l.licence) || l.exception != "" && !isLicenseID(l.exception) {
			ok = false
		}
		if !slices.Contains(ids, l.licence) {
			ids = append(ids, l.licence)
		}
	})
	if !ok {
		return nil, false
	}
	return ids, true
}

// isLicenseID reports whether s can be a licence (or exception) id:
// letters, digits, ".", "-" and a trailing "+", or a
// [DocumentRef-x:]LicenseRef-y reference.
func isLicenseID(s string) bool {
	if doc, ref, ok := strings.Cut(s, ":"); ok {
		if !strings.HasPrefix(doc, "DocumentRef-") || !strings.HasPrefix(ref, "LicenseRef-") {
			return false
		}
		return isIDString(doc) && isIDString(ref)
	}
	return isIDString(strings.TrimSuffix(s, "+"))
}

func isIDString(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}
