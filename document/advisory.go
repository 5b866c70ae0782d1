package document

import "strings"

// advisoryPages are where the advisory of a vulnerability id is published,
// by the id's prefix: the page a link to the id should open.
var advisoryPages = []struct{ prefix, page string }{
	{"CVE-", "https://nvd.nist.gov/vuln/detail/"},
	{"GHSA-", "https://github.com/advisories/"},
	{"GO-", "https://pkg.go.dev/vuln/"},
	{"PYSEC-", "https://osv.dev/vulnerability/"},
	{"RUSTSEC-", "https://osv.dev/vulnerability/"},
}

// VulnID is the id a vulnerability finding is known by
// (PrimaryVulnID), as its report writes it.
func VulnID(f *Finding) string {
	id := PrimaryVulnID(f.RuleID, f.Aliases)
	for _, a := range append([]string{f.RuleID}, f.Aliases...) {
		if a = strings.TrimSpace(a); strings.EqualFold(a, id) {
			return a
		}
	}
	return id
}

// AdvisoryURL is the web page of a vulnerability finding's advisory: the
// first of its references that names its primary id (PrimaryVulnID), else
// the page where advisories of that id's kind are published (NVD for a
// CVE, GitHub for a GHSA, pkg.go.dev for a Go id, OSV for PyPI and Rust
// ids), else its first web reference; "" when there is none.
func AdvisoryURL(f *Finding) string {
	id := PrimaryVulnID(f.RuleID, f.Aliases)
	var first string
	for _, r := range f.References {
		r = strings.TrimSpace(r)
		if !strings.HasPrefix(r, "https://") && !strings.HasPrefix(r, "http://") {
			continue
		}
		if id != "" && strings.Contains(strings.ToUpper(r), strings.ToUpper(id)) {
			return r
		}
		if first == "" {
			first = r
		}
	}
	upper := strings.ToUpper(strings.TrimSpace(id))
	if strings.ContainsFunc(upper, func(r rune) bool {
		return !('A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '.' || r == '_')
	}) {
		// Not an id of any kind published under its name.
		return first
	}
	for _, a := range advisoryPages {
		if strings.HasPrefix(upper, a.prefix) && len(upper) > len(a.prefix) {
			if a.prefix == "GHSA-" {
				// GitHub's advisory pages are GHSA- and the rest in lower case.
				return a.page + "GHSA-" + strings.ToLower(upper[len(a.prefix):])
			}
			return a.page + upper
		}
	}
	return first
}
