package document

import (
	"fmt"
	"strings"
	"testing"
)

func comp(purl string, licences ...string) Component {
	name, version, _ := strings.Cut(purl[strings.LastIndex(purl, "/")+1:], "@")
	return Component{Name: name, Version: version, Purl: purl, Licenses: licences}
}

// changes prints each component's change as name@version:change<-previous,
// and the removed ones.
func changes(doc, base []Component) string {
	removed := CompareComponents(doc, base)
	var b strings.Builder
	for _, c := range doc {
		fmt.Fprintf(&b, "%s@%s:%s", c.Name, c.Version, c.Change)
		if c.PreviousVersion != "" {
			fmt.Fprintf(&b, "<-%s", c.PreviousVersion)
		}
		if c.LicenseChanged {
			fmt.Fprintf(&b, " licence %v->%v", c.PreviousLicenses, c.Licenses)
		}
		if (c.New != nil && *c.New) != (c.Change == ChangeAdded) {
			b.WriteString(" NEW DISAGREES")
		}
		b.WriteString("; ")
	}
	for _, c := range removed {
		fmt.Fprintf(&b, "-%s@%s:%s; ", c.Name, c.Version, c.Change)
	}
	return strings.TrimSpace(b.String())
}

func TestCompareComponents(t *testing.T) {
	for _, tc := range []struct {
		name      string
		doc, base []Component
		want      string
	}{
		{
			name: "added, upgraded, downgraded, unchanged, removed",
			base: []Component{comp("pkg:npm/express@4.16.0"), comp("pkg:npm/redux@4.2.1"), comp("pkg:npm/lodash@4.17.21"), comp("pkg:npm/left-pad@1.3.0")},
			doc:  []Component{comp("pkg:npm/express@4.21.0"), comp("pkg:npm/redux@4.0.1"), comp("pkg:npm/lodash@4.17.21"), comp("pkg:npm/axios@1.6.0")},
			want: "express@4.21.0:upgraded<-4.16.0; redux@4.0.1:downgraded<-4.2.1; lodash@4.17.21:unchanged<-4.17.21; axios@1.6.0:added; -left-pad@1.3.0:removed;",
		},
		{
			// Semantic versions compare by number, not as text.
			name: "ordering is the ecosystem's",
			base: []Component{comp("pkg:npm/a@1.9.0"), comp("pkg:pypi/b@1.0rc1"), comp("pkg:deb/debian/c@1:1.0")},
			doc:  []Component{comp("pkg:npm/a@1.10.0"), comp("pkg:pypi/b@1.0"), comp("pkg:deb/debian/c@2.0")},
			want: "a@1.10.0:upgraded<-1.9.0; b@1.0:upgraded<-1.0rc1; c@2.0:downgraded<-1:1.0;",
		},
		{
			// Two versions of one package on either side: the common one
			// is unchanged, the others pair from the top.
			name: "several versions",
			base: []Component{comp("pkg:npm/lodash@3.10.1"), comp("pkg:npm/lodash@4.17.15"), comp("pkg:npm/qs@6.5.0")},
			doc:  []Component{comp("pkg:npm/lodash@4.17.21"), comp("pkg:npm/lodash@3.10.1"), comp("pkg:npm/qs@6.5.0"), comp("pkg:npm/qs@6.11.0"), comp("pkg:npm/qs@2.0.0")},
			want: "lodash@4.17.21:upgraded<-4.17.15; lodash@3.10.1:unchanged<-3.10.1; qs@6.5.0:unchanged<-6.5.0; qs@6.11.0:upgraded<-6.5.0; qs@2.0.0:downgraded<-6.5.0;",
		},
		{
			name: "an old version left over is removed",
			base: []Component{comp("pkg:npm/lodash@3.10.1"), comp("pkg:npm/lodash@4.17.21")},
			doc:  []Component{comp("pkg:npm/lodash@4.17.21")},
			want: "lodash@4.17.21:unchanged<-4.17.21; -lodash@3.10.1:removed;",
		},
		{
			// Neither an upgrade nor a downgrade can be told.
			name: "versions no ordering reads",
			base: []Component{comp("pkg:generic/firmware@build-17"), comp("pkg:npm/x@not.a.version")},
			doc:  []Component{comp("pkg:generic/firmware@build-18"), comp("pkg:npm/x@1.0.0")},
			want: "firmware@build-18:changed<-build-17; x@1.0.0:changed<-not.a.version;",
		},
		{
			// A package is its name: another namespace or ecosystem is
			// another package; a PyPI name is normalised; the version's
			// "v" and a purl's location qualifiers do not matter.
			name: "identity",
			base: []Component{comp("pkg:npm/%40babel/core@7.0.0"), comp("pkg:pypi/Zope.Interface@5.0"), comp("pkg:golang/github.com/a/b@v1.2.3"), {Name: "y", Version: "1.0", Purl: "pkg:maven/org.x/y@1.0?repository_url=https://a"}},
			doc:  []Component{comp("pkg:npm/%40other/core@7.0.0"), comp("pkg:pypi/zope-interface@5.0"), comp("pkg:golang/github.com/a/b@1.2.3"), comp("pkg:cargo/core@7.0.0"), {Name: "y", Version: "1.0", Purl: "pkg:maven/org.x/y@1.0?repository_url=https://b"}},
			want: "core@7.0.0:added; zope-interface@5.0:unchanged<-5.0; b@1.2.3:unchanged<-v1.2.3; core@7.0.0:added; y@1.0:unchanged<-1.0; -core@7.0.0:removed;",
		},
		{
			name: "licence changes",
			base: []Component{comp("pkg:npm/a@1.0.0", "MIT"), comp("pkg:npm/b@1.0.0", "MIT", "Apache-2.0"), comp("pkg:npm/c@1.0.0")},
			doc:  []Component{comp("pkg:npm/a@1.1.0", "GPL-3.0-only"), comp("pkg:npm/b@1.0.0", "Apache-2.0", "MIT"), comp("pkg:npm/c@1.0.0", "BUSL-1.1")},
			want: "a@1.1.0:upgraded<-1.0.0 licence [MIT]->[GPL-3.0-only]; b@1.0.0:unchanged<-1.0.0; c@1.0.0:unchanged<-1.0.0 licence []->[BUSL-1.1];",
		},
		{
			name: "without purls, by ecosystem, group and name",
			base: []Component{{Name: "core", Group: "org.x", Version: "1.0", Ecosystem: "maven"}, {Name: "core", Version: "1.0", Ecosystem: "maven"}},
			doc:  []Component{{Name: "core", Group: "org.x", Version: "1.1", Ecosystem: "maven"}, {Name: "core", Group: "org.y", Version: "1.0", Ecosystem: "maven"}},
			want: "core@1.1:upgraded<-1.0; core@1.0:added; -core@1.0:removed;",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := changes(tc.doc, tc.base); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestCompareComponentsIsRepeatable(t *testing.T) {
	base := []Component{comp("pkg:npm/a@1.0.0", "MIT")}
	doc := []Component{comp("pkg:npm/a@1.0.0", "GPL-3.0-only")}
	CompareComponents(doc, base)
	// A second comparison, against a baseline where a is new, leaves
	// nothing of the first.
	CompareComponents(doc, nil)
	if c := doc[0]; c.Change != ChangeAdded || c.PreviousVersion != "" || c.PreviousLicenses != nil || c.LicenseChanged {
		t.Errorf("stale change: %+v", c)
	}
}
