package gate

import (
	"strings"

	"github.com/secgate/secgate/document"
)

// InventoryVersion is the version of the inventory's shape. A secgate
// reads the inventory of its own version only: it changes when a field
// that identifies a finding or a component changes meaning or goes, not
// when one is added (a reader ignores fields it does not know).
const InventoryVersion = 1

// maxReferences is how many references an inventory keeps of a finding:
// the advisory links, which name one of its ids, come first.
const maxReferences = 5

// Inventory is what a decision says it was made on: every finding and
// component of the document, with what tells each apart across versions
// (document.Known, document.CompareComponents) and what a changelog
// prints. A later check reads a decision as its baseline from this
// alone (LoadSide), with the decision's sources.
type Inventory struct {
	// Version is InventoryVersion.
	Version int `json:"version"`
	// Findings and Components are written one a line (a program reads
	// them; indenting each would double the bytes and a third of the
	// time).
	Findings   []InventoryFinding   `json:"findings" jsonout:"lines"`
	Components []InventoryComponent `json:"components" jsonout:"lines"`
}

// InventoryFinding is one finding of the document, as far as identity
// and a changelog go.
type InventoryFinding struct {
	ID       string            `json:"id"`
	Kind     document.Kind     `json:"kind"`
	RuleID   string            `json:"rule_id"`
	Aliases  []string          `json:"aliases"`
	Title    string            `json:"title"`
	Severity document.Severity `json:"severity"`
	Status   document.Status   `json:"status"`
	// StatusReason says who set a status other than open, and why.
	StatusReason  *document.StatusNote `json:"status_reason,omitempty"`
	Package       *InventoryPackage    `json:"package,omitempty"`
	Location      *InventoryLocation   `json:"location,omitempty"`
	FixedVersions []string             `json:"fixed_versions"`
	// FixState is what the report says of a fix, when it says
	// (document.Finding.FixState): thresholds.ignore_unfixed counts a
	// baseline's findings by it.
	FixState string `json:"fix_state,omitempty"`
	// References are at most maxReferences of the finding's references,
	// those naming one of its ids (the advisories) first.
	References []string `json:"references"`
	// Occurrence and ToolFingerprint are the document's
	// Finding.Occurrence and Finding.ToolFingerprint, which its JSON
	// leaves out: part of what makes a code finding the same problem.
	Occurrence      int    `json:"occurrence,omitempty"`
	ToolFingerprint string `json:"tool_fingerprint,omitempty"`
	// Sources index the decision's sources: the reports that said it.
	Sources []int `json:"sources"`
}

// InventoryPackage is the package of a finding.
type InventoryPackage struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Purl      string `json:"purl,omitempty"`
	Ecosystem string `json:"ecosystem,omitempty"`
}

// InventoryLocation is where a finding is.
type InventoryLocation struct {
	Path      string `json:"path"`
	StartLine int    `json:"start_line,omitempty"`
}

// InventoryComponent is one component of the document.
type InventoryComponent struct {
	Name              string   `json:"name"`
	Group             string   `json:"group,omitempty"`
	Version           string   `json:"version"`
	Purl              string   `json:"purl,omitempty"`
	Ecosystem         string   `json:"ecosystem,omitempty"`
	Licenses          []string `json:"licenses"`
	LicenseExpression string   `json:"license_expression,omitempty"`
	Type              string   `json:"type"`
	Direct            bool     `json:"direct"`
	Scope             string   `json:"scope,omitempty"`
	// Sources index the decision's sources: the SBOMs that list it.
	Sources []int `json:"sources"`
}

// NewInventory lists the findings and components of doc, in its order.
// The records share doc's strings and lists (never changed afterwards),
// except the references they cut.
func NewInventory(doc *document.Document) Inventory {
	inv := Inventory{
		Version:    InventoryVersion,
		Findings:   make([]InventoryFinding, len(doc.Findings)),
		Components: make([]InventoryComponent, len(doc.Components)),
	}
	// One block for the findings' lists of sources: nearly all have one.
	srcs := make([]int, 0, len(doc.Findings))
	for i := range doc.Findings {
		f := &doc.Findings[i]
		r := &inv.Findings[i]
		*r = InventoryFinding{
			ID: f.ID, Kind: f.Kind, RuleID: f.RuleID, Aliases: f.Aliases, Title: f.Title,
			Severity: f.Severity, Status: f.Status, StatusReason: f.StatusReason,
			FixedVersions: f.FixedVersions, FixState: f.FixState, References: advisoriesFirst(f),
			Occurrence: f.Occurrence, ToolFingerprint: f.ToolFingerprint,
		}
		if p := f.Package; p != nil {
			r.Package = &InventoryPackage{Name: p.Name, Version: p.Version, Purl: p.Purl, Ecosystem: p.Ecosystem}
		}
		if l := f.Location; l != nil {
			r.Location = &InventoryLocation{Path: l.Path, StartLine: l.StartLine}
		}
		start := len(srcs)
		for _, o := range f.Origins {
			if n := len(srcs); n == start || srcs[n-1] != o.Source {
				srcs = append(srcs, o.Source)
			}
		}
		r.Sources = srcs[start:len(srcs):len(srcs)]
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		inv.Components[i] = InventoryComponent{
			Name: c.Name, Group: c.Group, Version: c.Version, Purl: c.Purl, Ecosystem: c.Ecosystem,
			Licenses: c.Licenses, LicenseExpression: c.LicenseExpression, Type: c.Type,
			Direct: c.Direct, Scope: c.Scope, Sources: c.Sources,
		}
	}
	return inv
}

// advisoriesFirst returns at most maxReferences of f's references:
// its advisory's page (document.AdvisoryURL) first, then those that name
// its rule id or an alias (other advisories), then the others, each
// group in the document's order. AdvisoryURL picks the same page from
// the list kept as from the whole.
func advisoriesFirst(f *document.Finding) []string {
	refs := f.References
	if len(refs) <= maxReferences {
		return refs
	}
	out := make([]string, 0, maxReferences)
	taken := make([]bool, len(refs))
	take := func(keep func(i int) bool) {
		for i := range refs {
			if len(out) < maxReferences && !taken[i] && keep(i) {
				out = append(out, refs[i])
				taken[i] = true
			}
		}
	}
	adv := document.AdvisoryURL(f)
	take(func(i int) bool { return strings.TrimSpace(refs[i]) == adv && len(out) == 0 })
	take(func(i int) bool { return namesID(refs[i], f) })
	take(func(int) bool { return true })
	return out
}

// namesID reports whether ref holds f's rule id or one of its aliases,
// in any case (advisory pages spell them cve-2021-44228 as often as
// CVE-2021-44228).
func namesID(ref string, f *document.Finding) bool {
	if containsFold(ref, f.RuleID) {
		return true
	}
	for _, a := range f.Aliases {
		if containsFold(ref, a) {
			return true
		}
	}
	return false
}

// containsFold reports whether s holds sub, ASCII letters compared
// without case; an empty sub is in nothing. It allocates nothing.
func containsFold(s, sub string) bool {
	if sub == "" {
		return false
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			a, b := s[i+j], sub[j]
			if a == b {
				continue
			}
			if a|0x20 != b|0x20 || a|0x20 < 'a' || a|0x20 > 'z' {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}
