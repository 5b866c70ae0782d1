package tickets

import (
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// semverEcosystems order their versions by Semantic Versioning, pre-release
// parts included (purl types and ecosystem names, lower case).
var semverEcosystems = map[string]bool{
	"npm": true, "cargo": true, "crates.io": true, "semver": true,
	"golang": true, "go": true, "hex": true, "pub": true, "swift": true,
	"cocoapods": true, "github": true, "githubactions": true,
}

// numericEcosystems have orderings of their own that agree with Semantic
// Versioning on plain numeric versions (1.2, 2.31.0), and only on those:
// a version with any qualifier (1.0rc1, 2.0.0.RELEASE, 1:2.3-4) is not
// compared here.
var numericEcosystems = map[string]bool{
	"pypi": true, "pip": true, "python": true, "maven": true, "gem": true,
	"rubygems": true, "nuget": true, "composer": true, "packagist": true,
	"conan": true, "hackage": true, "cran": true,
}

// versionOrder returns a parser for ecosystem's versions, or nil when
// secgate does not order them (Debian, RPM, apk … and unknown ecosystems).
func versionOrder(ecosystem string) func(string) (*semver.Version, bool) {
	eco := strings.ToLower(strings.TrimSpace(ecosystem))
	switch {
	case semverEcosystems[eco]:
		return func(s string) (*semver.Version, bool) {
			v, err := semver.NewVersion(cleanVersion(s))
			return v, err == nil
		}
	case numericEcosystems[eco]:
		return func(s string) (*semver.Version, bool) {
			v, err := semver.NewVersion(cleanVersion(s))
			if err != nil || v.Prerelease() != "" || v.Metadata() != "" || strings.HasPrefix(cleanVersion(s), "v") {
				return nil, false
			}
			return v, true
		}
	}
	return nil
}

// cleanVersion strips what advisories put around a version: spaces, and a
// leading comparison (">= 1.2.3", "=1.2.3").
func cleanVersion(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "<>=~^ ")
	return strings.TrimSpace(s)
}

// fixTarget is the version an upgrade should go to.
type fixTarget struct {
	// Version fixes every vulnerability that has a known fix; "" when the
	// candidates cannot be ordered (then Candidates lists them) or none is known.
	Version string
	// Candidates are the distinct fixed versions when they cannot be ordered.
	Candidates []string
	// PerVuln is, for each vulnerability (by index of the input), its
	// lowest fixed version above the installed one; "" when none is known.
	// When versions cannot be ordered it holds the only fixed version of a
	// vulnerability, or "" when it has several.
	PerVuln []string
	// Ordered is true when the versions were compared.
	Ordered bool
}

// chooseFix picks the lowest version that fixes all vulnerabilities of one
// installed package: for each, its lowest fixed version above the installed
// one (an advisory may list one fix per release line), then the highest of
// those. When some version does not parse in the ecosystem's order, or the
// ecosystem's order is not known to secgate, the distinct fixed versions
// are returned as candidates instead (unless there is only one).
func chooseFix(ecosystem, installed string, fixed [][]string) fixTarget {
	t := fixTarget{PerVuln: make([]string, len(fixed))}
	var all []string
	for _, fs := range fixed {
		for _, f := range fs {
			if c := cleanVersion(f); c != "" {
				all = append(all, c)
			}
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	if len(all) == 0 {
		return t
	}
	parse := versionOrder(ecosystem)
	if parse == nil {
		return unordered(t, fixed, all)
	}
	parsed := make([][]*semver.Version, len(fixed))
	for i, fs := range fixed {
		for _, f := range fs {
			if c := cleanVersion(f); c != "" {
				v, ok := parse(c)
				if !ok {
					return unordered(t, fixed, all)
				}
				parsed[i] = append(parsed[i], v)
			}
		}
	}
	t.Ordered = true
	inst, instOK := parse(installed)
	var best *semver.Version
	for i, vs := range parsed {
		var low *semver.Version
		for _, v := range vs {
			// A fix at or below the installed version belongs to an
			// older release line and does not help this installation.
			if instOK && !v.GreaterThan(inst) {
				continue
			}
			if low == nil || v.LessThan(low) {
				low = v
			}
		}
		if low == nil {
			continue
		}
		t.PerVuln[i] = low.Original()
		if best == nil || low.GreaterThan(best) {
			best = low
		}
	}
	if best != nil {
		t.Version = best.Original()
	}
	return t
}

// unordered is the answer when versions cannot be compared: with one
// distinct fixed version there is nothing to compare; otherwise every
// candidate is listed.
func unordered(t fixTarget, fixed [][]string, all []string) fixTarget {
	if len(all) == 1 {
		t.Version = all[0]
	} else {
		t.Candidates = all
	}
	for i, fs := range fixed {
		var mine []string
		for _, f := range fs {
			if c := cleanVersion(f); c != "" {
				mine = append(mine, c)
			}
		}
		slices.Sort(mine)
		if mine = slices.Compact(mine); len(mine) == 1 {
			t.PerVuln[i] = mine[0]
		}
	}
	return t
}
