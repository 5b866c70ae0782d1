package document

import "strings"

// PreferSeverity recomputes each finding's severity from the first source
// in prefer that rated it: a score source such as "nvd", "ghsa" or
// "redhat" (matched against the scores' sources, "nvd" also matching
// "nvd@nist.gov"), or "tool" for the worst severity the reporting tools
// stated. A finding no preferred source rated keeps the highest stated
// severity. The summary is recounted.
func (d *Document) PreferSeverity(prefer []string) {
	if len(prefer) == 0 {
		return
	}
	for i := range d.Findings {
		f := &d.Findings[i]
	sources:
		for _, p := range prefer {
			p = strings.ToLower(strings.TrimSpace(p))
			if p == "tool" {
				worst, found := SeverityUnknown, false
				for _, o := range f.Origins {
					if s, ok := ParseSeverity(o.Severity); ok && s != SeverityUnknown {
						worst, found = MaxSeverity(worst, s), true
					}
				}
				if found {
					f.Severity = worst
					break sources
				}
				continue
			}
			for _, c := range f.Scores {
				src := strings.ToLower(c.Source)
				if src == p || strings.HasPrefix(src, p+"@") || strings.HasPrefix(src, p+":") {
					if s := SeverityFromScore(c.Score); s != SeverityUnknown {
						f.Severity = s
						cc := c
						f.CVSS = &cc
						break sources
					}
				}
			}
		}
	}
	// Severities and scores are what the order reads first.
	d.SortFindings()
	d.Summary = Summarize(d)
}
