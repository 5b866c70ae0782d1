package document

import "testing"

func TestAdvisoryURL(t *testing.T) {
	for _, tc := range []struct {
		rule    string
		aliases []string
		refs    []string
		want    string
	}{
		// A reference naming the id wins over the first one.
		{"CVE-2021-23337", nil, []string{"https://lists.example/x", "https://avd.aquasec.com/nvd/cve-2021-23337"}, "https://avd.aquasec.com/nvd/cve-2021-23337"},
		// Else the page where the id's kind is published.
		{"CVE-2021-23337", nil, []string{"https://lists.example/x"}, "https://nvd.nist.gov/vuln/detail/CVE-2021-23337"},
		{"GHSA-35JH-R3H4-6JHM", nil, nil, "https://github.com/advisories/GHSA-35jh-r3h4-6jhm"},
		{"GO-2023-1840", nil, nil, "https://pkg.go.dev/vuln/GO-2023-1840"},
		{"PYSEC-2021-19", nil, nil, "https://osv.dev/vulnerability/PYSEC-2021-19"},
		// The primary id is the CVE among the aliases.
		{"GHSA-35jh-r3h4-6jhm", []string{"CVE-2021-23337"}, nil, "https://nvd.nist.gov/vuln/detail/CVE-2021-23337"},
		// An id of no known kind: the first web reference; none: "".
		{"npm:1673", nil, []string{"mailto:a@b", "https://www.npmjs.com/advisories/1673"}, "https://www.npmjs.com/advisories/1673"},
		{"ELSA-2020-1", nil, []string{"not a url"}, ""},
		// What is not an id makes no address.
		{"CVE-2024-1\n::error::x", nil, nil, ""},
		{"CVE-2024-1 <img>", nil, []string{"https://example.com/a"}, "https://example.com/a"},
	} {
		f := &Finding{Kind: KindVulnerability, RuleID: tc.rule, Aliases: tc.aliases, References: tc.refs}
		if got := AdvisoryURL(f); got != tc.want {
			t.Errorf("%s %v %v: got %q, want %q", tc.rule, tc.aliases, tc.refs, got, tc.want)
		}
	}
}
