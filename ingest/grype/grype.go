// Package grype ingests Grype's native JSON reports (grype -o json), from
// the early 0.x releases (cvssV2/cvssV3 objects, links, fixedInVersion) to
// current ones (cvss lists, fix objects, EPSS and CISA KEV data). Each
// match becomes one vulnerability finding; matches of one vulnerability in
// one package at several locations are one problem and merge when the
// report joins a document.
package grype

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/ecosystem"
)

// Ingester reads Grype JSON reports.
type Ingester struct{}

// New returns the Grype ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "grype" }

// Detect implements ingest.Ingester. It claims an object with matches and
// either a descriptor naming grype or grype's source or distro blocks.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	if f.Shape != sniff.JSONObject || !f.Has("matches") {
		return false, nil
	}
	var d struct {
		Name string `json:"name"`
	}
	if raw := f.Keys["descriptor"]; len(raw) > 0 && json.Unmarshal(raw, &d) == nil && strings.EqualFold(d.Name, "grype") {
		return true, nil
	}
	return f.Has("source") || f.Has("distro"), nil
}

type report struct {
	Matches    []*match `json:"matches"`
	Source     *source  `json:"source"`
	Descriptor struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		Timestamp string `json:"timestamp"`
	} `json:"descriptor"`
}

// source is what grype scanned: target is a path (directory, file) or an
// object (image: userInput, the name as given); newer versions also say
// name and version.
type source struct {
	Type    string          `json:"type"`
	Name    string          `json:"name"`
	Version string          `json:"version"`
	Target  json.RawMessage `json:"target"`
}

// subject names what grype scanned, or nil.
func (s *source) subject() *document.Subject {
	if s == nil {
		return nil
	}
	name := strings.TrimSpace(s.Name)
	if name == "" {
		var path string
		var image struct {
			UserInput string `json:"userInput"`
		}
		if json.Unmarshal(s.Target, &path) == nil {
			// grype 0.24 quoted a directory inside the string: "\".\"".
			name = strings.Trim(strings.TrimSpace(path), `"`)
		} else if json.Unmarshal(s.Target, &image) == nil {
			name = strings.TrimSpace(image.UserInput)
		}
	}
	if name == "" {
		return nil
	}
	if s.Type == "image" && s.Version == "" {
		if img := document.ImageSubject(name); img != nil {
			return img
		}
	}
	return &document.Subject{Name: name, Version: strings.TrimSpace(s.Version)}
}

type match struct {
	Vulnerability          vulnerability `json:"vulnerability"`
	RelatedVulnerabilities []record      `json:"relatedVulnerabilities"`
	Artifact               struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		Type      string `json:"type"`
		Purl      string `json:"purl"`
		Locations []struct {
			Path string `json:"path"`
		} `json:"locations"`
	} `json:"artifact"`
}

// record is a vulnerability record: the match's own, or a related one.
type record struct {
	ID          string   `json:"id"`
	DataSource  string   `json:"dataSource"`
	Namespace   string   `json:"namespace"`
	Severity    string   `json:"severity"`
	URLs        []string `json:"urls"`
	Description string   `json:"description"`
	CVSS        []cvss   `json:"cvss"`
}

type vulnerability struct {
	record
	Fix struct {
		Versions []string `json:"versions"`
		State    string   `json:"state"`
	} `json:"fix"`
	Advisories []struct {
		ID   string `json:"id"`
		Link string `json:"link"`
	} `json:"advisories"`
	EPSS []struct {
		EPSS       float64 `json:"epss"`
		Percentile float64 `json:"percentile"`
		Date       string  `json:"date"`
	} `json:"epss"`
	KnownExploited []struct {
		CVE            string `json:"cve"`
		DateAdded      string `json:"dateAdded"`
		RequiredAction string `json:"requiredAction"`
		DueDate        string `json:"dueDate"`
	} `json:"knownExploited"`
	CWEs json.RawMessage `json:"cwes"`

	// Grype before 0.8 or so.
	Links          []string  `json:"links"`
	FixedInVersion string    `json:"fixedInVersion"`
	CVSSV2         *oldScore `json:"cvssV2"`
	CVSSV3         *oldScore `json:"cvssV3"`
}

type cvss struct {
	Source  string `json:"source"`
	Version string `json:"version"`
	Vector  string `json:"vector"`
	Metrics struct {
		BaseScore float64 `json:"baseScore"`
	} `json:"metrics"`
}

type oldScore struct {
	BaseScore float64 `json:"baseScore"`
	Vector    string  `json:"vector"`
}

