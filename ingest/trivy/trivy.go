// Package trivy ingests Trivy's native JSON reports: SchemaVersion 2
// reports of any target (image, filesystem, repository, SBOM, config), the
// legacy top-level array of results written before Trivy 0.20, and the
// Kubernetes cluster summary of trivy k8s. Vulnerabilities, failed
// misconfiguration checks, secrets and licences each become findings.
//
// Reports can be large (an image scan lists every vulnerability of every
// package): vulnerabilities are decoded one at a time into one reused
// struct holding only the fields read and converted at once, findings are
// allocated once, and each distinct CVSS value is scored once.
package trivy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/ecosystem"
)

// Ingester reads Trivy JSON reports.
type Ingester struct{}

// New returns the Trivy ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "trivy" }

// supportedSchema is the one SchemaVersion of Trivy's JSON report read.
const supportedSchema = "2"

// Detect implements ingest.Ingester. It claims an object with SchemaVersion
// and Results or ArtifactName (refusing a SchemaVersion other than 2), a
// trivy k8s summary (ClusterName with resource lists), and the legacy
// array of results with Target.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	switch f.Shape {
	case sniff.JSONObject:
		if f.Has("SchemaVersion") && (f.Has("Results") || f.Has("ArtifactName")) {
			v := f.Number("SchemaVersion")
			if n, err := strconv.ParseFloat(v, 64); err != nil || n != 2 {
				return true, fmt.Errorf("%w trivy SchemaVersion %q (want %s)", sniff.ErrUnsupported, v, supportedSchema)
			}
			return true, nil
		}
		if f.Has("ClusterName") && (f.Has("Vulnerabilities") || f.Has("Misconfigurations") || f.Has("Resources")) {
			return true, nil
		}
	case sniff.JSONArray:
		if f.ElemHas("Target") && (f.ElemHas("Vulnerabilities") || f.ElemHas("Type")) {
			return true, nil
		}
	}
	return false, nil
}

// report is the union of the object shapes: a SchemaVersion 2 report
// (Results) and a k8s summary (ClusterName and resource lists).
type report struct {
	CreatedAt string   `json:"CreatedAt"`
	Trivy     *tool    `json:"Trivy"`
	Results   []result `json:"Results"`

	ClusterName       string     `json:"ClusterName"`
	Vulnerabilities   []resource `json:"Vulnerabilities"`
	Misconfigurations []resource `json:"Misconfigurations"`
	Resources         []resource `json:"Resources"`
}

type tool struct {
	Version string `json:"Version"`
}

// resource is one Kubernetes resource of a k8s summary.
type resource struct {
	Namespace string   `json:"Namespace"`
	Kind      string   `json:"Kind"`
	Name      string   `json:"Name"`
	Results   []result `json:"Results"`
}

type result struct {
	Target string `json:"Target"`
	Class  string `json:"Class"`
	Type   string `json:"Type"`
	// Vulnerabilities is filled only for k8s summaries; reports stream them.
	Vulnerabilities   []*vulnerability `json:"Vulnerabilities"`
	Misconfigurations []misconf        `json:"Misconfigurations"`
	Secrets           []secret         `json:"Secrets"`
	Licenses          []license        `json:"Licenses"`
}

type vulnerability struct {
	VulnerabilityID string   `json:"VulnerabilityID"`
	VendorIDs       []string `json:"VendorIDs"`
	PkgName         string   `json:"PkgName"`
	PkgPath         string   `json:"PkgPath"`
	PkgIdentifier   struct {
		PURL string `json:"PURL"`
	} `json:"PkgIdentifier"`
	InstalledVersion string   `json:"InstalledVersion"`
	FixedVersion     string   `json:"FixedVersion"`
	Status           string   `json:"Status"`
	SeveritySource   string   `json:"SeveritySource"`
	PrimaryURL       string   `json:"PrimaryURL"`
	Title            string   `json:"Title"`
	Description      string   `json:"Description"`
	Severity         string   `json:"Severity"`
	CweIDs           []string `json:"CweIDs"`
	// CVSS is kept raw and scored once per distinct value: decoding it
	// into a map for every vulnerability costs more than the rest of the
	// vulnerability, and the same scores repeat across packages.
	CVSS       rawBuf   `json:"CVSS"`
	References []string `json:"References"`
}

// rawBuf keeps a JSON value's bytes in a buffer it reuses.
type rawBuf []byte

// UnmarshalJSON implements json.Unmarshaler.
func (r *rawBuf) UnmarshalJSON(data []byte) error {
	*r = append((*r)[:0], data...)
	return nil
}

