// Package cyclonedx ingests CycloneDX BOMs (JSON 1.2–1.7, XML 1.0–1.7):
// every component, nested ones included, with licences and the dependency
// graph, and the vulnerabilities the BOM carries, both the native
// vulnerabilities section (1.4+) and the older vulnerability extension of
// 1.x XML BOMs.
package cyclonedx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/license"
)

// Ingester reads CycloneDX BOMs.
type Ingester struct{}

// New returns the CycloneDX ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "cyclonedx" }

// bomNamespace is the start of every CycloneDX XML namespace; the spec
// version follows it.
const bomNamespace = "http://cyclonedx.org/schema/bom/"

// Detect implements ingest.Ingester: a JSON object whose bomFormat is
// "CycloneDX" (spec 1.2–1.7), or an XML document whose root is <bom> in a
// CycloneDX namespace (1.0–1.7).
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	switch f.Shape {
	case sniff.JSONObject:
		if f.String("bomFormat") != "CycloneDX" {
			return false, nil
		}
		switch v := f.Number("specVersion"); v {
		case "1.2", "1.3", "1.4", "1.5", "1.6", "1.7":
			return true, nil
		default:
			return true, fmt.Errorf("%w CycloneDX JSON specVersion %q (want 1.2 to 1.7)", sniff.ErrUnsupported, v)
		}
	case sniff.XML:
		if f.Root.Local != "bom" {
			return false, nil
		}
		ns := f.Root.Space
		if !strings.Contains(ns, ":") {
			// A prefixed root (<cdx:bom xmlns:cdx="…">): sniff leaves the
			// prefix; resolve it from the root element itself.
			ns = rootNamespace(f.Data)
		}
		v, ok := strings.CutPrefix(ns, bomNamespace)
		if !ok {
			return false, nil
		}
		switch v {
		case "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7":
			return true, nil
		default:
			return true, fmt.Errorf("%w CycloneDX XML schema version %q (want 1.0 to 1.7)", sniff.ErrUnsupported, v)
		}
	}
	return false, nil
}

// rootNamespace returns the resolved namespace of an XML document's root
// element, reading no further than the root's start tag.
func rootNamespace(data []byte) string {
	d := xml.NewDecoder(bytes.NewReader(data))
	for n := 0; n < 1000; n++ {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Space
		}
	}
	return ""
}

// Ingest implements ingest.Ingester.
func (in *Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	if ok, err := in.Detect(f); err != nil {
		return nil, err
	} else if !ok {
		return nil, errors.New("not a CycloneDX BOM (no bomFormat \"CycloneDX\" or <bom> in a CycloneDX namespace)")
	}
	bom, err := decode(f)
	if err != nil {
		return nil, err
	}
	b := newBuilder(bom)
	rep := &document.Report{
		Tool:       b.tool(),
		Findings:   []document.Finding{},
		Components: b.components(),
	}
	if bom.Metadata != nil {
		rep.Created = strings.TrimSpace(bom.Metadata.Timestamp)
	}
	rep.Subject = b.subject()
	rep.Serial = strings.TrimSpace(bom.SerialNumber)
	if isVEX(bom, rep.Components) {
		// A VEX BOM: statements about products described elsewhere, which
		// set the status of other reports' findings; no findings of its own.
		for i := range *bom.Vulnerabilities {
			rep.Statements = append(rep.Statements, b.statements(&(*bom.Vulnerabilities)[i], rep.Created)...)
		}
		return rep, nil
	}
	if bom.Vulnerabilities != nil {
		for i := range *bom.Vulnerabilities {
			rep.Findings = append(rep.Findings, b.findings(&(*bom.Vulnerabilities)[i])...)
		}
	}
	if f.Shape == sniff.XML && bytes.Contains(f.Data, []byte(extNamespace)) {
		ext, err := extensionFindings(f.Data)
		if err != nil {
			return nil, err
		}
		rep.Findings = append(rep.Findings, ext...)
	}
	return rep, nil
}

