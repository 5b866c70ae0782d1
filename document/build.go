package document

import (
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
	ids := make([]string, len(r.Findings))
	ecosystems := make([]string, len(r.Findings))
	par.Each(len(r.Findings), func(i int) {
		f := &r.Findings[i]
		ids[i] = Fingerprint(f)
		if f.Package != nil && f.Package.Ecosystem == "" {
			ecosystems[i] = Ecosystem(f.Package.Purl)
		}
	})
	for i := range r.Findings {
		f := &r.Findings[i]
		prepare(f, srcIdx, src.Tool.Name)
		if f.Package != nil && f.Package.Ecosystem == "" {
			f.Package.Ecosystem = ecosystems[i]
		}
		f.ID = ids[i]
		if at, ok := d.findingIndex[f.ID]; ok {
			mergeFinding(&d.Findings[at], f)
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

func mergeFinding(dst, src *Finding) {
	dst.Aliases = append(dst.Aliases, src.Aliases...)
	if src.RuleID != dst.RuleID {
		dst.Aliases = append(dst.Aliases, src.RuleID)
	}
	dst.CWE = append(dst.CWE, src.CWE...)
	dst.References = append(dst.References, src.References...)
	dst.Tags = append(dst.Tags, src.Tags...)
	dst.FixedVersions = append(dst.FixedVersions, src.FixedVersions...)
	dst.Scores = append(dst.Scores, src.Scores...)
	dst.Origins = append(dst.Origins, src.Origins...)
	dst.Severity = MaxSeverity(dst.Severity, src.Severity)
	if src.CVSS != nil && (dst.CVSS == nil || src.CVSS.Score > dst.CVSS.Score) {
		dst.CVSS = src.CVSS
	}
	if dst.Title == "" {
		dst.Title = src.Title
	}
	if len(src.Description) > len(dst.Description) {
		dst.Description = src.Description
	}
	if dst.Location == nil {
		dst.Location = src.Location
	}
	if dst.Package == nil {
		dst.Package = src.Package
	} else if src.Package != nil {
		// Tools describe one package with more or less detail: keep the most.
		p := *dst.Package
		if p.Purl == "" {
			p.Purl, p.Ecosystem = src.Package.Purl, src.Package.Ecosystem
		}
		if p.Ecosystem == "" {
			p.Ecosystem = src.Package.Ecosystem
		}
		if p.Path == "" {
			p.Path = src.Package.Path
		}
		dst.Package = &p
	}
	if dst.FixState == "" {
		dst.FixState = src.FixState
	}
	if dst.EPSS == nil {
		dst.EPSS = src.EPSS
	}
	if dst.KEV == nil {
		dst.KEV = src.KEV
	}
	if dst.Confidence == "" {
		dst.Confidence = src.Confidence
	}
	// A problem stays open while any report says it is open.
	if src.Status == StatusOpen {
		dst.Status, dst.StatusReason = StatusOpen, nil
	}
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
	d.applyStatements()
	for i := range d.Sources {
		if d.Sources[i].Errors == nil {
			d.Sources[i].Errors = []ScanError{}
		}
	}
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
	}
	d.Findings = sortedBy(d.Findings, func(a, b *Finding) int {
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return rb - ra
		}
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		if c := strings.Compare(a.RuleID, b.RuleID); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
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
	d.findingIndex, d.componentIndex, d.statements, d.serials = nil, nil, nil, nil
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
		return s[i].Vector < s[j].Vector
	})
	return slices.Compact(s)
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
