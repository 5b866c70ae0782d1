package document

import (
	"fmt"
	"slices"
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
	// Products are what the statement is about. A statement without a
	// product applies to nothing.
	Products []Product
	// Status is one of the VEX* constants.
	Status          string
	Justification   string
	ImpactStatement string
	ActionStatement string
	// Timestamp is RFC 3339; the latest statement about a finding wins.
	Timestamp string
	// Source names the VEX document (its id, or the file).
	Source string

	// src indexes Document.Sources: the VEX document's own source.
	src int
}

// Product is what a VEX statement is about: ID is a purl (with or without
// version), a name, or a CycloneDX BOM-Link (urn:cdx:serial/version#ref)
// or bom-ref. Subcomponents, when given, are the parts of the product the
// vulnerability is in: the statement then speaks of them only inside the
// product.
type Product struct {
	ID            string   `json:"id"`
	Subcomponents []string `json:"subcomponents"`
}

// VEXStatement is one VEX statement as the document applied it: where it
// came from, what it says, the findings whose status it decided and, when
// it was not applied or applied to none of the findings it names, why.
type VEXStatement struct {
	// Source indexes Document.Sources: the VEX document.
	Source int `json:"source"`
	// Document is the VEX document's id, when it has one.
	Document      string    `json:"document,omitempty"`
	Vulnerability string    `json:"vulnerability"`
	Aliases       []string  `json:"aliases"`
	Products      []Product `json:"products"`
	Status        string    `json:"status"`
	Justification string    `json:"justification,omitempty"`
	Timestamp     string    `json:"timestamp,omitempty"`
	// Findings are the ids of the findings whose status this statement
	// decided (it was the latest that applied to them).
	Findings []string `json:"findings"`
	// Problem says why the statement was not applied, or why it applied
	// to none of the findings of the vulnerability it names; empty when
	// there is nothing to say.
	Problem string `json:"problem,omitempty"`
}

