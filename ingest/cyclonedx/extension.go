package cyclonedx

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/secgate/secgate/document"
)

// extNamespace is the namespace of the vulnerability extension that XML
// BOMs of schema 1.x used before 1.4 gave vulnerabilities a section of
// their own (grype 0.11 writes it). cyclonedx-go does not read it.
const extNamespace = "http://cyclonedx.org/schema/ext/vulnerability/1.0"

// extBOM is the part of an XML BOM the extension lives in: vulnerability
// lists inside components (the usual place) or at the top level, with a
// ref to the component.
type extBOM struct {
	Components []extComponent `xml:"components>component"`
	Vulns      []extVuln      `xml:"http://cyclonedx.org/schema/ext/vulnerability/1.0 vulnerabilities>vulnerability"`
}

type extComponent struct {
	BOMRef     string         `xml:"bom-ref,attr"`
	Name       string         `xml:"name"`
	Version    string         `xml:"version"`
	Purl       string         `xml:"purl"`
	Vulns      []extVuln      `xml:"http://cyclonedx.org/schema/ext/vulnerability/1.0 vulnerabilities>vulnerability"`
	Components []extComponent `xml:"components>component"`
}

type extVuln struct {
	Ref    string `xml:"ref,attr"`
	ID     string `xml:"id"`
	Source struct {
		Name string `xml:"name,attr"`
		URL  string `xml:"url"`
	} `xml:"source"`
	Ratings []struct {
		Score struct {
			Base string `xml:"base"`
		} `xml:"score"`
		Severity string `xml:"severity"`
		Method   string `xml:"method"`
		Vector   string `xml:"vector"`
	} `xml:"ratings>rating"`
	CWEs            []string `xml:"cwes>cwe"`
	Description     string   `xml:"description"`
	Recommendations []string `xml:"recommendations>recommendation"`
	Advisories      []string `xml:"advisories>advisory"`
}

// extensionFindings reads the vulnerability extension of an XML BOM: one
// finding per v:vulnerability, its package the component it sits in (or,
// at the top level, the component its ref names).
func extensionFindings(data []byte) ([]document.Finding, error) {
	var bom extBOM
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&bom); err != nil {
		return nil, err
	}
	var out []document.Finding
	byRef := map[string]*extComponent{}
	var stack []*extComponent
	push := func(list []extComponent) {
		for i := len(list) - 1; i >= 0; i-- {
			stack = append(stack, &list[i])
		}
	}
	push(bom.Components)
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c.BOMRef != "" {
			byRef[c.BOMRef] = c
		}
		for i := range c.Vulns {
			if f, ok := extFinding(&c.Vulns[i], c); ok {
				out = append(out, f)
			}
		}
		push(c.Components)
	}
	for i := range bom.Vulns {
		if f, ok := extFinding(&bom.Vulns[i], byRef[strings.TrimSpace(bom.Vulns[i].Ref)]); ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// extFinding maps one extension vulnerability found in component c (nil
// when unknown). ok is false when it has no id.
func extFinding(v *extVuln, c *extComponent) (document.Finding, bool) {
	id := strings.TrimSpace(v.ID)
	if id == "" {
		return document.Finding{}, false
	}
	var recs []string
	for _, r := range v.Recommendations {
		recs = append(recs, recommendation(r))
	}
	f := document.Finding{
		Kind:        document.KindVulnerability,
		RuleID:      id,
		Description: joinText(append([]string{v.Description}, recs...)...),
		References:  appendURL(nil, v.Source.URL),
	}
	for _, a := range v.Advisories {
		f.References = appendURL(f.References, a)
	}
	for _, cwe := range v.CWEs {
		cwe = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(cwe)), "CWE-")
		if n, err := strconv.Atoi(cwe); err == nil && n > 0 {
			f.CWE = append(f.CWE, "CWE-"+strconv.Itoa(n))
		}
	}
	source := strings.TrimSpace(v.Source.Name)
	var ratings []rating
	for _, r := range v.Ratings {
		rt := rating{severity: strings.TrimSpace(r.Severity), method: strings.TrimSpace(r.Method), vector: strings.TrimSpace(r.Vector)}
		if s, err := strconv.ParseFloat(strings.TrimSpace(r.Score.Base), 64); err == nil {
			rt.score = s
		}
		ratings = append(ratings, rt)
	}
	raw := scored(&f, source, ratings)
	f.Origins = []document.Origin{{RuleID: id, Severity: raw}}
	if c != nil {
		f.Package = &document.Package{
			Name:    strings.TrimSpace(c.Name),
			Version: strings.TrimSpace(c.Version),
			Purl:    strings.TrimSpace(c.Purl),
		}
	}
	return f, true
}
