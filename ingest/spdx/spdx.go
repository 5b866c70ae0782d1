// Package spdx ingests SPDX 2.2 and 2.3 SBOMs, in JSON and in tag-value
// form, into components: every package of the document except the one it
// describes (the project itself), with licences, purl and the dependency
// graph its relationships draw.
package spdx

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/tagvalue"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/license"
)

// Ingester reads SPDX documents.
type Ingester struct{}

// New returns the SPDX ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "spdx" }

// supported reports whether v is an SPDX version this ingester reads.
func supported(v string) bool { return v == "SPDX-2.2" || v == "SPDX-2.3" }

// Detect implements ingest.Ingester: a JSON object with "spdxVersion", an
// SPDX 3 JSON-LD document (refused), or a tag-value document whose first
// tag is SPDXVersion.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	switch f.Shape {
	case sniff.JSONObject:
		if ctx, ok := f.Keys["@context"]; ok && bytes.Contains(ctx, []byte("spdx.org/rdf/3")) {
			return true, fmt.Errorf("%w SPDX 3 (JSON-LD); want SPDX-2.2 or SPDX-2.3", sniff.ErrUnsupported)
		}
		if !f.Has("spdxVersion") {
			return false, nil
		}
		if v := f.String("spdxVersion"); !supported(v) {
			return true, fmt.Errorf("%w SPDX version %q (want SPDX-2.2 or SPDX-2.3)", sniff.ErrUnsupported, v)
		}
		return true, nil
	case sniff.Text:
		v, ok := tagValueVersion(f.Data)
		if !ok {
			return false, nil
		}
		if !supported(v) {
			return true, fmt.Errorf("%w SPDX version %q (want SPDX-2.2 or SPDX-2.3)", sniff.ErrUnsupported, v)
		}
		return true, nil
	}
	return false, nil
}

// tagValueVersion returns the value of a tag-value document's SPDXVersion
// tag when it is the first tag (comments and blank lines aside), as the
// specification requires.
func tagValueVersion(data []byte) (string, bool) {
	if len(data) > 4096 {
		data = data[:4096]
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		v, ok := strings.CutPrefix(line, "SPDXVersion:")
		return strings.TrimSpace(v), ok
	}
	return "", false
}

// Ingest implements ingest.Ingester.
func (in *Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	if ok, err := in.Detect(f); err != nil {
		return nil, err
	} else if !ok {
		return nil, errors.New("not an SPDX 2 document (no spdxVersion)")
	}
	doc, err := read(f)
	if err != nil {
		return nil, err
	}
	return convert(doc), nil
}

// read decodes f with tools-golang, which converts 2.2 documents to its
// 2.3 model. The library's own checks (SPDXRef- prefixes, "Type: name"
// creators) make a malformed document an error; a panic in it is one too.
func read(f *sniff.File) (doc *spdx.Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("malformed SPDX document: %v", r)
		}
	}()
	if f.Shape == sniff.Text {
		doc, err = tagvalue.Read(bytes.NewReader(f.Data))
		if err != nil {
			return nil, fmt.Errorf("tag-value: %w", err)
		}
		return doc, nil
	}
	doc, err = json.Read(bytes.NewReader(f.Data))
	if err != nil {
		return nil, sniff.DecodeError(f.Data, err)
	}
	return doc, nil
}

// Relationship kinds that make one element depend on another, by the
// direction they are written in. The *_TOOL_OF kinds are included: a build
// tool is a dependency of the build. Links are dependencies too.
var (
	// A <kind> B: A depends on B.
	dependsForward = map[string]bool{
		common.TypeRelationshipDependsOn:       true,
		common.TypeRelationshipDynamicLink:     true,
		common.TypeRelationshipStaticLink:      true,
		common.TypeRelationshipHasPrerequisite: true,
	}
	// A <kind> B: B depends on A.
	dependsReverse = map[string]bool{
		common.TypeRelationshipDependencyOf:         true,
		common.TypeRelationshipBuildDependencyOf:    true,
		common.TypeRelationshipDevDependencyOf:      true,
		common.TypeRelationshipOptionalDependencyOf: true,
		common.TypeRelationshipProvidedDependencyOf: true,
		common.TypeRelationshipTestDependencyOf:     true,
		common.TypeRelationshipRuntimeDependencyOf:  true,
		common.TypeRelationshipPrerequisiteFor:      true,
		common.TypeRelationshipBuildToolOf:          true,
		common.TypeRelationshipDevToolOf:            true,
		common.TypeRelationshipTestToolOf:           true,
	}
	// Kinds that make the dependency optional: not needed to run the result.
	optionalKinds = map[string]bool{
		common.TypeRelationshipBuildDependencyOf:    true,
		common.TypeRelationshipDevDependencyOf:      true,
		common.TypeRelationshipOptionalDependencyOf: true,
		common.TypeRelationshipTestDependencyOf:     true,
		common.TypeRelationshipBuildToolOf:          true,
		common.TypeRelationshipDevToolOf:            true,
		common.TypeRelationshipTestToolOf:           true,
	}
)

