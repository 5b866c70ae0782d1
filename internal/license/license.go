// Package license reads licence expressions: the one SPDX expression
// parser of secgate, used by the ingesters (which licence ids an SBOM's
// expression names) and by the policy builtins (secgate.spdx_parse,
// spdx_normalize, spdx_satisfies, spdx_denied). go-spdx says which ids
// are SPDX licences and whether one licence satisfies another; this
// package parses the expression around them, so that a part which is not
// SPDX ("Apache 2.0") is read as one licence rather than an error.
package license

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"

	"github.com/secgate/secgate/internal/textsafe"
)

//go:generate go run ../../tools/spdxdeprecated deprecated.go

// AllowedError is an allow-list entry Satisfies cannot use: an SPDX
// expression of several licences rather than one licence.
type AllowedError struct {
	License string
}

func (e *AllowedError) Error() string {
	return fmt.Sprintf("allowed licence %s is an expression; list each licence on its own", textsafe.Quote(e.License))
}

// Satisfies reports whether expr can be satisfied using only the allowed
// licences. A licence that is not SPDX ("MIT/X11") is met only by the
// same name in the list, as written; an expression that cannot be read is
// not satisfied. An allowed entry that is an SPDX expression of several
// licences is an *AllowedError.
func Satisfies(expr string, list []string) (bool, error) {
	expr = Normalize(expr, nil)
	// Check the allow-list before the expression: a broken allow-list is
	// the policy's bug and must surface whatever licence is being tested.
	var allowed allowList
	for _, a := range list {
		a = Normalize(a, nil)
		if !Valid(a) {
			// Not SPDX ("MIT/X11"): a licence allowed by name, as written.
			allowed.names = append(allowed.names, a)
			continue
		}
		if split(a).Compound {
			return false, &AllowedError{License: a}
		}
		allowed.ids = append(allowed.ids, a)
	}
	if slices.Contains(allowed.names, expr) {
		return true, nil
	}
	// A part that is not SPDX is a licence like any other, met only when
	// the allow-list names it; a syntax error with no such part ("(MIT")
	// is met by nothing.
	if len(split(expr).Invalid) == 0 && !Valid(expr) {
		return false, nil
	}
	tree, ok := parse(expr, false)
	if !ok {
		// go-spdx read it but this parser cannot: say "not satisfied",
		// the answer that lets nothing through.
		return false, nil
	}
	return tree.satisfiedBy(allowed), nil
}

// allowList is an allow-list: SPDX licences (ids, "id WITH exception",
// LicenseRefs) and licences that are not SPDX, allowed by name as written.
type allowList struct {
	ids, names []string
}

// Denied lists the licences of expr (its ids and its parts that are not
// SPDX, as Read reads them) that are in denied, when expr cannot be
// satisfied by its other licences (each also with the expression's
// exceptions); else none. The list is sorted and unique, never nil.
func Denied(expr string, denied []string) ([]string, error) {
	deny := make(map[string]bool, len(denied))
	for _, d := range denied {
		deny[d] = true
	}
	_, p := Read(expr)
	var hits, others []string
	for _, id := range p.IDs {
		if deny[id] {
			hits = append(hits, id)
			continue
		}
		others = append(others, id)
		for _, e := range p.Exceptions {
			others = append(others, id+" WITH "+e)
		}
	}
	for _, n := range p.Invalid {
		if deny[n] {
			hits = append(hits, n)
			continue
		}
		others = append(others, n)
	}
	if len(hits) == 0 {
		return []string{}, nil
	}
	ok, err := Satisfies(expr, others)
	if err != nil || ok {
		return []string{}, err
	}
	return sortedUnique(hits), nil
}

// Parts is an expression taken apart word by word, independently of
// go-spdx's parser, which stops at the first error and so cannot list
// every bad part.
type Parts struct {
	// IDs are the SPDX licence ids (in the list's spelling, without "+")
	// and LicenseRefs; Exceptions the exception ids after WITH; Invalid
	// the parts that are neither.
	IDs, Exceptions, Invalid []string
	// Compound is set when the expression has AND or OR.
	Compound bool
}

