package diff_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/itchyny/gojq"

	"github.com/secgate/secgate/diff"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/ingest"
)

// What a user would compute from the raw files with jq, given the old
// file as $old and the new one as $new: the package names (purls without
// version) added, removed, and at another version, from two CycloneDX
// SBOMs; the vulnerabilities ("ID package") introduced, fixed and still
// open, from two Trivy reports.
const (
	jqComponents = `
def key: .purl | sub("@[^?#]*"; "") | sub("[?#].*$"; "");
def index: [.components[]? | select(.purl != null) | {(key): .version}] | add // {};
($old | index) as $o | ($new | index) as $n |
{
  added: [$n | keys[] | select($o[.] == null)],
  removed: [$o | keys[] | select($n[.] == null)],
  version_changed: [$n | keys[] | select($o[.] != null and $o[.] != $n[.])]
}`
	jqVulnerabilities = `
def vulns: [.Results[]?.Vulnerabilities[]? | "\(.VulnerabilityID) \(.PkgName)"] | unique;
($old | vulns) as $o | ($new | vulns) as $n |
{introduced: ($n - $o), fixed: ($o - $n), still_open: ($n - ($n - $o))}`
)

// jq runs program over the two files and returns its object of lists,
// each sorted.
func jq(t *testing.T, program, oldPath, newPath string) map[string][]string {
	t.Helper()
	q, err := gojq.Parse(program)
	if err != nil {
		t.Fatal(err)
	}
	code, err := gojq.Compile(q, gojq.WithVariables([]string{"$old", "$new"}))
	if err != nil {
		t.Fatal(err)
	}
	v, ok := code.Run(nil, readJSON(t, oldPath), readJSON(t, newPath)).Next()
	if !ok {
		t.Fatal("jq gave nothing")
	}
	if err, ok := v.(error); ok {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for k, list := range v.(map[string]any) {
		out[k] = []string{}
		for _, s := range list.([]any) {
			out[k] = append(out[k], s.(string))
		}
		slices.Sort(out[k])
	}
	return out
}

func readJSON(t *testing.T, path string) any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func compute(t *testing.T, oldPath, newPath string) *diff.Diff {
	t.Helper()
	oldDoc, _, err := gate.LoadSide([]string{oldPath}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	newDoc, _, err := gate.LoadSide([]string{newPath}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return diff.Compute(oldDoc, newDoc)
}

func purlKeys(lists ...[]diff.Component) []string {
	out := []string{}
	for _, l := range lists {
		for _, c := range l {
			out = append(out, stripVersion(c.Purl))
		}
	}
	slices.Sort(out)
	return out
}

// stripVersion is a purl without version, qualifiers and subpath, as the
// jq program makes it.
func stripVersion(purl string) string {
	for i := range len(purl) {
		if purl[i] == '@' || purl[i] == '?' || purl[i] == '#' {
			return purl[:i]
		}
	}
	return purl
}

func vulnKeys(vs []diff.Vulnerability) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.ID+" "+v.Package.Name)
	}
	slices.Sort(out)
	return out
}

// TestComponentsAsJQ: secgate diff finds the same packages added,
// removed and at another version as jq does on the raw SBOMs.
func TestComponentsAsJQ(t *testing.T) {
	for _, pair := range [][2]string{
		{"../testdata/sbom-versions/v1.cdx.json", "../testdata/sbom-versions/v2.cdx.json"},
		// The other way round: what was added is removed, the upgrade a
		// downgrade.
		{"../testdata/sbom-versions/v2.cdx.json", "../testdata/sbom-versions/v1.cdx.json"},
		// Two releases of a real Go project (59 modules added, 12 removed,
		// 63 upgraded), and back.
		{"../testdata/sbom-versions/conftest-v0.59.0.cdx.json", "../testdata/sbom-versions/conftest-v0.66.0.cdx.json"},
		{"../testdata/sbom-versions/conftest-v0.66.0.cdx.json", "../testdata/sbom-versions/conftest-v0.59.0.cdx.json"},
	} {
		want := jq(t, jqComponents, pair[0], pair[1])
		d := compute(t, pair[0], pair[1])
		c := d.Components
		got := map[string][]string{
			"added":           purlKeys(c.Added),
			"removed":         purlKeys(c.Removed),
			"version_changed": purlKeys(c.Upgraded, c.Downgraded, c.Changed),
		}
		for k := range want {
			if !slices.Equal(got[k], want[k]) {
				t.Errorf("%s → %s: %s\n got %q\nwant %q", pair[0], pair[1], k, got[k], want[k])
			}
		}
		if len(want["added"])+len(want["removed"])+len(want["version_changed"]) == 0 {
			t.Errorf("%s → %s: nothing changed: the pair proves nothing", pair[0], pair[1])
		}
	}
}

// TestVulnerabilitiesAsJQ: secgate diff finds the same vulnerabilities
// introduced, fixed and still open as jq does on the raw Trivy reports.
func TestVulnerabilitiesAsJQ(t *testing.T) {
	for _, pair := range [][2]string{
		{"../testdata/corpus/trivy-json/trivy-image-alpine310-os-vulns.json", "../testdata/moved/trivy-image-alpine310.upgraded.json"},
		{"../testdata/moved/trivy-image-alpine310.upgraded.json", "../testdata/corpus/trivy-json/trivy-image-alpine310-os-vulns.json"},
	} {
		want := jq(t, jqVulnerabilities, pair[0], pair[1])
		v := compute(t, pair[0], pair[1]).Vulnerabilities
		got := map[string][]string{
			"introduced": vulnKeys(v.Introduced),
			"fixed":      vulnKeys(v.Fixed),
			"still_open": vulnKeys(v.StillOpen),
		}
		for k := range want {
			if !slices.Equal(got[k], want[k]) {
				t.Errorf("%s → %s: %s\n got %q\nwant %q", pair[0], pair[1], k, got[k], want[k])
			}
		}
		if len(want["introduced"]) == 0 || len(want["fixed"]) == 0 {
			t.Errorf("%s → %s: nothing introduced or fixed: the pair proves too little", pair[0], pair[1])
		}
	}
}