// edge is one dependency: from depends on to.
type edge struct {
	from, to string
	optional bool
}

// convert maps the document to a report.
func convert(doc *spdx.Document) *document.Report {
	rep := &document.Report{Findings: []document.Finding{}, Components: []document.Component{}}
	if ci := doc.CreationInfo; ci != nil {
		rep.Created = ci.Created
		for _, c := range ci.Creators {
			if strings.EqualFold(c.CreatorType, "Tool") && c.Creator != "" {
				rep.Tool = parseTool(c.Creator)
				break
			}
		}
	}

	packages := make(map[string]bool, len(doc.Packages))
	for _, p := range doc.Packages {
		if p != nil {
			packages[common.RenderElementID(p.PackageSPDXIdentifier)] = true
		}
	}
	docID := common.RenderElementID(doc.SPDXIdentifier)
	isDoc := func(id common.DocElementID) bool {
		return id.DocumentRefID == "" && id.SpecialID == "" && common.RenderElementID(id.ElementRefID) == docID
	}

	roots := map[string]bool{}
	var edges []edge
	contains := map[[2]string]bool{}
	for _, r := range doc.Relationships {
		if r == nil || r.RefA.SpecialID != "" || r.RefB.SpecialID != "" {
			continue
		}
		a, b := common.RenderDocElementID(r.RefA), common.RenderDocElementID(r.RefB)
		switch kind := strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(r.Relationship)), "-", "_"); {
		case kind == common.TypeRelationshipDescribe && isDoc(r.RefA) && packages[b]:
			roots[b] = true
		case kind == common.TypeRelationshipDescribeBy && isDoc(r.RefB) && packages[a]:
			roots[a] = true
		case kind == common.TypeRelationshipContains:
			contains[[2]string{a, b}] = true
		case kind == common.TypeRelationshipContainedBy:
			contains[[2]string{b, a}] = true
		case dependsForward[kind]:
			edges = append(edges, edge{from: a, to: b, optional: optionalKinds[kind]})
		case dependsReverse[kind]:
			edges = append(edges, edge{from: b, to: a, optional: optionalKinds[kind]})
		}
	}

	dependsOn := map[string][]string{}
	direct := map[string]bool{}
	for _, e := range edges {
		dependsOn[e.from] = append(dependsOn[e.from], e.to)
		if roots[e.from] {
			direct[e.to] = true
		}
	}
	for pair := range contains {
		if roots[pair[0]] {
			direct[pair[1]] = true
		}
	}
	scopes := scopes(roots, edges)

	// The described package is the project itself, as CycloneDX's
	// metadata.component is: it is left out, unless it is all the document
	// lists (an SBOM of one package still names that package).
	skipRoots := len(roots) > 0 && len(roots) < len(packages)
	for _, p := range doc.Packages {
		if p == nil {
			continue
		}
		ref := common.RenderElementID(p.PackageSPDXIdentifier)
		if len(roots) == 1 && roots[ref] {
			// The one package the document describes is its subject.
			c := component(p, ref, nil, false, "")
			rep.Subject = &document.Subject{Name: c.Name, Version: strings.TrimSpace(c.Version), Purl: c.Purl}
		}
		if skipRoots && roots[ref] {
			continue
		}
		rep.Components = append(rep.Components, component(p, ref, dependsOn[ref], direct[ref], scopes[ref]))
	}
	return rep
}

