package builtins

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

var remediationDef = definition{
	name: "secgate.remediation",
	description: "Says what fixes a group of findings: the upgrades (\"upgrade a 1.0 to 1.1; b 2.0 to a fixed version (2.1, 3.0)\") " +
		"when each finding is in a package, else the rules and where they hit (\"fix rule at path:line, …\"); " +
		"for more than five findings, how many packages or findings, and the --tickets flag that lists them.",
	decl: types.NewFunction(
		types.Args(
			types.Named("findings", types.NewArray(nil, types.A)).Description("array of findings of the unified document"),
		),
		types.Named("remediation", types.S).Description("one sentence"),
	),
	impl:   guard1(remediation),
	noMemo: true,
}

var componentsDef = definition{
	name: "secgate.components",
	description: "The packages a group of findings is in, as the components of a violation: each package's purl, " +
		"and the name of each package that some finding names without a purl; sorted, without duplicates.",
	decl: types.NewFunction(
		types.Args(
			types.Named("findings", types.NewArray(nil, types.A)).Description("array of findings of the unified document"),
		),
		types.Named("components", stringArrayType).Description("purls and names"),
	),
	impl:   guard1(components),
	noMemo: true,
}

// components is what the thresholds policy wrote as the purl groups of
// the findings and the name groups with a finding without a purl; a
// value that is not a string is named as group_by names it.
func components(_ rego.BuiltinContext, fsTerm *ast.Term) (*ast.Term, error) {
	fs, ok := fsTerm.Value.(*ast.Array)
	if !ok {
		return nil, operandTypeErr(1, fsTerm.Value, "array")
	}
	seen := map[string]bool{}
	var out []string
	add := func(v *ast.Term) {
		if k := keyString(v); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for i := range fs.Len() {
		f := fs.Elem(i)
		if purl := at(f, pathPackagePurl); purl != nil {
			add(purl)
		} else if name := at(f, pathPackageName); name != nil {
			add(name)
		}
	}
	slices.Sort(out)
	return stringArray(out), nil
}

// maxListed is how many findings a remediation names one by one.
const maxListed = 5

// remediation is what the thresholds policy wrote as four rules and six
// helpers (upgrade, installed, where, line_of, in_packages); a finding
// that lacks what its text needs is left out of the list, as Rego left
// out an undefined value.
func remediation(_ rego.BuiltinContext, fsTerm *ast.Term) (*ast.Term, error) {
	fs, ok := fsTerm.Value.(*ast.Array)
	if !ok {
		return nil, operandTypeErr(1, fsTerm.Value, "array")
	}
	n := fs.Len()
	inPackages := true
	for i := range n {
		if at(fs.Elem(i), pathPackage) == nil {
			inPackages = false
			break
		}
	}
	var parts []string
	seen := map[string]bool{}
	add := func(s string, ok bool) {
		if ok && !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	var s string
	switch {
	case inPackages && n <= maxListed:
		for i := range n {
			f := fs.Elem(i)
			if truthy(at(f, pathPackage)) {
				add(upgradeOf(f))
			}
		}
		s = "upgrade " + strings.Join(parts, "; ")
	case inPackages:
		names := map[string]bool{}
		for i := range n {
			if v := at(fs.Elem(i), pathPackageName); v != nil {
				names[keyString(v)] = true
			}
		}
		s = fmt.Sprintf("upgrade the %d packages concerned to their fixed versions (remediation tickets: --tickets DIR)", len(names))
	case n <= maxListed:
		for i := range n {
			add(whereOf(fs.Elem(i)))
		}
		s = "fix " + strings.Join(parts, ", ")
	default:
		s = fmt.Sprintf("fix the %d findings listed (remediation tickets: --tickets DIR)", n)
	}
	return ast.StringTerm(s), nil
}

// FindingFields names the keys of findings that secgate.remediation and
// secgate.components read themselves: a policy that calls them reads
// these keys, though it need not spell them out.
func FindingFields() []string { return slices.Clone(findingFields) }

// findingFields are the keys of every path made by findingPath.
var findingFields []string

// findingPath is the path of keys into a finding, its keys counted in
// findingFields.
func findingPath(keys ...string) []*ast.Term {
	out := make([]*ast.Term, len(keys))
	for i, k := range keys {
		if !slices.Contains(findingFields, k) {
			findingFields = append(findingFields, k)
		}
		out[i] = ast.StringTerm(k)
	}
	return out
}

var (
	pathPackage        = findingPath("package")
	pathPackagePurl    = findingPath("package", "purl")
	pathPackageName    = findingPath("package", "name")
	pathPackageVersion = findingPath("package", "version")
	pathFixedVersions  = findingPath("fixed_versions")
	pathRuleID         = findingPath("rule_id")
	pathLocation       = findingPath("location")
	pathLocationPath   = findingPath("location", "path")
	pathStartLine      = findingPath("location", "start_line")
)

// upgradeOf is "name version to fixed", or to one of several fixed
// versions, or that the report names none.
func upgradeOf(f *ast.Term) (string, bool) {
	name, ok1 := stringAt(f, pathPackageName)
	version, ok2 := stringAt(f, pathPackageVersion)
	fvTerm := at(f, pathFixedVersions)
	if !ok1 || !ok2 || fvTerm == nil {
		return "", false
	}
	fv, ok := fvTerm.Value.(*ast.Array)
	if !ok {
		return "", false
	}
	installed := strings.TrimSpace(name + " " + version)
	switch fv.Len() {
	case 0:
		return installed + " (no fixed version named in the report)", true
	case 1:
		return installed + " to " + textOf(fv.Elem(0)), true
	}
	versions := make([]string, fv.Len())
	for i := range versions {
		s, ok := fv.Elem(i).Value.(ast.String)
		if !ok {
			return "", false
		}
		versions[i] = string(s)
	}
	return fmt.Sprintf("%s to a fixed version (%s)", installed, strings.Join(versions, ", ")), true
}

// whereOf is "rule at path:line" (":line" when the finding has a start
// line), or the rule alone for a finding without a location.
func whereOf(f *ast.Term) (string, bool) {
	rule := at(f, pathRuleID)
	if rule == nil {
		return "", false
	}
	if !truthy(at(f, pathLocation)) {
		s, ok := rule.Value.(ast.String)
		return string(s), ok
	}
	path := at(f, pathLocationPath)
	if path == nil {
		return "", false
	}
	line := ""
	if l := at(f, pathStartLine); truthy(l) {
		n, ok := l.Value.(ast.Number)
		if !ok {
			return "", false
		}
		i, ok := new(big.Int).SetString(string(n), 10)
		if !ok {
			return "", false
		}
		line = ":" + i.String()
	}
	return textOf(rule) + " at " + textOf(path) + line, true
}

// stringAt is the string at path, if there is one.
func stringAt(item *ast.Term, path []*ast.Term) (string, bool) {
	v := at(item, path)
	if v == nil {
		return "", false
	}
	s, ok := v.Value.(ast.String)
	return string(s), ok
}

// truthy is Rego's test of a value as an expression: defined and not false.
func truthy(v *ast.Term) bool {
	return v != nil && !ast.Boolean(false).Equal(v.Value)
}

// textOf is a value as sprintf's %s shows it.
func textOf(v *ast.Term) string {
	if s, ok := v.Value.(ast.String); ok {
		return string(s)
	}
	return v.String()
}

// keyString is the name group_by gives a value.
func keyString(v *ast.Term) string {
	if s, ok := v.Value.(ast.String); ok {
		return string(s)
	}
	return v.Value.String()
}
