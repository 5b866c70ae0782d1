// Package diff compares two versions of what was scanned, each a unified
// document: the components added, removed, upgraded, downgraded and whose
// licences changed; the vulnerabilities introduced, fixed and still open;
// the code, secret, misconfiguration and licence findings introduced and
// fixed. It is what `secgate diff` prints, and a release's section of the
// security changelog.
//
// Two findings are the same problem by document.Known: a vulnerability by
// its ids in the same package whatever the version, a code finding by
// rule, file and fingerprint whatever its line. A finding is present on a
// side while open or accepted (an exception waives it; it is still
// there); one VEX says fixed or not affected is not.
package diff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/secgate/secgate/document"
)

// Diff is what changed from Old to New.
type Diff struct {
	Old             Side            `json:"old"`
	New             Side            `json:"new"`
	Components      Components      `json:"components"`
	Vulnerabilities Vulnerabilities `json:"vulnerabilities"`
	// Findings are the code, secret, misconfiguration and licence
	// findings.
	Findings Findings `json:"findings"`
}

// Side names the reports of one version.
type Side struct {
	Sources    []Source `json:"sources"`
	Components int      `json:"components"`
	Findings   int      `json:"findings"`
}

// Source is one report of a side.
type Source struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	SHA256 string `json:"sha256"`
}

// Components are the packages that changed, each list sorted by name.
type Components struct {
	Added      []Component `json:"added"`
	Removed    []Component `json:"removed"`
	Upgraded   []Component `json:"upgraded"`
	Downgraded []Component `json:"downgraded"`
	// Changed are the packages whose version changed in a way their
	// ecosystem's ordering cannot place.
	Changed []Component `json:"changed"`
	// LicenseChanged are the packages present on both sides whose
	// licences differ, whatever happened to their version.
	LicenseChanged []Component `json:"license_changed"`
}

// Component is one package that changed.
type Component struct {
	Name      string `json:"name"`
	Group     string `json:"group,omitempty"`
	Purl      string `json:"purl,omitempty"`
	Ecosystem string `json:"ecosystem,omitempty"`
	// Version is the new side's, PreviousVersion the old side's; a
	// removed component has only the old side's, as Version.
	Version          string   `json:"version"`
	PreviousVersion  string   `json:"previous_version,omitempty"`
	Licenses         []string `json:"licenses"`
	PreviousLicenses []string `json:"previous_licenses,omitempty"`
	// LicenseExpression is the new side's SPDX expression, when its SBOM
	// gives one.
	LicenseExpression string `json:"license_expression,omitempty"`
}

// Vulnerabilities are the vulnerability findings that changed, worst first.
type Vulnerabilities struct {
	Introduced []Vulnerability `json:"introduced"`
	Fixed      []Vulnerability `json:"fixed"`
	StillOpen  []Vulnerability `json:"still_open"`
	Counts     Counts          `json:"counts"`
}

// Counts are the number of each list by severity; every severity is a
// key.
type Counts struct {
	Introduced map[string]int `json:"introduced"`
	Fixed      map[string]int `json:"fixed"`
	StillOpen  map[string]int `json:"still_open,omitempty"`
}

// Vulnerability is one vulnerability in one package.
type Vulnerability struct {
	// ID is the id it is known by (a CVE before a GHSA before the tool's
	// own); Aliases its other ids.
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases"`
	Severity string   `json:"severity"`
	Title    string   `json:"title,omitempty"`
	// Advisory is the web page of its advisory.
	Advisory      string            `json:"advisory,omitempty"`
	Package       *document.Package `json:"package,omitempty"`
	FixedVersions []string          `json:"fixed_versions"`
	// Status is the finding's on its side: open, or accepted (waived).
	Status string `json:"status"`
	// FindingID is the finding's id in its side's document.
	FindingID string `json:"finding_id"`
	// ResolvedBy says, for a fixed one, what fixed it.
	ResolvedBy *Resolution `json:"resolved_by,omitempty"`
}