// decode reads the BOM with cyclonedx-go. The library reads every XML
// version alike (its struct tags name elements without namespaces), so
// 1.0 and 1.1 BOMs decode too. A panic in it is reported as an error.
func decode(f *sniff.File) (bom *cdx.BOM, err error) {
	defer func() {
		if r := recover(); r != nil {
			bom, err = nil, fmt.Errorf("malformed CycloneDX BOM: %v", r)
		}
	}()
	format := cdx.BOMFileFormatJSON
	if f.Shape == sniff.XML {
		format = cdx.BOMFileFormatXML
	}
	bom = new(cdx.BOM)
	if format == cdx.BOMFileFormatXML && bytes.Contains(f.Data, []byte(extNamespace)) {
		// cyclonedx-go matches elements by local name only, so it would
		// read the extension's top-level <v:vulnerabilities> as native
		// ones; extensionFindings reads those. Decode into the library's
		// types without the extension's elements.
		d := xml.NewTokenDecoder(&skipNamespace{d: xml.NewDecoder(bytes.NewReader(f.Data)), space: extNamespace})
		if err := d.Decode(bom); err != nil {
			return nil, err
		}
		return bom, nil
	}
	if err := cdx.NewBOMDecoder(bytes.NewReader(f.Data), format).Decode(bom); err != nil {
		if format == cdx.BOMFileFormatJSON {
			return nil, sniff.DecodeError(f.Data, err)
		}
		return nil, err
	}
	return bom, nil
}

// skipNamespace passes on an XML document's tokens without the elements
// (and their content) of one namespace.
type skipNamespace struct {
	d     *xml.Decoder
	space string
}

// Token implements xml.TokenReader.
func (s *skipNamespace) Token() (xml.Token, error) {
	for {
		tok, err := s.d.Token()
		if err != nil {
			return tok, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Space == s.space {
			if err := s.d.Skip(); err != nil {
				return nil, err
			}
			continue
		}
		return xml.CopyToken(tok), nil
	}
}

// builder holds what mapping one BOM needs: the root, the dependency graph
// and every component by bom-ref.
type builder struct {
	bom *cdx.BOM
	// rootRef is the bom-ref of metadata.component, the project itself.
	rootRef string
	// graph maps a bom-ref to the bom-refs it depends on.
	graph map[string][]string
	// byRef maps a bom-ref to its component, the root included.
	byRef map[string]*cdx.Component
}

func newBuilder(bom *cdx.BOM) *builder {
	b := &builder{bom: bom, graph: map[string][]string{}, byRef: map[string]*cdx.Component{}}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		b.rootRef = bom.Metadata.Component.BOMRef
	}
	if bom.Dependencies != nil {
		for _, d := range *bom.Dependencies {
			if d.Ref == "" || d.Dependencies == nil {
				continue
			}
			b.graph[d.Ref] = append(b.graph[d.Ref], *d.Dependencies...)
		}
	}
	walk(bom, func(c *cdx.Component, _ bool) {
		if c.BOMRef != "" {
			if _, dup := b.byRef[c.BOMRef]; !dup {
				b.byRef[c.BOMRef] = c
			}
		}
	})
	return b
}

// walk calls fn on every component of the BOM in document order, parents
// before their nested components: metadata.component (root true) and its
// nested components first, then the components list. It keeps its own
// stack so that deep nesting cannot exhaust the goroutine's.
func walk(bom *cdx.BOM, fn func(c *cdx.Component, root bool)) {
	var stack []*cdx.Component
	push := func(list *[]cdx.Component) {
		if list == nil {
			return
		}
		for i := len(*list) - 1; i >= 0; i-- {
			stack = append(stack, &(*list)[i])
		}
	}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		fn(bom.Metadata.Component, true)
		push(bom.Metadata.Component.Components)
	}
	push(bom.Components)
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		fn(c, false)
		push(c.Components)
	}
}

