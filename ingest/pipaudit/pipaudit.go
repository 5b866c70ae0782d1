// Package pipaudit ingests pip-audit's JSON reports (pip-audit -f json):
// the 1.x list of dependencies and the 2.x object {"dependencies": [...],
// "fixes": [...]}. Each vulnerability of each audited dependency becomes
// one finding; dependencies pip-audit skipped (not on PyPI, say) have none:
// each is a scan error of the source, at level warning, with the reason.
// pip-audit states no severity, so findings are of unknown severity unless
// another report of the same problem says more.
package pipaudit

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/ecosystem"
)

// Ingester reads pip-audit reports.
type Ingester struct{}

// New returns the pip-audit ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "pip-audit" }

// tool is the report's tool: pip-audit's JSON does not name its version.
var tool = document.Tool{Name: "pip-audit"}

// Detect implements ingest.Ingester. It claims an array whose sampled
// elements are dependencies (name with vulns or skip_reason; a bare [] is
// left to the empty ingester) and an object holding only dependencies (and
// fixes) whose elements are such dependencies.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	switch f.Shape {
	case sniff.JSONArray:
		return isDependencies(f.ElemKeys), nil
	case sniff.JSONObject:
		if !f.Has("dependencies") {
			return false, nil
		}
		for k := range f.Keys {
			if k != "dependencies" && k != "fixes" {
				return false, nil
			}
		}
		raw := f.Keys["dependencies"]
		if raw == nil {
			// Too large to have been kept: a pip-audit-only key set is enough.
			return true, nil
		}
		deps, err := sniff.New("", raw)
		if err != nil || deps.Shape != sniff.JSONArray {
			return false, nil
		}
		if len(deps.ElemKeys) == 0 {
			// {"dependencies": []}: nothing installed; fixes says pip-audit.
			return f.Has("fixes"), nil
		}
		return isDependencies(deps.ElemKeys), nil
	}
	return false, nil
}

// isDependencies says whether sampled keys are those of pip-audit's
// dependencies: a name, and vulns or the reason the dependency was skipped.
func isDependencies(keys map[string]json.RawMessage) bool {
	_, name := keys["name"]
	_, vulns := keys["vulns"]
	_, skipped := keys["skip_reason"]
	return name && (vulns || skipped)
}

type dependency struct {
	Name       string  `json:"name"`
	Version    string  `json:"version"`
	Vulns      []*vuln `json:"vulns"`
	SkipReason string  `json:"skip_reason"`
}

type vuln struct {
	ID          string   `json:"id"`
	FixVersions []string `json:"fix_versions"`
	Aliases     []string `json:"aliases"`
	Description string   `json:"description"`
}

// fix is one upgrade pip-audit --fix made (or could not make).
type fix struct {
	Name       string `json:"name"`
	OldVersion string `json:"old_version"`
	NewVersion string `json:"new_version"`
	SkipReason string `json:"skip_reason"`
}

type report struct {
	Dependencies []*dependency `json:"dependencies"`
	Fixes        []*fix        `json:"fixes"`
}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	var r report
	switch f.Shape {
	case sniff.JSONArray:
		if err := json.Unmarshal(f.Data, &r.Dependencies); err != nil {
			return nil, sniff.DecodeError(f.Data, err)
		}
	case sniff.JSONObject:
		if err := json.Unmarshal(f.Data, &r); err != nil {
			return nil, sniff.DecodeError(f.Data, err)
		}
	default:
		return nil, errors.New("not a pip-audit JSON report: want a JSON array or object")
	}
	fixed := map[string]*fix{}
	for _, fx := range r.Fixes {
		if fx != nil && fx.SkipReason == "" && fx.NewVersion != "" {
			fixed[ecosystem.NormalizePyPI(fx.Name)+"@"+fx.OldVersion] = fx
		}
	}
	rep := &document.Report{Tool: tool, Findings: []document.Finding{}}
	for i, d := range r.Dependencies {
		if d != nil && d.SkipReason != "" {
			msg := d.SkipReason
			if d.Name != "" && !strings.Contains(msg, d.Name) {
				msg = strings.TrimSpace(d.Name+" "+d.Version) + ": " + msg
			}
			rep.Errors = append(rep.Errors, document.NewScanError(document.ScanErrorLevelWarning, msg, "", 0, "skipped dependency"))
		}
		if d == nil || d.SkipReason != "" && len(d.Vulns) == 0 {
			continue
		}
		if d.Name == "" && len(d.Vulns) > 0 {
			return nil, fmt.Errorf("dependencies[%d]: a dependency with vulnerabilities has no name", i)
		}
		for j, v := range d.Vulns {
			if v == nil {
				continue
			}
			id := strings.TrimSpace(v.ID)
			if id == "" {
				return nil, fmt.Errorf("dependencies[%d] (%s): vulns[%d] has no id", i, d.Name, j)
			}
			fd := document.Finding{
				Kind:          document.KindVulnerability,
				RuleID:        id,
				Aliases:       slices.Clone(v.Aliases),
				Description:   strings.TrimSpace(v.Description),
				Severity:      document.SeverityUnknown,
				FixedVersions: norm.NonBlank(v.FixVersions),
				FixState:      "not-fixed",
				Package: &document.Package{
					Name:      d.Name,
					Version:   d.Version,
					Purl:      ecosystem.Purl("pypi", d.Name, d.Version),
					Ecosystem: "pypi",
				},
				Origins: []document.Origin{{RuleID: id}},
			}
			if len(fd.FixedVersions) > 0 {
				fd.FixState = "fixed"
			}
			if fx := fixed[ecosystem.NormalizePyPI(d.Name)+"@"+d.Version]; fx != nil {
				fd.Status = document.StatusFixed
				fd.StatusReason = &document.StatusNote{By: "report",
					Statement: fmt.Sprintf("pip-audit --fix upgraded %s from %s to %s", d.Name, fx.OldVersion, fx.NewVersion)}
			}
			rep.Findings = append(rep.Findings, fd)
		}
	}
	return rep, nil
}
