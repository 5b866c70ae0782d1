package document

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"github.com/secgate/secgate/internal/par"
)

// New returns an empty document.
func New() *Document {
	return &Document{
		SchemaVersion: SchemaVersion,
		Sources:       []Source{},
		Findings:      []Finding{},
		Components:    []Component{},
		VEX:           []VEXStatement{},
		Removed:       []Component{},
	}
}

// Add joins one ingested report to the document: the source is recorded,
// each finding gets its fingerprint and is merged with an earlier finding
// of the same fingerprint (one finding per problem, several origins), and
// components are merged by ComponentKey. Add takes r over: the first
// report's findings array becomes the document's.
func (d *Document) Add(src Source, r *Report) {
	if d.findingIndex == nil {
		d.findingIndex = make(map[string]int, len(r.Findings))
		d.componentIndex = make(map[string]int, len(r.Components))
	}
	srcIdx := len(d.Sources)
	if src.Tool.Name == "" {
		src.Tool = r.Tool
	}
	if src.Created == "" {
		src.Created = r.Created
	}
	src.IncompleteReason = OneLine(r.Incomplete)
	src.Complete = src.IncompleteReason == ""
	src.Errors = append([]ScanError{}, r.Errors...)
	if src.Subject == nil && r.Subject != nil {
		subj := *r.Subject
		src.Subject = &subj
	}
	d.Sources = append(d.Sources, src)
	if r.Serial != "" {
		if d.serials == nil {
			d.serials = map[string]int{}
		}
		if _, dup := d.serials[r.Serial]; !dup {
			d.serials[r.Serial] = srcIdx
		}
	}

	for _, st := range r.Statements {
		if st.Source == "" {
			st.Source = src.Path
		}
		st.src = srcIdx
		d.statements = append(d.statements, st)
	}

	if len(d.Findings) == 0 && len(r.Findings) > 0 {
		// The first report's findings become the document's in place:
		// each is written at or before its own index, and a large report
		// is not copied.
		d.Findings = r.Findings[:0]
	} else {
		d.Findings = slices.Grow(d.Findings, len(r.Findings))
	}
	d.Components = slices.Grow(d.Components, len(r.Components))
	// Fingerprints and ecosystems (a hash and a purl parse each) are
	// computed on every CPU, reading the findings only: ingesters may
	// share a package or origins between findings. The rest is in order.
	number(r.Findings)
	ids := make([]string, len(r.Findings))
	ecosystems := make([]string, len(r.Findings))
	par.Each(len(r.Findings), func(i int) {
		f := &r.Findings[i]
		ids[i] = Fingerprint(f)
		if f.Package != nil && f.Package.Ecosystem == "" {
			ecosystems[i] = Ecosystem(f.Package.Purl)
		}
	})
	distinguish(r.Findings, ids)
	for i := range r.Findings {
		f := &r.Findings[i]
		prepare(f, srcIdx, src.Tool.Name)
		if f.Package != nil && f.Package.Ecosystem == "" {
			f.Package.Ecosystem = ecosystems[i]
		}
		f.ID = ids[i]
		if at, ok := d.findingIndex[f.ID]; ok {
			d.mergeFinding(&d.Findings[at], f)
			continue
		}
		d.findingIndex[f.ID] = len(d.Findings)
		d.Findings = append(d.Findings, *f)
	}

	for i := range r.Components {
		c := &r.Components[i]
		if c.Ecosystem == "" {
			c.Ecosystem = Ecosystem(c.Purl)
		}
		c.Sources = []int{srcIdx}
		key := ComponentKey(c)
		if at, ok := d.componentIndex[key]; ok {
			mergeComponent(&d.Components[at], c)
			continue
		}
		d.componentIndex[key] = len(d.Components)
		d.Components = append(d.Components, *c)
	}
}