// tool names the program that wrote the BOM. Generators list the libraries
// they are built on before themselves (cyclonedx-npm lists npm and
// cyclonedx-library first), so the last tool that is not a library is the
// writer; failing that, the first tool.
func (b *builder) tool() document.Tool {
	md := b.bom.Metadata
	if md == nil || md.Tools == nil {
		return document.Tool{}
	}
	type cand struct {
		name, version string
		library       bool
	}
	var cands []cand
	if md.Tools.Tools != nil {
		for _, t := range *md.Tools.Tools {
			n := strings.ToLower(t.Name)
			cands = append(cands, cand{t.Name, t.Version, strings.HasSuffix(n, "-library") || strings.HasSuffix(n, "-lib")})
		}
	}
	if md.Tools.Components != nil {
		for _, c := range *md.Tools.Components {
			cands = append(cands, cand{c.Name, c.Version, c.Type == cdx.ComponentTypeLibrary})
		}
	}
	if md.Tools.Services != nil {
		for _, s := range *md.Tools.Services {
			cands = append(cands, cand{s.Name, s.Version, false})
		}
	}
	cands = dropEmpty(cands, func(c cand) bool { return strings.TrimSpace(c.name) == "" })
	if len(cands) == 0 {
		return document.Tool{}
	}
	pick := cands[0]
	for i := len(cands) - 1; i >= 0; i-- {
		if !cands[i].library {
			pick = cands[i]
			break
		}
	}
	return document.Tool{Name: strings.TrimSpace(pick.name), Version: strings.TrimSpace(pick.version)}
}

func dropEmpty[T any](s []T, empty func(T) bool) []T {
	out := s[:0]
	for _, v := range s {
		if !empty(v) {
			out = append(out, v)
		}
	}
	return out
}

// components flattens the BOM's components. metadata.component is the
// project the BOM describes, not one of its parts, so it is left out; its
// bom-ref is the root of the dependency graph, and what the root depends
// on directly is Direct. Generators such as Trivy put the project's
// manifests between the two (root → application "package-lock.json" →
// libraries): what such an application component depends on is direct
// too, and the application itself as well.
func (b *builder) components() []document.Component {
	out := []document.Component{}
	direct := map[string]bool{}
	types := map[string]cdx.ComponentType{}
	walk(b.bom, func(c *cdx.Component, _ bool) {
		if c.BOMRef != "" {
			types[c.BOMRef] = c.Type
		}
	})
	if b.rootRef != "" {
		seen := map[string]bool{b.rootRef: true}
		queue := []string{b.rootRef}
		for len(queue) > 0 {
			ref := queue[0]
			queue = queue[1:]
			for _, dep := range b.graph[ref] {
				direct[dep] = true
				if !seen[dep] && types[dep] == cdx.ComponentTypeApplication {
					seen[dep] = true
					queue = append(queue, dep)
				}
			}
		}
	}
	walk(b.bom, func(c *cdx.Component, root bool) {
		if root || (b.rootRef != "" && c.BOMRef == b.rootRef) {
			return
		}
		dc, ok := component(c)
		if !ok {
			return
		}
		dc.Direct = c.BOMRef != "" && direct[c.BOMRef]
		if c.BOMRef != "" {
			dc.DependsOn = append(dc.DependsOn, b.graph[c.BOMRef]...)
		}
		out = append(out, dc)
	})
	return out
}

// component maps one component. ok is false for a component with neither
// name, purl nor bom-ref: nothing identifies it, so it is skipped.
func component(c *cdx.Component) (document.Component, bool) {
	dc := document.Component{
		BOMRef:    c.BOMRef,
		Type:      string(c.Type),
		Name:      strings.TrimSpace(c.Name),
		Group:     strings.TrimSpace(c.Group),
		Version:   strings.TrimSpace(c.Version),
		Purl:      strings.TrimSpace(c.PackageURL),
		Scope:     string(c.Scope),
		Licenses:  []string{},
		DependsOn: []string{},
	}
	if dc.Name == "" {
		// The schema requires a name; without one, fall back on the purl's
		// name, then on the bom-ref, which at least identify it.
		if u, err := packageurl.FromString(dc.Purl); err == nil && u.Name != "" {
			dc.Name = u.Name
		} else {
			dc.Name = strings.TrimSpace(c.BOMRef)
		}
	}
	if dc.Name == "" {
		return dc, false
	}
	if dc.Scope == "" && isDevelopment(c) {
		// cyclonedx-npm marks dev dependencies with a property of the
		// CycloneDX taxonomy rather than a scope; what is only needed to
		// develop is optional at run time.
		dc.Scope = string(cdx.ScopeOptional)
	}
	dc.Licenses, dc.LicenseExpression = licenses(c.Licenses)
	return dc, true
}

