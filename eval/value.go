package eval

import (
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/internal/par"
)

// Value builds the document's Rego value directly from the Go types, with
// the same shape as its JSON form (the contract), without a JSON round
// trip: for a 100,000-finding document this is several times faster than
// ast.InterfaceToValue and allocates far less (see BenchmarkValue).
func Value(d *document.Document) ast.Value {
	return assemble(d, findingTerms(d, nil), nil)
}

// fieldSet holds the keys a projected value keeps; nil keeps every key.
type fieldSet map[string]bool

// findingTerms converts every finding, on every CPU, keeping the fields
// of keep.
func findingTerms(d *document.Document, keep fieldSet) []*ast.Term {
	findings := make([]*ast.Term, len(d.Findings))
	par.Ranges(len(d.Findings), func(lo, hi int) {
		shared := newSharedTerms()
		for i := lo; i < hi; i++ {
			findings[i] = ast.NewTerm(findingValue(&d.Findings[i], keep, shared))
		}
	})
	return findings
}

// sharedTerms holds terms already built that findings share (values are
// never changed in place): the package objects, and lists of one string
// (a fixed version). On a large report this saves building thousands of
// identical values.
type sharedTerms struct {
	packages map[packageKey]*ast.Term
	singles  map[string]*ast.Term
}

// packageKey is a package found at one path at most: its paths are its
// path, and these fields say all of it.
type packageKey struct{ name, version, purl, ecosystem, path string }

func newSharedTerms() sharedTerms {
	return sharedTerms{packages: map[packageKey]*ast.Term{}, singles: map[string]*ast.Term{}}
}

// assemble builds the document's value around findings already converted,
// so that a change to a few findings converts only those again.
// Components keep the fields of keep; the document's own keys, its
// sources, summary and context are always whole.
func assemble(d *document.Document, findings []*ast.Term, keep fieldSet) ast.Value {
	o := newObj(9, nil)
	o.str("schema_version", d.SchemaVersion)
	sources := make([]*ast.Term, len(d.Sources))
	for i := range d.Sources {
		sources[i] = ast.NewTerm(sourceValue(&d.Sources[i]))
	}
	o.term("sources", ast.ArrayTerm(sources...))
	o.term("findings", ast.ArrayTerm(findings...))
	comps := make([]*ast.Term, len(d.Components))
	par.Each(len(d.Components), func(i int) {
		comps[i] = ast.NewTerm(componentValue(&d.Components[i], keep))
	})
	o.term("components", ast.ArrayTerm(comps...))
	o.term("summary", ast.NewTerm(summaryValue(&d.Summary)))
	o.term("context", ast.NewTerm(contextValue(&d.Context)))
	vex := make([]*ast.Term, len(d.VEX))
	for i := range d.VEX {
		vex[i] = ast.NewTerm(vexValue(&d.VEX[i]))
	}
	o.term("vex", ast.ArrayTerm(vex...))
	removed := make([]*ast.Term, len(d.Removed))
	for i := range d.Removed {
		removed[i] = ast.NewTerm(componentValue(&d.Removed[i], keep))
	}
	o.term("removed_components", ast.ArrayTerm(removed...))
	if b := d.Baseline; b != nil {
		bo := newObj(1, nil)
		bo.term("ratchet_counts", countsValue(b.RatchetCounts))
		o.term("baseline", ast.NewTerm(bo.value()))
	}
	return o.value()
}

// obj builds an object, leaving out the keys its fieldSet does not hold.
// It gathers the pairs first: ast.NewObject lays out all elements in one
// allocation, where inserting one by one allocates each. The gathering
// buffers are pooled: NewObject copies the pairs, and a buffer a finding
// threw away would otherwise be a third of what the findings' values
// allocate.
type obj struct {
	pairs *[][2]*ast.Term
	keep  fieldSet
}

var pairBuffers = sync.Pool{New: func() any { return new([][2]*ast.Term) }}

func newObj(n int, keep fieldSet) obj {
	pairs := pairBuffers.Get().(*[][2]*ast.Term)
	*pairs = slices.Grow((*pairs)[:0], n)
	return obj{pairs, keep}
}

// value is the object built; o is not to be used after it.
func (o obj) value() ast.Object {
	v := ast.NewObject(*o.pairs...)
	clear(*o.pairs)
	pairBuffers.Put(o.pairs)
	return v
}

