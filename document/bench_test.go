package document

import (
	"strconv"
	"testing"
)

// benchReports makes two reports of n findings in all: three quarters
// vulnerabilities in n/10 packages, a quarter code findings; the second
// report repeats a third of the first's problems, so that Add merges.
func benchReports(n int) (*Report, *Report) {
	mk := func(i int) Finding {
		if i%4 == 3 {
			return Finding{
				Kind: KindCode, RuleID: "rule-" + strconv.Itoa(i%50), Title: "a code finding",
				Severity: Severities[i%5],
				Location: &Location{Path: "src/file" + strconv.Itoa(i%1000) + ".go", StartLine: i % 700, StartColumn: 3},
			}
		}
		pkg := i % (n/10 + 1)
		return Finding{
			Kind: KindVulnerability, RuleID: "CVE-2024-" + strconv.Itoa(10000+i%997), Title: "a vulnerability",
			Aliases:  []string{"GHSA-" + strconv.Itoa(i%997)},
			Severity: Severities[i%5],
			CVSS:     &CVSS{Version: "3.1", Score: float64(i%100) / 10},
			Package: &Package{Name: "pkg" + strconv.Itoa(pkg), Version: "1." + strconv.Itoa(i%7),
				Purl: "pkg:npm/pkg" + strconv.Itoa(pkg) + "@1." + strconv.Itoa(i%7), Path: "lib/" + strconv.Itoa(i%3) + "/package.json"},
			FixedVersions: []string{"2.0.0"},
		}
	}
	a := &Report{Tool: Tool{Name: "a"}}
	b := &Report{Tool: Tool{Name: "b"}}
	first := n * 3 / 4
	for i := range first {
		a.Findings = append(a.Findings, mk(i))
	}
	for i := first; i < n; i++ {
		b.Findings = append(b.Findings, mk(i-first))
	}
	return a, b
}

// BenchmarkBuild fingerprints, merges and sorts 100,000 findings from two
// reports, as `secgate check` does before evaluating.
func BenchmarkBuild(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		ra, rb := benchReports(100_000)
		b.StartTimer()
		d := New()
		d.Add(Source{Path: "a.json"}, ra)
		d.Add(Source{Path: "b.json"}, rb)
		d.Finish()
	}
}