// isDevelopment reports whether a component carries the cdx:npm taxonomy's
// development-dependency property.
func isDevelopment(c *cdx.Component) bool {
	if c.Properties == nil {
		return false
	}
	for _, p := range *c.Properties {
		if p.Name == "cdx:npm:package:development" && strings.EqualFold(strings.TrimSpace(p.Value), "true") {
			return true
		}
	}
	return false
}

// licenses returns a component's licences as written (each licence's SPDX
// id, or its name when it has none; the ids of an expression) and its
// licence expression.
//
// The expression is the one the BOM states. When the BOM lists licences
// instead, CycloneDX does not say whether a list means all of them apply
// or any one does (CycloneDX/specification#349); secgate reads it as
// "all apply", the reading that never understates obligations, and joins
// the ids with AND. A licence known only by name has no place in an SPDX
// expression, and an expression without it would understate what applies,
// so a list with a named licence gives no expression.
func licenses(ls *cdx.Licenses) (ids []string, expr string) {
	ids = []string{}
	if ls == nil {
		return ids, ""
	}
	var exprs, concluded, spdxIDs []string
	named := false
	for _, l := range *ls {
		if e := strings.TrimSpace(l.Expression); e != "" {
			eids, ok := license.IDs(e)
			if !ok {
				// Not an SPDX expression ("BSD License", as jake writes
				// classifiers): a licence named, as a name would be.
				ids = append(ids, e)
				named = true
				continue
			}
			exprs = append(exprs, e)
			if l.Acknowledgement != nil && *l.Acknowledgement == cdx.LicenseAcknowledgementConcluded {
				concluded = append(concluded, e)
			}
			ids = append(ids, eids...)
			continue
		}
		if l.License == nil {
			continue
		}
		switch id, name := strings.TrimSpace(l.License.ID), strings.TrimSpace(l.License.Name); {
		case id != "":
			ids = append(ids, id)
			spdxIDs = append(spdxIDs, id)
		case name != "":
			ids = append(ids, name)
			named = true
		}
	}
	switch {
	case len(concluded) > 0:
		// A 1.6 BOM may state both what was declared and what was
		// concluded; the conclusion is the considered one.
		return ids, joinAnd(concluded)
	case named:
		return ids, ""
	}
	terms := exprs
	for _, id := range spdxIDs {
		if !slices.Contains(terms, id) {
			terms = append(terms, id)
		}
	}
	if len(terms) == 0 {
		return ids, ""
	}
	return ids, joinAnd(terms)
}

// joinAnd joins licence expressions with AND, parenthesising compound ones.
func joinAnd(exprs []string) string {
	if len(exprs) == 1 {
		return exprs[0]
	}
	parts := make([]string, len(exprs))
	for i, e := range exprs {
		if strings.ContainsAny(e, " \t") && !(strings.HasPrefix(e, "(") && strings.HasSuffix(e, ")")) {
			e = "(" + e + ")"
		}
		parts[i] = e
	}
	return strings.Join(parts, " AND ")
}

// cvssVersions maps CycloneDX scoring methods to CVSS versions; the other
// methods (OWASP, SSVC, other) are no CVSS.
var cvssVersions = map[string]string{
	"cvssv2":  "2.0",
	"cvssv3":  "3.0",
	"cvssv31": "3.1",
	"cvssv4":  "4.0",
}

// rating is one stated rating, in whatever form the BOM gave it.
type rating struct {
	source, severity, method, vector string
	score                            float64
}

