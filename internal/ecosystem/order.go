package ecosystem

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
	modsemver "golang.org/x/mod/semver"

	"github.com/secgate/secgate/internal/textsafe"
)

// compareFunc compares two versions of one ecosystem; a version it cannot
// read is a *VersionError.
type compareFunc func(a, b string) (int, error)

// semverName is the name of plain Semantic Versioning, which is no purl
// type but may be asked for by name.
const semverName = "semver"

// semverOrder is Semantic Versioning's order, pre-releases included.
var semverOrder = ordered("semver", semver.NewVersion, (*semver.Version).Compare)

// orders maps purl types (and "semver") to their version orderings.
var orders = map[string]compareFunc{
	semverName:  semverOrder,
	"npm":       semverOrder,
	"cargo":     semverOrder,
	"hex":       semverOrder,
	"pub":       semverOrder,
	"swift":     semverOrder,
	"cocoapods": semverOrder,
	"github":    semverOrder,
	"golang":    compareGo,
	"pypi":      ordered("PEP 440", pep440.Parse, pep440.Version.Compare),
	"deb":       ordered("Debian", debversion.NewVersion, func(a, b debversion.Version) int { return a.Compare(b) }),
	"rpm":       ordered("RPM", parseRPM, rpmversion.Version.Compare),
	"apk":       ordered("apk", parseAPK, compareAPK),
	"maven":     ordered("Maven", parseMaven, mvnversion.Version.Compare),
	"gem":       ordered("gem", parseGem, gem.Version.Compare),
	"composer":  numeric("Composer"),
	"nuget":     ordered("NuGet", parseNuGet, compareNuGet),
	"conan":     numeric("Conan"),
	"hackage":   numeric("Hackage"),
	"cran":      numeric("CRAN"),
}

// VersionError is a version an ordering cannot read. Operand is 0 when it
// is the first version compared, 1 when the second.
type VersionError struct {
	Operand int
	Scheme  string
	Version string
	Err     error
}

func (e *VersionError) Error() string {
	if e.Version == "" {
		return fmt.Sprintf("empty %s version", e.Scheme)
	}
	return fmt.Sprintf("invalid %s version %s: %v", e.Scheme, textsafe.Quote(e.Version), e.Err)
}

func (e *VersionError) Unwrap() error { return e.Err }

// ErrUnordered is the error of Compare for an ecosystem secgate has no
// ordering for.
var ErrUnordered = errors.New("no version ordering")

// orderOf returns the ordering of eco: "semver", a purl type or a tool's
// word for one.
func orderOf(eco string) compareFunc {
	if key(eco) == semverName {
		return orders[semverName]
	}
	return orders[PurlType(eco)]
}

// Ordered reports whether secgate orders the versions of eco.
func Ordered(eco string) bool { return orderOf(eco) != nil }

// Orders lists the purl types (and "semver") whose versions secgate
// orders, sorted.
func Orders() []string { return slices.Sorted(maps.Keys(orders)) }

// Compare compares two versions under eco's ordering: -1 when a < b, 0
// when they are equal, 1 when a > b. eco is "semver", a purl type or a
// tool's word for one ("debian", "pip"); versions are read as written
// (trim them first). The orderings:
//
//   - semver (npm, cargo, hex, pub, swift, cocoapods, github): Semantic
//     Versioning with pre-releases (1.0.0-rc.1 < 1.0.0).
//   - golang: Go module versions (v1.2.3, v prefix optional), or Go
//     toolchain versions (go1.21rc1 < go1.21.0) when either side is one.
//   - pypi: PEP 440 (1.0.dev1 < 1.0a1 < 1.0rc1 < 1.0 < 1.0.post1; 1!0.1 > 2.0).
//   - deb: Debian policy (1:1.0 > 2.0; 1.0~rc1 < 1.0; 1.0-1 < 1.0-2).
//   - rpm: rpmvercmp with epochs.
//   - apk: Alpine's apk (1.0_rc1 < 1.0 < 1.0-r1 < 1.0_p1 < 1.0.1).
//   - maven: Maven's ComparableVersion (1.0-alpha < 1.0-SNAPSHOT < 1.0 =
//     1.0.RELEASE < 1.0-sp1 < 1.0.1).
//   - gem: Gem::Version (1.0.a < 1.0 = 1.0.0).
//   - nuget: NuGet's order (SemVer 2.0.0 with a fourth number: 1.0 =
//     1.0.0.0 < 1.0.0.1; 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0; labels
//     compare case-insensitively; build metadata is ignored).
//   - composer, conan, hackage, cran: plain numeric versions only
//     (1.2, 2.31.0), where their own orderings agree with Semantic
//     Versioning; any other version is an error.
//
// An ecosystem without an ordering is ErrUnordered; a version the
// ordering cannot read is a *VersionError.
func Compare(eco, a, b string) (int, error) {
	c := orderOf(eco)
	if c == nil {
		return 0, fmt.Errorf("%w for ecosystem %s", ErrUnordered, textsafe.Quote(eco))
	}
	return c(a, b)
}

// ordered builds a compareFunc from a parser and a comparison; the
// result is normalised to -1, 0 or 1.
func ordered[V any](scheme string, parse func(string) (V, error), cmp func(V, V) int) compareFunc {
	return func(a, b string) (int, error) {
		va, err := parseVersion(scheme, parse, a, 0)
		if err != nil {
			return 0, err
		}
		vb, err := parseVersion(scheme, parse, b, 1)
		if err != nil {
			return 0, err
		}
		return sign(cmp(va, vb)), nil
	}
}

func parseVersion[V any](scheme string, parse func(string) (V, error), s string, operand int) (V, error) {
	var zero V
	if s == "" {
		return zero, &VersionError{Operand: operand, Scheme: scheme}
	}
	v, err := parse(s)
	if err != nil {
		return zero, &VersionError{Operand: operand, Scheme: scheme, Version: s, Err: err}
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

// numeric is the ordering of an ecosystem whose own ordering agrees with
// Semantic Versioning on plain numeric versions (1.2, 2.31.0), and only on
// those: a version with any qualifier (1.0rc1, 2.0.0.RELEASE, v1.0) is an
// error rather than a guess.
func numeric(scheme string) compareFunc {
	return ordered(scheme, parseNumeric, (*semver.Version).Compare)
}

func parseNumeric(s string) (*semver.Version, error) {
	v, err := semver.NewVersion(s)
	if err != nil {
		return nil, err
	}
	if v.Prerelease() != "" || v.Metadata() != "" || strings.HasPrefix(s, "v") {
		return nil, errors.New("secgate orders only plain numeric versions (1.2.3) of this ecosystem")
	}
	return v, nil
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