// wants says whether key k is kept.
func (o obj) wants(k string) bool { return o.keep == nil || o.keep[k] }

// keyTerms holds a term for every key of the document, made once: looking
// keys up in OPA's intern table for every field of every finding costs more
// than building the field.
var keyTerms = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, k := range []string{"aliases", "baseline", "baseline_state", "bom_ref", "branch", "change", "by", "by_kind", "by_severity", "by_status", "ci", "commit", "complete", "components", "confidence", "context", "created", "cvss", "cwe", "date", "date_added", "depends_on", "description", "direct", "due_date", "ecosystem", "end_column", "end_line", "epss", "errors", "findings", "fix_state", "fixed_versions", "format", "group", "id", "incomplete_reason", "justification", "kev", "kind", "level", "license_changed", "license_expression", "licenses", "line", "listed", "location", "locations", "message", "name", "new", "new_components", "new_findings", "now", "open_by_severity", "open_findings", "origins", "package", "path", "paths", "percentile", "previous_licenses", "previous_version", "purl", "ratchet_counts", "references", "removed_components", "repository", "required_action", "rule_id", "schema_version", "scope", "score", "scores", "severity", "sha256", "snippet", "source", "sources", "stage", "start_column", "start_line", "statement", "status", "status_reason", "summary", "tags", "title", "tool", "type", "vector", "version"} {
		m[k] = ast.StringTerm(k)
	}
	return m
}()

// enumTerms holds terms for the few words enumerations take.
var enumTerms = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, v := range []string{"critical", "high", "medium", "low", "info", "unknown",
		"vulnerability", "code", "secret", "misconfiguration", "license",
		"open", "not_affected", "fixed", "accepted", ""} {
		m[v] = ast.StringTerm(v)
	}
	return m
}()

func keyTerm(k string) *ast.Term {
	if t, ok := keyTerms[k]; ok {
		return t
	}
	return ast.StringTerm(k)
}

func (o obj) term(k string, v *ast.Term) {
	if o.wants(k) {
		*o.pairs = append(*o.pairs, [2]*ast.Term{keyTerm(k), v})
	}
}
func (o obj) str(k, v string) {
	if o.wants(k) {
		*o.pairs = append(*o.pairs, [2]*ast.Term{keyTerm(k), ast.StringTerm(v)})
	}
}
func (o obj) enum(k, v string) {
	if !o.wants(k) {
		return
	}
	if t, ok := enumTerms[v]; ok {
		o.term(k, t)
		return
	}
	o.str(k, v)
}
func (o obj) optStr(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}
func (o obj) num(k string, v float64) { o.term(k, ast.FloatNumberTerm(v)) }
func (o obj) integer(k string, v int) { o.term(k, ast.InternedTerm(v)) }
func (o obj) optInt(k string, v int) {
	if v != 0 {
		o.integer(k, v)
	}
}
func (o obj) boolean(k string, v bool) { o.term(k, ast.InternedTerm(v)) }
func (o obj) strs(k string, v []string) {
	if !o.wants(k) {
		return
	}
	o.term(k, stringsTerm(v))
}

// stringsTerm is a list of strings.
func stringsTerm(v []string) *ast.Term {
	ts := make([]*ast.Term, len(v))
	for i, s := range v {
		ts[i] = ast.StringTerm(s)
	}
	return arrayTerm(ts)
}

// arrayTerm is an array of terms; the empty array is OPA's interned one.
func arrayTerm(ts []*ast.Term) *ast.Term {
	if len(ts) == 0 {
		return ast.InternedEmptyArray
	}
	return ast.ArrayTerm(ts...)
}

// strings is a list of strings, shared with other findings when it holds
// one string.
func (st sharedTerms) strings(v []string) *ast.Term {
	if len(v) != 1 {
		return stringsTerm(v)
	}
	t, ok := st.singles[v[0]]
	if !ok {
		t = stringsTerm(v)
		st.singles[v[0]] = t
	}
	return t
}
func (o obj) optBool(k string, v *bool) {
	if v != nil {
		o.boolean(k, *v)
	}
}

