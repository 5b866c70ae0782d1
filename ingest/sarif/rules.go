package sarif

import (
	"slices"
	"strconv"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/secgate/secgate/document"
)

// ruleInfo is what a finding takes from its rule, worked out once per rule
// and shared by all its results. Its slices are sorted, unique and clipped;
// findings get copies.
type ruleInfo struct {
	id          string
	title       string
	description string
	references  []string
	tags        []string
	cwe         []string
	// aliases are the vulnerability ids the rule names besides its own
	// (osv-scanner's deprecatedIds, govulncheck's tags).
	aliases    []string
	kind       document.Kind
	vulnID     string // the vulnerability id the rule id starts with
	level      string // defaultConfiguration.level
	secSev     string // properties.security-severity as written
	sevProp    string // properties.severity as written
	tagSev     string // a severity word among properties.tags (gosec's "MEDIUM")
	confidence string
	scores     []document.CVSS
	// pkg is what the rule's help text says of the package (Grype writes
	// one rule per vulnerability and package).
	pkg pkgFacts
}

// component rules of a run: the driver (0) and the extensions (1…).
type componentRules struct {
	name, guid string
	rules      []rule
	infos      []*ruleInfo
	byID       map[string]int
}

// runRules resolves results' rules within one run. Rule details are
// worked out on first use: a CodeQL log lists hundreds of rules across its
// extensions and uses a few.
type runRules struct {
	driver     string // lower-case driver name
	comps      []componentRules
	taxonomies []component
	// byMessage caches rules found from a result's message (Gitleaks 7
	// writes neither ruleId nor ruleIndex).
	byMessage map[string]*ruleInfo
	// unlistedRules holds the rules results name that the run does not list
	// (dependency-check writes no rules at all).
	unlistedRules map[string]*ruleInfo
}

func newRunRules(r *run) *runRules {
	rr := &runRules{taxonomies: r.Taxonomies}
	comps := make([]*component, 0, 1+len(r.Tool.Extensions))
	comps = append(comps, r.Tool.Driver)
	for i := range r.Tool.Extensions {
		comps = append(comps, &r.Tool.Extensions[i])
	}
	rr.comps = make([]componentRules, len(comps))
	for i, c := range comps {
		if c == nil {
			continue
		}
		cr := &rr.comps[i]
		cr.name = c.Name
		cr.guid = deref(c.GUID)
		cr.rules = c.Rules
		cr.infos = make([]*ruleInfo, len(c.Rules))
		cr.byID = make(map[string]int, len(c.Rules))
		for j := range c.Rules {
			if _, dup := cr.byID[c.Rules[j].ID]; !dup {
				cr.byID[c.Rules[j].ID] = j
			}
		}
	}
	if d := r.Tool.Driver; d != nil {
		rr.driver = strings.ToLower(d.Name)
	}
	return rr
}

// component returns the index into rr.comps that ref names, or -1.
func (rr *runRules) component(ref *componentRef) int {
	if ref.Index != nil && *ref.Index >= 0 {
		if i := *ref.Index + 1; i < len(rr.comps) {
			return i
		}
		return -1
	}
	if g := deref(ref.GUID); g != "" {
		for i := range rr.comps {
			if strings.EqualFold(rr.comps[i].guid, g) {
				return i
			}
		}
	}
	if n := deref(ref.Name); n != "" {
		for i := range rr.comps {
			if rr.comps[i].name == n {
				return i
			}
		}
	}
	return -1
}

