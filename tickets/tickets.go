// Package tickets turns the violations of a gate into remediation tickets:
// the findings that cause violations are grouped by the action
// that fixes them — one upgrade of one package fixes all its
// vulnerabilities, one code rule is fixed in one file, one secret is
// revoked, one licence problem of one component is resolved — and each
// group becomes a ticket with a stable fingerprint, a severity, a priority,
// a due date from the SLA, labels and a Markdown body a developer can act on.
//
// Tickets are deterministic: the same document and decision give the same
// tickets, byte for byte, whatever the order of findings and violations,
// the paths of the report files or the time of the run (except the due
// date, which is Options.Now plus the SLA).
package tickets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/internal/par"
)

// The kinds of ticket. Finding tickets take the kind of their findings
// (an upgrade is a vulnerability ticket); KindDependency is an unapproved
// dependency; KindPolicy is any other violation.
const (
	KindVulnerability    = string(document.KindVulnerability)
	KindCode             = string(document.KindCode)
	KindSecret           = string(document.KindSecret)
	KindMisconfiguration = string(document.KindMisconfiguration)
	KindLicense          = string(document.KindLicense)
	KindDependency       = "dependency"
	KindPolicy           = "policy"
)

// DefaultLabel is the label every ticket carries unless Options.Labels says
// otherwise; ticket sync finds its issues by it.
const DefaultLabel = "secgate"

// maxRows bounds the rows of each list in a body; the ticket's finding_ids
// still name every finding.
const maxRows = 100

// defaultSLADays are the days to fix by severity: the defaults of
// tickets.sla_days in secgate.yaml's schema, read on first use, not at
// package init, which every run of secgate pays for.
var defaultSLADays = sync.OnceValue(config.DefaultSLADays)

// DefaultSLADays returns the days to fix by severity when the configuration
// says nothing (config.DefaultSLADays).
func DefaultSLADays() map[string]int {
	return maps.Clone(defaultSLADays())
}

// Options configure Build.
type Options struct {
	// SLADays are the days to fix by severity; missing severities take
	// DefaultSLADays.
	SLADays map[string]int
	// Now is when the run happens; due dates count from its date (UTC).
	// Zero means the clock.
	Now time.Time
	// Labels every ticket carries; nil means [DefaultLabel].
	Labels []string
	// Lapsed are the warnings about waivers that no longer apply (an
	// exception past its expires date), each naming the open findings it
	// waived (FindingIDs): a ticket fixing any of them quotes the warning,
	// so that whoever accepted the risk is asked again.
	Lapsed []eval.Message
}

// Ticket is one remediation ticket: one action that fixes one or more
// findings or violations.
type Ticket struct {
	// Fingerprint is the hex SHA-256 of the grouping key: the package
	// identity of an upgrade, the rule and file of code, the finding id of
	// a secret … It never depends on input order, report paths or time.
	Fingerprint string `json:"fingerprint"`
	Title       string `json:"title"`
	// Kind is one of the Kind constants.
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	// Priority is P1 (critical), P2 (high), P3 (medium) or P4.
	Priority string `json:"priority"`
	// Due is YYYY-MM-DD: the run's date plus the SLA days of the severity.
	Due    string   `json:"due"`
	Labels []string `json:"labels"`
	// FindingIDs are the findings the ticket fixes, worst first
	// (document.WorstFirst).
	FindingIDs []string `json:"finding_ids"`
	// Components are the purls (or names) of the components concerned, sorted.
	Components []string `json:"components"`
	// Policies are the policies whose violations the ticket resolves, sorted.
	Policies []string `json:"policies"`
	// Package is set on an upgrade.
	Package *Package `json:"package,omitempty"`
	// Body is Markdown: what, why, how to fix, where, and a hidden
	// fingerprint marker (see Marker).
	Body string `json:"body"`
}