// applyStatements sets the status of each vulnerability finding that a
// statement applies to, the latest statement winning, and lists every
// statement in d.VEX. A statement applies to a finding with its
// vulnerability id (or an alias) when one of its products is the subject
// of a source the finding came from, or is the finding's package itself;
// a product's subcomponents count only inside that product. A statement
// without a product, or not_affected without a justification or an
// impact statement, is not applied. not_affected and fixed close a
// finding; affected and under_investigation keep it open.
func (d *Document) applyStatements() {
	d.VEX = make([]VEXStatement, len(d.statements))
	if len(d.statements) == 0 {
		return
	}
	usable := make([]bool, len(d.statements))
	byID := map[string][]int{}
	for i := range d.statements {
		s := &d.statements[i]
		v := &d.VEX[i]
		*v = VEXStatement{Source: s.src, Vulnerability: s.Vulnerability, Aliases: nonNil(s.Aliases),
			Status: s.Status, Justification: s.Justification, Timestamp: s.Timestamp, Findings: []string{}}
		if s.Source != d.Sources[s.src].Path {
			v.Document = s.Source
		}
		for _, p := range s.Products {
			v.Products = append(v.Products, Product{ID: p.ID, Subcomponents: nonNil(p.Subcomponents)})
		}
		v.Products = nonNil(v.Products)
		s.Products = d.resolveBOMLinks(s.Products, &v.Problem)
		switch {
		case v.Problem != "":
		case len(s.Products) == 0:
			v.Problem = "no product: the statement applies to nothing"
		case s.Status == VEXNotAffected && s.Justification == "" && s.ImpactStatement == "":
			v.Problem = "not_affected without a justification or impact statement: not applied"
		default:
			usable[i] = true
		}
		for _, id := range append([]string{s.Vulnerability}, s.Aliases...) {
			id = strings.ToUpper(strings.TrimSpace(id))
			if id != "" {
				byID[id] = append(byID[id], i)
			}
		}
	}
	// named counts, per statement, the findings of its vulnerability it
	// did not apply to for want of a product.
	named := make([]int, len(d.statements))
	for i := range d.Findings {
		f := &d.Findings[i]
		if f.Kind != KindVulnerability {
			continue
		}
		subjects := d.subjects(f)
		best := -1
		seen := map[int]bool{}
		for _, id := range append([]string{f.RuleID}, f.Aliases...) {
			for _, si := range byID[strings.ToUpper(id)] {
				if seen[si] || !usable[si] {
					continue
				}
				seen[si] = true
				s := &d.statements[si]
				if !s.appliesTo(f, subjects) {
					named[si]++
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
		d.VEX[best].Findings = append(d.VEX[best].Findings, f.ID)
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
	for i := range d.VEX {
		v := &d.VEX[i]
		slices.Sort(v.Findings)
		if v.Problem == "" && len(v.Findings) == 0 && named[i] > 0 {
			v.Problem = fmt.Sprintf("%s is in %d finding(s), but none has one of the statement's products as its subject or package: not applied",
				v.Vulnerability, named[i])
		}
	}
}

// subjects returns the subjects of the sources a finding came from.
func (d *Document) subjects(f *Finding) []*Subject {
	var out []*Subject
	for _, o := range f.Origins {
		if s := d.Sources[o.Source].Subject; s != nil && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// resolveBOMLinks replaces each product that is a CycloneDX BOM-Link
// (urn:cdx:serial/version#ref) by the subject of the BOM it names, among
// the sources, with the component it refers to as subcomponent (none when
// it is the subject itself). A BOM-Link to a BOM that is not among the
// sources, or that has no subject, is dropped and *problem says so: the
// statement speaks of a product that cannot be told.
func (d *Document) resolveBOMLinks(products []Product, problem *string) []Product {
	out := make([]Product, 0, len(products))
	for _, p := range products {
		serial, ref, ok := bomLink(p.ID)
		if !ok {
			out = append(out, p)
			continue
		}
		at, ok := d.serials[serial]
		if !ok {
			*problem = fmt.Sprintf("product %s is in a BOM that is not among the inputs: not applied", p.ID)
			continue
		}
		subj := d.Sources[at].Subject
		if subj == nil {
			*problem = fmt.Sprintf("product %s is in a BOM that does not name its own component: not applied", p.ID)
			continue
		}
		id := firstNonEmpty(subj.Purl, subj.Name)
		if c := d.componentByRef(ref, at); c != nil && c.Purl != "" {
			ref = c.Purl
		}
		if ref == id || (subj.Purl == "" && ref == subj.Name) {
			out = append(out, Product{ID: id})
		} else {
			out = append(out, Product{ID: id, Subcomponents: []string{ref}})
		}
	}
	if len(out) < len(products) {
		return nil
	}
	return out
}

// bomLink splits a BOM-Link to a component into the BOM's serial number
// (urn:uuid:…) and the component's bom-ref.
func bomLink(id string) (serial, ref string, ok bool) {
	rest, ok := strings.CutPrefix(id, "urn:cdx:")
	if !ok {
		return "", "", false
	}
	bom, ref, ok := strings.Cut(rest, "#")
	if !ok || ref == "" {
		return "", "", false
	}
	if i := strings.IndexByte(bom, '/'); i >= 0 {
		bom = bom[:i] // the version: any version of the BOM
	}
	return "urn:uuid:" + bom, ref, true
}

// componentByRef returns the component of source src with that bom-ref.
func (d *Document) componentByRef(ref string, src int) *Component {
	for i := range d.Components {
		c := &d.Components[i]
		if c.BOMRef == ref && slices.Contains(c.Sources, src) {
			return c
		}
	}
	return nil
}

// appliesTo says whether a statement speaks of a finding: one of its
// products is a subject of the finding's sources and, when it names
// subcomponents, one of them is the finding's package; or a product
// without subcomponents is the finding's package itself.
func (s *Statement) appliesTo(f *Finding, subjects []*Subject) bool {
	for _, p := range s.Products {
		inSubject := false
		for _, subj := range subjects {
			if isSubject(p.ID, subj) {
				inSubject = true
				break
			}
		}
		if len(p.Subcomponents) == 0 {
			if inSubject || isPackage(p.ID, f.Package) {
				return true
			}
			continue
		}
		if !inSubject {
			continue
		}
		for _, sub := range p.Subcomponents {
			if isPackage(sub, f.Package) {
				return true
			}
		}
	}
	return false
}

// isSubject says whether a product id names a subject: purl to purl (see
// purlMatches), a purl to a name (its namespace and name joined by "/"),
// a name to a name.
func isSubject(id string, s *Subject) bool {
	id = strings.TrimSpace(id)
	if id == "" {
		return false
	}
	u, err := parsePurl(id)
	if err != nil {
		return id == s.Name || id == s.Purl
	}
	if s.Purl != "" {
		if t, err := parsePurl(s.Purl); err == nil {
			return purlMatches(u, t, s.Version)
		}
	}
	if purlPath(u) != s.Name {
		return false
	}
	return u.Version == "" || s.Version == "" || u.Version == s.Version
}

// isPackage says whether a product id names a finding's package: purl to
// purl (see purlMatches), else the id is the package's name or purl.
func isPackage(id string, p *Package) bool {
	id = strings.TrimSpace(id)
	if p == nil || id == "" {
		return false
	}
	u, err := parsePurl(id)
	if err != nil {
		return id == p.Name || id == p.Purl
	}
	if p.Purl == "" {
		return false
	}
	t, err := parsePurl(p.Purl)
	if err != nil {
		return false
	}
	return purlMatches(u, t, p.Version)
}

// purlMatches says whether the purl a statement gives (want) names the
// purl have: the same type (any case), namespace and name (a "/" in the
// name counts as in the namespace: tools escape Go module paths and npm
// scopes into the name); the same version when both give one (have's
// version, or version, the package's own word); every qualifier want
// gives that have also gives, with the same value. Qualifiers only one
// side gives are ignored, subpaths too.
func purlMatches(want, have packageurl.PackageURL, version string) bool {
	if !strings.EqualFold(want.Type, have.Type) || purlPath(want) != purlPath(have) {
		return false
	}
	if want.Version != "" && have.Version != "" && want.Version != have.Version && want.Version != version {
		return false
	}
	if want.Version != "" && have.Version == "" && version != "" && want.Version != version {
		return false
	}
	hm := have.Qualifiers.Map()
	for _, q := range want.Qualifiers {
		if v, ok := hm[q.Key]; ok && !sameQualifier(q.Key, q.Value, v) {
			return false
		}
	}
	return true
}

// parsePurl parses a purl; anything not starting "pkg:" is no purl.
func parsePurl(s string) (packageurl.PackageURL, error) {
	if !strings.HasPrefix(s, "pkg:") {
		return packageurl.PackageURL{}, fmt.Errorf("not a purl: %q", s)
	}
	return packageurl.FromString(s)
}

// purlPath is a purl's namespace and name joined by "/", in the case its
// type compares them (pypi and npm names are case-insensitive).
func purlPath(u packageurl.PackageURL) string {
	p := u.Name
	if u.Namespace != "" {
		p = u.Namespace + "/" + u.Name
	}
	switch strings.ToLower(u.Type) {
	case "pypi":
		p = strings.ReplaceAll(strings.ToLower(p), "_", "-")
	case "npm":
		p = strings.ToLower(p)
	}
	return p
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

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
