// Package npmaudit ingests npm audit --json reports: npm 7 and later
// (auditReportVersion 2: vulnerabilities by package, with advisories in
// via[]) and npm 6 (advisories by id, with the installed versions in
// findings[]). npm's error document, written when the audit could not run,
// is refused as a failed scan: it must never pass as a clean report.
//
// The metadata counts of either version are ignored: they count paths or
// packages, not advisories, and disagree with the entries; the entries are
// what is read.
package npmaudit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads npm audit reports.
type Ingester struct{}

// New returns the npm audit ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "npm-audit" }

// tool is the report's tool: npm audit states no version of itself.
var tool = document.Tool{Name: "npm audit"}

// Detect implements ingest.Ingester. It claims npm 7+ reports
// (auditReportVersion, refusing versions other than 2), npm 6 reports
// (advisories with actions or muted), and npm's error document, which it
// refuses as a failed scan.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	if f.Shape != sniff.JSONObject {
		return false, nil
	}
	switch {
	case f.Has("auditReportVersion"):
		if v := f.Number("auditReportVersion"); v != "2" {
			return true, fmt.Errorf("%w npm audit auditReportVersion %q (want 2)", sniff.ErrUnsupported, v)
		}
		return true, nil
	case f.Has("advisories") && (f.Has("actions") || f.Has("muted")):
		return true, nil
	case len(f.Keys) == 1 && f.Has("error"):
		if err := failure(f.Keys["error"]); err != nil {
			return true, err
		}
	}
	return false, nil
}

// failure returns the failed-scan error of npm's error object
// {"code", "summary", "detail"}, or nil when raw is not one.
func failure(raw json.RawMessage) error {
	var e map[string]json.RawMessage
	if json.Unmarshal(raw, &e) != nil {
		return nil
	}
	if _, ok := e["code"]; !ok {
		return nil
	}
	if _, ok := e["summary"]; !ok {
		return nil
	}
	var code, summary string
	_ = json.Unmarshal(e["code"], &code)
	_ = json.Unmarshal(e["summary"], &summary)
	summary = strings.Join(strings.Fields(summary), " ")
	return fmt.Errorf("%w: npm audit error %s: %s", sniff.ErrFailedScan, code, summary)
}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	if f.Shape == sniff.JSONObject && len(f.Keys) == 1 && f.Has("error") {
		if err := failure(f.Keys["error"]); err != nil {
			return nil, err
		}
	}
	rep := &document.Report{Tool: tool}
	var err error
	if f.Has("advisories") && !f.Has("auditReportVersion") {
		rep.Findings, err = ingestV6(f.Data)
	} else {
		rep.Findings, err = ingestV2(f.Data)
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// v2 is npm 7+: auditReportVersion 2.
type v2 struct {
	Vulnerabilities map[string]*v2Entry `json:"vulnerabilities"`
}

type v2Entry struct {
	Name         string            `json:"name"`
	Severity     string            `json:"severity"`
	IsDirect     bool              `json:"isDirect"`
	Via          []json.RawMessage `json:"via"`
	Range        string            `json:"range"`
	Nodes        []string          `json:"nodes"`
	FixAvailable json.RawMessage   `json:"fixAvailable"`
}

// v2Advisory is an advisory object of via[]; the other elements of via[]
// are names of the packages the vulnerability comes through.
type v2Advisory struct {
	Source   id       `json:"source"`
	Name     string   `json:"name"`
	Title    string   `json:"title"`
	URL      string   `json:"url"`
	Severity string   `json:"severity"`
	CWE      []string `json:"cwe"`
	CVSS     cvss     `json:"cvss"`
	Range    string   `json:"range"`
}

type cvss struct {
	Score        float64 `json:"score"`
	VectorString string  `json:"vectorString"`
}

type fix struct {
	Name          string `json:"name"`
	Version       string `json:"version"`
	IsSemVerMajor bool   `json:"isSemVerMajor"`
}

// ingestV2 emits one finding per advisory per vulnerable package: the
// package whose via[] holds the advisory object. Packages vulnerable only
// through others (via[] of names) are not findings of their own.
func ingestV2(data []byte) ([]document.Finding, error) {
	var r v2
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, sniff.DecodeError(data, err)
	}
	var out []document.Finding
	for _, key := range slices.Sorted(maps.Keys(r.Vulnerabilities)) {
		e := r.Vulnerabilities[key]
		if e == nil {
			continue
		}
		name := e.Name
		if name == "" {
			name = key
		}
		fx, fixable := fixOf(e.FixAvailable)
		for i, raw := range e.Via {
			raw = bytes.TrimSpace(raw)
			if len(raw) == 0 || raw[0] != '{' {
				continue // a package name: vulnerable through it
			}
			var a v2Advisory
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, fmt.Errorf("vulnerabilities[%q].via[%d]: %v", key, i, sniff.DecodeError(raw, err))
			}
			f := document.Finding{
				Kind:       document.KindVulnerability,
				RuleID:     ruleID(a.URL, "", string(a.Source)),
				Title:      a.Title,
				CWE:        norm.CWEs(a.CWE),
				References: nonEmpty(a.URL),
				Package: &document.Package{
					Name:      name,
					Purl:      purl(name, ""),
					Ecosystem: "npm",
				},
			}
			if f.RuleID == "" {
				return nil, fmt.Errorf("vulnerabilities[%q].via[%d]: advisory without url or source", key, i)
			}
			if len(e.Nodes) > 0 {
				f.Package.Path = e.Nodes[0]
			}
			if a.Range != "" {
				f.Description = fmt.Sprintf("Vulnerable versions of %s: %s.", name, a.Range)
				f.Tags = append(f.Tags, "range:"+a.Range)
			}
			if e.IsDirect {
				f.Tags = append(f.Tags, "direct")
			}
			switch {
			case fx != nil && fx.Name == name && fx.Version != "":
				f.FixedVersions = []string{fx.Version}
				f.FixState = "fixed"
			case fx != nil && fx.Name != "":
				// Fixed by upgrading another package (a direct dependency).
				f.Tags = append(f.Tags, "fix:"+fx.Name+"@"+fx.Version)
				f.FixState = "fixed"
			case fixable:
				f.FixState = "fixed"
			case fixSaysNo(e.FixAvailable):
				f.FixState = "not-fixed"
			}
			if fx != nil && fx.IsSemVerMajor {
				f.Tags = append(f.Tags, "fix:semver-major")
			}
			f.Scores = scores(a.CVSS)
			f.CVSS = document.BestCVSS(f.Scores)
			f.Severity = norm.Severity(a.Severity, f.CVSS)
			f.Origins = []document.Origin{{RuleID: f.RuleID, Severity: a.Severity}}
			out = append(out, f)
		}
	}
	return out, nil
}