// Package is the package an upgrade ticket upgrades.
type Package struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Ecosystem string `json:"ecosystem,omitempty"`
	Purl      string `json:"purl,omitempty"`
	// FixedVersion is the lowest version that fixes every vulnerability
	// with a known fix; "" when none is known or versions of the ecosystem
	// cannot be ordered (then FixedVersions lists the candidates).
	FixedVersion string `json:"fixed_version,omitempty"`
	// FixedVersions are the candidate fixed versions when secgate cannot
	// order them; empty otherwise.
	FixedVersions []string `json:"fixed_versions"`
	// Unfixed are the vulnerabilities with no known fix above the installed
	// version, sorted.
	Unfixed []string `json:"unfixed"`
	// Direct is true for a direct dependency, false for a transitive one,
	// absent when no SBOM component matches the package.
	Direct *bool `json:"direct,omitempty"`
	// Via are the direct dependencies (purl or name@version) that pull the
	// package in, when the SBOM has the dependency graph; sorted.
	Via []string `json:"via"`
}

// Build makes the tickets of the violations the policies found on doc: one
// per action that fixes the findings the violations name, and one per
// violation about components or nothing else. Findings no violation names get no ticket. The tickets are
// sorted worst first: by severity, then by their worst finding (in
// document.WorstFirst order), then by title and fingerprint.
//
// A ticket's severity is the worst of its findings' severities, raised by
// the severity a policy gave a violation about that single finding (a known
// exploited vulnerability is critical whatever its CVSS); a violation about
// many findings at once (too many findings) does not raise it.
func Build(doc *document.Document, violations []eval.Message, opts Options) []Ticket {
	out := []Ticket{}
	if len(violations) == 0 {
		return out
	}
	if doc == nil {
		doc = document.New()
	}
	b := newBuilder(doc, opts)
	for _, v := range violations {
		b.add(v)
	}
	groups := make([]*group, 0, len(b.groups))
	for _, g := range b.groups {
		groups = append(groups, g)
	}
	// Each ticket reads only what add gathered: a large report's
	// thousands are rendered on every CPU.
	out = make([]Ticket, len(groups))
	worst := make([]*document.Finding, len(groups))
	par.Each(len(groups), func(i int) { out[i], worst[i] = b.ticket(groups[i]) })
	// Worst first: by severity, then by the worst finding each fixes.
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(x, y int) bool {
		i, j := idx[x], idx[y]
		ri, rj := document.Severity(out[i].Severity).Rank(), document.Severity(out[j].Severity).Rank()
		if ri != rj {
			return ri > rj
		}
		if wi, wj := worst[i], worst[j]; wi != nil && wj != nil {
			if c := document.WorstFirst(wi, wj); c != 0 {
				return c < 0
			}
		} else if wi != wj {
			return wi != nil
		}
		if out[i].Title != out[j].Title {
			return out[i].Title < out[j].Title
		}
		return out[i].Fingerprint < out[j].Fingerprint
	})
	sorted := make([]Ticket, len(out))
	for k, i := range idx {
		sorted[k] = out[i]
	}
	return sorted
}

// group is what becomes one ticket.
type group struct {
	key      []string
	kind     string
	findings map[string]*document.Finding
	// raised is the worst severity of violations about one finding of the group.
	raised     document.Severity
	messages   []eval.Message
	components map[string]bool
	// component is the component of a licence or dependency ticket.
	component *document.Component
	label     string
	licence   string
}

type builder struct {
	doc      *document.Document
	opts     Options
	findings map[string]*document.Finding
	byLabel  map[string]*document.Component
	groups   map[string]*group
	// graph is built the first time a ticket needs it.
	graph     *depGraph
	graphOnce sync.Once
	// identities caches packageIdentity: a large report names the same
	// packages thousands of times, and parsing a purl costs microseconds.
	// It is keyed by what it reads: ecosystem, name and purl.
	identities map[[3]string][2]string
}

func newBuilder(doc *document.Document, opts Options) *builder {
	b := &builder{
		doc:        doc,
		opts:       opts,
		findings:   make(map[string]*document.Finding, len(doc.Findings)),
		byLabel:    make(map[string]*document.Component, len(doc.Components)),
		groups:     map[string]*group{},
		identities: map[[3]string][2]string{},
	}
	for i := range doc.Findings {
		f := &doc.Findings[i]
		if _, dup := b.findings[f.ID]; !dup || f.Status == document.StatusOpen {
			b.findings[f.ID] = f
		}
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		for _, l := range componentLabels(c) {
			if prev, ok := b.byLabel[l]; !ok || document.ComponentKey(c) < document.ComponentKey(prev) {
				b.byLabel[l] = c
			}
		}
	}
	return b
}