// mergeFinding joins src to dst, the finding of the same problem already
// in the document. Whatever the order of the two, the result is the same:
// lists are joined (sorted by Finish), and of two values the worse or the
// more detailed is kept, else the smaller.
func (d *Document) mergeFinding(dst, src *Finding) {
	dst.Aliases = append(dst.Aliases, src.Aliases...)
	if src.RuleID != dst.RuleID {
		// Both ids stay: the other one as an alias.
		dst.Aliases = append(dst.Aliases, src.RuleID, dst.RuleID)
		if ruleIDRank(src.RuleID) < ruleIDRank(dst.RuleID) ||
			ruleIDRank(src.RuleID) == ruleIDRank(dst.RuleID) && src.RuleID < dst.RuleID {
			dst.RuleID = src.RuleID
		}
	}
	dst.CWE = append(dst.CWE, src.CWE...)
	dst.References = append(dst.References, src.References...)
	dst.Tags = append(dst.Tags, src.Tags...)
	dst.FixedVersions = append(dst.FixedVersions, src.FixedVersions...)
	dst.Scores = append(dst.Scores, src.Scores...)
	dst.Origins = append(dst.Origins, src.Origins...)
	dst.Severity = MaxSeverity(dst.Severity, src.Severity)
	if src.CVSS != nil && (dst.CVSS == nil || compareCVSS(src.CVSS, dst.CVSS) > 0) {
		dst.CVSS = src.CVSS
	}
	dst.Title = smallerNonEmpty(dst.Title, src.Title)
	if len(src.Description) > len(dst.Description) ||
		len(src.Description) == len(dst.Description) && src.Description < dst.Description {
		dst.Description = src.Description
	}
	d.mergeLocations(dst, src)
	if dst.Package == nil {
		dst.Package = src.Package
	} else if src.Package != nil && src.Package != dst.Package {
		d.mergePackage(dst, src.Package)
	}
	dst.FixState = smallerNonEmpty(dst.FixState, src.FixState)
	dst.Confidence = smallerNonEmpty(dst.Confidence, src.Confidence)
	dst.BaselineState = smallerNonEmpty(dst.BaselineState, src.BaselineState)
	if src.EPSS != nil && (dst.EPSS == nil || src.EPSS.Score > dst.EPSS.Score ||
		src.EPSS.Score == dst.EPSS.Score && src.EPSS.Date > dst.EPSS.Date) {
		dst.EPSS = src.EPSS
	}
	if src.KEV != nil && (dst.KEV == nil || src.KEV.Listed && !dst.KEV.Listed ||
		src.KEV.Listed == dst.KEV.Listed && src.KEV.DateAdded < dst.KEV.DateAdded) {
		dst.KEV = src.KEV
	}
	// A problem stays open while any report says it is open; of two other
	// statuses the first in Statuses, then the smaller reason, is kept.
	switch {
	case dst.Status == StatusOpen:
	case src.Status == StatusOpen:
		dst.Status, dst.StatusReason = StatusOpen, nil
	case compareStatus(src, dst) < 0:
		dst.Status, dst.StatusReason = src.Status, src.StatusReason
	}
}

// ruleIDRank orders the ids a vulnerability goes by as PrimaryVulnID
// does: CVE, then GHSA, then any other.
func ruleIDRank(id string) int {
	u := strings.ToUpper(id)
	switch {
	case strings.HasPrefix(u, "CVE-"):
		return 0
	case strings.HasPrefix(u, "GHSA-"):
		return 1
	}
	return 2
}

// smallerNonEmpty is the smaller of two strings, an empty one only when
// both are.
func smallerNonEmpty(a, b string) string {
	if a == "" || b != "" && b < a {
		return b
	}
	return a
}

// moreDetailed is the longer of two strings, else the smaller.
func moreDetailed(a, b string) string {
	if len(b) > len(a) || len(b) == len(a) && b < a {
		return b
	}
	return a
}

// compareCVSS orders scores: the higher score, then the later version,
// then the smaller vector and source, is the greater.
func compareCVSS(a, b *CVSS) int {
	if c := cmp.Compare(a.Score, b.Score); c != 0 {
		return c
	}
	if c := strings.Compare(a.Version, b.Version); c != 0 {
		return c
	}
	if c := strings.Compare(b.Vector, a.Vector); c != 0 {
		return c
	}
	return strings.Compare(b.Source, a.Source)
}

