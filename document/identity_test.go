package document

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// build makes a document of reports, each a source named by its tool.
func build(reports ...*Report) *Document {
	d := New()
	for _, r := range reports {
		d.Add(Source{Path: r.Tool.Name + ".json", Format: "test", SHA256: strings.Repeat("0", 64)}, r)
	}
	d.Finish()
	return d
}

// TestVendoredTwiceKeepsBothPaths: one vulnerable library vendored at two
// paths, reported by two tools, is one finding whose package names both
// paths; one secret found at two places by two tools keeps both.
func TestVendoredTwiceKeepsBothPaths(t *testing.T) {
	vuln := func(path string) Finding {
		return Finding{Kind: KindVulnerability, RuleID: "CVE-2020-8203", Severity: SeverityHigh,
			Package: &Package{Name: "lodash", Version: "4.17.15", Purl: "pkg:npm/lodash@4.17.15", Path: path}}
	}
	d := build(
		&Report{Tool: Tool{Name: "a"}, Findings: []Finding{vuln("web/vendor/lodash/package.json")}},
		&Report{Tool: Tool{Name: "b"}, Findings: []Finding{vuln("api/node_modules/lodash/package.json")}},
	)
	if len(d.Findings) != 1 {
		t.Fatalf("%d findings, want 1", len(d.Findings))
	}
	p := d.Findings[0].Package
	want := []string{"api/node_modules/lodash/package.json", "web/vendor/lodash/package.json"}
	if !slices.Equal(p.Paths, want) || p.Path != want[0] {
		t.Errorf("package path %q paths %q, want %q", p.Path, p.Paths, want)
	}
	if err := d.Validate(); err != nil {
		t.Error(err)
	}
}

// TestMergedFindingKeepsEveryLocation: a vulnerability without a package
// reported at two lines of one file is one finding with both places;
// a place given twice, once with less detail, is listed once.
func TestMergedFindingKeepsEveryLocation(t *testing.T) {
	at := func(line, end int) Finding {
		return Finding{Kind: KindVulnerability, RuleID: "GO-2024-1", Severity: SeverityHigh,
			Location: &Location{Path: "go.mod", StartLine: line, EndLine: end}}
	}
	d := build(&Report{Tool: Tool{Name: "a"}, Findings: []Finding{at(9, 9), at(3, 3), at(9, 0)}})
	if len(d.Findings) != 1 {
		t.Fatalf("%d findings, want 1", len(d.Findings))
	}
	f := d.Findings[0]
	want := []Location{{Path: "go.mod", StartLine: 3, EndLine: 3}, {Path: "go.mod", StartLine: 9, EndLine: 9}}
	if !slices.Equal(f.Locations, want) || *f.Location != want[0] {
		t.Errorf("location %+v locations %+v, want %+v", f.Location, f.Locations, want)
	}
	one := build(&Report{Tool: Tool{Name: "a"}, Findings: []Finding{at(3, 3)}, Components: []Component{}})
	if l := one.Findings[0].Locations; len(l) != 1 || l[0] != *one.Findings[0].Location {
		t.Errorf("one place: locations %+v", l)
	}
	none := build(&Report{Tool: Tool{Name: "a"}, Findings: []Finding{{Kind: KindCode, RuleID: "r"}}})
	if none.Findings[0].Locations == nil {
		t.Error("locations null")
	}
}