// Read says whether expr, once normalised (Normalize), is a valid SPDX
// expression, and returns its parts, each list sorted and unique. An
// expression that is invalid as a whole without a bad part ("(MIT",
// "MIT OR", "") is its own invalid part.
func Read(expr string) (bool, Parts) {
	expr = Normalize(expr, nil)
	p := split(expr)
	valid := Valid(expr) && len(p.Invalid) == 0
	if !valid && len(p.Invalid) == 0 {
		p.Invalid = []string{expr}
	}
	p.IDs, p.Exceptions, p.Invalid = sortedUnique(p.IDs), sortedUnique(p.Exceptions), sortedUnique(p.Invalid)
	return valid, p
}

// Valid reports whether go-spdx reads s as an SPDX expression of known
// ids. go-spdx v2.3.1 panics on some malformed expressions (a lone "(");
// those are invalid too.
func Valid(s string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	ok, _ = spdxexp.ValidateLicenses([]string{s})
	return ok
}

// licenceSatisfied reports whether one licence (with its "+" or
// exception) is covered by the allow-list: by name as written, else by
// go-spdx's ranges.
func licenceSatisfied(licence string, allowed allowList) (ok bool) {
	if slices.Contains(allowed.names, licence) {
		return true
	}
	if len(allowed.ids) == 0 || !Valid(licence) {
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

// NormalizeSpace turns each run of white space into one space and trims
// the ends: go-spdx reads only spaces, and licence fields in reports carry
// tabs and line breaks.
func NormalizeSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// split splits expr at its operators (AND, OR, WITH; case-sensitive, as
// in SPDX) and parentheses. The words between two operators form one
// part, so "Apache License 2.0" is one invalid part, not three.
func split(expr string) Parts {
	var (
		p         Parts
		exception bool // the part being read follows WITH
	)
	for _, t := range terms(expr) {
		switch t {
		case "AND", "OR":
			exception = false
			p.Compound = true
		case "WITH":
			exception = true
		case "(", ")":
			exception = false
		default:
			switch {
			case exception:
				exception = false
				if id, ok := tables().exceptions[strings.ToLower(t)]; ok {
					p.Exceptions = append(p.Exceptions, id)
				} else {
					p.Invalid = append(p.Invalid, t)
				}
			case Valid(t):
				p.IDs = append(p.IDs, canonical(t))
			default:
				p.Invalid = append(p.Invalid, t)
			}
		}
	}
	return p
}

// terms splits expr into its operators (AND, OR, WITH), parentheses and
// the parts between them: the words up to the next operator or
// parenthesis, joined by one space.
func terms(expr string) []string {
	var out, ws []string
	for _, w := range words(expr) {
		switch w {
		case "AND", "OR", "WITH", "(", ")":
			if len(ws) > 0 {
				out = append(out, strings.Join(ws, " "))
				ws = ws[:0]
			}
			out = append(out, w)
		default:
			ws = append(ws, w)
		}
	}
	if len(ws) > 0 {
		out = append(out, strings.Join(ws, " "))
	}
	return out
}

// words splits expr at white space, keeping each parenthesis as a word of
// its own.
func words(expr string) []string {
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

// canonical returns a valid licence part as its SPDX id in the list's own
// case, without "+"; "-only" and "-or-later" forms that the list lacks map
// to their base id, as go-spdx reads them. LicenseRefs stay verbatim.
func canonical(part string) string {
	id := strings.TrimSuffix(part, "+")
	licenses := tables().licenses
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

type lookup struct {
	// licenses and exceptions map lower-case ids to the list's spelling.
	licenses, exceptions map[string]string
	// deprecated maps lower-case deprecated ids to their replacement.
	deprecated map[string]string
}

var tables = sync.OnceValue(func() lookup {
	t := lookup{licenses: map[string]string{}, exceptions: map[string]string{}, deprecated: map[string]string{}}
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

func sortedUnique(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}