// scored applies the stated ratings to f: Scores, CVSS, Severity, and the
// raw severity for the origin. vulnSource is the vulnerability's own
// source: the rating from that source is the tool's verdict (trivy rates a
// Ubuntu package's CVE by Ubuntu's severity and lists NVD's beside it).
func scored(f *document.Finding, vulnSource string, ratings []rating) (raw string) {
	for _, r := range ratings {
		src := r.source
		if src == "" {
			src = vulnSource
		}
		version, ok := cvssVersions[strings.ToLower(r.method)]
		if !ok && r.vector == "" {
			continue
		}
		if c, ok := document.NewCVSS(src, version, r.score, r.vector); ok && c.Version != "" {
			f.Scores = append(f.Scores, c)
		}
	}
	f.CVSS = document.BestCVSS(f.Scores, vulnSource, "nvd")

	stated := func(r rating) (document.Severity, bool) {
		s, ok := document.ParseSeverity(r.severity)
		return s, ok && s != document.SeverityUnknown
	}
	// The rating from the vulnerability's source, then one with no source
	// (the tool's own), then the worst stated.
	for _, r := range ratings {
		if vulnSource != "" && strings.EqualFold(r.source, vulnSource) {
			if s, ok := stated(r); ok {
				f.Severity = s
				return r.severity
			}
		}
	}
	for _, r := range ratings {
		if r.source == "" {
			if s, ok := stated(r); ok {
				f.Severity = s
				return r.severity
			}
		}
	}
	for _, r := range ratings {
		if s, ok := stated(r); ok && s.Rank() > f.Severity.Rank() {
			f.Severity, raw = s, r.severity
		}
	}
	if raw != "" {
		return raw
	}
	if f.CVSS != nil {
		f.Severity = document.SeverityFromScore(f.CVSS.Score)
		return strconv.FormatFloat(f.CVSS.Score, 'f', -1, 64)
	}
	f.Severity = document.SeverityUnknown
	for _, r := range ratings {
		if r.severity != "" {
			return r.severity
		}
	}
	return ""
}

// vulnID returns a vulnerability's id and the ids of its references,
// trimmed; without an id, the first reference's id stands in for it.
func vulnID(v *cdx.Vulnerability) (string, []string) {
	id := strings.TrimSpace(v.ID)
	var aliases []string
	if v.References != nil {
		for _, r := range *v.References {
			if a := strings.TrimSpace(r.ID); a != "" {
				aliases = append(aliases, a)
			}
		}
	}
	if id == "" && len(aliases) > 0 {
		id, aliases = aliases[0], aliases[1:]
	}
	return id, aliases
}