// TestMergeIsIndependentOfInputOrder: the same reports in any order give
// the same findings (origins aside, whose source indexes follow the order).
func TestMergeIsIndependentOfInputOrder(t *testing.T) {
	reports := func() []*Report {
		return []*Report{
			{Tool: Tool{Name: "trivy"}, Findings: []Finding{{
				Kind: KindVulnerability, RuleID: "GHSA-p6mc-m468-83gw", Aliases: []string{"CVE-2020-8203"}, Title: "lodash: prototype pollution",
				Severity: SeverityHigh, CVSS: &CVSS{Version: "3.1", Score: 7.4, Source: "ghsa"}, FixState: "fixed",
				Package: &Package{Name: "lodash", Version: "4.17.15", Path: "web/package-lock.json"},
				EPSS:    &EPSS{Score: 0.01}, Status: StatusNotAffected, StatusReason: &StatusNote{By: "vex", Statement: "a"},
			}}},
			{Tool: Tool{Name: "grype"}, Findings: []Finding{{
				Kind: KindVulnerability, RuleID: "CVE-2020-8203", Title: "Prototype Pollution in lodash",
				Severity: SeverityMedium, CVSS: &CVSS{Version: "3.1", Score: 7.4, Source: "nvd", Vector: "CVSS:3.1/AV:N"},
				Package: &Package{Name: "lodash", Version: "v4.17.15", Purl: "pkg:npm/lodash@4.17.15", Path: "api/package-lock.json"},
				EPSS:    &EPSS{Score: 0.02}, Status: StatusAccepted, StatusReason: &StatusNote{By: "exception", Statement: "b"},
			}}},
			{Tool: Tool{Name: "semgrep"}, Findings: []Finding{{
				Kind: KindCode, RuleID: "sqli", Title: "SQL injection", Severity: SeverityLow, Confidence: "LOW",
				Location: &Location{Path: "db.go", StartLine: 9, StartColumn: 2},
			}}},
			{Tool: Tool{Name: "gosec"}, Findings: []Finding{{
				Kind: KindCode, RuleID: "sqli", Title: "SQL string formatting", Severity: SeverityHigh, Confidence: "HIGH",
				Location: &Location{Path: "db.go", StartLine: 9, StartColumn: 2, EndColumn: 40, Snippet: "db.Query(q)"},
			}}},
		}
	}
	render := func(d *Document) string {
		for i := range d.Findings {
			for j := range d.Findings[i].Origins {
				o := &d.Findings[i].Origins[j]
				o.Source = 0 // the index follows the order; the tool names the report
			}
			slices.SortFunc(d.Findings[i].Origins, func(a, b Origin) int {
				if a.Tool < b.Tool {
					return -1
				}
				if a.Tool > b.Tool {
					return 1
				}
				return 0
			})
		}
		b, err := json.MarshalIndent(d.Findings, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	want := render(build(reports()...))
	perm := []int{0, 1, 2, 3}
	for range 24 {
		nextPermutation(perm)
		rs := reports()
		ordered := make([]*Report, len(rs))
		for i, p := range perm {
			ordered[i] = rs[p]
		}
		if got := render(build(ordered...)); got != want {
			t.Fatalf("order %v gives\n%s\nwant\n%s", perm, got, want)
		}
	}
}

// nextPermutation steps p to its next permutation in lexical order,
// wrapping around.
func nextPermutation(p []int) {
	i := len(p) - 2
	for i >= 0 && p[i] >= p[i+1] {
		i--
	}
	if i < 0 {
		slices.Reverse(p)
		return
	}
	j := len(p) - 1
	for p[j] <= p[i] {
		j--
	}
	p[i], p[j] = p[j], p[i]
	slices.Reverse(p[i+1:])
}

// TestFindingsListedWorstFirst: severity, then score, then KEV, then EPSS,
// then the rule id order the findings.
func TestFindingsListedWorstFirst(t *testing.T) {
	f := func(rule string, sev Severity, score float64, kev bool, epss float64) Finding {
		x := Finding{Kind: KindVulnerability, RuleID: rule, Severity: sev,
			Package: &Package{Name: "p" + rule, Version: "1"}}
		if score > 0 {
			x.CVSS = &CVSS{Version: "3.1", Score: score}
		}
		if kev {
			x.KEV = &KEV{Listed: true}
		}
		if epss > 0 {
			x.EPSS = &EPSS{Score: epss}
		}
		return x
	}
	d := build(&Report{Tool: Tool{Name: "a"}, Findings: []Finding{
		f("CVE-7", SeverityHigh, 0, false, 0),
		f("CVE-6", SeverityHigh, 7.1, false, 0.5),
		f("CVE-5", SeverityHigh, 7.1, false, 0.9),
		f("CVE-4", SeverityHigh, 7.1, true, 0.1),
		f("CVE-3", SeverityHigh, 8.8, false, 0),
		f("CVE-2", SeverityCritical, 9.1, false, 0),
		f("CVE-1", SeverityHigh, 7.1, false, 0.5),
	}})
	var got []string
	for _, x := range d.Findings {
		got = append(got, x.RuleID)
	}
	want := []string{"CVE-2", "CVE-3", "CVE-4", "CVE-5", "CVE-1", "CVE-6", "CVE-7"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	at := d.Positions()
	ids := []string{d.Findings[6].ID, "zzz", d.Findings[0].ID, d.Findings[3].ID}
	SortIDs(ids, at)
	if ids[0] != d.Findings[0].ID || ids[1] != d.Findings[3].ID || ids[2] != d.Findings[6].ID || ids[3] != "zzz" {
		t.Errorf("SortIDs gave %v", ids)
	}
}

// TestAbsolutePathsMeetRelativeOnes: a report's absolute paths lose the
// root that another report's relative paths of the same files reveal,
// and "./" goes; the findings then merge.
func TestAbsolutePathsMeetRelativeOnes(t *testing.T) {
	code := func(path string, line int) Finding {
		return Finding{Kind: KindCode, RuleID: "G401", Severity: SeverityMedium, Location: &Location{Path: path, StartLine: line, StartColumn: 2}}
	}
	d := build(
		&Report{Tool: Tool{Name: "json"}, Findings: []Finding{code("/ci/proj/main.go", 11), code("/ci/proj/sub/db.go", 9), code("/ci/proj/only.go", 1)}},
		&Report{Tool: Tool{Name: "sarif"}, Findings: []Finding{code("main.go", 11), code("sub/db.go", 9)}},
		&Report{Tool: Tool{Name: "bandit"}, Findings: []Finding{code("./app.py", 3)}},
	)
	var got []string
	for _, f := range d.Findings {
		got = append(got, f.Location.Path)
	}
	slices.Sort(got)
	if want := []string{"app.py", "main.go", "only.go", "sub/db.go"}; !slices.Equal(got, want) {
		t.Errorf("paths %v, want %v", got, want)
	}
	if err := d.Validate(); err != nil {
		t.Error(err)
	}
}