func compareStatus(a, b *Finding) int {
	if c := cmp.Compare(slices.Index(Statuses, a.Status), slices.Index(Statuses, b.Status)); c != 0 {
		return c
	}
	ra, rb := a.StatusReason, b.StatusReason
	switch {
	case ra == nil && rb == nil:
		return 0
	case ra == nil:
		return -1
	case rb == nil:
		return 1
	}
	return cmp.Or(strings.Compare(ra.By, rb.By), strings.Compare(ra.Source, rb.Source),
		strings.Compare(ra.Justification, rb.Justification), strings.Compare(ra.Statement, rb.Statement))
}

// mergeLocations gathers every location of src into dst's Locations;
// Finish sorts them and makes the first the Location.
func (d *Document) mergeLocations(dst, src *Finding) {
	if src.Location == nil && len(src.Locations) == 0 {
		return
	}
	if dst.Locations == nil && dst.Location != nil {
		dst.Locations = append(make([]Location, 0, 2), *dst.Location)
	}
	if len(src.Locations) > 0 {
		dst.Locations = append(dst.Locations, src.Locations...)
	} else {
		dst.Locations = append(dst.Locations, *src.Location)
	}
	if dst.Location == nil {
		dst.Location = &dst.Locations[0]
	}
}

// mergePackage joins what src says of dst's package. Ingesters may share
// one Package between findings, so dst's is copied once before it changes,
// and the copy is the document's own.
func (d *Document) mergePackage(dst *Finding, src *Package) {
	p := dst.Package
	if !d.ownPackages[p] {
		cp := *p
		cp.Paths = append([]string(nil), pathsOf(p)...)
		p = &cp
		if d.ownPackages == nil {
			d.ownPackages = map[*Package]bool{}
		}
		d.ownPackages[p] = true
		dst.Package = p
	}
	// Tools describe one package with more or less detail: keep the most.
	p.Name = moreDetailed(p.Name, src.Name)
	p.Version = moreDetailed(p.Version, src.Version)
	if src.Purl != "" && moreDetailed(p.Purl, src.Purl) == src.Purl {
		p.Purl = src.Purl
	}
	p.Ecosystem = cmp.Or(Ecosystem(p.Purl), smallerNonEmpty(p.Ecosystem, src.Ecosystem))
	p.Paths = append(p.Paths, pathsOf(src)...)
}

// pathsOf is every path a package was found at, as an ingester or an
// earlier merge left it.
func pathsOf(p *Package) []string {
	if len(p.Paths) > 0 {
		return p.Paths
	}
	if p.Path != "" {
		return []string{p.Path}
	}
	return nil
}

func mergeComponent(dst, src *Component) {
	dst.Licenses = append(dst.Licenses, src.Licenses...)
	if dst.LicenseExpression == "" {
		dst.LicenseExpression = src.LicenseExpression
	}
	dst.Direct = dst.Direct || src.Direct
	dst.DependsOn = append(dst.DependsOn, src.DependsOn...)
	dst.Sources = append(dst.Sources, src.Sources...)
	if dst.Scope == "" {
		dst.Scope = src.Scope
	}
}

