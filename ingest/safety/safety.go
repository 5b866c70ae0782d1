// Package safety ingests the JSON reports of Safety (pyup.io's Python
// dependency checker): the 1.x list of lists [name, spec, installed,
// advisory, id, cvssv2, cvssv3], the 2.x report of `safety check --output
// json` (report_meta, vulnerabilities, affected_packages, remediations)
// and the 3.x scan schema of `safety scan --output json` (meta,
// scan_results with projects and files). Each vulnerability of each
// installed package becomes one finding, named by its CVE when Safety
// gives one, else "pyup-" and Safety's own id; vulnerabilities a Safety
// policy ignores are findings with status accepted.
package safety

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/ecosystem"
)

// Ingester reads Safety reports.
type Ingester struct{}

// New returns the Safety ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "safety" }

// supportedSchema is the major version of the 3.x scan schema read.
const supportedSchema = "3"

// Detect implements ingest.Ingester. It claims the 1.x list of lists (its
// first entry holds 5 to 7 items, the first five strings or null), a 2.x
// report (report_meta with vulnerabilities) and a 3.x scan (meta with
// scan_results, refusing a schema_version other than 3.x).
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	switch f.Shape {
	case sniff.JSONArray:
		return len(f.ElemKeys) == 0 && isLegacy(f.Data), nil
	case sniff.JSONObject:
		if f.Has("report_meta") && f.Has("vulnerabilities") {
			return true, nil
		}
		if f.Has("meta") && f.Has("scan_results") {
			var m struct {
				SchemaVersion string `json:"schema_version"`
			}
			if raw := f.Keys["meta"]; raw != nil {
				if json.Unmarshal(raw, &m) != nil {
					return false, nil
				}
				if major, _, _ := strings.Cut(m.SchemaVersion, "."); major != supportedSchema {
					return true, fmt.Errorf("%w safety scan schema_version %q (want %s.x)", sniff.ErrUnsupported, m.SchemaVersion, supportedSchema)
				}
			}
			return true, nil
		}
	}
	return false, nil
}

// isLegacy says whether data is an array whose first element is Safety
// 1.x's entry: an array of 5 to 7 items, the first five strings (the id
// may be a number).
func isLegacy(data []byte) bool {
	d := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	if tok, err := d.Token(); err != nil || tok != json.Delim('[') {
		return false
	}
	if !d.More() {
		return false
	}
	var first []json.RawMessage
	if d.Decode(&first) != nil || len(first) < 5 || len(first) > 7 {
		return false
	}
	for i, raw := range first[:5] {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '"' && !(i == 4 && raw[0] >= '0' && raw[0] <= '9') {
			return false
		}
	}
	return true
}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	switch {
	case f.Shape == sniff.JSONArray:
		return ingestLegacy(f.Data)
	case f.Shape == sniff.JSONObject && f.Has("scan_results"):
		if _, err := New().Detect(f); err != nil {
			return nil, err
		}
		return ingestScan(f.Data)
	case f.Shape == sniff.JSONObject:
		return ingestCheck(f.Data)
	}
	return nil, errors.New("not a Safety JSON report: want a JSON array or object")
}

// cvss is one of Safety's scores: {base_score, impact_score,
// base_severity, vector_string}.
type cvss struct {
	BaseScore    float64 `json:"base_score"`
	BaseSeverity string  `json:"base_severity"`
	VectorString string  `json:"vector_string"`
}

// scoring is what Safety says of a vulnerability's severity: a CVE object
// {name, cvssv2, cvssv3} or a severity object {source, cvssv2, cvssv3}.
type scoring struct {
	Name     string `json:"name"`
	CVSSv2   *cvss  `json:"cvssv2"`
	CVSSv3   *cvss  `json:"cvssv3"`
	Advisory string `json:"advisory"`
}

// finding is what every Safety version says of one vulnerability.
type finding struct {
	id          string // Safety's own id
	cve         string
	name        string
	version     string
	path        string
	description string
	specs       []string
	refs        []string
	fixed       []string
	scores      []*scoring
	ignored     string // the reason, when ignored
	isIgnored   bool
}

var pveID = regexp.MustCompile(`PVE-\d{4}-\d+`)

