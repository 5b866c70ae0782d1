package gate

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/semver"

	"github.com/secgate/secgate/document"
)

const sbomVersions = "../testdata/sbom-versions"

// rawPackages reads a CycloneDX JSON SBOM as it is written, without
// secgate's ingester: each component's package name (its purl without
// version, qualifiers or subpath) with its version and licences.
func rawPackages(t *testing.T, path string) map[string]rawPackage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		Components []struct {
			Purl     string `json:"purl"`
			Licenses []struct {
				License struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"license"`
				Expression string `json:"expression"`
			} `json:"licenses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	pkgs := map[string]rawPackage{}
	for _, c := range bom.Components {
		name, version, ok := splitPurl(c.Purl)
		if !ok {
			t.Fatalf("%s: component purl %q has no version", path, c.Purl)
		}
		if _, dup := pkgs[name]; dup {
			t.Fatalf("%s: %s listed twice; the comparison below assumes one version per package", path, name)
		}
		var lic []string
		for _, l := range c.Licenses {
			lic = append(lic, l.License.ID+l.License.Name+l.Expression)
		}
		slices.Sort(lic)
		pkgs[name] = rawPackage{version: version, licences: lic}
	}
	return pkgs
}

type rawPackage struct {
	version  string
	licences []string
}

// splitPurl splits pkg:type/ns/name@version?qualifiers#subpath into the
// package name (pkg:type/ns/name) and the version.
func splitPurl(purl string) (name, version string, ok bool) {
	purl, _, _ = strings.Cut(purl, "#")
	purl, _, _ = strings.Cut(purl, "?")
	i := strings.LastIndex(purl, "@")
	if i < 0 {
		return "", "", false
	}
	return purl[:i], purl[i+1:], true
}

// newText shows a component's new flag: true, false or unset.
func newText(n *bool) string {
	if n == nil {
		return "unset"
	}
	return strconv.FormatBool(*n)
}

// The real pair: cyclonedx-gomod's SBOMs of conftest v0.59.0 and v0.66.0
// (testdata/sbom-versions/README.md), the older the baseline.
var (
	realOld = filepath.Join(sbomVersions, "conftest-v0.59.0.cdx.json")
	realNew = filepath.Join(sbomVersions, "conftest-v0.66.0.cdx.json")
)

// rawChanges computes, apart from secgate, how the packages of the raw
// SBOM newPath changed since oldPath: a name only in the new SBOM is
// added, one only in the old is removed, and of the names in both, a
// version that rose under Go's module version order
// (golang.org/x/mod/semver) is upgraded, one that fell downgraded, the
// same version unchanged. It returns the names by change, sorted.
func rawChanges(t *testing.T, oldPath, newPath string) (was, is map[string]rawPackage, names map[string][]string) {
	t.Helper()
	was, is = rawPackages(t, oldPath), rawPackages(t, newPath)
	names = map[string][]string{}
	for name, p := range is {
		o, ok := was[name]
		change := document.ChangeAdded
		if ok {
			if !semver.IsValid(o.version) || !semver.IsValid(p.version) {
				t.Fatalf("%s: %s or %s is not a Go module version", name, o.version, p.version)
			}
			switch semver.Compare(p.version, o.version) {
			case 1:
				change = document.ChangeUpgraded
			case -1:
				change = document.ChangeDowngraded
			default:
				change = document.ChangeUnchanged
			}
		}
		names[change] = append(names[change], name)
	}
	for name := range was {
		if _, ok := is[name]; !ok {
			names[document.ChangeRemoved] = append(names[document.ChangeRemoved], name)
		}
	}
	for _, n := range names {
		slices.Sort(n)
	}
	// The pair is worth testing on only if it has each kind of change
	// a release brings.
	if len(names[document.ChangeAdded]) < 5 || len(names[document.ChangeRemoved]) < 5 ||
		len(names[document.ChangeUpgraded])+len(names[document.ChangeDowngraded]) < 20 || len(names[document.ChangeUnchanged]) < 20 {
		t.Fatalf("the pair has %d added, %d removed, %d upgraded, %d downgraded and %d unchanged packages; want a release's worth of each",
			len(names[document.ChangeAdded]), len(names[document.ChangeRemoved]), len(names[document.ChangeUpgraded]),
			len(names[document.ChangeDowngraded]), len(names[document.ChangeUnchanged]))
	}
	return was, is, names
}

// Each component's change on the real pair is the one the raw files
// give; and the other way round, the newer as baseline, where the
// upgrades are downgrades and the removed modules added.
func TestChangesOfARealPair(t *testing.T) {
	t.Run("upgrade", func(t *testing.T) { checkChanges(t, realOld, realNew) })
	t.Run("downgrade", func(t *testing.T) { checkChanges(t, realNew, realOld) })
}

// checkChanges compares the changes gate.Load marks on newPath, with
// oldPath as baseline, with rawChanges'.
func checkChanges(t *testing.T, oldPath, newPath string) {
	was, is, want := rawChanges(t, oldPath, newPath)
	doc, _, err := Load(context.Background(), Options{Reports: []string{newPath}, Baseline: []string{oldPath}})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Components) != len(is) {
		t.Fatalf("%d components, the SBOM lists %d", len(doc.Components), len(is))
	}
	got := map[string][]string{}
	for _, c := range doc.Components {
		name, version, ok := splitPurl(c.Purl)
		if !ok {
			t.Fatalf("component %s has purl %q", c.Name, c.Purl)
		}
		got[c.Change] = append(got[c.Change], name)
		if c.Version != is[name].version {
			t.Errorf("%s: version %s, the SBOM says %s (purl %s)", name, c.Version, is[name].version, version)
		}
		if c.New == nil || *c.New != (c.Change == document.ChangeAdded) {
			t.Errorf("%s is %s but new is %s", name, c.Change, newText(c.New))
		}
		o, had := was[name]
		if !had {
			if c.PreviousVersion != "" || c.LicenseChanged {
				t.Errorf("%s added, yet previous version %q, licence changed %v", name, c.PreviousVersion, c.LicenseChanged)
			}
			continue
		}
		if c.PreviousVersion != o.version {
			t.Errorf("%s: previous version %q, the old SBOM says %s", name, c.PreviousVersion, o.version)
		}
		if changed := !slices.Equal(o.licences, is[name].licences); c.LicenseChanged != changed {
			t.Errorf("%s: licence changed %v; licences were %v, are %v", name, c.LicenseChanged, o.licences, is[name].licences)
		}
	}
	for _, change := range document.Changes {
		if change == document.ChangeRemoved {
			continue
		}
		slices.Sort(got[change])
		if !slices.Equal(got[change], want[change]) {
			t.Errorf("%s: got %d packages, want %d\ngot:  %v\nwant: %v", change, len(got[change]), len(want[change]), got[change], want[change])
		}
	}
	var gotRemoved []string
	for _, c := range doc.Removed {
		name, _, _ := splitPurl(c.Purl)
		gotRemoved = append(gotRemoved, name)
		if c.Change != document.ChangeRemoved || c.Version != was[name].version {
			t.Errorf("removed %s: change %q version %s, want removed at %s", name, c.Change, c.Version, was[name].version)
		}
	}
	slices.Sort(gotRemoved)
	if !slices.Equal(gotRemoved, want[document.ChangeRemoved]) {
		t.Errorf("removed: got %v\nwant %v", gotRemoved, want[document.ChangeRemoved])
	}
	if doc.Summary.NewComponents != len(want[document.ChangeAdded]) {
		t.Errorf("summary counts %d new components, want %d added", doc.Summary.NewComponents, len(want[document.ChangeAdded]))
	}
}

