package builtins

import (
	"fmt"
	"testing"
)

// pair is one comparison: want is the order of a against b.
type pair struct {
	a, b string
	want int
}

var versionTests = []struct {
	ecosystem string
	pairs     []pair
}{
	{"semver", []pair{
		{"1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"1.0.0-alpha.beta", "1.0.0-beta", -1},
		{"1.0.0-beta.2", "1.0.0-beta.11", -1},
		{"1.0.0-rc.1", "1.0.0", -1},
		{"v1.2.3", "1.2.3", 0},
		{"1.0.0+build.1", "1.0.0+build.2", 0},
		{"1.10.0", "1.9.0", 1},
		{"1.2", "1.2.0", 0},
	}},
	{"npm", []pair{
		{"4.17.20", "4.17.21", -1},
		{"7.0.0-beta.1", "6.99.99", 1},
		{"2.0.0-0", "2.0.0-alpha", -1},
		{"1.0.0", "1.0.0", 0},
	}},
	{"cargo", []pair{
		{"0.9.0", "0.10.0", -1},
		{"1.0.0-rc.1", "1.0.0-rc.1", 0},
		{"1.0.0+deadbeef", "1.0.0", 0},
		{"1.1.0-beta", "1.0.9", 1},
	}},
	{"golang", []pair{
		{"v1.2.3", "1.2.3", 0},
		{"v2.0.0+incompatible", "v2.0.0", 0},
		{"v1.10.0", "v1.9.9", 1},
		{"v0.0.0-20191109021931-daa7c04131f5", "v0.1.0", -1},
		{"v0.0.0-20200101000000-aaaaaaaaaaaa", "v0.0.0-20191109021931-daa7c04131f5", 1},
		{"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", 1},
		{"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", -1},
		{"v1.0.0-rc.1", "v1.0.0", -1},
		// Toolchain versions.
		{"go1.21rc1", "go1.21.0", -1},
		{"go1.21.0", "1.21.1", -1},
		{"go1.22", "go1.21.10", 1},
		{"go1.21.0", "v1.21.0", 0},
	}},
	{"pypi", []pair{
		{"1.0rc1", "1.0", -1},
		{"1.0", "1.0.post1", -1},
		{"1!0.1", "2.0", 1},
		{"1.0+local", "1.0", 1},
		{"1.0+local", "1.0.post1", -1},
		{"1.0+abc.2", "1.0+abc.10", -1},
		{"1.0.dev1", "1.0a1", -1},
		{"1.0", "1.0.0", 0},
		{"1.0.0-alpha1", "1.0.0a1", 0},
		{"v1.0", "1.0", 0},
		{"2.0.0b3", "2.0.0rc1", -1},
	}},
	{"deb", []pair{
		{"1:1.0", "2.0", 1},
		{"1.0~rc1", "1.0", -1},
		{"1.0~~", "1.0~", -1},
		{"1.0-1", "1.0-2", -1},
		{"1.0-1ubuntu1", "1.0-1", 1},
		{"0:1.0", "1.0", 0},
		{"2.30-1", "2.4-1", 1},
		{"1.0+dfsg-1", "1.0-1", 1},
		{"3.0.11-1~deb12u2", "3.0.11-1", -1},
	}},
	{"rpm", []pair{
		{"1:1.0", "2.0", 1},
		{"1.0-1.el8", "1.0-2.el8", -1},
		{"1.0~rc1", "1.0", -1},
		{"1.10", "1.9", 1},
		{"1.0a", "1.0", 1},
		{"0:1.0-1", "1.0-1", 0},
		{"2.0.1", "2.0.0", 1},
		{"1.0^20230101", "1.0", 1},
		{"3.0.7-24.el9", "3.0.7-27.el9_4", -1},
	}},
	{"apk", []pair{
		{"1.0_rc1", "1.0", -1},
		{"3.0.0_alpha1", "3.0.0", -1},
		{"1.2.3_pre1", "1.2.3", -1},
		{"1.0", "1.0-r1", -1},
		{"1.0_p1", "1.0", 1},
		{"1.0a", "1.0", 1},
		{"1.10", "1.9", 1},
		{"1.0-r10", "1.0-r9", 1},
		{"1.0_alpha", "1.0_beta", -1},
		{"1.0_alpha2", "1.0_alpha", 1},
		{"1.01", "1.1", -1},
		{"1.0-r1", "1.0.1", -1},
		{"1.0_p1", "1.0.1", -1},
		{"1.0_rc1-r3", "1.0-r0", -1},
		{"2.34", "0.1.0_alpha", 1},
		{"1.36.1-r15", "1.36.1-r15", 0},
		{"1.0_git20230101", "1.0", 1},
		{"6.0_pre1", "6.0", -1},
		{"0.1.0_alpha_pre2", "0.1.0_alpha", -1},
		{"1.0_p10-r0", "1.0_p9-r0", 1},
		{"1.0-r1", "1.0_p1", -1},
		{"1.2.9.1-r1", "1.2.9.1", 1},
		{"123456789012345678901234567890", "123456789012345678901234567891", -1},
	}},
	{"maven", []pair{
		{"1.0-alpha", "1.0-SNAPSHOT", -1},
		{"1.0-SNAPSHOT", "1.0", -1},
		{"1.0", "1.0.1", -1},
		{"1.0.RELEASE", "1.0", 0},
		{"2.0.0.Final", "2.0.0", 0},
		{"1.0-final", "1.0", 0},
		{"1.0-rc1", "1.0-cr1", 0},
		{"1.0-sp1", "1.0", 1},
		{"1.0-sp1", "1.0.1", -1},
		{"1.0-beta", "1.0-alpha", 1},
		{"1.0.0", "1", 0},
		{"1.0-alpha-1", "1.0-alpha-2", -1},
		{"1.0-M1", "1.0-RC1", -1},
		{"2.14.1", "2.9.0", 1},
	}},
	{"gem", []pair{
		{"1.0.a", "1.0", -1},
		{"1.0.rc1", "1.0.rc2", -1},
		{"1.0", "1.0.0", 0},
		{"1.10", "1.9", 1},
		{"1.0-1", "1.0", -1},
		{"1.0.beta", "1.0.alpha", 1},
		{"2.0.0.pre", "2.0.0", -1},
		{"7.0.8.1", "7.0.8", 1},
	}},
}

func TestVersionCompare(t *testing.T) {
	for _, eco := range versionTests {
		if len(eco.pairs) < 4 {
			t.Errorf("%s: only %d pairs", eco.ecosystem, len(eco.pairs))
		}
		for _, p := range eco.pairs {
			t.Run(fmt.Sprintf("%s/%s_vs_%s", eco.ecosystem, p.a, p.b), func(t *testing.T) {
				// Both ways round: the order must be antisymmetric.
				for _, c := range []pair{p, {p.b, p.a, -p.want}} {
					got := mustCall(t, "secgate.version_compare", eco.ecosystem, c.a, c.b)
					if got != float64(c.want) {
						t.Errorf("version_compare(%q, %q, %q) = %v, want %d", eco.ecosystem, c.a, c.b, got, c.want)
					}
				}
			})
		}
	}
}

// TestVersionCompareAliases: names are case-insensitive and each alias
// (purl types included) picks its ecosystem's ordering.
func TestVersionCompareAliases(t *testing.T) {
	tests := []struct {
		ecosystems []string
		p          pair
	}{
		{[]string{"NPM", "Cargo", "SemVer", " npm "}, pair{"1.0.0-rc.1", "1.0.0", -1}},
		{[]string{"go", "Golang"}, pair{"v2.0.0+incompatible", "v2.0.0", 0}},
		{[]string{"PyPI", "pip", "python"}, pair{"1!0.1", "2.0", 1}},
		{[]string{"debian", "Ubuntu"}, pair{"1.0~rc1", "1.0", -1}},
		{[]string{"redhat", "rhel", "centos", "fedora", "rocky", "almalinux", "amazon", "oracle", "suse", "opensuse"}, pair{"1.0-1.el8", "1.0-2.el8", -1}},
		{[]string{"alpine", "wolfi", "chainguard"}, pair{"1.0_rc1", "1.0", -1}},
		{[]string{"Maven"}, pair{"1.0.RELEASE", "1.0", 0}},
		{[]string{"rubygems", "ruby"}, pair{"1.0.a", "1.0", -1}},
	}
	for _, tt := range tests {
		for _, eco := range tt.ecosystems {
			t.Run(eco, func(t *testing.T) {
				got := mustCall(t, "secgate.version_compare", eco, tt.p.a, tt.p.b)
				if got != float64(tt.p.want) {
					t.Errorf("version_compare(%q, %q, %q) = %v, want %d", eco, tt.p.a, tt.p.b, got, tt.p.want)
				}
			})
		}
	}
}

func TestVersionCompareErrors(t *testing.T) {
	tests := []struct {
		name       string
		eco, a, b  any
		wantSubstr []string
	}{
		{"unknown ecosystem", "nuget", "1.0", "2.0", []string{`operand 1: unknown ecosystem "nuget"; known: almalinux, alpine, amazon, apk, cargo`, "golang", "maven", "pypi", "rpm", "semver"}},
		{"empty ecosystem", "", "1.0", "2.0", []string{`unknown ecosystem ""`}},
		{"semver garbage", "semver", "1.2.3.4", "1.0.0", []string{`operand 2: invalid semver version "1.2.3.4"`}},
		{"npm garbage in b", "npm", "1.0.0", "latest", []string{`operand 3: invalid semver version "latest"`}},
		{"empty a", "npm", "", "1.0.0", []string{"operand 2: empty semver version"}},
		{"blank b", "pypi", "1.0", "   ", []string{"operand 3: empty PEP 440 version"}},
		{"go garbage", "golang", "v1.2.3.4", "v1.0.0", []string{`operand 2: invalid Go module version "v1.2.3.4"`}},
		{"go branch name", "go", "master", "v1.0.0", []string{`invalid Go module version "master"`}},
		{"go toolchain garbage", "golang", "go1.x", "go1.21.0", []string{`operand 2: invalid Go toolchain version "go1.x"`}},
		{"pypi garbage", "pypi", "1.0", "one point oh", []string{`operand 3: invalid PEP 440 version "one point oh"`}},
		{"deb no digit", "deb", "a1.0", "1.0", []string{`operand 2: invalid Debian version "a1.0"`, "must start with digit"}},
		{"deb bad epoch", "debian", ":1.0", "1.0", []string{`invalid Debian version ":1.0"`}},
		{"deb space", "ubuntu", "1.0 2", "1.0", []string{`invalid Debian version "1.0 2"`}},
		{"rpm bad epoch", "rpm", "abc:1.0", "1.0", []string{`operand 2: invalid RPM version "abc:1.0": epoch must be a number`}},
		{"rpm space", "rpm", "1.0", "1.0 1", []string{`operand 3: invalid RPM version "1.0 1": character ' ' is not allowed`}},
		{"rpm empty version", "rpm", "1:", "1.0", []string{`invalid RPM version "1:": version is empty`}},
		{"rpm only release", "fedora", "-1", "1.0", []string{`invalid RPM version "-1": version is empty`}},
		{"apk letters", "apk", "abc", "1.0", []string{`operand 2: invalid apk version "abc": must start with a digit`}},
		{"apk bad revision", "alpine", "1.0-1", "1.0", []string{`invalid apk version "1.0-1": unexpected "-" at offset 3`}},
		{"apk unknown suffix", "apk", "1.0_foo", "1.0", []string{`unknown suffix "_foo"`}},
		{"apk digit after letter", "apk", "1.0a1", "1.0", []string{`invalid apk version "1.0a1"`}},
		{"apk double dot", "apk", "1..0", "1.0", []string{`invalid apk version "1..0"`}},
		{"apk empty revision", "apk", "1.0-r", "1.0", []string{`invalid apk version "1.0-r"`}},
		{"apk dot after suffix", "apk", "1.0_rc1.1", "1.0", []string{`invalid apk version "1.0_rc1.1"`}},
		{"maven space", "maven", "1.0 beta", "1.0", []string{`operand 2: invalid Maven version "1.0 beta"`}},
		{"gem garbage", "gem", "abc", "1.0", []string{`operand 2: invalid gem version "abc"`}},
		{"gem double dot", "rubygems", "1.0", "1..0", []string{`operand 3: invalid gem version "1..0"`}},
		{"gem inner space", "gem", "1.0 2", "1.0", []string{`invalid gem version "1.0 2"`}},
		{"ecosystem not a string", 1, "1.0", "2.0", []string{"operand 1 must be string but got number"}},
		{"a not a string", "npm", 1, "2.0.0", []string{"operand 2 must be string but got number"}},
		{"b not a string", "npm", "1.0.0", []any{"2.0.0"}, []string{"operand 3 must be string but got array"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := call(t, "secgate.version_compare", tt.eco, tt.a, tt.b)
			wantBuiltinErr(t, err, append([]string{"secgate.version_compare: "}, tt.wantSubstr...)...)
		})
	}
}

// TestVersionCompareInRego: the result is a number a policy compares.
func TestVersionCompareInRego(t *testing.T) {
	got := evalQuery(t, `x := [v | some v in ["1.0.0", "1.2.0-rc.1", "1.2.0", "2.0.0"]; secgate.version_compare("npm", v, "1.2.0") < 0]`)
	want := []any{"1.0.0", "1.2.0-rc.1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
