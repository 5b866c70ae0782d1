package builtins

import (
	"errors"
	"fmt"
	goversion "go/version"
	"maps"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	gem "github.com/aquasecurity/go-gem-version"
	pep440 "github.com/aquasecurity/go-pep440-version"
	debversion "github.com/knqyf263/go-deb-version"
	rpmversion "github.com/knqyf263/go-rpm-version"
	mvnversion "github.com/masahiro331/go-mvn-version"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
	modsemver "golang.org/x/mod/semver"
)

var versionCompareDef = definition{
	name:        "secgate.version_compare",
	description: "Compares two versions under an ecosystem's ordering rules: -1 when a < b, 0 when equal, 1 when a > b.",
	decl: types.NewFunction(
		types.Args(
			types.Named("ecosystem", types.S).Description("ecosystem or purl type: semver, npm, cargo, golang, pypi, deb, rpm, apk, maven, gem, …"),
			types.Named("a", types.S).Description("first version"),
			types.Named("b", types.S).Description("second version"),
		),
		types.Named("order", types.N).Description("-1, 0 or 1"),
	),
	bind: func(f *rego.Function) func(*rego.Rego) { return rego.Function3(f, guard3(versionCompare)) },
}

// compareFunc compares two versions of one ecosystem; it returns an error
// naming the operand (2 for a, 3 for b) that does not parse.
type compareFunc func(a, b string) (int, error)

// ecosystems maps each accepted ecosystem name (lower case) to its
// ordering. Names are the ecosystems' own and their purl types.
var ecosystems = buildEcosystems()

func buildEcosystems() map[string]compareFunc {
	m := map[string]compareFunc{}
	register := func(c compareFunc, names ...string) {
		for _, n := range names {
			m[n] = c
		}
	}
	register(ordered("semver", semver.NewVersion, (*semver.Version).Compare), "semver", "npm", "cargo")
	register(compareGo, "golang", "go")
	register(ordered("PEP 440", pep440.Parse, pep440.Version.Compare), "pypi", "pip", "python")
	register(ordered("Debian", debversion.NewVersion, func(a, b debversion.Version) int { return a.Compare(b) }),
		"deb", "debian", "ubuntu")
	register(ordered("RPM", parseRPM, rpmversion.Version.Compare),
		"rpm", "redhat", "rhel", "centos", "fedora", "rocky", "almalinux", "amazon", "oracle", "suse", "opensuse")
	register(ordered("apk", parseAPK, compareAPK), "apk", "alpine", "wolfi", "chainguard")
	register(ordered("Maven", parseMaven, mvnversion.Version.Compare), "maven")
	register(ordered("gem", parseGem, gem.Version.Compare), "gem", "rubygems", "ruby")
	return m
}

func versionCompare(_ rego.BuiltinContext, ecoTerm, aTerm, bTerm *ast.Term) (*ast.Term, error) {
	eco, err := stringArg(ecoTerm, 1)
	if err != nil {
		return nil, err
	}
	a, err := stringArg(aTerm, 2)
	if err != nil {
		return nil, err
	}
	b, err := stringArg(bTerm, 3)
	if err != nil {
		return nil, err
	}
	compare, ok := ecosystems[strings.ToLower(strings.TrimSpace(eco))]
	if !ok {
		return nil, fmt.Errorf("operand 1: unknown ecosystem %s; known: %s",
			quote(eco), strings.Join(slices.Sorted(maps.Keys(ecosystems)), ", "))
	}
	c, err := compare(strings.TrimSpace(a), strings.TrimSpace(b))
	if err != nil {
		return nil, err
	}
	return ast.IntNumberTerm(c), nil
}

// ordered builds a compareFunc from a parser and a comparison; the
// result is normalised to -1, 0 or 1.
func ordered[V any](scheme string, parse func(string) (V, error), cmp func(V, V) int) compareFunc {
	return func(a, b string) (int, error) {
		va, err := parseVersion(scheme, parse, a, 2)
		if err != nil {
			return 0, err
		}
		vb, err := parseVersion(scheme, parse, b, 3)
		if err != nil {
			return 0, err
		}
		return sign(cmp(va, vb)), nil
	}
}

func parseVersion[V any](scheme string, parse func(string) (V, error), s string, pos int) (V, error) {
	var zero V
	if s == "" {
		return zero, fmt.Errorf("operand %d: empty %s version", pos, scheme)
	}
	v, err := parse(s)
	if err != nil {
		return zero, fmt.Errorf("operand %d: invalid %s version %s: %w", pos, scheme, quote(s), err)
	}
	return v, nil
}

func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

// compareGo orders Go module versions with golang.org/x/mod/semver, or Go
// toolchain versions (go1.21rc1) with go/version when either side is one.
func compareGo(a, b string) (int, error) {
	if isGoToolchain(a) || isGoToolchain(b) {
		return ordered("Go toolchain", parseGoToolchain, goversion.Compare)(a, b)
	}
	return ordered("Go module", parseGoModule, modsemver.Compare)(a, b)
}

func isGoToolchain(v string) bool {
	return strings.HasPrefix(v, "go") && len(v) > 2 && v[2] >= '0' && v[2] <= '9'
}

func parseGoToolchain(v string) (string, error) {
	if !isGoToolchain(v) {
		v = "go" + strings.TrimPrefix(v, "v")
	}
	if !goversion.IsValid(v) {
		return "", errors.New("not a Go toolchain version such as go1.22.0 or go1.21rc1")
	}
	return v, nil
}

func parseGoModule(v string) (string, error) {
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !modsemver.IsValid(v) {
		return "", errors.New("not a Go module version such as v1.2.3")
	}
	return v, nil
}

// parseRPM checks what go-rpm-version leaves unchecked (it reads anything)
// so a garbled version is an error rather than a silent order: only the
// characters rpm allows in [epoch:]version[-release], and a numeric epoch.
func parseRPM(v string) (rpmversion.Version, error) {
	for _, r := range v {
		if !isASCIIAlnum(r) && !strings.ContainsRune("._+~^:-", r) {
			return rpmversion.Version{}, fmt.Errorf("character %q is not allowed", r)
		}
	}
	if epoch, rest, ok := strings.Cut(v, ":"); ok {
		if epoch == "" || strings.Trim(epoch, "0123456789") != "" {
			return rpmversion.Version{}, errors.New("epoch must be a number")
		}
		if rest == "" || rest[0] == '-' {
			return rpmversion.Version{}, errors.New("version is empty")
		}
	}
	if v[0] == '-' {
		return rpmversion.Version{}, errors.New("version is empty")
	}
	return rpmversion.NewVersion(v), nil
}

// parseMaven rejects white space and control characters; Maven's own
// ordering gives every other string a place.
func parseMaven(v string) (mvnversion.Version, error) {
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			return mvnversion.Version{}, fmt.Errorf("character %q is not allowed", r)
		}
	}
	return mvnversion.NewVersion(v)
}

// parseGem rejects white space, which go-gem-version would read as "0".
func parseGem(v string) (gem.Version, error) {
	if strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' }) {
		return gem.Version{}, errors.New("white space is not allowed")
	}
	return gem.NewVersion(v)
}

func isASCIIAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