// fixOf reads fixAvailable: false, true, or {name, version, isSemVerMajor}.
func fixOf(raw json.RawMessage) (fx *fix, fixable bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return nil, false
	case raw[0] == '{':
		var f fix
		if json.Unmarshal(raw, &f) == nil {
			return &f, true
		}
	case string(raw) == "true":
		return nil, true
	}
	return nil, false
}

func fixSaysNo(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "false" }

// v6 is npm 6: advisories by id.
type v6 struct {
	Advisories map[string]*v6Advisory `json:"advisories"`
}

type v6Advisory struct {
	ID                 id              `json:"id"`
	Title              string          `json:"title"`
	ModuleName         string          `json:"module_name"`
	Severity           string          `json:"severity"`
	CWE                json.RawMessage `json:"cwe"`
	CVEs               []string        `json:"cves"`
	GithubAdvisoryID   string          `json:"github_advisory_id"`
	URL                string          `json:"url"`
	Overview           string          `json:"overview"`
	Recommendation     string          `json:"recommendation"`
	References         string          `json:"references"`
	PatchedVersions    string          `json:"patched_versions"`
	VulnerableVersions string          `json:"vulnerable_versions"`
	CVSS               cvss            `json:"cvss"`
	Findings           []struct {
		Version string   `json:"version"`
		Paths   []string `json:"paths"`
		Dev     bool     `json:"dev"`
	} `json:"findings"`
}