// How a vulnerability was resolved (Resolution.How).
const (
	// ByUpgrade and ByDowngrade: its package is at another version.
	ByUpgrade   = "upgrade"
	ByDowngrade = "downgrade"
	// ByVersionChange: at another version its ordering cannot place.
	ByVersionChange = "version_change"
	// ByRemoval: its package is gone from the new side's SBOM.
	ByRemoval = "removal"
	// ByStatus: the new side still has it, fixed or not affected by a
	// VEX statement (Resolution.Status says which).
	ByStatus = "status"
	// NotReported: the new side does not report it, and nothing on that
	// side says its package changed (a report without an SBOM lists only
	// vulnerable packages).
	NotReported = "not_reported"
)

// Resolution says what fixed a vulnerability.
type Resolution struct {
	How string `json:"how"`
	// Package is its package's name; From and To its versions on each
	// side, for an upgrade, a downgrade or a version change.
	Package string `json:"package,omitempty"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	// Status is the new side's status of the finding, for ByStatus.
	Status string `json:"status,omitempty"`
}

// Findings are the other findings that changed, worst first.
type Findings struct {
	Introduced []Finding `json:"introduced"`
	Fixed      []Finding `json:"fixed"`
	Counts     Counts    `json:"counts"`
}

// Finding is one code, secret, misconfiguration or licence finding.
type Finding struct {
	Kind     string `json:"kind"`
	RuleID   string `json:"rule_id"`
	Severity string `json:"severity"`
	Title    string `json:"title,omitempty"`
	Path     string `json:"path,omitempty"`
	Line     int    `json:"line,omitempty"`
	Package  string `json:"package,omitempty"`
	Status   string `json:"status"`
	// FindingID is the finding's id in its side's document.
	FindingID string `json:"finding_id"`
}

// Compute compares two versions. It sets, on newDoc's components, how
// each changed since oldDoc (document.CompareComponents); neither
// document is otherwise changed.
func Compute(oldDoc, newDoc *document.Document) *Diff {
	d := &Diff{Old: side(oldDoc), New: side(newDoc)}
	removed := document.CompareComponents(newDoc.Components, oldDoc.Components)
	d.Components = components(newDoc.Components, removed)

	oldLive, newLive := live(oldDoc.Findings), live(newDoc.Findings)
	inOld, inNew := known(oldLive), known(newLive)
	versions := newVersions(newDoc)
	newStatus := statusIndex(newDoc.Findings)

	d.Vulnerabilities = Vulnerabilities{Introduced: []Vulnerability{}, Fixed: []Vulnerability{}, StillOpen: []Vulnerability{}}
	d.Findings = Findings{Introduced: []Finding{}, Fixed: []Finding{}}
	for _, f := range newLive {
		known := inOld.Has(f)
		switch {
		case f.Kind == document.KindVulnerability && !known:
			d.Vulnerabilities.Introduced = append(d.Vulnerabilities.Introduced, vulnerability(f))
		case f.Kind == document.KindVulnerability && f.Status == document.StatusOpen:
			d.Vulnerabilities.StillOpen = append(d.Vulnerabilities.StillOpen, vulnerability(f))
		case f.Kind != document.KindVulnerability && !known:
			d.Findings.Introduced = append(d.Findings.Introduced, finding(f))
		}
	}
	for _, f := range oldLive {
		if inNew.Has(f) {
			continue
		}
		if f.Kind != document.KindVulnerability {
			d.Findings.Fixed = append(d.Findings.Fixed, finding(f))
			continue
		}
		v := vulnerability(f)
		v.ResolvedBy = resolution(f, versions, newStatus, len(newDoc.Components) > 0)
		d.Vulnerabilities.Fixed = append(d.Vulnerabilities.Fixed, v)
	}
	for _, l := range [][]Vulnerability{d.Vulnerabilities.Introduced, d.Vulnerabilities.Fixed, d.Vulnerabilities.StillOpen} {
		slices.SortStableFunc(l, func(a, b Vulnerability) int {
			return worstFirst(a.Severity, b.Severity, a.ID+"\x00"+packageName(a.Package), b.ID+"\x00"+packageName(b.Package))
		})
	}
	for _, l := range [][]Finding{d.Findings.Introduced, d.Findings.Fixed} {
		slices.SortStableFunc(l, func(a, b Finding) int {
			return worstFirst(a.Severity, b.Severity, a.Kind+"\x00"+a.RuleID+"\x00"+a.Path, b.Kind+"\x00"+b.RuleID+"\x00"+b.Path)
		})
	}
	d.Vulnerabilities.Counts = Counts{
		Introduced: countBy(d.Vulnerabilities.Introduced, vulnSeverity),
		Fixed:      countBy(d.Vulnerabilities.Fixed, vulnSeverity),
		StillOpen:  countBy(d.Vulnerabilities.StillOpen, vulnSeverity),
	}
	d.Findings.Counts = Counts{Introduced: countBy(d.Findings.Introduced, findingSeverity), Fixed: countBy(d.Findings.Fixed, findingSeverity)}
	return d
}

func side(doc *document.Document) Side {
	s := Side{Sources: make([]Source, len(doc.Sources)), Components: len(doc.Components), Findings: len(doc.Findings)}
	for i, src := range doc.Sources {
		s.Sources[i] = Source{Path: src.Path, Format: src.Format, SHA256: src.SHA256}
	}
	return s
}

// live are the findings present on a side: open or accepted.
func live(fs []document.Finding) []*document.Finding {
	out := make([]*document.Finding, 0, len(fs))
	for i := range fs {
		if f := &fs[i]; f.Status == document.StatusOpen || f.Status == document.StatusAccepted {
			out = append(out, f)
		}
	}
	return out
}

// known indexes findings as a baseline.
func known(fs []*document.Finding) document.Known {
	k := document.NewKnown(nil)
	for _, f := range fs {
		k.Add(f)
	}
	return k
}

func components(now, removed []document.Component) Components {
	cs := Components{Added: []Component{}, Removed: []Component{}, Upgraded: []Component{}, Downgraded: []Component{}, Changed: []Component{}, LicenseChanged: []Component{}}
	for i := range now {
		c := &now[i]
		switch c.Change {
		case document.ChangeAdded:
			cs.Added = append(cs.Added, component(c))
		case document.ChangeUpgraded:
			cs.Upgraded = append(cs.Upgraded, component(c))
		case document.ChangeDowngraded:
			cs.Downgraded = append(cs.Downgraded, component(c))
		case document.ChangeChanged:
			cs.Changed = append(cs.Changed, component(c))
		}
		if c.LicenseChanged {
			cs.LicenseChanged = append(cs.LicenseChanged, component(c))
		}
	}
	for i := range removed {
		cs.Removed = append(cs.Removed, component(&removed[i]))
	}
	for _, l := range [][]Component{cs.Added, cs.Removed, cs.Upgraded, cs.Downgraded, cs.Changed, cs.LicenseChanged} {
		slices.SortStableFunc(l, func(a, b Component) int {
			return cmp.Or(cmp.Compare(a.Group+"/"+a.Name, b.Group+"/"+b.Name), cmp.Compare(a.Version, b.Version))
		})
	}
	return cs
}

func component(c *document.Component) Component {
	return Component{
		Name: c.Name, Group: c.Group, Purl: c.Purl, Ecosystem: c.Ecosystem,
		Version: c.Version, PreviousVersion: c.PreviousVersion,
		Licenses: nonNil(c.Licenses), PreviousLicenses: c.PreviousLicenses,
		LicenseExpression: c.LicenseExpression,
	}
}

func vulnerability(f *document.Finding) Vulnerability {
	v := Vulnerability{
		ID:            document.VulnID(f),
		Severity:      string(f.Severity),
		Title:         firstLine(f.Title),
		Advisory:      document.AdvisoryURL(f),
		FixedVersions: nonNil(f.FixedVersions),
		Status:        string(f.Status),
		FindingID:     f.ID,
		Aliases:       []string{},
	}
	for _, a := range append([]string{f.RuleID}, f.Aliases...) {
		if a = strings.TrimSpace(a); a != "" && !strings.EqualFold(a, v.ID) && !slices.Contains(v.Aliases, a) {
			v.Aliases = append(v.Aliases, a)
		}
	}
	if p := f.Package; p != nil {
		v.Package = &document.Package{Name: p.Name, Version: p.Version, Purl: p.Purl, Ecosystem: p.Ecosystem, Paths: []string{}}
	}
	return v
}

func finding(f *document.Finding) Finding {
	out := Finding{Kind: string(f.Kind), RuleID: f.RuleID, Severity: string(f.Severity), Title: firstLine(f.Title), Status: string(f.Status), FindingID: f.ID}
	if l := f.Location; l != nil {
		out.Path, out.Line = l.Path, l.StartLine
	}
	if p := f.Package; p != nil {
		out.Package = p.Name
	}
	return out
}

// newVersions are the versions the new side has of each package
// (document.PackageIdentity), from its components and its findings.
func newVersions(doc *document.Document) map[string][]string {
	m := map[string][]string{}
	ids := make(document.Identities)
	add := func(id, v string) {
		if id != "" && !slices.Contains(m[id], v) {
			m[id] = append(m[id], v)
		}
	}
	for i := range doc.Components {
		add(document.ComponentIdentity(&doc.Components[i]), doc.Components[i].Version)
	}
	for i := range doc.Findings {
		if p := doc.Findings[i].Package; p != nil {
			add(ids.Of(p), p.Version)
		}
	}
	return m
}

// statusIndex finds the new side's findings that are closed (fixed or
// not affected), as a baseline index finds a finding.
func statusIndex(fs []document.Finding) map[document.Status]document.Known {
	m := map[document.Status]document.Known{}
	for _, st := range []document.Status{document.StatusFixed, document.StatusNotAffected} {
		m[st] = document.NewKnown(nil)
	}
	for i := range fs {
		if k, ok := m[fs[i].Status]; ok {
			k.Add(&fs[i])
		}
	}
	return m
}

// resolution says what fixed f, a vulnerability of the old side the new
// side does not have.
func resolution(f *document.Finding, versions map[string][]string, closed map[document.Status]document.Known, haveSBOM bool) *Resolution {
	for _, st := range []document.Status{document.StatusFixed, document.StatusNotAffected} {
		if closed[st].Has(f) {
			return &Resolution{How: ByStatus, Status: string(st)}
		}
	}
	if f.Package == nil {
		return &Resolution{How: NotReported}
	}
	id := document.PackageIdentity(f.Package)
	vs := versions[id]
	name, was := f.Package.Name, f.Package.Version
	if len(vs) == 0 {
		if haveSBOM {
			return &Resolution{How: ByRemoval, Package: name, From: was}
		}
		return &Resolution{How: NotReported, Package: name}
	}
	eco := document.Ecosystem(f.Package.Purl)
	if eco == "" {
		eco = f.Package.Ecosystem
	}
	// Of the versions now present, the highest says what the package
	// went to: with several, the upgrade is what fixed it.
	is := slices.MaxFunc(vs, func(a, b string) int { return document.CompareVersions(eco, a, b) })
	switch document.VersionChange(eco, was, is) {
	case document.ChangeUpgraded:
		return &Resolution{How: ByUpgrade, Package: name, From: was, To: is}
	case document.ChangeDowngraded:
		return &Resolution{How: ByDowngrade, Package: name, From: was, To: is}
	case document.ChangeChanged:
		return &Resolution{How: ByVersionChange, Package: name, From: was, To: is}
	}
	return &Resolution{How: NotReported, Package: name}
}

// IntroducedAtOrAbove counts the vulnerabilities and other findings
// introduced at or above severity sev. One of unknown severity counts
// whatever sev is: it may be anything.
func (d *Diff) IntroducedAtOrAbove(sev document.Severity) int {
	n := 0
	at := func(s string) {
		if s == string(document.SeverityUnknown) || document.Severity(s).Rank() >= sev.Rank() {
			n++
		}
	}
	for _, v := range d.Vulnerabilities.Introduced {
		at(v.Severity)
	}
	for _, f := range d.Findings.Introduced {
		at(f.Severity)
	}
	return n
}

// worstFirst orders by severity, worst first, then by key.
func worstFirst(sa, sb, ka, kb string) int {
	return cmp.Or(cmp.Compare(document.Severity(sb).Rank(), document.Severity(sa).Rank()), cmp.Compare(ka, kb))
}

func packageName(p *document.Package) string {
	if p == nil {
		return ""
	}
	return p.Name
}

func vulnSeverity(v Vulnerability) string { return v.Severity }
func findingSeverity(f Finding) string    { return f.Severity }

// countBy counts items by their severity; every severity is a key.
func countBy[T any](items []T, severity func(T) string) map[string]int {
	m := make(map[string]int, len(document.Severities))
	for _, s := range document.Severities {
		m[string(s)] = 0
	}
	for _, x := range items {
		m[severity(x)]++
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}