// resolve finds a result's rule: by index (ruleIndex or rule.index, -1
// meaning none) in the component rule.toolComponent names (the driver by
// default), else by id in that component, else by id anywhere in the run.
// A hierarchical id ("C2001/1") also finds its parent rule ("C2001").
func (rr *runRules) resolve(r *result, id string) *ruleInfo {
	comp, idx := 0, -1
	if r.RuleIndex != nil {
		idx = *r.RuleIndex
	}
	if ref := r.Rule; ref != nil {
		if ref.Index != nil && *ref.Index >= 0 {
			idx = *ref.Index
		}
		if ref.ToolComponent != nil {
			comp = rr.component(ref.ToolComponent)
		}
	}
	if comp >= 0 && comp < len(rr.comps) {
		c := &rr.comps[comp]
		if idx >= 0 && idx < len(c.rules) {
			rid := c.rules[idx].ID
			if id == "" || rid == id || strings.HasPrefix(id, rid+"/") {
				return rr.info(comp, idx)
			}
		}
		if id != "" {
			if j, ok := c.byID[id]; ok {
				return rr.info(comp, j)
			}
		}
	}
	if id == "" {
		return nil
	}
	for try := id; try != ""; {
		for i := range rr.comps {
			if j, ok := rr.comps[i].byID[try]; ok {
				return rr.info(i, j)
			}
		}
		slash := strings.LastIndexByte(try, '/')
		if slash <= 0 {
			break
		}
		try = try[:slash]
	}
	return nil
}

// byMessageText finds the driver rule whose id starts a result's message,
// the longest such: Gitleaks 7 writes results without any rule reference
// but with the message "<rule id> secret detected".
func (rr *runRules) byMessageText(msg string) *ruleInfo {
	if msg == "" || len(rr.comps) == 0 {
		return nil
	}
	if ri, ok := rr.byMessage[msg]; ok {
		return ri
	}
	best := -1
	c := &rr.comps[0]
	for j := range c.rules {
		rid := c.rules[j].ID
		if rid != "" && strings.HasPrefix(msg, rid) && (best < 0 || len(rid) > len(c.rules[best].ID)) {
			best = j
		}
	}
	var ri *ruleInfo
	if best >= 0 {
		ri = rr.info(0, best)
	}
	if rr.byMessage == nil {
		rr.byMessage = map[string]*ruleInfo{}
	}
	rr.byMessage[msg] = ri
	return ri
}

// unlisted returns the rule of an id the run does not describe: only the
// id is known.
func (rr *runRules) unlisted(id string) *ruleInfo {
	if ri, ok := rr.unlistedRules[id]; ok {
		return ri
	}
	ri := &ruleInfo{id: id, kind: classify(rr.driver, id, nil), vulnID: vulnIDPrefix(id)}
	if rr.unlistedRules == nil {
		rr.unlistedRules = map[string]*ruleInfo{}
	}
	rr.unlistedRules[id] = ri
	return ri
}

func (rr *runRules) info(comp, idx int) *ruleInfo {
	c := &rr.comps[comp]
	if c.infos[idx] == nil {
		c.infos[idx] = rr.newRuleInfo(&c.rules[idx])
	}
	return c.infos[idx]
}

func (rr *runRules) newRuleInfo(r *rule) *ruleInfo {
	ri := &ruleInfo{id: r.ID}
	props := r.Properties
	ri.tags = stringList(props["tags"])
	ri.tagSev = tagSeverity(ri.tags)
	ri.kind = classify(rr.driver, r.ID, ri.tags)
	ri.vulnID = vulnIDPrefix(r.ID)

	ri.title = msgText(r.ShortDescription)
	if ri.title == "" {
		ri.title = deref(r.Name)
	}
	ri.description = msgText(r.FullDescription)
	help := msgText(r.Help)
	if isURL(help) {
		ri.references = append(ri.references, help)
		help = ""
	}
	if ri.description == "" {
		ri.description = help
	}
	if u := deref(r.HelpURI); u != "" {
		ri.references = append(ri.references, u)
	}

	var cwe []string
	for _, t := range ri.tags {
		cwe = appendCWE(cwe, t)
	}
	cwe = appendCWEValue(cwe, props["cwe"])
	cwe = appendCWEURL(cwe, deref(r.HelpURI))
	for i := range r.Relationships {
		cwe, ri.tags = rr.appendTaxon(cwe, ri.tags, &r.Relationships[i].Target)
	}
	ri.cwe = cwe

	if ri.kind == document.KindVulnerability {
		for _, id := range r.DeprecatedIds {
			if isVulnID(id) {
				ri.aliases = append(ri.aliases, id)
			}
		}
		for _, t := range ri.tags {
			if isVulnID(t) {
				ri.aliases = append(ri.aliases, t)
			}
		}
		ri.aliases = appendStrings(ri.aliases, props["aliases"])
		ri.pkg = parsePkgFacts(msgText(r.Help))
		ri.scores = appendScores(nil, props)
	}

	if dc := r.DefaultConfiguration; dc != nil {
		ri.level = dc.Level
	}
	ri.secSev = rawValue(props["security-severity"])
	ri.sevProp = rawValue(props["severity"])
	ri.confidence = rawValue(props["precision"])

	ri.references = normalize(ri.references)
	ri.tags = normalize(ri.tags)
	ri.cwe = normalize(ri.cwe)
	ri.aliases = normalize(slices.DeleteFunc(ri.aliases, func(id string) bool {
		return id == r.ID || id == ri.vulnID
	}))
	return ri
}