// ingestV6 emits one finding per advisory per installed version.
func ingestV6(data []byte) ([]document.Finding, error) {
	var r v6
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, sniff.DecodeError(data, err)
	}
	var out []document.Finding
	for _, key := range slices.Sorted(maps.Keys(r.Advisories)) {
		a := r.Advisories[key]
		if a == nil {
			continue
		}
		npmID := string(a.ID)
		if npmID == "" {
			npmID = key
		}
		rule := ruleID(a.URL, a.GithubAdvisoryID, npmID)
		if rule == "" {
			return nil, fmt.Errorf("advisories[%q]: advisory without an id", key)
		}
		if a.ModuleName == "" {
			return nil, fmt.Errorf("advisories[%q]: advisory without module_name", key)
		}
		base := document.Finding{
			Kind:        document.KindVulnerability,
			RuleID:      rule,
			Title:       a.Title,
			Description: norm.JoinText(a.Overview, norm.Prefixed("Recommendation: ", a.Recommendation)),
			CWE:         v6CWEs(a.CWE),
			Severity:    document.SeverityUnknown,
		}
		for _, c := range a.CVEs {
			base.Aliases = norm.AppendNonEmpty(base.Aliases, strings.TrimSpace(c))
		}
		if g := ghsaOf(a.URL); g != "" && g != rule {
			base.Aliases = append(base.Aliases, g)
		}
		base.References = norm.AppendNonEmpty(urlsIn(a.References), a.URL)
		if a.VulnerableVersions != "" {
			base.Tags = append(base.Tags, "range:"+a.VulnerableVersions)
		}
		switch p := strings.TrimSpace(a.PatchedVersions); {
		case p == "":
		case p == "<0.0.0":
			base.FixState = "not-fixed"
		default:
			base.FixState = "fixed"
			base.Tags = append(base.Tags, "patched:"+p)
			if v, ok := plainAtLeast(p); ok {
				base.FixedVersions = []string{v}
			}
		}
		base.Scores = scores(a.CVSS)
		base.CVSS = document.BestCVSS(base.Scores)
		base.Severity = norm.Severity(a.Severity, base.CVSS)

		// One finding per installed version; paths of one version join.
		type inst struct {
			dev       bool
			direct    bool
			firstPath string
		}
		var versions []string
		byVersion := map[string]*inst{}
		for _, fd := range a.Findings {
			in := byVersion[fd.Version]
			if in == nil {
				in = &inst{dev: true}
				byVersion[fd.Version] = in
				versions = append(versions, fd.Version)
			}
			in.dev = in.dev && fd.Dev
			for _, p := range fd.Paths {
				if in.firstPath == "" {
					in.firstPath = p
				}
				if !strings.Contains(p, ">") {
					in.direct = true
				}
			}
		}
		if len(versions) == 0 {
			versions = []string{""}
			byVersion[""] = &inst{}
		}
		for _, v := range versions {
			in := byVersion[v]
			f := base
			f.Aliases = slices.Clone(base.Aliases)
			f.CWE = slices.Clone(base.CWE)
			f.References = slices.Clone(base.References)
			f.FixedVersions = slices.Clone(base.FixedVersions)
			f.Scores = slices.Clone(base.Scores)
			f.Tags = slices.Clone(base.Tags)
			if in.direct {
				f.Tags = append(f.Tags, "direct")
			}
			if in.dev && len(a.Findings) > 0 {
				f.Tags = append(f.Tags, "dev")
			}
			if f.CVSS != nil {
				c := *f.CVSS
				f.CVSS = &c
			}
			f.Package = &document.Package{
				Name:      a.ModuleName,
				Version:   v,
				Purl:      purl(a.ModuleName, v),
				Ecosystem: "npm",
				Path:      in.firstPath,
			}
			f.Origins = []document.Origin{{RuleID: rule, Severity: a.Severity}}
			out = append(out, f)
		}
	}
	return out, nil
}

// ruleID is the advisory's GHSA id (stated, or the last element of a
// github.com/advisories URL), else "npm:" and npm's advisory number.
func ruleID(url, ghsa, npmID string) string {
	if g := strings.TrimSpace(ghsa); g != "" {
		return g
	}
	if g := ghsaOf(url); g != "" {
		return g
	}
	if npmID = strings.TrimSpace(npmID); npmID != "" {
		return "npm:" + npmID
	}
	return ""
}

// ghsaOf returns the GHSA id a github.com/advisories/GHSA-… URL names.
func ghsaOf(url string) string {
	i := strings.LastIndex(url, "/")
	if i < 0 || !strings.Contains(url, "github.com/advisories/") {
		return ""
	}
	if id := url[i+1:]; strings.HasPrefix(id, "GHSA-") {
		return id
	}
	return ""
}

// purl builds pkg:npm/name@version; a scope is the namespace, its @
// percent-encoded as the purl spec wants.
func purl(name, version string) string {
	ns, n := "", name
	if strings.HasPrefix(name, "@") {
		if i := strings.IndexByte(name, '/'); i > 0 {
			ns, n = name[:i], name[i+1:]
		}
	}
	if n == "" {
		return ""
	}
	return packageurl.NewPackageURL(packageurl.TypeNPM, ns, n, version, nil, "").ToString()
}

func scores(c cvss) []document.CVSS {
	if s, ok := document.NewCVSS("npm", "", c.Score, c.VectorString); ok {
		return []document.CVSS{s}
	}
	return nil
}

// plainAtLeast returns X of a patched range that is just ">=X".
func plainAtLeast(r string) (string, bool) {
	rest, ok := strings.CutPrefix(r, ">=")
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	if rest == "" || strings.ContainsAny(rest, " <>=|^~*") {
		return "", false
	}
	return rest, true
}

// v6CWEs reads npm 6's cwe: null, "CWE-400", a string holding a JSON
// array ("[\"CWE-400\"]"), or an array.
func v6CWEs(raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return norm.CWEs(list)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &list) == nil {
		return norm.CWEs(list)
	}
	return norm.CWEs(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }))
}

var urlPattern = regexp.MustCompile(`https?://[^\s)\]>"'<]+`)

// urlsIn returns the URLs of npm 6's references, a Markdown list.
func urlsIn(text string) []string {
	var out []string
	for _, u := range urlPattern.FindAllString(text, -1) {
		out = append(out, strings.TrimRight(u, ".,;"))
	}
	return out
}

// id is an advisory id, written as a number or a string.
type id = norm.ID

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
