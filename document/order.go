package document

import (
	"cmp"
	"slices"
	"strings"
)

// WorstFirst is the one order in which findings are listed, everywhere:
// the document, the table, Markdown, annotations, tickets and the
// evidence of a policy's message. It compares severity (worst first),
// then the preferred CVSS score (highest first, a finding without one
// after any with one), then whether the finding is a known exploited
// vulnerability (KEV first), then its EPSS score (highest first), then
// the rule id and the finding id. It returns a negative number when a
// comes first.
func WorstFirst(a, b *Finding) int {
	if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
		return rb - ra
	}
	if c := cmp.Compare(score(b), score(a)); c != 0 {
		return c
	}
	if ka, kb := a.KEV != nil && a.KEV.Listed, b.KEV != nil && b.KEV.Listed; ka != kb {
		if ka {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(epss(b), epss(a)); c != 0 {
		return c
	}
	if c := strings.Compare(a.RuleID, b.RuleID); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func score(f *Finding) float64 {
	if f.CVSS == nil {
		return -1
	}
	return f.CVSS.Score
}

func epss(f *Finding) float64 {
	if f.EPSS == nil {
		return -1
	}
	return f.EPSS.Score
}

// SortFindings puts the findings in WorstFirst order. Finish does; call it
// again after changing what the order reads (severity, scores, EPSS, KEV).
func (d *Document) SortFindings() {
	d.Findings = sortedBy(d.Findings, WorstFirst)
}

// Positions maps each finding's id to its index in d.Findings.
func (d *Document) Positions() map[string]int {
	at := make(map[string]int, len(d.Findings))
	for i := range d.Findings {
		at[d.Findings[i].ID] = i
	}
	return at
}

// SortIDs sorts finding ids by the position at gives each (d.Positions
// of a sorted document: WorstFirst); ids at lacks come last, in string
// order.
func SortIDs(ids []string, at map[string]int) {
	// Each id's position is looked up once, not at every comparison: a
	// message can list every finding of a 100,000-finding report.
	type idPos struct {
		pos int
		id  string
	}
	ps := make([]idPos, len(ids))
	for i, id := range ids {
		p, ok := at[id]
		if !ok {
			p = len(at)
		}
		ps[i] = idPos{p, id}
	}
	byPos := func(a, b idPos) int {
		if c := cmp.Compare(a.pos, b.pos); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	}
	if slices.IsSortedFunc(ps, byPos) {
		return
	}
	slices.SortFunc(ps, byPos)
	for i := range ps {
		ids[i] = ps[i].id
	}
}
