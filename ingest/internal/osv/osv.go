// Package osv reads entries of the Open Source Vulnerability format
// (https://ossf.github.io/osv-schema/), as OSV-Scanner and govulncheck
// embed them in their reports, and turns what an entry says into the
// unified document's terms: scores, fixed versions, CWEs, references and
// package URLs. Free-form fields (database_specific) are read leniently:
// a database's own shape never fails a report.
package osv

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/internal/ecosystem"
)

// Entry is one OSV vulnerability record, with the fields secgate reads.
type Entry struct {
	ID               string          `json:"id"`
	Aliases          []string        `json:"aliases"`
	Summary          string          `json:"summary"`
	Details          string          `json:"details"`
	Severity         []Severity      `json:"severity"`
	Affected         []Affected      `json:"affected"`
	References       []Reference     `json:"references"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

// Severity is one entry of severity[]: a type (CVSS_V2, CVSS_V3, CVSS_V4,
// Ubuntu) and its score, a vector for the CVSS types.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Affected is one affected package with its ranges.
type Affected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
		Purl      string `json:"purl"`
	} `json:"package"`
	Severity         []Severity      `json:"severity"`
	Ranges           []Range         `json:"ranges"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

// Range is one range of affected versions, as events.
type Range struct {
	Type   string  `json:"type"`
	Repo   string  `json:"repo"`
	Events []Event `json:"events"`
}

// Event is one event of a range.
type Event struct {
	Introduced   string `json:"introduced"`
	Fixed        string `json:"fixed"`
	LastAffected string `json:"last_affected"`
	Limit        string `json:"limit"`
}

// Reference is one link of an entry.
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// specific is what secgate reads of a database_specific object: GitHub's
// severity word and CWE ids, and a CWE list as OSV's malicious-packages
// feed writes it.
type specific struct {
	Severity json.RawMessage `json:"severity"`
	CWEIDs   json.RawMessage `json:"cwe_ids"`
	CWEs     []struct {
		CWEID string `json:"cweId"`
	} `json:"cwes"`
	URL string `json:"url"`
}

func readSpecific(raw json.RawMessage) specific {
	var s specific
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &s) // free-form: what does not fit is not read
	}
	return s
}

// SeverityWord is the severity word the entry's database states
// (database_specific.severity, as GitHub's advisories give it, else a
// severity[] of type Ubuntu, whose score is a word), or "".
func (e *Entry) SeverityWord() string {
	var w string
	if raw := readSpecific(e.DatabaseSpecific).Severity; len(raw) > 0 && json.Unmarshal(raw, &w) == nil && strings.TrimSpace(w) != "" {
		return strings.TrimSpace(w)
	}
	for _, list := range append([][]Severity{e.Severity}, affectedSeverities(e.Affected)...) {
		for _, s := range list {
			if strings.EqualFold(s.Type, "Ubuntu") && strings.TrimSpace(s.Score) != "" {
				return strings.TrimSpace(s.Score)
			}
		}
	}
	return ""
}

func affectedSeverities(affected []Affected) [][]Severity {
	out := make([][]Severity, len(affected))
	for i := range affected {
		out[i] = affected[i].Severity
	}
	return out
}

// Source names the database an entry comes from, for its scores: the
// prefix of its id in lower case ("ghsa", "pysec", "go", "cve").
func (e *Entry) Source() string {
	id := strings.TrimSpace(e.ID)
	if i := strings.IndexByte(id, '-'); i > 0 {
		id = id[:i]
	}
	return strings.ToLower(id)
}

// Scores scores every CVSS vector of the entry and of its affected
// packages. A severity that is no CVSS vector is left out.
func (e *Entry) Scores() []document.CVSS {
	var out []document.CVSS
	add := func(list []Severity) {
		for _, s := range list {
			if !strings.HasPrefix(strings.ToUpper(s.Type), "CVSS") {
				continue
			}
			if c, ok := document.NewCVSS(e.Source(), cvssVersion(s.Type), 0, s.Score); ok {
				out = append(out, c)
			}
		}
	}
	add(e.Severity)
	for i := range e.Affected {
		add(e.Affected[i].Severity)
	}
	return out
}

// cvssVersion is the CVSS version an OSV severity type names.
func cvssVersion(typ string) string {
	switch strings.ToUpper(typ) {
	case "CVSS_V2":
		return "2.0"
	case "CVSS_V3":
		return "3.1"
	case "CVSS_V4":
		return "4.0"
	}
	return ""
}