// scopes gives every package that something depends on its scope:
// "required" when a chain of required dependencies leads to it from a root,
// "optional" when it is reached from a root only through an optional
// (dev, test, build, optional) dependency. Packages no root reaches take
// the scope of the relationships that point at them: required when any
// does not say optional.
func scopes(roots map[string]bool, edges []edge) map[string]string {
	out := map[string]string{}
	for _, e := range edges {
		if !e.optional {
			out[e.to] = "required"
		} else if out[e.to] == "" {
			out[e.to] = "optional"
		}
	}
	if len(roots) == 0 {
		return out
	}
	next := map[string][]edge{}
	for _, e := range edges {
		next[e.from] = append(next[e.from], e)
	}
	reach := func(requiredOnly bool) map[string]bool {
		seen := map[string]bool{}
		var queue []string
		for r := range roots {
			seen[r] = true
			queue = append(queue, r)
		}
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			for _, e := range next[n] {
				if (requiredOnly && e.optional) || seen[e.to] {
					continue
				}
				seen[e.to] = true
				queue = append(queue, e.to)
			}
		}
		return seen
	}
	required, reached := reach(true), reach(false)
	for ref := range out {
		switch {
		case required[ref]:
			out[ref] = "required"
		case reached[ref]:
			out[ref] = "optional"
		}
	}
	return out
}

// component maps one package.
func component(p *spdx.Package, ref string, deps []string, direct bool, scope string) document.Component {
	c := document.Component{
		BOMRef:    ref,
		Type:      "library",
		Name:      strings.TrimSpace(p.PackageName),
		Version:   p.PackageVersion,
		Licenses:  []string{},
		DependsOn: deps,
		Direct:    direct,
		Scope:     scope,
	}
	if c.DependsOn == nil {
		c.DependsOn = []string{}
	}
	if purpose := strings.TrimSpace(p.PrimaryPackagePurpose); purpose != "" {
		c.Type = strings.ToLower(purpose)
	}
	for _, r := range p.PackageExternalReferences {
		if r == nil {
			continue
		}
		cat := strings.ReplaceAll(strings.ToUpper(r.Category), "_", "-")
		if cat == "PACKAGE-MANAGER" && strings.EqualFold(r.RefType, "purl") && r.Locator != "" {
			c.Purl = strings.TrimSpace(r.Locator)
			break
		}
	}
	// The name is mandatory in SPDX, but a document may still leave it
	// empty; the SPDXID always identifies the package.
	if c.Name == "" {
		c.Name = ref
	}
	// The concluded licence is the considered one; the declared one stands
	// in when nothing was concluded. A field that is no well-formed SPDX
	// expression is kept whole in Licenses but is no expression.
	for _, l := range []string{licenseValue(p.PackageLicenseConcluded), licenseValue(p.PackageLicenseDeclared)} {
		if l == "" {
			continue
		}
		ids, ok := license.IDs(l)
		if !ok {
			c.Licenses = append(c.Licenses, l)
			continue
		}
		c.Licenses = append(c.Licenses, ids...)
		if c.LicenseExpression == "" {
			c.LicenseExpression = l
		}
	}
	return c
}

// licenseValue returns a licence field's expression, or "" when it says
// NOASSERTION or NONE (no licence information, not a licence).
func licenseValue(s string) string {
	s = strings.TrimSpace(s)
	switch strings.ToUpper(s) {
	case "NOASSERTION", "NONE":
		return ""
	}
	return s
}

// parseTool splits a creator "Tool: name-version" into name and version:
// the version is what follows the last "-" when it starts with a digit or
// "v" and a digit, or is "dev" (trivy's development builds write
// "trivy-dev").
func parseTool(s string) document.Tool {
	s = strings.TrimSpace(s)
	i := strings.LastIndexByte(s, '-')
	if i <= 0 || i+1 >= len(s) {
		return document.Tool{Name: s}
	}
	v := s[i+1:]
	digit := func(b byte) bool { return b >= '0' && b <= '9' }
	if digit(v[0]) || (len(v) > 1 && v[0] == 'v' && digit(v[1])) || v == "dev" {
		return document.Tool{Name: s[:i], Version: v}
	}
	return document.Tool{Name: s}
}