func sourceValue(s *document.Source) ast.Value {
	o := newObj(9, nil)
	o.str("path", s.Path)
	o.str("format", s.Format)
	t := newObj(2, nil)
	t.str("name", s.Tool.Name)
	t.str("version", s.Tool.Version)
	o.term("tool", ast.NewTerm(t.value()))
	o.optStr("created", s.Created)
	o.str("sha256", s.SHA256)
	o.boolean("complete", s.Complete)
	o.optStr("incomplete_reason", s.IncompleteReason)
	errs := make([]*ast.Term, len(s.Errors))
	for i := range s.Errors {
		e := &s.Errors[i]
		eo := newObj(5, nil)
		eo.str("level", e.Level)
		eo.str("message", e.Message)
		eo.optStr("path", e.Path)
		eo.optInt("line", e.Line)
		eo.optStr("type", e.Type)
		errs[i] = ast.NewTerm(eo.value())
	}
	o.term("errors", ast.ArrayTerm(errs...))
	if subj := s.Subject; subj != nil {
		j := newObj(3, nil)
		j.str("name", subj.Name)
		j.optStr("version", subj.Version)
		j.optStr("purl", subj.Purl)
		o.term("subject", ast.NewTerm(j.value()))
	}
	return o.value()
}

func vexValue(v *document.VEXStatement) ast.Value {
	o := newObj(10, nil)
	o.integer("source", v.Source)
	o.optStr("document", v.Document)
	o.str("vulnerability", v.Vulnerability)
	o.strs("aliases", v.Aliases)
	products := make([]*ast.Term, len(v.Products))
	for i, p := range v.Products {
		po := newObj(2, nil)
		po.str("id", p.ID)
		po.strs("subcomponents", p.Subcomponents)
		products[i] = ast.NewTerm(po.value())
	}
	o.term("products", ast.ArrayTerm(products...))
	o.str("status", v.Status)
	o.optStr("justification", v.Justification)
	o.optStr("timestamp", v.Timestamp)
	o.strs("findings", v.Findings)
	o.optStr("problem", v.Problem)
	return o.value()
}

func cvssValue(c *document.CVSS, keep fieldSet) *ast.Term {
	o := newObj(4, keep)
	o.str("version", c.Version)
	o.num("score", c.Score)
	o.optStr("vector", c.Vector)
	o.optStr("source", c.Source)
	return ast.NewTerm(o.value())
}

func findingValue(f *document.Finding, keep fieldSet, shared sharedTerms) ast.Value {
	o := newObj(28, keep)
	o.str("id", f.ID)
	o.enum("kind", string(f.Kind))
	o.str("rule_id", f.RuleID)
	o.strs("aliases", f.Aliases)
	o.str("title", f.Title)
	o.str("description", f.Description)
	o.strs("cwe", f.CWE)
	o.strs("references", f.References)
	o.strs("tags", f.Tags)
	o.enum("severity", string(f.Severity))
	if f.CVSS != nil && o.wants("cvss") {
		o.term("cvss", cvssValue(f.CVSS, keep))
	}
	if o.wants("scores") {
		scores := make([]*ast.Term, len(f.Scores))
		for i := range f.Scores {
			scores[i] = cvssValue(&f.Scores[i], keep)
		}
		o.term("scores", arrayTerm(scores))
	}
	if p := f.Package; p != nil && o.wants("package") {
		key := packageKey{p.Name, p.Version, p.Purl, p.Ecosystem, p.Path}
		t, ok := shared.packages[key]
		if !ok {
			po := newObj(6, keep)
			po.str("name", p.Name)
			po.str("version", p.Version)
			po.optStr("purl", p.Purl)
			po.optStr("ecosystem", p.Ecosystem)
			po.optStr("path", p.Path)
			po.strs("paths", p.Paths)
			t = ast.NewTerm(po.value())
			if len(p.Paths) <= 1 {
				shared.packages[key] = t
			}
		}
		o.term("package", t)
	}
	if o.wants("fixed_versions") {
		o.term("fixed_versions", shared.strings(f.FixedVersions))
	}
	o.optStr("fix_state", f.FixState)
	if l := f.Location; l != nil && o.wants("location") {
		o.term("location", ast.NewTerm(locationValue(l, keep)))
	}
	if o.wants("locations") {
		locs := make([]*ast.Term, len(f.Locations))
		for i := range f.Locations {
			locs[i] = ast.NewTerm(locationValue(&f.Locations[i], keep))
		}
		o.term("locations", arrayTerm(locs))
	}
	o.optStr("confidence", f.Confidence)
	if e := f.EPSS; e != nil && o.wants("epss") {
		eo := newObj(3, keep)
		eo.num("score", e.Score)
		eo.num("percentile", e.Percentile)
		eo.optStr("date", e.Date)
		o.term("epss", ast.NewTerm(eo.value()))
	}
	if k := f.KEV; k != nil && o.wants("kev") {
		ko := newObj(4, keep)
		ko.boolean("listed", k.Listed)
		ko.optStr("date_added", k.DateAdded)
		ko.optStr("required_action", k.RequiredAction)
		ko.optStr("due_date", k.DueDate)
		o.term("kev", ast.NewTerm(ko.value()))
	}
	o.optStr("baseline_state", f.BaselineState)
	if o.wants("origins") {
		origins := make([]*ast.Term, len(f.Origins))
		for i, or := range f.Origins {
			oo := newObj(4, keep)
			oo.integer("source", or.Source)
			oo.str("tool", or.Tool)
			oo.str("rule_id", or.RuleID)
			oo.str("severity", or.Severity)
			origins[i] = ast.NewTerm(oo.value())
		}
		o.term("origins", arrayTerm(origins))
	}
	o.enum("status", string(f.Status))
	if r := f.StatusReason; r != nil && o.wants("status_reason") {
		ro := newObj(4, keep)
		ro.str("by", r.By)
		ro.optStr("justification", r.Justification)
		ro.optStr("statement", r.Statement)
		ro.optStr("source", r.Source)
		o.term("status_reason", ast.NewTerm(ro.value()))
	}
	o.optBool("new", f.New)
	return o.value()
}

