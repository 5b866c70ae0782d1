// Package snyk ingests the JSON of Snyk's open-source and container tests
// (snyk test --json, snyk container test --json): one project object
// {ok, vulnerabilities, packageManager, projectName, dependencyCount …},
// an array of them (--all-projects), and container results whose
// applications[] are further projects (the image's npm, maven … apps).
//
// Snyk lists a vulnerability once per dependency path that brings the
// vulnerable package in. Each listing becomes one finding; listings of one
// vulnerability in one package version have the same fingerprint and
// merge when the report joins a document, keeping every path: the path of
// each listing ("from", the project first) is a tag "path:a@1 > b@2 > c@3".
//
// The finding's rule id is Snyk's id (SNYK-JS-…); its CVE, GHSA and other
// identifiers are aliases. Severity is Snyk's (severityWithCritical, which
// says critical where the older severity field says high), else NVD's
// (nvdSeverity), else the best CVSS score. Scores are Snyk's cvssScore and
// CVSSv3 vector and each assigner's in cvssDetails; NVD's is preferred, then
// Snyk's. The package's purl comes from the package manager: npm, maven
// (group:artifact), pip (pypi), gomodules (golang), nuget, rubygems (gem),
// composer, cocoapods, hex, swift; operating-system packages of an image
// (deb, apk, rpm) take the distribution Snyk names (debian:11) as
// namespace and distro qualifier, and the binary package name ("gcc-10/
// libgcc-s1" is libgcc-s1 of source gcc-10).
//
// Licence issues (type "license") are licence findings whose rule id is
// the licence. Vulnerabilities a Snyk policy ignores (filtered.ignore) are
// accepted, with the policy's reason; patched ones (filtered.patch) fixed.
// docker.binariesVulns is not read: the CLI already lists those
// vulnerabilities in vulnerabilities[].
// A project that records a failed test ({"ok": false, "error": …}) is a
// failed scan. snyk iac test's own JSON is not read (use its --sarif).
package snyk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/ecosystem"
)

// Ingester reads Snyk JSON reports.
type Ingester struct{}

// New returns the Snyk ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "snyk" }

// Detect implements ingest.Ingester. It claims an object, or an array of
// objects, with vulnerabilities, ok and one of packageManager, projectName
// or dependencyCount; and Snyk's error object {ok: false, error: "…"}, as
// a failed scan.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	switch f.Shape {
	case sniff.JSONObject:
		if f.Has("infrastructureAsCodeIssues") && f.Has("ok") {
			return true, fmt.Errorf("%w snyk iac report (use snyk iac test --sarif)", sniff.ErrUnsupported)
		}
		if isProject(f.Has) {
			return true, nil
		}
		if msg := f.String("error"); msg != "" && f.Number("ok") == "false" && !f.Has("vulnerabilities") {
			return true, fmt.Errorf("%w: snyk: %s", sniff.ErrFailedScan, norm.FirstLine(msg))
		}
	case sniff.JSONArray:
		return isProject(f.ElemHas), nil
	}
	return false, nil
}

func isProject(has func(string) bool) bool {
	return has("vulnerabilities") && has("ok") &&
		(has("packageManager") || has("projectName") || has("dependencyCount"))
}

type project struct {
	OK                *bool      `json:"ok"`
	Error             string     `json:"error"`
	PackageManager    string     `json:"packageManager"`
	ProjectName       string     `json:"projectName"`
	DisplayTargetFile string     `json:"displayTargetFile"`
	TargetFile        string     `json:"targetFile"`
	Vulnerabilities   []*vuln    `json:"vulnerabilities"`
	Applications      []*project `json:"applications"`
	Filtered          struct {
		Ignore []*vuln `json:"ignore"`
		Patch  []*vuln `json:"patch"`
	} `json:"filtered"`
}

