package ecosystem

import (
	"errors"
	"fmt"
	"strings"
)

// nugetVersion is a NuGet package version: up to four numbers (those
// left out are 0) and the pre-release labels; build metadata is dropped,
// as NuGet ignores it when ordering.
type nugetVersion struct {
	nums   [4]string // without leading zeros
	labels []string
}

// parseNuGet reads N[.N[.N[.N]]][-label[.label]…][+metadata], as NuGet's
// NuGetVersion does (SemVer 2.0.0 with a fourth number, a "v" not
// accepted).
func parseNuGet(v string) (nugetVersion, error) {
	var out nugetVersion
	v, _, _ = strings.Cut(v, "+")
	v, pre, hasPre := strings.Cut(v, "-")
	nums := strings.Split(v, ".")
	if len(nums) > 4 {
		return out, errors.New("more than four numbers")
	}
	for i, n := range nums {
		if n == "" || strings.Trim(n, "0123456789") != "" {
			return out, fmt.Errorf("%q is not a number", n)
		}
		out.nums[i] = strings.TrimLeft(n, "0")
	}
	if hasPre {
		out.labels = strings.Split(pre, ".")
		for _, l := range out.labels {
			if l == "" || strings.ContainsFunc(l, func(r rune) bool { return !isASCIIAlnum(r) && r != '-' }) {
				return out, fmt.Errorf("pre-release label %q is not letters, digits and -", l)
			}
		}
	}
	return out, nil
}

// compareNuGet orders as NuGet does: by the numbers, then a release above
// its pre-releases, which compare label by label: numbers numerically and
// below words, words case-insensitively, and a shorter list of equal
// labels first.
func compareNuGet(a, b nugetVersion) int {
	for i := range a.nums {
		if c := compareDigits(a.nums[i], b.nums[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a.labels) == 0 && len(b.labels) == 0:
		return 0
	case len(a.labels) == 0:
		return 1
	case len(b.labels) == 0:
		return -1
	}
	for i := 0; i < len(a.labels) && i < len(b.labels); i++ {
		if c := compareNuGetLabel(a.labels[i], b.labels[i]); c != 0 {
			return c
		}
	}
	return sign(len(a.labels) - len(b.labels))
}

func compareNuGetLabel(a, b string) int {
	isNum := func(s string) bool { return strings.Trim(s, "0123456789") == "" }
	switch na, nb := isNum(a), isNum(b); {
	case na && nb:
		return compareDigits(a, b)
	case na:
		return -1
	case nb:
		return 1
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}
