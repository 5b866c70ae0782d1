package ecosystem

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
	{"nuget", []pair{
		{"1.0", "1.0.0.0", 0},
		{"1.0.0.1", "1.0.0", 1},
		{"1.0.0-beta.2", "1.0.0-beta.11", -1},
		{"1.0.0-beta", "1.0.0", -1},
		{"1.0.0-BETA", "1.0.0-beta", 0},
		{"1.0.0-1", "1.0.0-alpha", -1},
		{"1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"1.0.0+abc", "1.0.0+def", 0},
		{"2.10.0", "2.9.0", 1},
		{"01.2", "1.2", 0},
		{"6.0.0-preview.7.21377.19", "6.0.0-rc.1.21451.13", -1},
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

func TestCompare(t *testing.T) {
	for _, eco := range versionTests {
		if len(eco.pairs) < 4 {
			t.Errorf("%s: only %d pairs", eco.ecosystem, len(eco.pairs))
		}
		for _, p := range eco.pairs {
			t.Run(fmt.Sprintf("%s/%s_vs_%s", eco.ecosystem, p.a, p.b), func(t *testing.T) {
				// Both ways round: the order must be antisymmetric.
				for _, c := range []pair{p, {p.b, p.a, -p.want}} {
					got, err := Compare(eco.ecosystem, c.a, c.b)
					if err != nil || got != c.want {
						t.Errorf("Compare(%q, %q, %q) = %v, %v, want %d", eco.ecosystem, c.a, c.b, got, err, c.want)
					}
				}
			})
		}
	}
}

// TestCompareAliases: names are case-insensitive and each alias (purl
// types included) picks its ecosystem's ordering.
func TestCompareAliases(t *testing.T) {
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
				got, err := Compare(eco, tt.p.a, tt.p.b)
				if err != nil || got != tt.p.want {
					t.Errorf("Compare(%q, %q, %q) = %v, %v, want %d", eco, tt.p.a, tt.p.b, got, err, tt.p.want)
				}
			})
		}
	}
}