// componentLabels are the names a policy may use for a component: purl,
// name@version, name (policies/lib's label), and with a group.
func componentLabels(c *document.Component) []string {
	var ls []string
	if c.Purl != "" {
		ls = append(ls, c.Purl)
	}
	for _, n := range []string{c.Name, joinNonEmpty("/", c.Group, c.Name)} {
		if n == "" {
			continue
		}
		if c.Version != "" {
			ls = append(ls, n+"@"+c.Version)
		}
		ls = append(ls, n)
	}
	return ls
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	if len(kept) < 2 {
		return ""
	}
	return strings.Join(kept, sep)
}

func (b *builder) group(kind string, key ...string) *group {
	k := strings.Join(key, "\x00")
	g, ok := b.groups[k]
	if !ok {
		g = &group{key: key, kind: kind, findings: map[string]*document.Finding{}, components: map[string]bool{}}
		b.groups[k] = g
	}
	return g
}

// add files one violation under the groups it belongs to.
func (b *builder) add(v eval.Message) {
	var found []*document.Finding
	seen := map[string]bool{}
	for _, id := range v.FindingIDs {
		if f, ok := b.findings[id]; ok && !seen[id] {
			seen[id] = true
			found = append(found, f)
		}
	}
	if len(found) > 0 {
		// A violation naming many findings of one group is that group's
		// message once.
		filed := map[*group]bool{}
		for _, f := range found {
			g := b.findingGroup(f)
			g.findings[f.ID] = f
			if !filed[g] {
				filed[g] = true
				g.messages = append(g.messages, v)
			}
			if len(found) == 1 {
				if s, ok := document.ParseSeverity(v.Severity); ok {
					g.raised = document.MaxSeverity(g.raised, s)
				}
				for _, c := range v.Components {
					g.components[c] = true
				}
			}
			if l := packageLabel(f.Package); l != "" {
				g.components[l] = true
			}
		}
		return
	}
	policy := policyName(v.Policy)
	switch {
	case len(v.Components) > 0 && strings.Contains(policy, "licen"):
		for _, label := range v.Components {
			c := b.byLabel[label]
			expr := ""
			if c != nil {
				expr = componentLicence(c)
			}
			g := b.group(KindLicense, KindLicense, b.componentIdentity(label), expr)
			g.component, g.label, g.licence = c, label, expr
			g.components[label] = true
			g.messages = append(g.messages, v)
		}
	case len(v.Components) > 0 && strings.Contains(policy, "depend"):
		for _, label := range v.Components {
			g := b.group(KindDependency, KindDependency, b.componentIdentity(label))
			g.component, g.label = b.byLabel[label], label
			g.components[label] = true
			g.messages = append(g.messages, v)
		}
	default:
		g := b.group(KindPolicy, KindPolicy, v.Policy, v.Rule, v.Msg)
		for _, c := range v.Components {
			g.components[c] = true
		}
		g.messages = append(g.messages, v)
	}
}

// policyName is the last segment of a policy package, lower case.
func policyName(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		p = p[i+1:]
	}
	return strings.ToLower(p)
}

// findingGroup is the group of the action that fixes f.
func (b *builder) findingGroup(f *document.Finding) *group {
	switch f.Kind {
	case document.KindVulnerability:
		if f.Package != nil && f.Package.Name != "" {
			key := [3]string{f.Package.Ecosystem, f.Package.Name, f.Package.Purl}
			id, ok := b.identities[key]
			if !ok {
				id[0], id[1] = packageIdentity(f.Package)
				b.identities[key] = id
			}
			eco, name := id[0], id[1]
			return b.group(KindVulnerability, "upgrade", eco, name, f.Package.Version)
		}
		return b.group(KindVulnerability, KindVulnerability, document.PrimaryVulnID(f.RuleID, f.Aliases), locationPath(f))
	case document.KindCode, document.KindMisconfiguration:
		return b.group(string(f.Kind), string(f.Kind), f.RuleID, locationPath(f))
	case document.KindLicense:
		subject := locationPath(f)
		if f.Package != nil {
			subject = packageKey(f.Package)
		}
		return b.group(KindLicense, KindLicense, subject, f.RuleID)
	}
	// A secret, and any kind secgate does not know: one ticket each.
	kind := string(f.Kind)
	if kind == "" {
		kind = KindPolicy
	}
	return b.group(kind, kind, f.ID)
}