// Finish puts the document in its canonical form: every slice non-nil,
// sorted and without duplicates, findings ordered worst first, and the
// summary counted. Call it once after the last Add.
func (d *Document) Finish() {
	if d.SchemaVersion == "" {
		d.SchemaVersion = SchemaVersion
	}
	d.relativize()
	d.applyStatements()
	for i := range d.Sources {
		if d.Sources[i].Errors == nil {
			d.Sources[i].Errors = []ScanError{}
		}
	}
	// A finding at one place (most) gets its one-element list of
	// locations, and a package at one path its list of paths, carved
	// from one block each rather than allocated one by one.
	nLoc, nPath := 0, 0
	for i := range d.Findings {
		f := &d.Findings[i]
		if len(f.Locations) == 0 && f.Location != nil {
			nLoc++
		}
		if p := f.Package; p != nil && p.Paths == nil && p.Path != "" {
			nPath++ // at most: a package may be shared
		}
	}
	locBlock := make([]Location, nLoc)
	pathBlock := make([]string, nPath)
	for i := range d.Findings {
		f := &d.Findings[i]
		f.Aliases = sortedUnique(f.Aliases)
		f.Aliases = slices.DeleteFunc(f.Aliases, func(a string) bool { return a == f.RuleID })
		f.CWE = sortedUnique(f.CWE)
		f.References = sortedUnique(f.References)
		f.Tags = sortedUnique(f.Tags)
		f.FixedVersions = sortedUnique(f.FixedVersions)
		f.Scores = uniqueScores(f.Scores)
		if f.Origins == nil {
			f.Origins = []Origin{}
		}
		f.Origins = uniqueOrigins(f.Origins)
		switch {
		case len(f.Locations) > 0:
			f.Locations = uniqueLocations(f.Locations)
			f.Location = &f.Locations[0]
		case f.Location != nil:
			locBlock[0] = *f.Location
			f.Locations, locBlock = locBlock[:1:1], locBlock[1:]
		default:
			f.Locations = []Location{}
		}
		if p := f.Package; p != nil {
			switch {
			case len(p.Paths) > 1:
				p.Paths = sortedUnique(p.Paths)
				p.Path = p.Paths[0]
			case p.Paths != nil:
			case p.Path != "":
				pathBlock[0] = p.Path
				p.Paths, pathBlock = pathBlock[:1:1], pathBlock[1:]
			default:
				p.Paths = []string{}
			}
		}
	}
	d.SortFindings()
	for i := range d.Components {
		c := &d.Components[i]
		c.Licenses = sortedUnique(c.Licenses)
		c.DependsOn = sortedUnique(c.DependsOn)
		c.Sources = slices.Compact(slices.Sorted(slices.Values(c.Sources)))
	}
	d.Components = sortedBy(d.Components, func(a, b *Component) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		if c := strings.Compare(a.Version, b.Version); c != 0 {
			return c
		}
		return strings.Compare(a.Purl, b.Purl)
	})
	d.findingIndex, d.componentIndex, d.statements, d.serials, d.ownPackages = nil, nil, nil, nil, nil
	d.Summary = Summarize(d)
}

// sortedBy sorts s in the order cmp gives, stable for equal elements, and
// returns it. It sorts indexes, then moves each element once, in place,
// cycle by cycle: findings are large structs, and a sort that swaps them
// (or a sorted copy) moves or allocates tens of megabytes on big reports.
func sortedBy[T any](s []T, cmp func(a, b *T) int) []T {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	// Ties broken by index: stable, and pdqsort is faster than a merge.
	slices.SortFunc(idx, func(i, j int) int {
		if c := cmp(&s[i], &s[j]); c != 0 {
			return c
		}
		return i - j
	})
	// s[to] must receive s[idx[to]]; follow each cycle of the
	// permutation once, marking done places with -1.
	for start := range idx {
		if idx[start] < 0 || idx[start] == start {
			continue
		}
		saved := s[start]
		to := start
		for {
			from := idx[to]
			idx[to] = -1
			if from == start {
				s[to] = saved
				break
			}
			s[to] = s[from]
			to = from
		}
	}
	return s
}

func uniqueScores(s []CVSS) []CVSS {
	if len(s) == 0 {
		return []CVSS{}
	}
	if len(s) == 1 {
		return s
	}
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].Source != s[j].Source {
			return s[i].Source < s[j].Source
		}
		if s[i].Version != s[j].Version {
			return s[i].Version > s[j].Version
		}
		if s[i].Vector != s[j].Vector {
			return s[i].Vector < s[j].Vector
		}
		return s[i].Score > s[j].Score
	})
	return slices.Compact(s)
}