// appendTaxon follows a reference to a taxon: a CWE taxon adds its CWE id,
// any other taxon (KICS's categories) its name as a tag.
func (rr *runRules) appendTaxon(cwe, tags []string, ref *reference) ([]string, []string) {
	id := deref(ref.ID)
	var tax *component
	isCWE := false
	if tc := ref.ToolComponent; tc != nil {
		tax = rr.taxonomy(tc)
		isCWE = strings.EqualFold(deref(tc.Name), "CWE") || tax != nil && strings.EqualFold(tax.Name, "CWE")
	}
	var taxon *rule
	if tax != nil {
		if i := ref.Index; i != nil && *i >= 0 && *i < len(tax.Taxa) && (id == "" || tax.Taxa[*i].ID == id) {
			taxon = &tax.Taxa[*i]
		}
		for i := 0; taxon == nil && id != "" && i < len(tax.Taxa); i++ {
			if tax.Taxa[i].ID == id {
				taxon = &tax.Taxa[i]
			}
		}
		if id == "" && taxon != nil {
			id = taxon.ID
		}
	}
	if isCWE {
		return appendCWENumber(cwe, id), tags
	}
	if out := appendCWE(cwe, id); len(out) > len(cwe) {
		return out, tags
	}
	if taxon != nil {
		if name := deref(taxon.Name); name != "" {
			tags = append(tags, name)
		}
	}
	return cwe, tags
}

// taxonomy returns the run's taxonomy a reference names, or nil.
func (rr *runRules) taxonomy(ref *componentRef) *component {
	if ref.Index != nil && *ref.Index >= 0 {
		if *ref.Index < len(rr.taxonomies) {
			return &rr.taxonomies[*ref.Index]
		}
		return nil
	}
	if g := deref(ref.GUID); g != "" {
		for i := range rr.taxonomies {
			if strings.EqualFold(deref(rr.taxonomies[i].GUID), g) {
				return &rr.taxonomies[i]
			}
		}
	}
	if n := deref(ref.Name); n != "" {
		for i := range rr.taxonomies {
			if rr.taxonomies[i].Name == n {
				return &rr.taxonomies[i]
			}
		}
	}
	return nil
}

// appendCWE appends the CWE a word names: "CWE-79", "cwe-79: Improper
// Neutralization …", CodeQL's "external/cwe/cwe-079".
func appendCWE(dst []string, word string) []string {
	w := strings.TrimPrefix(word, "external/cwe/")
	if !hasPrefixFold(w, "CWE-") && !hasPrefixFold(w, "CWE ") {
		return dst
	}
	return appendCWENumber(dst, w[4:])
}

// appendCWENumber appends "CWE-<n>" for the number s starts with ("79",
// "079", "79: …"), or for a full "CWE-79".
func appendCWENumber(dst []string, s string) []string {
	if hasPrefixFold(s, "CWE-") {
		s = s[4:]
	}
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 || i > 9 || (i < len(s) && isIDChar(s[i])) {
		return dst
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		return dst
	}
	return append(dst, "CWE-"+strconv.Itoa(n))
}