// build turns what Safety said into a Finding.
func (s *finding) build() document.Finding {
	id := strings.TrimSpace(s.id)
	own := "pyup-" + id
	f := document.Finding{
		Kind:          document.KindVulnerability,
		RuleID:        own,
		Description:   strings.TrimSpace(s.description),
		References:    norm.NonBlank(s.refs),
		FixedVersions: norm.NonBlank(s.fixed),
		FixState:      "not-fixed",
		Package: &document.Package{
			Name:      s.name,
			Version:   s.version,
			Purl:      ecosystem.Purl("pypi", s.name, s.version),
			Ecosystem: "pypi",
			Path:      s.path,
		},
	}
	cve := strings.TrimSpace(s.cve)
	switch {
	case strings.HasPrefix(strings.ToUpper(cve), "CVE-"):
		f.RuleID = cve
		f.Aliases = append(f.Aliases, own)
	case cve != "":
		f.Aliases = append(f.Aliases, cve)
	}
	for _, r := range f.References {
		if pve := pveID.FindString(r); pve != "" && pve != cve {
			f.Aliases = append(f.Aliases, pve)
		}
	}
	if id == "" {
		f.RuleID, f.Aliases = cve, nil
	}
	if len(f.FixedVersions) > 0 {
		f.FixState = "fixed"
	}
	for _, spec := range s.specs {
		if spec = strings.TrimSpace(spec); spec != "" {
			f.Tags = append(f.Tags, "range:"+spec)
		}
	}
	word, raw := "", ""
	for _, sc := range s.scores {
		if sc == nil {
			continue
		}
		if c := sc.CVSSv3; c != nil {
			if v, ok := document.NewCVSS("safety", "3.1", c.BaseScore, c.VectorString); ok {
				f.Scores = append(f.Scores, v)
			}
			if word == "" {
				word = c.BaseSeverity
			}
		}
		if c := sc.CVSSv2; c != nil {
			if v, ok := document.NewCVSS("safety", "2.0", c.BaseScore, c.VectorString); ok {
				f.Scores = append(f.Scores, v)
			}
		}
	}
	f.CVSS = document.BestCVSS(f.Scores)
	f.Severity = document.SeverityUnknown
	if sev, ok := document.ParseSeverity(word); ok && sev != document.SeverityUnknown {
		f.Severity, raw = sev, word
	} else if f.CVSS != nil {
		f.Severity = document.SeverityFromScore(f.CVSS.Score)
		raw = strconv.FormatFloat(f.CVSS.Score, 'f', -1, 64)
	}
	if id == "" {
		id = f.RuleID
	}
	f.Origins = []document.Origin{{RuleID: id, Severity: raw}}
	if s.isIgnored {
		f.Status = document.StatusAccepted
		f.StatusReason = &document.StatusNote{By: "report", Justification: "ignored by safety policy", Statement: s.ignored}
	}
	return f
}

// ingestLegacy reads Safety 1.x: [name, spec, installed, advisory, id,
// cvssv2, cvssv3] per vulnerability.
func ingestLegacy(data []byte) (*document.Report, error) {
	var entries [][]json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, sniff.DecodeError(data, err)
	}
	rep := &document.Report{Tool: document.Tool{Name: "safety"}, Findings: make([]document.Finding, 0, len(entries))}
	for i, e := range entries {
		if len(e) < 5 {
			return nil, fmt.Errorf("entry %d: %d items, want [name, spec, installed, advisory, id, cvssv2, cvssv3]", i, len(e))
		}
		var s finding
		var spec string
		var vid norm.ID
		var v2, v3 *cvss
		dsts := []any{&s.name, &spec, &s.version, &s.description, &vid, &v2, &v3}
		for j, raw := range e {
			if j >= len(dsts) {
				break
			}
			if err := json.Unmarshal(raw, dsts[j]); err != nil {
				return nil, fmt.Errorf("entry %d: item %d: %v", i, j, sniff.DecodeError(raw, err))
			}
		}
		s.id = string(vid)
		if strings.TrimSpace(s.id) == "" {
			return nil, fmt.Errorf("entry %d (%s): no vulnerability id", i, s.name)
		}
		s.specs = []string{spec}
		s.scores = []*scoring{{CVSSv2: v2, CVSSv3: v3}}
		rep.Findings = append(rep.Findings, s.build())
	}
	return rep, nil
}

// stringOrObject is a value Safety writes as a string or as an object
// (the CVE: "CVE-…" or {name, cvssv2, cvssv3}).
type stringOrObject struct {
	s   string
	obj *scoring
}

// UnmarshalJSON implements json.Unmarshaler.
func (v *stringOrObject) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		return json.Unmarshal(b, &v.s)
	}
	v.obj = &scoring{}
	if err := json.Unmarshal(b, v.obj); err != nil {
		return err
	}
	v.s = v.obj.Name
	return nil
}