// Fixed returns the versions that fix the entry in the package of the
// given ecosystem and name: the fixed events of its ranges. Names compare
// as the ecosystem does (PyPI names case- and separator-insensitively);
// an empty ecosystem or name matches every affected package.
func (e *Entry) Fixed(ecosystem, name string) []string {
	var out []string
	for i := range e.Affected {
		a := &e.Affected[i]
		if !samePackage(a.Package.Ecosystem, a.Package.Name, ecosystem, name) {
			continue
		}
		for _, r := range a.Ranges {
			for _, ev := range r.Events {
				if v := strings.TrimSpace(ev.Fixed); v != "" && !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

func samePackage(eco, name, wantEco, wantName string) bool {
	if wantEco == "" || wantName == "" {
		return true
	}
	if !strings.EqualFold(baseEcosystem(eco), baseEcosystem(wantEco)) {
		return false
	}
	if strings.EqualFold(baseEcosystem(eco), "PyPI") {
		return ecosystem.NormalizePyPI(name) == ecosystem.NormalizePyPI(wantName)
	}
	return name == wantName || strings.EqualFold(name, wantName) && caseInsensitive(eco)
}

// baseEcosystem drops an ecosystem's release ("Debian:12" is Debian).
func baseEcosystem(eco string) string {
	eco, _, _ = strings.Cut(strings.TrimSpace(eco), ":")
	return eco
}

// caseInsensitive says whether package names of an ecosystem ignore case.
func caseInsensitive(eco string) bool {
	switch strings.ToLower(baseEcosystem(eco)) {
	case "packagist", "nuget", "pypi", "hackage", "pub":
		return true
	}
	return false
}

// CWEs returns the entry's CWE ids, normalised ("CWE-79").
func (e *Entry) CWEs() []string {
	var out []string
	collect := func(raw json.RawMessage) {
		s := readSpecific(raw)
		var ids []string
		if len(s.CWEIDs) > 0 {
			_ = json.Unmarshal(s.CWEIDs, &ids)
		}
		for _, c := range s.CWEs {
			ids = append(ids, c.CWEID)
		}
		for _, id := range ids {
			if c := NormCWE(id); c != "" {
				out = append(out, c)
			}
		}
	}
	collect(e.DatabaseSpecific)
	for i := range e.Affected {
		collect(e.Affected[i].DatabaseSpecific)
	}
	return out
}

// URLs returns the entry's reference URLs and its database's page of it.
func (e *Entry) URLs() []string {
	var out []string
	for _, r := range e.References {
		if u := strings.TrimSpace(r.URL); u != "" {
			out = append(out, u)
		}
	}
	if u := strings.TrimSpace(readSpecific(e.DatabaseSpecific).URL); strings.HasPrefix(u, "http") {
		out = append(out, u)
	}
	return out
}

// Text returns the entry's title and description: the summary, and the
// details (the summary again when there are none).
func (e *Entry) Text() (title, description string) {
	title = strings.TrimSpace(e.Summary)
	description = strings.TrimSpace(e.Details)
	if description == "" {
		description = title
	}
	return title, description
}

// NormCWE normalises a CWE id to "CWE-79", or "" when it is none: see
// norm.CWE.
func NormCWE(s string) string { return norm.CWE(s) }

// Purl builds the package URL of a package of an OSV ecosystem, or ""
// when the ecosystem has no purl type ("PyPI" is pypi, "crates.io" cargo,
// "Debian:12" deb) or the name is empty. Names with a namespace
// ("@scope/pkg", "vendor/pkg", "group:artifact", Go module paths) are
// split as the purl spec wants; PyPI names are normalised.
func Purl(eco, name, version string) string {
	typ := ecosystem.PurlType(eco)
	name = strings.TrimSpace(name)
	if typ == "" || name == "" {
		return ""
	}
	if typ != packageurl.TypeDebian && typ != packageurl.TypeApk {
		return ecosystem.Purl(typ, name, version)
	}
	ns := strings.ToLower(baseEcosystem(eco))
	var qualifiers packageurl.Qualifiers
	if _, release, ok := strings.Cut(eco, ":"); ok && release != "" {
		qualifiers = packageurl.QualifiersFromMap(map[string]string{"distro": ns + "-" + release})
	}
	return packageurl.NewPackageURL(typ, ns, name, version, qualifiers, "").ToString()
}
