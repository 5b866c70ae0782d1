// Package retirejs ingests Retire.js JSON reports (retire --outputformat
// json): since Retire.js 2 an object {version, start, data, messages,
// errors, time}, before it the bare data array. data lists the scanned
// files, each with the JavaScript libraries found in it and their known
// vulnerabilities.
//
// Each vulnerability of a library version in a file becomes one
// vulnerability finding. Its rule id is the first CVE, else the GitHub
// advisory (githubID), else "retire-<component>-<issue>" (the library's
// issue or bug number), else "retire-<component>-<hash of the summary>";
// the other ids are aliases. The fixed version is the vulnerable range's
// upper bound, `below`. The package is pkg:npm/<component>@<version>
// (Retire.js names libraries as npm does) found at the file.
package retirejs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads Retire.js JSON reports.
type Ingester struct{}

// New returns the Retire.js ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "retirejs" }

// Detect implements ingest.Ingester. It claims an object with data and
// version and Retire.js' start, time or messages, and an array of {file,
// results} (Retire.js 1).
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	switch f.Shape {
	case sniff.JSONObject:
		return f.HasAll("data", "version") && (f.Has("start") || f.Has("time") || f.Has("messages")), nil
	case sniff.JSONArray:
		return f.ElemHas("file") && f.ElemHas("results") && !f.ElemHas("filePath"), nil
	}
	return false, nil
}

type report struct {
	Version string        `json:"version"`
	Start   string        `json:"start"`
	Data    []*fileResult `json:"data"`
}

type fileResult struct {
	File    string       `json:"file"`
	Results []*component `json:"results"`
}

type component struct {
	Component       string           `json:"component"`
	Version         string           `json:"version"`
	Vulnerabilities []*vulnerability `json:"vulnerabilities"`
}

type vulnerability struct {
	Info        []string                   `json:"info"`
	Below       string                     `json:"below"`
	AtOrAbove   string                     `json:"atOrAbove"`
	Severity    string                     `json:"severity"`
	CWE         json.RawMessage            `json:"cwe"`
	Identifiers map[string]json.RawMessage `json:"identifiers"`
}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	var r report
	var err error
	if f.Shape == sniff.JSONArray {
		err = json.Unmarshal(f.Data, &r.Data)
	} else {
		err = json.Unmarshal(f.Data, &r)
	}
	if err != nil {
		return nil, sniff.DecodeError(f.Data, err)
	}
	rep := &document.Report{
		Tool:    document.Tool{Name: "retirejs", Version: r.Version},
		Created: r.Start,
	}
	for i, fr := range r.Data {
		if fr == nil {
			continue
		}
		for j, c := range fr.Results {
			if c == nil || len(c.Vulnerabilities) == 0 {
				continue
			}
			if strings.TrimSpace(c.Component) == "" {
				return nil, fmt.Errorf("data[%d].results[%d]: no component", i, j)
			}
			for _, v := range c.Vulnerabilities {
				if v != nil {
					rep.Findings = append(rep.Findings, finding(fr.File, c, v))
				}
			}
		}
	}
	return rep, nil
}

func finding(file string, c *component, v *vulnerability) document.Finding {
	ids := v.Identifiers
	cves := norm.Strings(ids["CVE"])
	ghsa := norm.TrimmedText(ids["githubID"])
	summary := norm.TrimmedText(ids["summary"])

	var rule string
	var aliases []string
	switch {
	case len(cves) > 0:
		rule, aliases = cves[0], append(aliases, cves[1:]...)
		if ghsa != "" {
			aliases = append(aliases, ghsa)
		}
	case ghsa != "":
		rule = ghsa
	default:
		rule = localID(c.Component, ids, summary)
	}

	sev, ok := document.ParseSeverity(v.Severity)
	if !ok {
		sev = document.SeverityUnknown
	}
	f := document.Finding{
		Kind:     document.KindVulnerability,
		RuleID:   rule,
		Aliases:  aliases,
		Title:    norm.FirstLine(summary),
		Severity: sev,
		Package: &document.Package{
			Name:    c.Component,
			Version: c.Version,
			Purl:    purl(c.Component, c.Version),
			Path:    file,
		},
		Origins: []document.Origin{{RuleID: rule, Severity: v.Severity}},
	}
	f.Package.Ecosystem = document.Ecosystem(f.Package.Purl)
	if f.Package.Ecosystem == "" {
		f.Package.Ecosystem = "npm"
	}
	if f.Title == "" {
		f.Title = fmt.Sprintf("Vulnerability in %s %s", c.Component, c.Version)
	}
	f.Description = describe(summary, c, v)
	for _, u := range v.Info {
		if u = strings.TrimSpace(u); u != "" {
			f.References = append(f.References, u)
		}
	}
	for _, w := range norm.Strings(v.CWE) {
		if w = norm.CWENonZero(w); w != "" {
			f.CWE = append(f.CWE, w)
		}
	}
	if b := strings.TrimSpace(v.Below); b != "" {
		f.FixedVersions = []string{b}
		f.FixState = "fixed"
	}
	return f
}

// localID names a vulnerability that has no CVE or GHSA id by what
// Retire.js knows of it: its issue or bug number, else its summary.
func localID(comp string, ids map[string]json.RawMessage, summary string) string {
	name := strings.ToLower(strings.Join(strings.Fields(comp), "-"))
	for _, key := range []string{"issue", "bug"} {
		if n := norm.TrimmedText(ids[key]); n != "" && !strings.ContainsAny(n, " /") {
			return fmt.Sprintf("retire-%s-%s", name, n)
		}
	}
	h := sha256.Sum256([]byte(strings.TrimSpace(summary)))
	return fmt.Sprintf("retire-%s-%s", name, hex.EncodeToString(h[:])[:12])
}

func describe(summary string, c *component, v *vulnerability) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(summary))
	var rng []string
	if a := strings.TrimSpace(v.AtOrAbove); a != "" {
		rng = append(rng, ">= "+a)
	}
	if below := strings.TrimSpace(v.Below); below != "" {
		rng = append(rng, "< "+below)
	}
	if len(rng) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "Affected versions of %s: %s.", c.Component, strings.Join(rng, ", "))
	}
	return b.String()
}

// purl builds pkg:npm/<component>@<version>; a scope is the namespace.
func purl(name, version string) string {
	ns, n := "", strings.TrimSpace(name)
	if strings.HasPrefix(n, "@") {
		if i := strings.IndexByte(n, '/'); i > 0 {
			ns, n = n[:i], n[i+1:]
		}
	}
	if n == "" {
		return ""
	}
	return packageurl.NewPackageURL(packageurl.TypeNPM, ns, n, version, nil, "").ToString()
}