// nvdSources name NVD as grype's records do; NVD's scores are preferred,
// as Trivy's ingester prefers them, so that one CVE gets one score.
var nvdSources = []string{"nvd@nist.gov", "nvd:cpe", "nvd"}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	var r report
	if err := json.Unmarshal(f.Data, &r); err != nil {
		return nil, sniff.DecodeError(f.Data, err)
	}
	rep := &document.Report{
		Tool:     document.Tool{Name: "grype", Version: r.Descriptor.Version},
		Created:  r.Descriptor.Timestamp,
		Findings: make([]document.Finding, 0, len(r.Matches)),
		Subject:  r.Source.subject(),
	}
	for i, m := range r.Matches {
		if m == nil {
			continue
		}
		f, err := finding(m)
		if err != nil {
			return nil, fmt.Errorf("matches[%d]: %w", i, err)
		}
		rep.Findings = append(rep.Findings, f)
	}
	return rep, nil
}

func finding(m *match) (document.Finding, error) {
	v := &m.Vulnerability
	if v.ID == "" {
		return document.Finding{}, errors.New("vulnerability without an id")
	}
	f := document.Finding{
		Kind:        document.KindVulnerability,
		RuleID:      v.ID,
		Description: v.Description,
		References:  norm.AppendNonEmpty(append(append([]string(nil), v.URLs...), v.Links...), v.DataSource),
		FixState:    v.Fix.State,
		Origins:     []document.Origin{{RuleID: v.ID, Severity: v.Severity}},
	}
	for _, a := range v.Advisories {
		f.Aliases = norm.AppendNonEmpty(f.Aliases, a.ID)
		f.References = norm.AppendNonEmpty(f.References, a.Link)
	}

	// Scores: the record's own, then its related records' (the NVD
	// record of a distro or GHSA match), each marked with its source.
	preferred := append(nvdSources[:len(nvdSources):len(nvdSources)], v.Namespace)
	f.Scores = appendScores(f.Scores, &v.record)
	if v.CVSSV3 != nil {
		f.Scores = appendScore(f.Scores, v.Namespace, "3.0", v.CVSSV3.BaseScore, v.CVSSV3.Vector)
	}
	if v.CVSSV2 != nil {
		f.Scores = appendScore(f.Scores, v.Namespace, "2.0", v.CVSSV2.BaseScore, v.CVSSV2.Vector)
	}
	for i := range m.RelatedVulnerabilities {
		rel := &m.RelatedVulnerabilities[i]
		if rel.ID != "" && rel.ID != v.ID {
			f.Aliases = append(f.Aliases, rel.ID)
		}
		f.Scores = appendScores(f.Scores, rel)
		if f.Description == "" {
			f.Description = rel.Description
		}
	}
	f.CVSS = document.BestCVSS(f.Scores, preferred...)
	f.Severity = norm.Severity(v.Severity, f.CVSS)

	a := &m.Artifact
	f.Package = &document.Package{
		Name:      a.Name,
		Version:   a.Version,
		Purl:      a.Purl,
		Ecosystem: document.Ecosystem(a.Purl),
	}
	if f.Package.Ecosystem == "" {
		f.Package.Ecosystem = ecosystem.Name(a.Type)
	}
	for _, l := range a.Locations {
		if l.Path != "" {
			f.Package.Path = l.Path
			break
		}
	}

	f.FixedVersions = v.Fix.Versions
	if v.FixedInVersion != "" {
		f.FixedVersions = append(f.FixedVersions, document.SplitList(v.FixedInVersion)...)
	}
	if len(v.EPSS) > 0 {
		e := v.EPSS[0]
		f.EPSS = &document.EPSS{Score: e.EPSS, Percentile: e.Percentile, Date: e.Date}
	}
	if len(v.KnownExploited) > 0 {
		k := v.KnownExploited[0]
		f.KEV = &document.KEV{Listed: true, DateAdded: k.DateAdded, RequiredAction: k.RequiredAction, DueDate: k.DueDate}
	}
	f.CWE = cwes(v.CWEs)
	return f, nil
}

func appendScores(out []document.CVSS, r *record) []document.CVSS {
	for _, c := range r.CVSS {
		src := c.Source
		if src == "" {
			src = r.Namespace
		}
		out = appendScore(out, src, c.Version, c.Metrics.BaseScore, c.Vector)
	}
	return out
}

func appendScore(out []document.CVSS, source, version string, score float64, vector string) []document.CVSS {
	if c, ok := document.NewCVSS(source, version, score, vector); ok {
		out = append(out, c)
	}
	return out
}

// cwes reads grype's cwes list: objects {cve, cwe, source, type}, or
// plain strings.
func cwes(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var objs []struct {
		CWE string `json:"cwe"`
	}
	var out []string
	if json.Unmarshal(raw, &objs) == nil {
		for _, o := range objs {
			out = norm.AppendNonEmpty(out, norm.CWE(o.CWE))
		}
		return out
	}
	var strs []string
	if json.Unmarshal(raw, &strs) == nil {
		for _, s := range strs {
			out = norm.AppendNonEmpty(out, norm.CWE(s))
		}
	}
	return out
}