type vuln struct {
	ID                    string                     `json:"id"`
	Type                  string                     `json:"type"`
	License               string                     `json:"license"`
	Title                 string                     `json:"title"`
	Description           string                     `json:"description"`
	Severity              string                     `json:"severity"`
	SeverityWithCritical  string                     `json:"severityWithCritical"`
	NVDSeverity           string                     `json:"nvdSeverity"`
	CVSSScore             *float64                   `json:"cvssScore"`
	CVSSv3                *string                    `json:"CVSSv3"`
	CVSSDetails           []cvssDetail               `json:"cvssDetails"`
	EPSSDetails           *epss                      `json:"epssDetails"`
	Identifiers           map[string]json.RawMessage `json:"identifiers"`
	AlternativeIDs        json.RawMessage            `json:"alternativeIds"`
	FixedIn               []string                   `json:"fixedIn"`
	NearestFixedInVersion string                     `json:"nearestFixedInVersion"`
	PackageManager        string                     `json:"packageManager"`
	PackageName           string                     `json:"packageName"`
	Name                  string                     `json:"name"`
	Version               string                     `json:"version"`
	From                  []string                   `json:"from"`
	IsUpgradable          bool                       `json:"isUpgradable"`
	IsPatchable           bool                       `json:"isPatchable"`
	Malicious             bool                       `json:"malicious"`
	Exploit               string                     `json:"exploit"`
	References            []struct {
		URL string `json:"url"`
	} `json:"references"`
	Filtered struct {
		Ignored []struct {
			Reason  string `json:"reason"`
			Expires string `json:"expires"`
		} `json:"ignored"`
	} `json:"filtered"`
}

type cvssDetail struct {
	Assigner        string  `json:"assigner"`
	CVSSV3Vector    string  `json:"cvssV3Vector"`
	CVSSV3BaseScore float64 `json:"cvssV3BaseScore"`
}

type epss struct {
	Probability json.RawMessage `json:"probability"`
	Percentile  json.RawMessage `json:"percentile"`
}

// status is what the report says of a vulnerability it lists.
type status int

const (
	open status = iota
	ignored
	patched
)

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	var projects []*project
	data := bytes.TrimSpace(bytes.TrimPrefix(f.Data, []byte("\xef\xbb\xbf")))
	if len(data) > 0 && data[0] == '[' {
		if err := json.Unmarshal(f.Data, &projects); err != nil {
			return nil, sniff.DecodeError(f.Data, err)
		}
	} else {
		var p project
		if err := json.Unmarshal(f.Data, &p); err != nil {
			return nil, sniff.DecodeError(f.Data, err)
		}
		projects = []*project{&p}
	}
	rep := &document.Report{Tool: document.Tool{Name: "snyk"}}
	for _, p := range projects {
		if err := add(rep, p, 0); err != nil {
			return nil, err
		}
	}
	rep.Subject = subject(projects)
	return rep, nil
}

// subject is the scanned project, by its projectName (else its target
// file): only when the report is about one project.
func subject(projects []*project) *document.Subject {
	name := ""
	for _, p := range projects {
		if p == nil {
			continue
		}
		n := strings.TrimSpace(norm.FirstNonEmpty(p.ProjectName, p.DisplayTargetFile, p.TargetFile))
		if n == "" || (name != "" && n != name) {
			return nil
		}
		name = n
	}
	if name == "" {
		return nil
	}
	return &document.Subject{Name: name}
}

// maxNesting bounds applications within applications.
const maxNesting = 4