// appendCWEValue appends the CWEs of a "cwe" property: a string, a number
// or a list of them.
func appendCWEValue(dst []string, v any) []string {
	switch v := v.(type) {
	case string:
		return appendCWENumber(dst, strings.TrimSpace(v))
	case float64:
		if v > 0 && v < 1e9 && v == float64(int(v)) {
			return append(dst, "CWE-"+strconv.Itoa(int(v)))
		}
	case []any:
		for _, e := range v {
			dst = appendCWEValue(dst, e)
		}
	}
	return dst
}

// appendCWEURL appends the CWE of a link to its MITRE page
// (https://cwe.mitre.org/data/definitions/91.html).
func appendCWEURL(dst []string, u string) []string {
	const marker = "cwe.mitre.org/data/definitions/"
	i := strings.Index(u, marker)
	if i < 0 {
		return dst
	}
	return appendCWENumber(dst, u[i+len(marker):])
}

// stringList reads a property that is a list of strings (or one string).
func stringList(v any) []string {
	return appendStrings(nil, v)
}

func appendStrings(dst []string, v any) []string {
	switch v := v.(type) {
	case string:
		if v != "" {
			dst = append(dst, v)
		}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" {
				dst = append(dst, s)
			}
		}
	}
	return dst
}

// tagSeverity is the severity word among a rule's tags, as written: some
// tools (gosec) write one level for every result and the real severity as
// a tag. Only a tag that is the word alone counts ("HIGH", not "HIGH
// CONFIDENCE"); of several, the worst.
func tagSeverity(tags []string) string {
	word, worst := "", document.SeverityUnknown
	for _, t := range tags {
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "critical", "high", "medium", "moderate", "low":
			if s, _ := document.ParseSeverity(t); s.Rank() > worst.Rank() {
				word, worst = strings.TrimSpace(t), s
			}
		}
	}
	return word
}

// rawValue is a string or number property as written.
func rawValue(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// numberValue is a number property, or a string holding one.
func numberValue(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return 0, false
}

// appendScores appends the CVSS scores properties state in the names
// Trivy and dependency-check use: cvssv3_baseScore with cvssv3_vector,
// cvssv2_score with cvssv2_vector. Both take them from the NVD unless a
// "source" property says otherwise.
func appendScores(dst []document.CVSS, props map[string]any) []document.CVSS {
	if len(props) == 0 {
		return dst
	}
	source := strings.ToLower(rawValue(props["source"]))
	if source == "" {
		source = "nvd"
	}
	for _, k := range [...]struct{ version, score, vector string }{
		{"3.1", "cvssv3_baseScore", "cvssv3_vector"},
		{"2.0", "cvssv2_score", "cvssv2_vector"},
	} {
		score, _ := numberValue(props[k.score])
		vector := rawValue(props[k.vector])
		if score == 0 && vector == "" {
			continue
		}
		version := k.version
		if version == "3.1" {
			if v := rawValue(props["cvssv3_version"]); v != "" {
				version = v
			}
		}
		if c, ok := document.NewCVSS(source, version, score, vector); ok {
			dst = append(dst, c)
		}
	}
	return dst
}

// normalize sorts and dedupes s and clips it, so that an append to a copy
// never writes into a shared array.
func normalize(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	slices.Sort(s)
	s = slices.Compact(s)
	if s[0] == "" {
		s = s[1:]
	}
	return slices.Clip(s)
}

// msgText is a message's plain text, else its Markdown.
func msgText(m *gosarif.MultiformatMessageString) string {
	if m == nil {
		return ""
	}
	if t := strings.TrimSpace(deref(m.Text)); t != "" {
		return t
	}
	return strings.TrimSpace(deref(m.Markdown))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func isURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) &&
		!strings.ContainsAny(s, " \n\t")
}