// findings maps one vulnerability of the native section: one finding per
// affected component, or one without a package when none is named.
func (b *builder) findings(v *cdx.Vulnerability) []document.Finding {
	id, aliases := vulnID(v)
	if id == "" {
		id = strings.TrimSpace(v.BOMRef)
	}
	if id == "" {
		// Nothing names the vulnerability: no finding can be stated about it.
		return nil
	}
	f := document.Finding{
		Kind:        document.KindVulnerability,
		RuleID:      id,
		Aliases:     aliases,
		Description: joinText(v.Description, v.Detail, recommendation(v.Recommendation), workaround(v.Workaround)),
	}
	vulnSource := ""
	if v.Source != nil {
		vulnSource = strings.TrimSpace(v.Source.Name)
		f.References = appendURL(f.References, v.Source.URL)
	}
	if v.References != nil {
		for _, r := range *v.References {
			if r.Source != nil {
				f.References = appendURL(f.References, r.Source.URL)
			}
		}
	}
	if v.Advisories != nil {
		for _, a := range *v.Advisories {
			f.References = appendURL(f.References, a.URL)
		}
	}
	if v.CWEs != nil {
		for _, c := range *v.CWEs {
			if c > 0 {
				f.CWE = append(f.CWE, "CWE-"+strconv.Itoa(c))
			}
		}
	}
	var ratings []rating
	if v.Ratings != nil {
		for _, r := range *v.Ratings {
			rt := rating{severity: string(r.Severity), method: string(r.Method), vector: r.Vector}
			if r.Source != nil {
				rt.source = strings.TrimSpace(r.Source.Name)
			}
			if r.Score != nil {
				rt.score = *r.Score
			}
			ratings = append(ratings, rt)
		}
	}
	raw := scored(&f, vulnSource, ratings)
	f.Origins = []document.Origin{{RuleID: id, Severity: raw}}
	applyAnalysis(&f, v.Analysis)

	var out []document.Finding
	seen := map[string]bool{}
	if v.Affects != nil {
		for _, a := range *v.Affects {
			ref := strings.TrimSpace(a.Ref)
			if ref == "" || seen[ref] {
				continue
			}
			seen[ref] = true
			g := clone(f)
			g.Package = b.resolve(ref)
			if a.Range != nil {
				for _, av := range *a.Range {
					if av.Status == cdx.VulnerabilityStatusNotAffected && strings.TrimSpace(av.Version) != "" {
						g.FixedVersions = append(g.FixedVersions, strings.TrimSpace(av.Version))
					}
				}
			}
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		out = append(out, f)
	}
	return out
}

// clone copies a finding deeply enough that findings for several affected
// components share no slice.
func clone(f document.Finding) document.Finding {
	g := f
	g.Aliases = append([]string(nil), f.Aliases...)
	g.CWE = append([]string(nil), f.CWE...)
	g.References = append([]string(nil), f.References...)
	g.Tags = append([]string(nil), f.Tags...)
	g.Scores = append([]document.CVSS(nil), f.Scores...)
	g.FixedVersions = append([]string(nil), f.FixedVersions...)
	g.Origins = append([]document.Origin(nil), f.Origins...)
	if f.CVSS != nil {
		c := *f.CVSS
		g.CVSS = &c
	}
	if f.StatusReason != nil {
		s := *f.StatusReason
		g.StatusReason = &s
	}
	return g
}

// isVEX reports whether a BOM is a CycloneDX VEX document: it lists no
// components of its own, and every vulnerability carries an analysis.
func isVEX(bom *cdx.BOM, components []document.Component) bool {
	if bom.Vulnerabilities == nil || len(*bom.Vulnerabilities) == 0 || len(components) > 0 {
		return false
	}
	for _, v := range *bom.Vulnerabilities {
		if v.Analysis == nil || v.Analysis.State == "" {
			return false
		}
	}
	return true
}

// statements turns one analysed vulnerability of a VEX BOM into VEX
// statements about the products it affects, with the status its analysis
// state says (see analysisStates).
func (b *builder) statements(v *cdx.Vulnerability, created string) []document.Statement {
	id, aliases := vulnID(v)
	if id == "" {
		return nil
	}
	a := readAnalysis(v.Analysis)
	st := document.Statement{
		Vulnerability:   id,
		Aliases:         aliases,
		Status:          a.vex,
		Justification:   a.justification,
		ImpactStatement: strings.TrimSpace(v.Analysis.Detail),
		Timestamp:       norm.FirstNonEmpty(strings.TrimSpace(v.Analysis.LastUpdated), strings.TrimSpace(v.Updated), strings.TrimSpace(v.Published), created),
	}
	if v.Affects != nil {
		for _, a := range *v.Affects {
			if p, ok := b.product(strings.TrimSpace(a.Ref)); ok {
				st.Products = append(st.Products, p)
			}
		}
	}
	return []document.Statement{st}
}

// subject is the BOM's own component (metadata.component): what the BOM
// describes, or, in a VEX BOM, the product its statements are about.
func (b *builder) subject() *document.Subject {
	if b.bom.Metadata == nil || b.bom.Metadata.Component == nil {
		return nil
	}
	c := b.bom.Metadata.Component
	s := &document.Subject{Name: strings.TrimSpace(c.Name), Version: strings.TrimSpace(c.Version), Purl: strings.TrimSpace(c.PackageURL)}
	if g := strings.TrimSpace(c.Group); g != "" && s.Name != "" {
		s.Name = g + "/" + s.Name
	}
	if s.Name == "" && s.Purl == "" {
		return nil
	}
	return s
}

// product turns an affects ref of a VEX BOM into the product a statement
// is about. A BOM-Link (urn:cdx:serial/version#ref) is kept as written:
// the document resolves it against the BOM it names. A ref to the BOM's
// own component is that product; any other ref, in a BOM that names its
// own component, is a subcomponent of it; in a BOM that does not, the
// component (its purl) is the product.
func (b *builder) product(ref string) (document.Product, bool) {
	if ref == "" {
		return document.Product{}, false
	}
	if strings.HasPrefix(ref, "urn:cdx:") {
		return document.Product{ID: ref}, true
	}
	id := ref
	if p := b.resolve(ref); p != nil && p.Purl != "" {
		id = p.Purl
	}
	root := b.subject()
	if root == nil {
		return document.Product{ID: id}, true
	}
	rootID := norm.FirstNonEmpty(root.Purl, root.Name)
	if ref == b.rootRef || id == root.Purl {
		return document.Product{ID: rootID}, true
	}
	return document.Product{ID: rootID, Subcomponents: []string{id}}, true
}

// analysisState is what one CycloneDX analysis state says: the VEX status
// of a statement in a VEX BOM, and the status of a finding the analysis is
// attached to ("" leaves the finding open).
type analysisState struct {
	vex     string
	finding document.Status
}

// analysisStates maps CycloneDX analysis states: not_affected and
// false_positive say not_affected, resolved (with or without pedigree)
// says fixed; exploitable says affected and in_triage under_investigation,
// and both leave a finding open. A state not listed (or none) reads as
// in_triage.
var analysisStates = map[cdx.ImpactAnalysisState]analysisState{
	cdx.IASNotAffected:          {document.VEXNotAffected, document.StatusNotAffected},
	cdx.IASFalsePositive:        {document.VEXNotAffected, document.StatusNotAffected},
	cdx.IASResolved:             {document.VEXFixed, document.StatusFixed},
	cdx.IASResolvedWithPedigree: {document.VEXFixed, document.StatusFixed},
	cdx.IASExploitable:          {document.VEXAffected, ""},
	cdx.IASInTriage:             {document.VEXUnderInvestigation, ""},
}

// analysis is an analysis read through analysisStates, with the
// justification it gives: its own, else "false_positive" for that state.
type analysis struct {
	analysisState
	justification string
}

func readAnalysis(a *cdx.VulnerabilityAnalysis) analysis {
	st, ok := analysisStates[a.State]
	if !ok {
		st = analysisStates[cdx.IASInTriage]
	}
	out := analysis{analysisState: st, justification: string(a.Justification)}
	if out.justification == "" && a.State == cdx.IASFalsePositive {
		out.justification = string(cdx.IASFalsePositive)
	}
	return out
}

// applyAnalysis sets the status a VEX analysis states (see
// analysisStates); a state that leaves the finding open changes nothing.
func applyAnalysis(f *document.Finding, a *cdx.VulnerabilityAnalysis) {
	if a == nil {
		return
	}
	st := readAnalysis(a)
	if st.finding == "" {
		return
	}
	f.Status = st.finding
	f.StatusReason = &document.StatusNote{By: "vex", Justification: st.justification, Statement: strings.TrimSpace(a.Detail)}
}

// resolve turns an affects ref into the package it names: a component of
// this BOM by bom-ref; for a BOM-Link (urn:cdx:serial/version#ref) the ref
// after "#"; a ref that is itself a purl; else just the ref as a name.
func (b *builder) resolve(ref string) *document.Package {
	if c, ok := b.byRef[ref]; ok {
		return pkg(c, ref)
	}
	if strings.HasPrefix(ref, "urn:cdx:") {
		if i := strings.IndexByte(ref, '#'); i >= 0 {
			frag := ref[i+1:]
			if u, err := url.PathUnescape(frag); err == nil && !strings.HasPrefix(frag, "pkg:") {
				frag = u
			}
			if c, ok := b.byRef[frag]; ok {
				return pkg(c, frag)
			}
			ref = frag
		}
	}
	if u, err := packageurl.FromString(ref); err == nil && strings.HasPrefix(ref, "pkg:") {
		name := u.Name
		if name == "" {
			name = ref
		}
		return &document.Package{Name: name, Version: u.Version, Purl: ref}
	}
	return &document.Package{Name: ref}
}

// pkg is the package a component is.
func pkg(c *cdx.Component, ref string) *document.Package {
	p := &document.Package{
		Name:    strings.TrimSpace(c.Name),
		Version: strings.TrimSpace(c.Version),
		Purl:    strings.TrimSpace(c.PackageURL),
	}
	if p.Name == "" {
		if u, err := packageurl.FromString(p.Purl); err == nil && u.Name != "" {
			p.Name = u.Name
		} else {
			p.Name = ref
		}
	}
	return p
}

// appendURL appends a non-empty URL.
func appendURL(refs []string, u string) []string {
	if u = strings.TrimSpace(u); u != "" {
		return append(refs, u)
	}
	return refs
}

func recommendation(s string) string {
	if s = strings.TrimSpace(s); s != "" {
		return "Recommendation: " + s
	}
	return ""
}

func workaround(s string) string {
	if s = strings.TrimSpace(s); s != "" {
		return "Workaround: " + s
	}
	return ""
}

// joinText joins the non-empty, distinct texts with blank lines.
func joinText(texts ...string) string {
	var parts []string
	for _, t := range texts {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		dup := false
		for _, p := range parts {
			if p == t {
				dup = true
			}
		}
		if !dup {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n\n")
}
