// Package osvscanner ingests OSV-Scanner's JSON reports (osv-scanner
// --format json): results per scanned source (a lock file, a git
// repository, an SBOM), each with its packages, their OSV entries and the
// groups OSV-Scanner makes of them. A group is one problem known by
// several ids (a GHSA advisory and the PYSEC entry of the same CVE), so
// each group of each package becomes one finding: its first id is the
// rule, the others and their aliases are aliases.
package osvscanner

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
	"github.com/secgate/secgate/ingest/internal/osv"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads OSV-Scanner reports.
type Ingester struct{}

// New returns the OSV-Scanner ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "osv-scanner" }

var bom = []byte("\xef\xbb\xbf")

// tool is the report's tool: OSV-Scanner's JSON does not name its version.
var tool = document.Tool{Name: "osv-scanner"}

// Detect implements ingest.Ingester. It claims an object with results and
// OSV-Scanner's experimental_config, or with results whose first element
// has a source and packages.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	if f.Shape != sniff.JSONObject || !f.Has("results") {
		return false, nil
	}
	if f.Has("experimental_config") {
		return true, nil
	}
	raw, inObject := f.Keys["results"], false
	if raw == nil {
		// Too large to have been kept: read the report up to the first result.
		raw, inObject = bytes.TrimPrefix(f.Data, bom), true
	}
	keys := firstResult(raw, inObject)
	_, src := keys["source"]
	_, pkgs := keys["packages"]
	return src && pkgs, nil
}

// firstResult returns the keys of the first element of the results array:
// raw is that array, or (inObject) the whole report holding it. Only the
// first element is decoded.
func firstResult(raw []byte, inObject bool) map[string]json.RawMessage {
	d := json.NewDecoder(bytes.NewReader(raw))
	if inObject {
		if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
			return nil
		}
		for {
			tok, err := d.Token()
			if err != nil {
				return nil
			}
			if key, ok := tok.(string); ok && key == "results" {
				break
			}
			if _, ok := tok.(string); !ok {
				return nil
			}
			var skip json.RawMessage
			if d.Decode(&skip) != nil {
				return nil
			}
		}
	}
	if tok, err := d.Token(); err != nil || tok != json.Delim('[') || !d.More() {
		return nil
	}
	var first map[string]json.RawMessage
	if d.Decode(&first) != nil {
		return nil
	}
	return first
}

type report struct {
	Results []*result `json:"results"`
}

type result struct {
	Source struct {
		Path string `json:"path"`
		Type string `json:"type"`
	} `json:"source"`
	Packages []*pkg `json:"packages"`
}

type pkg struct {
	Package struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		Ecosystem string `json:"ecosystem"`
		Commit    string `json:"commit"`
	} `json:"package"`
	DependencyGroups []string     `json:"dependency_groups"`
	Vulnerabilities  []*osv.Entry `json:"vulnerabilities"`
	Groups           []*group     `json:"groups"`
}

type group struct {
	IDs         []string `json:"ids"`
	Aliases     []string `json:"aliases"`
	MaxSeverity string   `json:"max_severity"`
}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	if f.Shape != sniff.JSONObject {
		return nil, errors.New("not an OSV-Scanner JSON report: want a JSON object")
	}
	var r report
	data := bytes.TrimPrefix(f.Data, bom)
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, sniff.DecodeError(data, err)
	}
	rep := &document.Report{Tool: tool, Findings: []document.Finding{}}
	for i, res := range r.Results {
		if res == nil {
			continue
		}
		for j, p := range res.Packages {
			if p == nil {
				continue
			}
			fs, err := findings(res, p)
			if err != nil {
				return nil, fmt.Errorf("results[%d] (%s): packages[%d] (%s): %w", i, res.Source.Path, j, p.Package.Name, err)
			}
			rep.Findings = append(rep.Findings, fs...)
		}
	}
	return rep, nil
}

