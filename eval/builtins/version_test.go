package builtins

import (
	"fmt"
	"testing"
)

func TestVersionCompareErrors(t *testing.T) {
	tests := []struct {
		name       string
		eco, a, b  any
		wantSubstr []string
	}{
		{"unknown ecosystem", "conda", "1.0", "2.0", []string{`operand 1: unknown ecosystem "conda"; known: apk, cargo`, "golang", "maven", "pypi", "rpm", "semver", "a tool's word for one of them"}},
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
		{"nuget five numbers", "nuget", "1.2.3.4.5", "1.0", []string{`operand 2: invalid NuGet version "1.2.3.4.5": more than four numbers`}},
		{"nuget v prefix", "nuget", "1.0", "v1.0", []string{`operand 3: invalid NuGet version "v1.0"`}},
		{"nuget empty label", "nuget", "1.0-", "1.0", []string{`invalid NuGet version "1.0-"`}},
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