// uniqueLocations sorts locations by path, line and column, and drops
// each that only repeats, with less detail, the place before it (one tool
// gives the end and the snippet, another only the start).
func uniqueLocations(l []Location) []Location {
	if len(l) < 2 {
		return l
	}
	slices.SortFunc(l, func(a, b Location) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(a.StartLine, b.StartLine),
			cmp.Compare(a.StartColumn, b.StartColumn),
			cmp.Compare(b.EndLine, a.EndLine), cmp.Compare(b.EndColumn, a.EndColumn),
			cmp.Compare(len(b.Snippet), len(a.Snippet)), strings.Compare(a.Snippet, b.Snippet))
	})
	out := l[:1]
	for _, v := range l[1:] {
		k := &out[len(out)-1]
		if v.Path == k.Path && v.StartLine == k.StartLine && v.StartColumn == k.StartColumn &&
			(v.EndLine == 0 || v.EndLine == k.EndLine) && (v.EndColumn == 0 || v.EndColumn == k.EndColumn) &&
			(v.Snippet == "" || v.Snippet == k.Snippet) {
			continue
		}
		out = append(out, v)
	}
	return out
}

func uniqueOrigins(o []Origin) []Origin {
	if len(o) < 2 {
		return o // most findings: one origin, and sort.SliceStable allocates
	}
	sort.SliceStable(o, func(i, j int) bool {
		if o[i].Source != o[j].Source {
			return o[i].Source < o[j].Source
		}
		if o[i].RuleID != o[j].RuleID {
			return o[i].RuleID < o[j].RuleID
		}
		return o[i].Severity < o[j].Severity
	})
	return slices.Compact(o)
}

// Summarize counts findings by severity, kind and status, and components.
// Every severity, kind and status is a key, zero or not.
func Summarize(d *Document) Summary {
	s := Summary{
		Findings:       len(d.Findings),
		BySeverity:     map[string]int{},
		OpenBySeverity: map[string]int{},
		ByKind:         map[string]int{},
		ByStatus:       map[string]int{},
		Components:     len(d.Components),
	}
	for _, v := range Severities {
		s.BySeverity[string(v)] = 0
		s.OpenBySeverity[string(v)] = 0
	}
	for _, v := range Kinds {
		s.ByKind[string(v)] = 0
	}
	for _, v := range Statuses {
		s.ByStatus[string(v)] = 0
	}
	for i := range d.Findings {
		f := &d.Findings[i]
		s.BySeverity[string(f.Severity)]++
		s.ByKind[string(f.Kind)]++
		s.ByStatus[string(f.Status)]++
		if f.Status == StatusOpen {
			s.OpenFindings++
			s.OpenBySeverity[string(f.Severity)]++
		}
		if f.New != nil && *f.New {
			s.NewFindings++
		}
	}
	for i := range d.Components {
		if n := d.Components[i].New; n != nil && *n {
			s.NewComponents++
		}
	}
	return s
}

// SplitList splits a comma- or space-separated list ("1.2.3, 1.2.4") into
// its trimmed, non-empty items.
func SplitList(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '|' })
	return slices.DeleteFunc(f, func(v string) bool { return v == "" })
}

// prepare completes a finding of source srcIdx: origins, status,
// severity, CVSS.
func prepare(f *Finding, srcIdx int, tool string) {
	for j := range f.Origins {
		f.Origins[j].Source = srcIdx
		if f.Origins[j].Tool == "" {
			f.Origins[j].Tool = tool
		}
	}
	if len(f.Origins) == 0 {
		f.Origins = []Origin{{Source: srcIdx, Tool: tool, RuleID: f.RuleID, Severity: string(f.Severity)}}
	}
	if f.Status == "" {
		f.Status = StatusOpen
	}
	if f.Severity == "" {
		f.Severity = SeverityUnknown
	}
	if f.CVSS == nil && len(f.Scores) > 0 {
		c := f.Scores[0]
		f.CVSS = &c
	}
}
