package tickets

import (
	"slices"
	"strings"

	"github.com/secgate/secgate/internal/ecosystem"
)

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
// those, in the ecosystem's own version order (internal/ecosystem). When
// some fixed version does not parse in that order, or secgate has no order
// for the ecosystem, the distinct fixed versions are returned as
// candidates instead (unless there is only one).
func chooseFix(eco, installed string, fixed [][]string) fixTarget {
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
	cmp := func(a, b string) int {
		c, _ := ecosystem.Compare(eco, a, b) // every version was checked below
		return c
	}
	for _, v := range all {
		if _, err := ecosystem.Compare(eco, v, v); err != nil {
			return unordered(t, fixed, all)
		}
	}
	t.Ordered = true
	installed = cleanVersion(installed)
	_, err := ecosystem.Compare(eco, installed, installed)
	instOK := err == nil
	best := ""
	for i, fs := range fixed {
		low := ""
		for _, f := range fs {
			v := cleanVersion(f)
			// A fix at or below the installed version belongs to an
			// older release line and does not help this installation.
			if v == "" || instOK && cmp(v, installed) <= 0 {
				continue
			}
			if low == "" || cmp(v, low) < 0 {
				low = v
			}
		}
		if low == "" {
			continue
		}
		t.PerVuln[i] = low
		if best == "" || cmp(low, best) > 0 {
			best = low
		}
	}
	t.Version = best
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