// reset zeroes v for the next decode, keeping only the CVSS buffer.
func (v *vulnerability) reset() {
	buf := v.CVSS[:0]
	*v = vulnerability{CVSS: buf}
}

type cvssData struct {
	V2Vector  string  `json:"V2Vector"`
	V3Vector  string  `json:"V3Vector"`
	V40Vector string  `json:"V40Vector"`
	V2Score   float64 `json:"V2Score"`
	V3Score   float64 `json:"V3Score"`
	V40Score  float64 `json:"V40Score"`
}

type misconf struct {
	ID            string   `json:"ID"`
	AVDID         string   `json:"AVDID"`
	Title         string   `json:"Title"`
	Description   string   `json:"Description"`
	Message       string   `json:"Message"`
	Resolution    string   `json:"Resolution"`
	Severity      string   `json:"Severity"`
	PrimaryURL    string   `json:"PrimaryURL"`
	References    []string `json:"References"`
	Status        string   `json:"Status"`
	CauseMetadata struct {
		StartLine int `json:"StartLine"`
		EndLine   int `json:"EndLine"`
	} `json:"CauseMetadata"`
}

// secret deliberately has no Match and no Code: they hold the secret.
type secret struct {
	RuleID    string `json:"RuleID"`
	Category  string `json:"Category"`
	Severity  string `json:"Severity"`
	Title     string `json:"Title"`
	StartLine int    `json:"StartLine"`
	EndLine   int    `json:"EndLine"`
}

type license struct {
	Severity string `json:"Severity"`
	Category string `json:"Category"`
	PkgName  string `json:"PkgName"`
	FilePath string `json:"FilePath"`
	Name     string `json:"Name"`
	Link     string `json:"Link"`
}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	rep := &document.Report{Tool: document.Tool{Name: "trivy"}}
	c := &converter{}
	data := bytes.TrimPrefix(f.Data, []byte("\xef\xbb\xbf"))
	// Count before decoding, to allocate the findings once: the count
	// of a key is cheap to take and rarely more than the findings.
	c.findings = make([]document.Finding, 0, bytes.Count(data, []byte(`"VulnerabilityID"`)))
	var err error
	switch {
	case f.Shape == sniff.JSONObject && f.Has("ClusterName") && !f.Has("SchemaVersion"):
		err = c.k8s(data, rep)
	case f.Shape == sniff.JSONObject || f.Shape == sniff.JSONArray:
		err = c.stream(data, rep)
	default:
		err = errors.New("not a trivy JSON report: want a JSON object or array")
	}
	if err != nil {
		return nil, err
	}
	rep.Findings = c.findings
	if name := strings.TrimSpace(f.String("ArtifactName")); name != "" {
		rep.Subject = &document.Subject{Name: name}
		if f.String("ArtifactType") == "container_image" {
			if img := document.ImageSubject(name); img != nil {
				rep.Subject = img
			}
		}
	}
	return rep, nil
}

