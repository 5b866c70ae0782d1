package document

import (
	"slices"
	"strings"

	"github.com/secgate/secgate/internal/ecosystem"
)

// How a component changed since a baseline (Component.Change).
const (
	// ChangeAdded: the baseline had no package of its name.
	ChangeAdded = "added"
	// ChangeUpgraded and ChangeDowngraded: the baseline had the package
	// at a lower or a higher version.
	ChangeUpgraded   = "upgraded"
	ChangeDowngraded = "downgraded"
	// ChangeChanged: the baseline had the package at another version
	// that its ecosystem's ordering cannot place (an ecosystem secgate
	// does not order, or a version it cannot read): neither an upgrade
	// nor a downgrade can be told, so a gate asking approval for either
	// asks it for this.
	ChangeChanged = "changed"
	// ChangeUnchanged: the baseline had it at this version.
	ChangeUnchanged = "unchanged"
	// ChangeRemoved: only the baseline has it (Document.Removed).
	ChangeRemoved = "removed"
)

// Changes lists every change in a stable order.
var Changes = []string{ChangeAdded, ChangeUpgraded, ChangeDowngraded, ChangeChanged, ChangeUnchanged, ChangeRemoved}

// CompareComponents sets, on every component of doc, how it changed
// since base: Change, PreviousVersion, PreviousLicenses, LicenseChanged,
// and New (true when added). It returns base's components doc no longer
// has, marked removed, in base's order.
//
// Components are the same package when their ecosystem, namespace and
// name are (their purl without version; pypi names normalised),
// whatever the version. Where either side has several versions of one
// package, the versions both have are unchanged, and the others pair
// from the highest down: the highest new version with the highest old
// one. A new version left over compares with the highest old one; an
// old version left over is removed.
func CompareComponents(doc, base []Component) (removed []Component) {
	old := map[string][]int{}
	for i := range base {
		k := ComponentIdentity(&base[i])
		old[k] = append(old[k], i)
	}
	now := map[string][]int{}
	var order []string
	for i := range doc {
		k := ComponentIdentity(&doc[i])
		if _, seen := now[k]; !seen {
			order = append(order, k)
		}
		now[k] = append(now[k], i)
	}
	paired := make([]bool, len(base))
	for _, k := range order {
		olds := old[k]
		if len(olds) == 0 {
			for _, i := range now[k] {
				setChange(&doc[i], nil, ChangeAdded)
			}
			continue
		}
		var leftNew, leftOld []int
		for _, i := range now[k] {
			j := slices.IndexFunc(olds, func(j int) bool {
				return !paired[j] && sameVersion(base[j].Version, doc[i].Version)
			})
			if j < 0 {
				leftNew = append(leftNew, i)
				continue
			}
			paired[olds[j]] = true
			setChange(&doc[i], &base[olds[j]], ChangeUnchanged)
		}
		for _, j := range olds {
			if !paired[j] {
				leftOld = append(leftOld, j)
			}
		}
		eco := componentEcosystem(&doc[now[k][0]])
		highestFirst := func(c []Component) func(a, b int) int {
			return func(a, b int) int { return CompareVersions(eco, c[b].Version, c[a].Version) }
		}
		slices.SortStableFunc(leftNew, highestFirst(doc))
		slices.SortStableFunc(leftOld, highestFirst(base))
		highest := slices.MaxFunc(olds, func(a, b int) int {
			return CompareVersions(eco, base[a].Version, base[b].Version)
		})
		for n, i := range leftNew {
			j := highest
			if n < len(leftOld) {
				j = leftOld[n]
				paired[j] = true
			}
			setChange(&doc[i], &base[j], VersionChange(eco, base[j].Version, doc[i].Version))
		}
	}
	for j := range base {
		if !paired[j] {
			c := base[j]
			c.Change = ChangeRemoved
			c.New = nil
			c.PreviousVersion, c.PreviousLicenses, c.LicenseChanged = "", nil, false
			removed = append(removed, c)
		}
	}
	return removed
}

// setChange records change on c, against prev (nil when added).
func setChange(c, prev *Component, change string) {
	added := change == ChangeAdded
	c.New = &added
	c.Change = change
	c.PreviousVersion, c.PreviousLicenses, c.LicenseChanged = "", nil, false
	if prev == nil {
		return
	}
	c.PreviousVersion = prev.Version
	c.PreviousLicenses = append([]string{}, prev.Licenses...)
	c.LicenseChanged = !sameLicences(c, prev)
}

// sameLicences: both components state the same licences (as a set) and
// the same expression.
func sameLicences(a, b *Component) bool {
	if strings.TrimSpace(a.LicenseExpression) != strings.TrimSpace(b.LicenseExpression) {
		return false
	}
	return slices.Equal(licenceSet(a.Licenses), licenceSet(b.Licenses))
}

func licenceSet(l []string) []string {
	s := make([]string, 0, len(l))
	for _, x := range l {
		if x = strings.TrimSpace(x); x != "" {
			s = append(s, x)
		}
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// VersionChange says how a package went from version was to is, under
// eco's ordering: one of the changes but added and removed.
func VersionChange(eco, was, is string) string {
	c, err := ecosystem.Compare(eco, strings.TrimSpace(is), strings.TrimSpace(was))
	switch {
	case err != nil:
		return ChangeChanged
	case c > 0:
		return ChangeUpgraded
	case c < 0:
		return ChangeDowngraded
	}
	return ChangeUnchanged
}

// CompareVersions orders versions by eco's ordering where it reads both,
// else as strings: for pairing, where any stable order will do.
func CompareVersions(eco, a, b string) int {
	if c, err := ecosystem.Compare(eco, strings.TrimSpace(a), strings.TrimSpace(b)); err == nil {
		return c
	}
	return strings.Compare(a, b)
}

// sameVersion: a and b are one version as written, a leading "v" aside.
func sameVersion(a, b string) bool {
	trim := func(v string) string {
		v = strings.TrimSpace(v)
		if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
			return v[1:]
		}
		return v
	}
	return trim(a) == trim(b)
}

// componentEcosystem is the ecosystem whose ordering c's versions follow:
// its purl's type, else the ecosystem its SBOM states.
func componentEcosystem(c *Component) string {
	if e := Ecosystem(c.Purl); e != "" {
		return e
	}
	return c.Ecosystem
}

// ComponentIdentity is a component without its version: what its
// package identity is (ecosystem, namespace and name by its purl, else
// as its SBOM names them).
func ComponentIdentity(c *Component) string {
	name := c.Name
	if c.Group != "" && c.Purl == "" {
		name = c.Group + "/" + c.Name
	}
	if id := PackageIdentity(&Package{Name: name, Purl: c.Purl, Ecosystem: c.Ecosystem}); id != "" {
		return id
	}
	return "\x00\x00" + c.Name
}