// The default gate on the real pair asks approval for exactly the
// packages added, none of those upgraded or unchanged.
func TestDefaultGateAsksApprovalForAddedOnly(t *testing.T) {
	_, _, want := rawChanges(t, realOld, realNew)
	res, err := Run(context.Background(), Options{Reports: []string{realNew}, Baseline: []string{realOld}})
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	for _, m := range append(res.Decision.Violations, res.Decision.Warnings...) {
		if m.Policy != "secgate.dependencies" {
			continue
		}
		if len(m.Components) != 1 || !strings.HasPrefix(m.Msg, "new dependency ") || !strings.HasSuffix(m.Msg, " is not approved") {
			t.Errorf("dependencies policy said %q about %v, want only approvals asked for one new dependency", m.Msg, m.Components)
			continue
		}
		name, _, _ := splitPurl(m.Components[0])
		asked = append(asked, name)
	}
	slices.Sort(asked)
	if !slices.Equal(asked, want[document.ChangeAdded]) {
		t.Errorf("approval asked for %d packages, want the %d added\ngot:  %v\nwant: %v", len(asked), len(want[document.ChangeAdded]), asked, want[document.ChangeAdded])
	}
	if res.Decision.Decision != Fail {
		t.Errorf("decision %s, want fail: unapproved new dependencies", res.Decision.Decision)
	}
}

// The hand-edited pair (testdata/sbom-versions/README.md): five packages
// added, redux upgraded, nothing else changed.
func TestChangesOfTheEditedPair(t *testing.T) {
	doc, _, err := Load(context.Background(), Options{
		Reports:  []string{filepath.Join(sbomVersions, "v2.cdx.json")},
		Baseline: []string{filepath.Join(sbomVersions, "v1.cdx.json")},
	})
	if err != nil {
		t.Fatal(err)
	}
	changes := map[string]map[string]bool{}
	for _, c := range doc.Components {
		if changes[c.Change] == nil {
			changes[c.Change] = map[string]bool{}
		}
		changes[c.Change][c.Name] = true
		if c.Name == "redux" && (c.Change != document.ChangeUpgraded || c.PreviousVersion != "4.0.1" || c.Version != "4.2.1") {
			t.Errorf("redux: %s from %q to %s, want upgraded from 4.0.1 to 4.2.1", c.Change, c.PreviousVersion, c.Version)
		}
	}
	added := slices.Sorted(maps.Keys(changes[document.ChangeAdded]))
	if want := []string{"axios", "chart-lib", "gpl-widget", "left-pad", "vendor-sdk"}; !slices.Equal(added, want) {
		t.Errorf("added %v, want %v", added, want)
	}
	if up := slices.Sorted(maps.Keys(changes[document.ChangeUpgraded])); !slices.Equal(up, []string{"redux"}) {
		t.Errorf("upgraded %v, want redux alone", up)
	}
	for _, change := range []string{document.ChangeDowngraded, document.ChangeChanged} {
		if len(changes[change]) > 0 {
			t.Errorf("%s: %v, want none", change, slices.Sorted(maps.Keys(changes[change])))
		}
	}
	if len(doc.Removed) != 0 {
		t.Errorf("removed %v, want none", doc.Removed)
	}
}