func locationPath(f *document.Finding) string {
	if f.Location != nil {
		return f.Location.Path
	}
	return ""
}

// packageIdentity is the ecosystem and full name of a package, from its
// purl when it has one (the same identity document.Fingerprint uses).
func packageIdentity(p *document.Package) (eco, name string) {
	eco, name = p.Ecosystem, p.Name
	if p.Purl != "" {
		if u, err := packageurl.FromString(p.Purl); err == nil {
			eco, name = u.Type, u.Name
			if u.Namespace != "" {
				name = u.Namespace + "/" + u.Name
			}
		}
	}
	return strings.ToLower(eco), strings.ToLower(name)
}

// packageKey is a package's identity as document.ComponentKey computes a
// component's, so that a licence finding and an SBOM component of the same
// package share a ticket.
func packageKey(p *document.Package) string {
	c := document.Component{Purl: p.Purl, Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version}
	return document.ComponentKey(&c)
}

// componentIdentity is the identity of a component a violation names.
func (b *builder) componentIdentity(label string) string {
	if c := b.byLabel[label]; c != nil {
		return document.ComponentKey(c)
	}
	if strings.HasPrefix(label, "pkg:") {
		return document.ComponentKey(&document.Component{Purl: label})
	}
	return label
}

// packageLabel names a package as policies name components: purl, else name.
func packageLabel(p *document.Package) string {
	if p == nil {
		return ""
	}
	if p.Purl != "" {
		return p.Purl
	}
	return p.Name
}

// componentLicence is a component's licence expression; a list without one
// reads as all of them.
func componentLicence(c *document.Component) string {
	if c.LicenseExpression != "" {
		return c.LicenseExpression
	}
	var parts []string
	for _, l := range c.Licenses {
		if strings.Contains(l, " ") {
			l = "(" + l + ")"
		}
		parts = append(parts, l)
	}
	return strings.Join(parts, " AND ")
}

// ticket renders a group, and returns its worst finding (nil for none).
func (b *builder) ticket(g *group) (Ticket, *document.Finding) {
	t := Ticket{
		Fingerprint: fingerprint(g.key),
		Kind:        g.kind,
		FindingIDs:  []string{},
		Components:  sortedKeys(g.components),
		Policies:    []string{},
	}
	fs := make([]*document.Finding, 0, len(g.findings))
	for _, f := range g.findings {
		fs = append(fs, f)
	}
	sortFindings(fs)
	for _, f := range fs {
		t.FindingIDs = append(t.FindingIDs, f.ID)
	}
	msgs := uniqueMessages(g.messages)
	for _, m := range msgs {
		t.Policies = append(t.Policies, m.Policy)
	}
	t.Policies = sortedUnique(t.Policies)

	sev := document.SeverityUnknown
	if len(fs) > 0 {
		for _, f := range fs {
			sev = document.MaxSeverity(sev, f.Severity)
		}
		sev = document.MaxSeverity(sev, g.raised)
	} else {
		for _, m := range msgs {
			if s, ok := document.ParseSeverity(m.Severity); ok {
				sev = document.MaxSeverity(sev, s)
			}
		}
	}
	if !sev.Valid() {
		sev = document.SeverityUnknown
	}
	t.Severity = string(sev)
	t.Priority = priority(sev)
	days := b.slaDays(sev)
	t.Due = b.now().AddDate(0, 0, days).Format(dateLayout)
	t.Labels = labels(b.opts.Labels, string(sev), g.kind)

	r := &renderer{t: &t, days: days, fs: fs, msgs: msgs, lapsed: b.lapsedFor(fs)}
	b.say(g, r)
	t.Body = r.body()
	if len(fs) == 0 {
		return t, nil
	}
	return t, fs[0]
}

