package document

import (
	"sort"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"
)

// VEX statuses, as OpenVEX and CycloneDX's analysis (mapped) say them.
const (
	VEXNotAffected        = "not_affected"
	VEXAffected           = "affected"
	VEXFixed              = "fixed"
	VEXUnderInvestigation = "under_investigation"
)

// Statement is one VEX statement: what a supplier says about a
// vulnerability in some products. Statements are not findings: they change
// the status of the findings they match, from whichever report those came.
type Statement struct {
	// Vulnerability is the id the statement names; Aliases are its other ids.
	Vulnerability string
	Aliases       []string
	// Products are purls (with or without version and qualifiers) or
	// bom-refs the statement is about; empty means every product.
	Products []string
	// Status is one of the VEX* constants.
	Status          string
	Justification   string
	ImpactStatement string
	ActionStatement string
	// Timestamp is RFC 3339; the latest statement about a finding wins.
	Timestamp string
	// Source names the VEX document (its id, or the file).
	Source string
}

// applyStatements sets the status of each vulnerability finding that a
// statement matches, by id or alias and by product, the latest statement
// winning. not_affected and fixed close a finding; affected and
// under_investigation keep it open.
func (d *Document) applyStatements() {
	if len(d.statements) == 0 {
		return
	}
	byID := map[string][]int{}
	for i, s := range d.statements {
		for _, id := range append([]string{s.Vulnerability}, s.Aliases...) {
			id = strings.ToUpper(strings.TrimSpace(id))
			if id != "" {
				byID[id] = append(byID[id], i)
			}
		}
	}
	for i := range d.Findings {
		f := &d.Findings[i]
		if f.Kind != KindVulnerability {
			continue
		}
		best := -1
		seen := map[int]bool{}
		for _, id := range append([]string{f.RuleID}, f.Aliases...) {
			for _, si := range byID[strings.ToUpper(id)] {
				if seen[si] {
					continue
				}
				seen[si] = true
				s := &d.statements[si]
				if !productMatches(s.Products, f.Package) {
					continue
				}
				if best < 0 || later(s.Timestamp, d.statements[best].Timestamp) {
					best = si
				}
			}
		}
		if best < 0 {
			continue
		}
		s := d.statements[best]
		note := &StatusNote{By: "vex", Justification: s.Justification, Statement: firstNonEmpty(s.ImpactStatement, s.ActionStatement), Source: s.Source}
		switch s.Status {
		case VEXNotAffected:
			f.Status, f.StatusReason = StatusNotAffected, note
		case VEXFixed:
			f.Status, f.StatusReason = StatusFixed, note
		default:
			// affected, under_investigation: the finding stays open; a
			// later statement that it is affected reopens one an analysis
			// in a report closed, but not a suppression or an exception.
			if f.StatusReason == nil || f.StatusReason.By == "vex" {
				f.Status, f.StatusReason = StatusOpen, nil
			}
		}
	}
}

// productMatches says whether a statement's products cover a finding's
// package: a purl without version matches every version, qualifiers in the
// statement must be present in the package, a bom-ref or name matches the
// package name.
func productMatches(products []string, p *Package) bool {
	if len(products) == 0 {
		return true
	}
	if p == nil {
		return false
	}
	var pkg *packageurl.PackageURL
	if p.Purl != "" {
		if u, err := packageurl.FromString(p.Purl); err == nil {
			pkg = &u
		}
	}
	for _, prod := range products {
		if !strings.HasPrefix(prod, "pkg:") {
			// A BOM-Link or bom-ref: its fragment may be a purl.
			if i := strings.LastIndexByte(prod, '#'); i >= 0 {
				prod = prod[i+1:]
			}
		}
		u, err := packageurl.FromString(prod)
		if err != nil || pkg == nil {
			if prod == p.Name || prod == p.Purl {
				return true
			}
			continue
		}
		if !strings.EqualFold(u.Type, pkg.Type) || u.Name != pkg.Name || u.Namespace != pkg.Namespace {
			continue
		}
		if u.Version != "" && u.Version != pkg.Version && u.Version != p.Version {
			continue
		}
		if qualifiersCovered(u.Qualifiers, pkg.Qualifiers) {
			return true
		}
	}
	return false
}

func qualifiersCovered(want, have packageurl.Qualifiers) bool {
	hm := have.Map()
	for _, q := range want {
		if v, ok := hm[q.Key]; !ok || v != q.Value {
			return false
		}
	}
	return true
}

// later reports whether timestamp a is after b; an unreadable or empty
// timestamp counts as the earliest.
func later(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	switch {
	case errA != nil:
		return false
	case errB != nil:
		return true
	}
	return ta.After(tb)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// sortStatements orders statements by timestamp, for stable application.
func sortStatements(s []Statement) {
	sort.SliceStable(s, func(i, j int) bool { return later(s[j].Timestamp, s[i].Timestamp) })
}