func locationValue(l *document.Location, keep fieldSet) ast.Value {
	lo := newObj(6, keep)
	lo.str("path", l.Path)
	lo.optInt("start_line", l.StartLine)
	lo.optInt("end_line", l.EndLine)
	lo.optInt("start_column", l.StartColumn)
	lo.optInt("end_column", l.EndColumn)
	lo.optStr("snippet", l.Snippet)
	return lo.value()
}

func componentValue(c *document.Component, keep fieldSet) ast.Value {
	o := newObj(19, keep)
	o.str("bom_ref", c.BOMRef)
	o.str("type", c.Type)
	o.str("name", c.Name)
	o.optStr("group", c.Group)
	o.str("version", c.Version)
	o.optStr("purl", c.Purl)
	o.optStr("ecosystem", c.Ecosystem)
	o.strs("licenses", c.Licenses)
	o.optStr("license_expression", c.LicenseExpression)
	o.boolean("direct", c.Direct)
	o.optStr("scope", c.Scope)
	o.strs("depends_on", c.DependsOn)
	if o.wants("sources") {
		srcs := make([]*ast.Term, len(c.Sources))
		for i, s := range c.Sources {
			srcs[i] = ast.InternedTerm(s)
		}
		o.term("sources", arrayTerm(srcs))
	}
	o.optBool("new", c.New)
	o.optStr("change", c.Change)
	o.optStr("previous_version", c.PreviousVersion)
	if len(c.PreviousLicenses) > 0 {
		o.strs("previous_licenses", c.PreviousLicenses)
	}
	if c.LicenseChanged {
		o.boolean("license_changed", true)
	}
	return o.value()
}

func countsValue(m map[string]int) *ast.Term {
	o := newObj(len(m), nil)
	for k, v := range m {
		o.integer(k, v)
	}
	return ast.NewTerm(o.value())
}

func summaryValue(s *document.Summary) ast.Value {
	o := newObj(9, nil)
	o.integer("findings", s.Findings)
	o.integer("open_findings", s.OpenFindings)
	o.term("by_severity", countsValue(s.BySeverity))
	o.term("open_by_severity", countsValue(s.OpenBySeverity))
	o.term("by_kind", countsValue(s.ByKind))
	o.term("by_status", countsValue(s.ByStatus))
	o.integer("components", s.Components)
	o.integer("new_findings", s.NewFindings)
	o.integer("new_components", s.NewComponents)
	return o.value()
}

func contextValue(c *document.Context) ast.Value {
	o := newObj(8, nil)
	o.str("stage", c.Stage)
	o.str("now", c.Now)
	o.optStr("now_source", c.NowSource)
	o.optStr("repository", c.Repository)
	o.optStr("commit", c.Commit)
	o.optStr("branch", c.Branch)
	o.optStr("ci", c.CI)
	o.boolean("baseline", c.Baseline)
	return o.value()
}