// findings makes one finding of each group of a package. Without groups
// (OSV-Scanner before 1.3), each entry is a group of its own.
func findings(res *result, p *pkg) ([]document.Finding, error) {
	entries := map[string]*osv.Entry{}
	for _, e := range p.Vulnerabilities {
		if e != nil && e.ID != "" {
			if _, dup := entries[e.ID]; !dup {
				entries[e.ID] = e
			}
		}
	}
	groups := p.Groups
	if len(groups) == 0 {
		for _, e := range p.Vulnerabilities {
			if e != nil {
				groups = append(groups, &group{IDs: []string{e.ID}})
			}
		}
	}
	base := pkgOf(res, p)
	osvEco := p.Package.Ecosystem
	if p.Package.Name == "" {
		osvEco = "" // a git commit: every affected entry is about it
	}
	var out []document.Finding
	for k, g := range groups {
		if g == nil {
			continue
		}
		ids := norm.NonBlank(g.IDs)
		if len(ids) == 0 {
			return nil, fmt.Errorf("groups[%d]: no ids", k)
		}
		var members []*osv.Entry
		for _, id := range ids {
			if e := entries[id]; e != nil {
				members = append(members, e)
			}
		}
		out = append(out, finding(ids, g, members, base, osvEco, p.DependencyGroups))
	}
	return out, nil
}

// pkgOf is the package a result's package names. A git repository
// scanned by commit has no name or ecosystem: it is named by its
// repository (as the entries' GIT ranges give it) or the source path,
// its version is the commit.
func pkgOf(res *result, p *pkg) document.Package {
	pp := &p.Package
	if pp.Name == "" && pp.Commit != "" {
		name := res.Source.Path
		for _, e := range p.Vulnerabilities {
			if e == nil {
				continue
			}
			for _, a := range e.Affected {
				for _, r := range a.Ranges {
					if strings.EqualFold(r.Type, "GIT") && r.Repo != "" {
						name = r.Repo
					}
				}
			}
		}
		name = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(name, "https://"), "http://"), ".git")
		return document.Package{Name: name, Version: pp.Commit, Ecosystem: "git", Path: res.Source.Path}
	}
	purl := osv.Purl(pp.Ecosystem, pp.Name, pp.Version)
	eco := document.Ecosystem(purl)
	if eco == "" {
		eco = strings.ToLower(pp.Ecosystem)
	}
	return document.Package{Name: pp.Name, Version: pp.Version, Purl: purl, Ecosystem: eco, Path: res.Source.Path}
}

// finding makes the finding of one group.
func finding(ids []string, g *group, members []*osv.Entry, base document.Package, osvEco string, depGroups []string) document.Finding {
	pk := base
	f := document.Finding{
		Kind:     document.KindVulnerability,
		RuleID:   ids[0],
		Aliases:  append(slices.Clone(ids[1:]), norm.NonBlank(g.Aliases)...),
		Package:  &pk,
		FixState: "not-fixed",
	}
	word := ""
	for _, e := range members {
		f.Aliases = append(f.Aliases, norm.NonBlank(e.Aliases)...)
		if title, desc := e.Text(); f.Title == "" && f.Description == "" || f.Title == "" && title != "" {
			f.Title, f.Description = title, desc
		}
		f.CWE = append(f.CWE, e.CWEs()...)
		f.References = append(f.References, e.URLs()...)
		f.Scores = append(f.Scores, e.Scores()...)
		for _, v := range e.Fixed(osvEco, base.Name) {
			if !slices.Contains(f.FixedVersions, v) {
				f.FixedVersions = append(f.FixedVersions, v)
			}
		}
		if w := e.SeverityWord(); w != "" {
			if s, ok := document.ParseSeverity(w); ok && (word == "" || s.Rank() > mustParse(word).Rank()) {
				word = w
			}
		}
	}
	if len(f.FixedVersions) > 0 {
		f.FixState = "fixed"
	}
	for _, id := range ids {
		if strings.HasPrefix(strings.ToUpper(id), "MAL-") {
			f.Tags = append(f.Tags, "malicious")
			break
		}
	}
	for _, dg := range depGroups {
		if dg = strings.TrimSpace(dg); dg != "" {
			f.Tags = append(f.Tags, "group:"+dg)
		}
	}
	f.CVSS = document.BestCVSS(f.Scores)
	// The group's max_severity first: it is OSV-Scanner's own verdict
	// over all the group's entries; then the entries' scores; then the
	// severity word of their database.
	raw := strings.TrimSpace(g.MaxSeverity)
	f.Severity = document.SeverityUnknown
	switch s, ok := document.ParseSeverity(raw); {
	case ok && s != document.SeverityUnknown:
		f.Severity = s
	case f.CVSS != nil:
		f.Severity = document.SeverityFromScore(f.CVSS.Score)
		raw = strconv.FormatFloat(f.CVSS.Score, 'f', -1, 64)
	case word != "":
		f.Severity, raw = mustParse(word), word
	}
	f.Origins = []document.Origin{{RuleID: f.RuleID, Severity: raw}}
	return f
}

func mustParse(word string) document.Severity {
	s, _ := document.ParseSeverity(word)
	return s
}