// stringList is a list Safety writes as one string or as an array
// (vulnerable_spec).
type stringList []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *stringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = stringList{s}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// check is Safety 2.x's report (safety check --output json).
type check struct {
	ReportMeta struct {
		SafetyVersion string `json:"safety_version"`
		Timestamp     string `json:"timestamp"`
	} `json:"report_meta"`
	AffectedPackages       map[string]*affected    `json:"affected_packages"`
	Vulnerabilities        []*checkVuln            `json:"vulnerabilities"`
	IgnoredVulnerabilities []*checkVuln            `json:"ignored_vulnerabilities"`
	Remediations           map[string]*remediation `json:"remediations"`
}

type affected struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Found   string `json:"found"`
}

type checkVuln struct {
	VulnerabilityID norm.ID        `json:"vulnerability_id"`
	PackageName     string         `json:"package_name"`
	Ignored         bool           `json:"ignored"`
	IgnoredReason   string         `json:"ignored_reason"`
	VulnerableSpec  stringList     `json:"vulnerable_spec"`
	AnalyzedVersion string         `json:"analyzed_version"`
	Advisory        string         `json:"advisory"`
	FixedVersions   []string       `json:"fixed_versions"`
	Resources       []string       `json:"resources"`
	CVE             stringOrObject `json:"CVE"`
	Severity        *scoring       `json:"severity"`
	MoreInfoURL     string         `json:"more_info_url"`
}

// remediation is what Safety recommends for a package: in 2.0 per
// requirement (requirements[spec]), from 2.3 for the package itself.
type remediation struct {
	Version                  string                  `json:"version"`
	CurrentVersion           string                  `json:"current_version"`
	RecommendedVersion       string                  `json:"recommended_version"`
	OtherRecommendedVersions []string                `json:"other_recommended_versions"`
	Requirements             map[string]*remediation `json:"requirements"`
}

// versions returns the recommended versions for the installed version.
func (r *remediation) versions(installed string) []string {
	if r == nil {
		return nil
	}
	if len(r.Requirements) > 0 {
		keys := slices.Sorted(maps.Keys(r.Requirements))
		for _, k := range keys {
			if req := r.Requirements[k]; req != nil && req.Version == installed {
				return req.versions(installed)
			}
		}
		if len(keys) == 1 {
			return r.Requirements[keys[0]].versions(installed)
		}
		return nil
	}
	return append([]string{r.RecommendedVersion}, r.OtherRecommendedVersions...)
}

// ingestCheck reads Safety 2.x.
func ingestCheck(data []byte) (*document.Report, error) {
	var r check
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, sniff.DecodeError(data, err)
	}
	rep := &document.Report{
		Tool:     document.Tool{Name: "safety", Version: r.ReportMeta.SafetyVersion},
		Created:  r.ReportMeta.Timestamp,
		Findings: make([]document.Finding, 0, len(r.Vulnerabilities)+len(r.IgnoredVulnerabilities)),
	}
	// Safety keys packages by the name as installed ("insecure_package")
	// and by the name as required ("insecure-package").
	found := map[string]string{}
	for k, a := range r.AffectedPackages {
		if a != nil {
			found[ecosystem.NormalizePyPI(k)] = a.Found
		}
	}
	remediations := map[string]*remediation{}
	for k, rm := range r.Remediations {
		remediations[ecosystem.NormalizePyPI(k)] = rm
	}
	seen := map[string]bool{}
	for _, list := range []struct {
		name  string
		vulns []*checkVuln
	}{{"vulnerabilities", r.Vulnerabilities}, {"ignored_vulnerabilities", r.IgnoredVulnerabilities}} {
		for i, v := range list.vulns {
			if v == nil {
				continue
			}
			s := finding{
				id:          string(v.VulnerabilityID),
				cve:         v.CVE.s,
				name:        v.PackageName,
				version:     v.AnalyzedVersion,
				path:        found[ecosystem.NormalizePyPI(v.PackageName)],
				description: v.Advisory,
				specs:       v.VulnerableSpec,
				refs:        append(slices.Clone(v.Resources), v.MoreInfoURL),
				fixed:       v.FixedVersions,
				scores:      []*scoring{v.CVE.obj, v.Severity},
				isIgnored:   v.Ignored || list.name == "ignored_vulnerabilities",
				ignored:     v.IgnoredReason,
			}
			if strings.TrimSpace(s.id) == "" && strings.TrimSpace(s.cve) == "" {
				return nil, fmt.Errorf("%s[%d] (%s): no vulnerability_id", list.name, i, v.PackageName)
			}
			// A vulnerability Safety ignores may be listed twice.
			key := s.id + "\x00" + ecosystem.NormalizePyPI(s.name) + "\x00" + s.version
			if seen[key] {
				continue
			}
			seen[key] = true
			if len(norm.NonBlank(s.fixed)) == 0 {
				s.fixed = remediations[ecosystem.NormalizePyPI(v.PackageName)].versions(v.AnalyzedVersion)
			}
			rep.Findings = append(rep.Findings, s.build())
		}
	}
	return rep, nil
}