func add(rep *document.Report, p *project, depth int) error {
	if p == nil {
		return nil
	}
	if p.Error != "" && len(p.Vulnerabilities) == 0 && (p.OK == nil || !*p.OK) {
		return fmt.Errorf("%w: snyk: %s", sniff.ErrFailedScan, norm.FirstLine(p.Error))
	}
	for _, list := range []struct {
		vulns []*vuln
		st    status
	}{{p.Vulnerabilities, open}, {p.Filtered.Ignore, ignored}, {p.Filtered.Patch, patched}} {
		for i, v := range list.vulns {
			if v == nil {
				continue
			}
			if strings.TrimSpace(v.ID) == "" {
				return fmt.Errorf("project %q: vulnerability %d without an id", p.ProjectName, i)
			}
			rep.Findings = append(rep.Findings, finding(p, v, list.st))
		}
	}
	if depth < maxNesting {
		for _, app := range p.Applications {
			if err := add(rep, app, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func finding(p *project, v *vuln, st status) document.Finding {
	word := firstNonEmpty(v.SeverityWithCritical, v.Severity, v.NVDSeverity)
	f := document.Finding{
		Kind:        document.KindVulnerability,
		RuleID:      v.ID,
		Title:       strings.TrimSpace(v.Title),
		Description: strings.TrimSpace(v.Description),
		Package:     pkg(p, v),
		Origins:     []document.Origin{{RuleID: v.ID, Severity: word}},
	}
	if f.Title == "" {
		f.Title = v.ID
	}
	f.Aliases = aliases(v)
	for _, c := range strList(v.Identifiers["CWE"]) {
		if c = norm.CWENonZero(c); c != "" {
			f.CWE = append(f.CWE, c)
		}
	}
	for _, r := range v.References {
		if u := strings.TrimSpace(r.URL); u != "" {
			f.References = append(f.References, u)
		}
	}

	vector := ""
	if v.CVSSv3 != nil {
		vector = *v.CVSSv3
	}
	score := 0.0
	if v.CVSSScore != nil {
		score = *v.CVSSScore
	}
	if score != 0 || vector != "" {
		if c, ok := document.NewCVSS("snyk", "", score, vector); ok {
			f.Scores = append(f.Scores, c)
		}
	}
	for _, d := range v.CVSSDetails {
		if c, ok := document.NewCVSS(strings.ToLower(strings.TrimSpace(d.Assigner)), "", d.CVSSV3BaseScore, d.CVSSV3Vector); ok {
			f.Scores = append(f.Scores, c)
		}
	}
	f.CVSS = document.BestCVSS(f.Scores, "nvd", "snyk")
	f.Severity = norm.Severity(word, f.CVSS)
	if v.EPSSDetails != nil {
		prob, ok1 := number(v.EPSSDetails.Probability)
		pct, ok2 := number(v.EPSSDetails.Percentile)
		if ok1 && ok2 && prob >= 0 && prob <= 1 && pct >= 0 && pct <= 1 {
			f.EPSS = &document.EPSS{Score: prob, Percentile: pct}
		}
	}

	for _, fv := range v.FixedIn {
		if fv = strings.TrimSpace(fv); fv != "" {
			f.FixedVersions = append(f.FixedVersions, fv)
		}
	}
	if len(f.FixedVersions) == 0 && strings.TrimSpace(v.NearestFixedInVersion) != "" {
		f.FixedVersions = []string{strings.TrimSpace(v.NearestFixedInVersion)}
	}
	if len(f.FixedVersions) > 0 {
		f.FixState = "fixed"
	} else {
		f.FixState = "not-fixed"
	}

	if len(v.From) > 0 {
		f.Tags = append(f.Tags, "path:"+strings.Join(v.From, " > "))
	}
	if v.IsUpgradable {
		f.Tags = append(f.Tags, "upgradable")
	}
	if v.IsPatchable {
		f.Tags = append(f.Tags, "patchable")
	}
	if v.Malicious {
		f.Tags = append(f.Tags, "malicious")
	}
	if e := strings.TrimSpace(v.Exploit); e != "" && !strings.EqualFold(e, "Not Defined") {
		f.Tags = append(f.Tags, "exploit:"+e)
	}

	if strings.EqualFold(v.Type, "license") {
		f.Kind = document.KindLicense
		f.RuleID = firstNonEmpty(strings.TrimSpace(v.License), v.ID)
		f.Aliases, f.Scores, f.CVSS, f.EPSS, f.FixState = nil, nil, nil, nil, ""
	}

	switch st {
	case ignored:
		note := &document.StatusNote{By: "report", Statement: "ignored by the Snyk policy"}
		if len(v.Filtered.Ignored) > 0 {
			ig := v.Filtered.Ignored[0]
			note.Justification = strings.TrimSpace(ig.Reason)
			if ig.Expires != "" {
				note.Statement += " until " + ig.Expires
			}
		}
		f.Status, f.StatusReason = document.StatusAccepted, note
	case patched:
		f.Status = document.StatusFixed
		f.StatusReason = &document.StatusNote{By: "report", Statement: "patched by a Snyk patch"}
	}
	return f
}

// aliases are the vulnerability's other ids: every identifier list but
// the CWEs, and alternativeIds. Bare numbers (NSP: ["565"]) are no ids.
func aliases(v *vuln) []string {
	var out []string
	for key, raw := range v.Identifiers {
		if strings.EqualFold(key, "CWE") {
			continue
		}
		for _, id := range strList(raw) {
			if isID(id) && id != v.ID {
				out = append(out, id)
			}
		}
	}
	for _, id := range strList(v.AlternativeIDs) {
		if isID(id) && id != v.ID {
			out = append(out, id)
		}
	}
	return out
}

func isID(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }) >= 0 &&
		!strings.ContainsAny(s, " \t\n")
}

// pkg builds the vulnerable package from the vulnerability's package
// manager (else the project's).
func pkg(p *project, v *vuln) *document.Package {
	name := strings.TrimSpace(firstNonEmpty(v.Name, v.PackageName))
	out := &document.Package{
		Name:    name,
		Version: v.Version,
		Path:    firstNonEmpty(p.DisplayTargetFile, p.TargetFile),
	}
	pm := strings.ToLower(strings.TrimSpace(firstNonEmpty(v.PackageManager, p.PackageManager)))
	distro, release, hasDistro := strings.Cut(pm, ":")
	typ := ""
	switch {
	case hasDistro:
		// A distribution secgate does not know is rpm-based.
		typ = "rpm"
		if ecosystem.IsOS(distro) {
			typ = ecosystem.PurlType(distro)
		}
		if pt := strings.ToLower(p.PackageManager); ecosystem.IsOS(pt) {
			typ = ecosystem.PurlType(pt)
		}
	case ecosystem.IsOS(pm):
		typ, distro = ecosystem.PurlType(pm), ""
	default:
		typ = ecosystem.PurlType(pm)
	}
	if typ == "" || name == "" {
		out.Ecosystem = pm
		if hasDistro {
			out.Ecosystem = distro
		}
		return out
	}

	ns, n := "", name
	var quals packageurl.Qualifiers
	switch typ {
	case "deb", "apk", "rpm":
		// "gcc-10/libgcc-s1": the binary package libgcc-s1 built from gcc-10.
		q := map[string]string{}
		if src, bin, ok := strings.Cut(name, "/"); ok && bin != "" {
			n = bin
			if src != "" && src != bin {
				q["upstream"] = src
			}
		} else if v.PackageName != "" && v.PackageName != name {
			q["upstream"] = v.PackageName
		}
		out.Name = n
		if hasDistro && distro != "" {
			ns = distro
			if release != "" {
				q["distro"] = distro + "-" + release
			}
		}
		if len(q) > 0 {
			quals = packageurl.QualifiersFromMap(q)
		}
	default:
		ns, n = ecosystem.SplitName(typ, name)
	}
	if n == "" {
		return out
	}
	out.Purl = packageurl.NewPackageURL(typ, ns, n, v.Version, quals, "").ToString()
	out.Ecosystem = document.Ecosystem(out.Purl)
	if out.Ecosystem == "" {
		out.Ecosystem = typ
	}
	return out
}

// number reads a JSON number or a number in a string ("0.00046").
func number(raw json.RawMessage) (float64, bool) {
	var f float64
	if json.Unmarshal(raw, &f) == nil {
		return f, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return f, true
		}
	}
	return 0, false
}

// strList reads a list of strings (numbers as text) or one string.
func strList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one = strings.TrimSpace(one); one != "" {
			return []string{one}
		}
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, item := range list {
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(item, &s) == nil:
		case json.Unmarshal(item, &n) == nil:
			s = n.String()
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