const dateLayout = "2006-01-02"

func (b *builder) now() time.Time {
	n := b.opts.Now
	if n.IsZero() {
		n = time.Now()
	}
	n = n.UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func (b *builder) slaDays(sev document.Severity) int {
	if d, ok := b.opts.SLADays[string(sev)]; ok && d >= 0 {
		return d
	}
	return defaultSLADays()[string(sev)]
}

// priority maps a severity to P1 (critical), P2 (high), P3 (medium), P4.
func priority(s document.Severity) string {
	switch s {
	case document.SeverityCritical:
		return "P1"
	case document.SeverityHigh:
		return "P2"
	case document.SeverityMedium:
		return "P3"
	}
	return "P4"
}

func labels(configured []string, sev, kind string) []string {
	if configured == nil {
		configured = []string{DefaultLabel}
	}
	out := []string{}
	seen := map[string]bool{}
	for _, l := range append(slices.Clone(configured), "severity:"+sev, "kind:"+kind) {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// fingerprint hashes a grouping key.
func fingerprint(key []string) string {
	h := sha256.New()
	for _, k := range key {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sortFindings orders findings as every listing does: worst first
// (document.WorstFirst).
func sortFindings(fs []*document.Finding) {
	slices.SortFunc(fs, document.WorstFirst)
}

// uniqueMessages drops repeated messages and sorts the rest by policy and text.
func uniqueMessages(ms []eval.Message) []eval.Message {
	out := make([]eval.Message, 0, len(ms))
	seen := map[string]bool{}
	for _, m := range ms {
		k := m.Policy + "\x00" + m.Rule + "\x00" + m.Msg
		if !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Policy != out[j].Policy {
			return out[i].Policy < out[j].Policy
		}
		if out[i].Msg != out[j].Msg {
			return out[i].Msg < out[j].Msg
		}
		return out[i].Rule < out[j].Rule
	})
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func sortedUnique(s []string) []string {
	out := []string{}
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// SLAFromConfig reads tickets.sla_days from the sections of secgate.yaml
// (config.Config.Sections) over DefaultSLADays. A missing section or key
// keeps the default; a value that is not a whole number of days from 0 up
// is an error.
func SLAFromConfig(sections map[string]any) (map[string]int, error) {
	out := DefaultSLADays()
	sec, ok := sections["tickets"].(map[string]any)
	if !ok || sec["sla_days"] == nil {
		return out, nil
	}
	days, ok := sec["sla_days"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("tickets.sla_days: want a mapping of severity to days, got %T", sec["sla_days"])
	}
	for k, v := range days {
		if !document.Severity(k).Valid() {
			return nil, fmt.Errorf("tickets.sla_days.%s: not a severity (want critical, high, medium, low, info or unknown)", k)
		}
		var n int
		switch x := v.(type) {
		case int:
			n = x
		case int64:
			n = int(x)
		case uint64:
			n = int(x)
		case float64:
			n = int(x)
			if float64(n) != x {
				n = -1
			}
		default:
			n = -1
		}
		if n < 0 || n > 36500 {
			return nil, fmt.Errorf("tickets.sla_days.%s: want a whole number of days from 0 to 36500, got %v", k, v)
		}
		out[k] = n
	}
	return out, nil
}

// lapsedFor are the warnings of Options.Lapsed that name any of fs, in
// their order.
func (b *builder) lapsedFor(fs []*document.Finding) []eval.Message {
	if len(b.opts.Lapsed) == 0 || len(fs) == 0 {
		return nil
	}
	ids := make(map[string]bool, len(fs))
	for _, f := range fs {
		ids[f.ID] = true
	}
	var out []eval.Message
	for _, m := range b.opts.Lapsed {
		if slices.ContainsFunc(m.FindingIDs, func(id string) bool { return ids[id] }) {
			out = append(out, m)
		}
	}
	return out
}
