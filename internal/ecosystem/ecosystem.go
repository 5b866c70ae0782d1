// Package ecosystem owns what secgate knows of each package ecosystem: its
// package URL type and the words tools use for it (Trivy's result types,
// Snyk's package managers, Grype's artifact types, OSV's ecosystems,
// distribution names), how its package names are normalised, how its
// versions are ordered, and the command that upgrades one of its packages.
//
// Adding an ecosystem is one row in types (its purl type and the words
// tools write for it); an ordering is one entry in orders (order.go), with
// a parser file of its own when no existing scheme fits (as nuget.go), and
// an install hint one case in InstallHint (hint.go). No ingester holds a
// table of its own.
package ecosystem

import (
	"slices"
	"strings"
)

// types lists each purl type with the words tools write for it, lower
// case. A word is in one row only (TestWordsUnique), so every tool reads
// it the same way.
var types = []struct {
	purl  string
	words []string
}{
	{"npm", []string{"yarn", "pnpm", "bun", "node-pkg", "javascript"}},
	{"pypi", []string{"pip", "pip3", "pipenv", "poetry", "uv", "python", "python-pkg"}},
	{"golang", []string{"go", "gomod", "gobinary", "go-module", "gomodules", "golangdep", "govendor"}},
	{"maven", []string{"jar", "pom", "gradle", "sbt", "java-archive", "jenkins-plugin"}},
	{"gem", []string{"rubygems", "ruby", "bundler", "gemspec"}},
	{"cargo", []string{"crates.io", "rustbinary", "rust-binary", "rust-crate"}},
	{"composer", []string{"packagist", "composer-vendor", "php-composer"}},
	{"pecl", []string{"php-pecl"}},
	{"nuget", []string{"dotnet", "dotnet-core", "packages-props", "paket"}},
	{"conan", nil},
	{"hex", nil},
	{"pub", nil},
	{"hackage", nil},
	{"cran", nil},
	{"swift", []string{"swiftpm", "swifturl"}},
	{"cocoapods", nil},
	{"conda", []string{"conda-pkg", "conda-environment"}},
	{"julia", nil},
	{"github", []string{"github actions", "githubactions"}},
	{"portage", nil},
	{"alpm", nil},
	{"deb", []string{"debian", "ubuntu"}},
	{"apk", []string{"alpine", "wolfi", "chainguard"}},
	{"rpm", []string{"redhat", "rhel", "centos", "fedora", "rocky", "alma", "almalinux", "amazon",
		"oracle", "suse", "sles", "slem", "opensuse", "opensuse.leap", "opensuse.tumbleweed",
		"photon", "cbl-mariner", "azurelinux"}},
	// A tool's word for a package of no particular ecosystem.
	{"generic", []string{"binary", "unknown"}},
}

// osTypes are the purl types of operating system packages.
var osTypes = []string{"deb", "rpm", "apk", "alpm"}

// byWord maps every purl type and tool word to its purl type.
var byWord = func() map[string]string {
	m := map[string]string{}
	for _, t := range types {
		m[t.purl] = t.purl
		for _, w := range t.words {
			m[w] = t.purl
		}
	}
	return m
}()

// key is a word as the tables hold it: trimmed, lower case, without an
// OSV ecosystem's release ("Debian:12" is debian).
func key(word string) string {
	word, _, _ = strings.Cut(strings.TrimSpace(word), ":")
	return strings.ToLower(strings.TrimSpace(word))
}

// PurlType returns the purl type a tool's package type or ecosystem name
// stands for ("yarn" and "npm" are npm, "Debian:12" deb, "binary"
// generic), or "" when secgate does not know the word.
func PurlType(word string) string {
	return byWord[key(word)]
}

// Name returns the ecosystem word a package records for a tool's package
// type: its purl type when known, else the word in lower case ("" stays
// "").
func Name(word string) string {
	if t := PurlType(word); t != "" {
		return t
	}
	return strings.ToLower(strings.TrimSpace(word))
}

// IsOS reports whether eco (a purl type or a word for one) is an
// operating system's package ecosystem: Debian, RPM, apk or pacman
// packages, upgraded with the distribution rather than a project's
// manifest.
func IsOS(eco string) bool {
	return slices.Contains(osTypes, PurlType(eco))
}