// scan is Safety 3.x's scan schema (safety scan --output json).
type scan struct {
	Meta struct {
		Timestamp string `json:"timestamp"`
		Telemetry struct {
			SafetyVersion string `json:"safety_version"`
		} `json:"telemetry"`
	} `json:"meta"`
	ScanResults struct {
		Files    []*scanFile `json:"files"`
		Projects []*struct {
			Files []*scanFile `json:"files"`
		} `json:"projects"`
	} `json:"scan_results"`
}

type scanFile struct {
	Location string `json:"location"`
	Results  struct {
		Dependencies []*struct {
			Name           string `json:"name"`
			Specifications []*struct {
				Raw             string `json:"raw"`
				Vulnerabilities struct {
					Remediation *struct {
						Recommended      string   `json:"recommended"`
						OtherRecommended []string `json:"other_recommended"`
					} `json:"remediation"`
					KnownVulnerabilities []*struct {
						ID      norm.ID  `json:"id"`
						CVE     *scoring `json:"cve"`
						Ignored *struct {
							Code    string `json:"code"`
							Reason  string `json:"reason"`
							Expires string `json:"expires"`
						} `json:"ignored"`
						VulnerableSpec stringList `json:"vulnerable_spec"`
					} `json:"known_vulnerabilities"`
				} `json:"vulnerabilities"`
			} `json:"specifications"`
		} `json:"dependencies"`
	} `json:"results"`
}

// ingestScan reads Safety 3.x.
func ingestScan(data []byte) (*document.Report, error) {
	var r scan
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, sniff.DecodeError(data, err)
	}
	rep := &document.Report{
		Tool:     document.Tool{Name: "safety", Version: r.Meta.Telemetry.SafetyVersion},
		Created:  r.Meta.Timestamp,
		Findings: []document.Finding{},
	}
	files := slices.Clone(r.ScanResults.Files)
	for _, p := range r.ScanResults.Projects {
		if p != nil {
			files = append(files, p.Files...)
		}
	}
	for _, file := range files {
		if file == nil {
			continue
		}
		for _, dep := range file.Results.Dependencies {
			if dep == nil {
				continue
			}
			for _, spec := range dep.Specifications {
				if spec == nil {
					continue
				}
				vs := &spec.Vulnerabilities
				var fixed []string
				if rm := vs.Remediation; rm != nil {
					fixed = append([]string{rm.Recommended}, rm.OtherRecommended...)
				}
				for i, v := range vs.KnownVulnerabilities {
					if v == nil {
						continue
					}
					s := finding{
						id:      string(v.ID),
						name:    dep.Name,
						version: pinned(spec.Raw),
						path:    file.Location,
						specs:   v.VulnerableSpec,
						fixed:   fixed,
						scores:  []*scoring{v.CVE},
					}
					if v.CVE != nil {
						s.cve, s.description = v.CVE.Name, v.CVE.Advisory
					}
					if strings.TrimSpace(s.id) == "" && strings.TrimSpace(s.cve) == "" {
						return nil, fmt.Errorf("%s: %s: known_vulnerabilities[%d]: no id", file.Location, spec.Raw, i)
					}
					if v.Ignored != nil {
						s.isIgnored = true
						s.ignored = strings.TrimSpace(v.Ignored.Reason)
						if v.Ignored.Expires != "" {
							s.ignored = strings.TrimSpace(s.ignored + " (until " + v.Ignored.Expires + ")")
						}
					}
					rep.Findings = append(rep.Findings, s.build())
				}
			}
		}
	}
	return rep, nil
}

// pinned returns the version a requirement pins ("django==1.8.0",
// "django===1.8"), or "" for a range.
func pinned(req string) string {
	if i := strings.Index(req, ";"); i >= 0 {
		req = req[:i] // an environment marker
	}
	_, v, ok := strings.Cut(req, "==")
	if !ok || strings.ContainsAny(v, ",<>!~*") {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(v, "="))
}
