package tickets

import (
	"sort"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/document"
)

// depGraph is the SBOM dependency graph of a document: components linked
// by their depends_on bom refs.
type depGraph struct {
	comps []*document.Component
	// ids are the identities (ecosystem, name, version) of the components.
	ids []pkgID
	// parents[i] are the components that depend on component i.
	parents [][]int
	// byName indexes the components by name: place runs once per ticket.
	byName map[string][]int
}

type pkgID struct{ eco, name, version string }

func (id pkgID) valid() bool { return id.name != "" }

func newDepGraph(doc *document.Document) *depGraph {
	g := &depGraph{
		comps:   make([]*document.Component, len(doc.Components)),
		ids:     make([]pkgID, len(doc.Components)),
		parents: make([][]int, len(doc.Components)),
		byName:  map[string][]int{},
	}
	byRef := map[string][]int{}
	for i := range doc.Components {
		c := &doc.Components[i]
		g.comps[i] = c
		g.ids[i] = componentID(c)
		g.byName[g.ids[i].name] = append(g.byName[g.ids[i].name], i)
		if c.BOMRef != "" {
			byRef[c.BOMRef] = append(byRef[c.BOMRef], i)
		}
	}
	for i, c := range g.comps {
		for _, ref := range c.DependsOn {
			for _, child := range byRef[ref] {
				if child != i {
					g.parents[child] = append(g.parents[child], i)
				}
			}
		}
	}
	return g
}

func componentID(c *document.Component) pkgID {
	if id, ok := purlID(c.Purl); ok {
		if id.version == "" {
			id.version = c.Version
		}
		return id
	}
	name := c.Name
	if c.Group != "" {
		name = c.Group + "/" + c.Name
	}
	return pkgID{strings.ToLower(c.Ecosystem), strings.ToLower(name), c.Version}
}

func packageID(p *document.Package) pkgID {
	id, ok := purlID(p.Purl)
	if !ok {
		id = pkgID{strings.ToLower(p.Ecosystem), strings.ToLower(p.Name), ""}
	}
	if p.Version != "" {
		id.version = p.Version
	}
	return id
}

func purlID(purl string) (pkgID, bool) {
	if purl == "" {
		return pkgID{}, false
	}
	u, err := packageurl.FromString(purl)
	if err != nil {
		return pkgID{}, false
	}
	name := u.Name
	if u.Namespace != "" {
		name = u.Namespace + "/" + u.Name
	}
	return pkgID{strings.ToLower(u.Type), strings.ToLower(name), u.Version}, true
}

// place says how the SBOM pulls a package in: direct is nil when no
// component is the package; via are the direct components (labels) that
// reach it through depends_on.
func (g *depGraph) place(p *document.Package) (direct *bool, via []string) {
	via = []string{}
	want := packageID(p)
	if !want.valid() {
		return nil, via
	}
	var start []int
	for _, i := range g.byName[want.name] {
		if id := g.ids[i]; id.version == want.version && (id.eco == want.eco || id.eco == "" || want.eco == "") {
			start = append(start, i)
		}
	}
	if len(start) == 0 {
		return nil, via
	}
	isDirect := false
	seen := make(map[int]bool, len(start))
	queue := append([]int(nil), start...)
	for _, i := range start {
		seen[i] = true
		if g.comps[i].Direct {
			isDirect = true
		}
	}
	labels := map[string]bool{}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, parent := range g.parents[i] {
			if seen[parent] {
				continue
			}
			seen[parent] = true
			if g.comps[parent].Direct {
				labels[componentLabel(g.comps[parent])] = true
			}
			queue = append(queue, parent)
		}
	}
	for l := range labels {
		via = append(via, l)
	}
	sort.Strings(via)
	return &isDirect, via
}

// componentLabel names a component as policies do: purl, else name@version.
func componentLabel(c *document.Component) string {
	if c.Purl != "" {
		return c.Purl
	}
	if c.Version != "" {
		return c.Name + "@" + c.Version
	}
	return c.Name
}