// k8s converts a trivy k8s summary. Its resources are decoded whole: they
// name their namespace, which the findings' paths need, in any order.
func (c *converter) k8s(data []byte, rep *document.Report) error {
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return sniff.DecodeError(data, err)
	}
	rep.Created = r.CreatedAt
	if r.Trivy != nil {
		rep.Tool.Version = r.Trivy.Version
	}
	for _, list := range [][]resource{r.Vulnerabilities, r.Misconfigurations, r.Resources} {
		for i := range list {
			res := &list[i]
			for j := range res.Results {
				r := &res.Results[j]
				start := len(c.findings)
				for k, v := range r.Vulnerabilities {
					if v == nil {
						continue
					}
					if err := c.vulnerability(v, r.Target, k, start); err != nil {
						return err
					}
				}
				if err := c.finishResult(start, r, res); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// converter turns decoded results into findings.
type converter struct {
	findings []document.Finding
	// cvss memoises the scores of a raw CVSS value: a report repeats few
	// distinct values many times, and scoring a vector means parsing it.
	cvss map[string][]document.CVSS

	// vuln is the one vulnerability stream decodes into, again and again.
	vuln vulnerability
}

// finishResult completes the vulnerabilities converted since start with
// what their result says (target, type, k8s resource), which a stream may
// give after them, then converts the result's other findings.
func (c *converter) finishResult(start int, r *result, k8s *resource) error {
	eco := ecosystem.Name(r.Type)
	// A k8s resource's target ("Deployment/app") does not name the
	// namespace: keep resources of one name in two namespaces apart.
	path, tag := r.Target, ""
	if k8s != nil {
		tag = "k8s:" + strings.Trim(k8s.Namespace+"/"+k8s.Kind+"/"+k8s.Name, "/")
		if k8s.Namespace != "" {
			path = k8s.Namespace + "/" + r.Target
		}
	}
	for i := start; i < len(c.findings); i++ {
		p := c.findings[i].Package
		if p.Ecosystem == "" {
			p.Ecosystem = eco
		}
		if p.Path == "" {
			p.Path = r.Target
		}
		if tag != "" {
			c.findings[i].Tags = []string{tag}
		}
	}
	for i := range r.Misconfigurations {
		m := &r.Misconfigurations[i]
		if !strings.EqualFold(m.Status, "FAIL") {
			continue
		}
		if err := c.misconfiguration(m, path, tag); err != nil {
			return fmt.Errorf("result %q: misconfiguration %d: %w", r.Target, i, err)
		}
	}
	for i := range r.Secrets {
		c.secret(&r.Secrets[i], path, tag)
	}
	for i := range r.Licenses {
		c.license(&r.Licenses[i], r.Class, tag)
	}
	return nil
}

// tags returns a new slice of the non-empty tags: findings never share one.
func tags(tt ...string) []string {
	var out []string
	for _, t := range tt {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// vulnerability converts the i-th vulnerability of target, whose result's
// findings begin at start. The package's path and ecosystem fallbacks
// wait for finishResult.
func (c *converter) vulnerability(v *vulnerability, target string, i, start int) error {
	if v.VulnerabilityID == "" {
		return fmt.Errorf("result %q: vulnerability %d (%s) has no VulnerabilityID", target, i, v.PkgName)
	}
	scores, err := c.scores(v.CVSS)
	if err != nil {
		return fmt.Errorf("result %q: vulnerability %s: %w", target, v.VulnerabilityID, err)
	}
	c.findings = append(c.findings, document.Finding{
		Kind:        document.KindVulnerability,
		RuleID:      v.VulnerabilityID,
		Aliases:     v.VendorIDs,
		Title:       v.Title,
		Description: v.Description,
		CWE:         normCWEs(v.CweIDs),
		References:  v.References,
		FixState:    v.Status,
	})
	f := &c.findings[len(c.findings)-1]
	f.Origins = []document.Origin{{RuleID: v.VulnerabilityID, Severity: v.Severity}}
	if v.PrimaryURL != "" {
		f.References = append(f.References[:len(f.References):len(f.References)], v.PrimaryURL)
	}
	f.FixedVersions = c.versions(v.FixedVersion)
	pkg := document.Package{
		Name:      v.PkgName,
		Version:   v.InstalledVersion,
		Purl:      v.PkgIdentifier.PURL,
		Ecosystem: document.Ecosystem(v.PkgIdentifier.PURL),
		Path:      v.PkgPath,
	}
	// A result lists a package's vulnerabilities together: they share
	// one Package (finishResult fills it alike for all of them), never
	// with another result's.
	if prev := len(c.findings) - 2; prev >= start && c.findings[prev].Package != nil && samePackage(c.findings[prev].Package, &pkg) {
		f.Package = c.findings[prev].Package
	} else {
		f.Package = &pkg
	}
	if len(scores) > 0 {
		// Each finding owns its scores: Finish sorts them in place.
		f.Scores = slices.Clone(scores)
		f.CVSS = document.BestCVSS(f.Scores, "nvd", v.SeveritySource)
	}
	f.Severity = norm.Severity(v.Severity, f.CVSS)
	if strings.EqualFold(v.Status, "not_affected") {
		f.Status = document.StatusNotAffected
		f.StatusReason = &document.StatusNote{By: "report", Statement: "trivy status not_affected"}
	}
	return nil
}

// versions splits Trivy's FixedVersion list ("1.2.3, 1.3.1").
func (c *converter) versions(s string) []string {
	if s == "" {
		return nil
	}
	if strings.ContainsAny(s, ", |") {
		return document.SplitList(s)
	}
	return []string{s}
}

// scores lists every score of a raw CVSS map (source -> scores), sources
// in name order so that the preferred score does not depend on map order.
// The result is shared by every vulnerability with the same raw value.
func (c *converter) scores(raw []byte) ([]document.CVSS, error) {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "{}" {
		return nil, nil
	}
	if s, ok := c.cvss[string(raw)]; ok {
		return s, nil
	}
	var m map[string]*cvssData
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("CVSS: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	sources := make([]string, 0, len(m))
	for src := range m {
		sources = append(sources, src)
	}
	slices.Sort(sources)
	var out []document.CVSS
	for _, src := range sources {
		d := m[src]
		if d == nil {
			continue
		}
		out = appendCVSS(out, src, "4.0", d.V40Score, d.V40Vector)
		out = appendCVSS(out, src, "3.1", d.V3Score, d.V3Vector)
		out = appendCVSS(out, src, "2.0", d.V2Score, d.V2Vector)
	}
	if c.cvss == nil {
		c.cvss = make(map[string][]document.CVSS)
	}
	c.cvss[string(raw)] = out
	return out, nil
}

// appendCVSS appends a stated score; version is a guess that a vector,
// when given, corrects.
func appendCVSS(out []document.CVSS, source, version string, score float64, vector string) []document.CVSS {
	if score == 0 && vector == "" {
		return out
	}
	if c, ok := document.NewCVSS(source, version, score, vector); ok {
		out = append(out, c)
	}
	return out
}

func (c *converter) misconfiguration(m *misconf, path, tag string) error {
	id := m.ID
	if id == "" {
		id = m.AVDID
	}
	if id == "" {
		return errors.New("no ID")
	}
	f := document.Finding{
		Kind:        document.KindMisconfiguration,
		RuleID:      id,
		Title:       m.Title,
		Description: norm.JoinText(m.Description, m.Message, norm.Prefixed("Resolution: ", m.Resolution)),
		References:  m.References,
		Tags:        tags(tag),
		Severity:    norm.Severity(m.Severity, nil),
		Location: &document.Location{
			Path:      path,
			StartLine: norm.NonNegative(m.CauseMetadata.StartLine),
			EndLine:   norm.NonNegative(m.CauseMetadata.EndLine),
		},
		Origins: []document.Origin{{RuleID: id, Severity: m.Severity}},
	}
	if m.AVDID != "" && m.AVDID != id {
		f.Aliases = []string{m.AVDID}
	}
	if m.PrimaryURL != "" {
		f.References = append(f.References[:len(f.References):len(f.References)], m.PrimaryURL)
	}
	c.findings = append(c.findings, f)
	return nil
}

// secret never copies Match or the code lines: they hold the secret, even
// when Trivy masks part of it.
func (c *converter) secret(s *secret, path, tag string) {
	id := s.RuleID
	if id == "" {
		id = "secret"
	}
	c.findings = append(c.findings, document.Finding{
		Kind:     document.KindSecret,
		RuleID:   id,
		Title:    s.Title,
		Tags:     tags(tag, norm.Prefixed("category:", s.Category)),
		Severity: norm.Severity(s.Severity, nil),
		Location: &document.Location{
			Path:      path,
			StartLine: norm.NonNegative(s.StartLine),
			EndLine:   norm.NonNegative(s.EndLine),
		},
		Origins: []document.Origin{{RuleID: id, Severity: s.Severity}},
	})
}

func (c *converter) license(l *license, class, tag string) {
	id := l.Name
	if id == "" {
		id = "unknown"
	}
	f := document.Finding{
		Kind:     document.KindLicense,
		RuleID:   id,
		Severity: norm.Severity(l.Severity, nil),
		Origins:  []document.Origin{{RuleID: id, Severity: l.Severity}},
		Tags:     tags(tag, norm.Prefixed("category:", l.Category), class),
	}
	where := l.PkgName
	if l.PkgName != "" {
		f.Package = &document.Package{Name: l.PkgName}
	}
	if l.FilePath != "" {
		f.Location = &document.Location{Path: l.FilePath}
		if where == "" {
			where = l.FilePath
		}
	}
	f.Title = "License " + id
	if where != "" {
		f.Title += " in " + where
	}
	if l.Category != "" {
		f.Description = fmt.Sprintf("%s is in Trivy's %q license category.", id, l.Category)
	}
	if l.Link != "" {
		f.References = []string{l.Link}
	}
	c.findings = append(c.findings, f)
}

// normCWEs normalises CWE ids to "CWE-79", dropping what is no CWE id.
func normCWEs(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if c := norm.CWE(s); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// samePackage reports whether two packages of one result are one.
func samePackage(a, b *document.Package) bool {
	return a.Name == b.Name && a.Version == b.Version && a.Purl == b.Purl &&
		a.Ecosystem == b.Ecosystem && a.Path == b.Path
}
