package tickets

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/internal/ecosystem"
	"github.com/secgate/secgate/internal/textsafe"
)

// This file decides what a ticket says: its title, an upgrade's package,
// fix target and rows, where the findings are, what the policies advise.
// How it is written, in Markdown, is markdown.go's; the lines a sync reads
// back are marker.go's.

// maxTitle bounds a title (GitHub allows 256 characters).
const maxTitle = 200

// say decides what the ticket of g says (its title; an upgrade's package)
// and has r write the body's sections.
func (b *builder) say(g *group, r *renderer) {
	t, fs := r.t, r.fs
	switch {
	case g.key[0] == "upgrade":
		u := b.planUpgrade(fs)
		t.Title, t.Package = u.title, u.pkg
		r.renderUpgrade(u)
	case len(fs) > 0 && g.kind == KindSecret:
		rule := orDefault(fs[0].RuleID, "secret")
		t.Title = secretTitle(rule, fs[0])
		r.renderSecret(rule)
	case len(fs) > 0 && g.kind == KindLicense:
		subject := licenceSubject(fs[0])
		t.Title = oneLineTitle("Licence: " + subject + " is " + orDefault(fs[0].RuleID, "not allowed"))
		r.renderLicenceFindings(subject)
	case len(fs) > 0:
		rule := ruleName(fs[0])
		t.Title = ruleTitle(rule, fs)
		r.renderRule(rule)
	case g.kind == KindLicense:
		t.Title = licenceTitle(g.label, g.licence)
		r.renderLicence(g.label, g.component, g.licence)
	case g.kind == KindDependency:
		t.Title = oneLineTitle("Approve or remove the new dependency " + g.label)
		if !newDependency(r.msgs) {
			t.Title = oneLineTitle("Approve or undo the change of " + g.label)
		}
		r.renderDependency(g.label, g.component)
	default:
		m := r.msgs[0]
		t.Title = oneLineTitle(orDefault(m.Msg, "Policy violation in "+m.Policy))
		r.renderPolicy()
	}
}

// upgrade is what an upgrade ticket says: which installed package, the
// version that fixes it, and its vulnerabilities.
type upgrade struct {
	// installed is the package as the findings name it.
	installed *document.Package
	eco       string
	target    fixTarget
	// pkg is the ticket's Package.
	pkg   *Package
	title string
	// fs are the vulnerabilities, worst first.
	fs []*document.Finding
	// counts says "1 critical, 2 high".
	counts string
	// distro says the package is an operating system's; transitive that
	// another dependency pulls it in (and it is not a distribution's).
	distro, transitive bool
	// hint is a command that installs the fix, when one command does it
	// and the package is not transitive.
	hint string
	// places are where the package is, sorted.
	places []string
}

// fix is what fixes the i-th vulnerability: its fixed version, the fixed
// versions the advisory names, or "no fix known".
func (u *upgrade) fix(i int) string {
	fix := u.target.PerVuln[i]
	if fix == "" {
		fix = strings.Join(cleanAll(u.fs[i].FixedVersions), ", ")
	}
	if fix == "" {
		fix = "no fix known"
	}
	return fix
}

// planUpgrade decides the upgrade of one installed package.
func (b *builder) planUpgrade(fs []*document.Finding) upgrade {
	p := representative(fs)
	eco := p.Ecosystem
	if e := document.Ecosystem(p.Purl); e != "" {
		eco = e
	}
	fixed := make([][]string, len(fs))
	for i, f := range fs {
		fixed[i] = f.FixedVersions
	}
	target := chooseFix(eco, p.Version, fixed)
	pkg := &Package{
		Name: p.Name, Version: p.Version, Ecosystem: eco, Purl: p.Purl,
		FixedVersion: target.Version, FixedVersions: []string{}, Unfixed: []string{}, Via: []string{},
	}
	if target.Candidates != nil {
		pkg.FixedVersions = target.Candidates
	}
	for i, f := range fs {
		if target.PerVuln[i] == "" && (target.Ordered || !hasVersion(f.FixedVersions)) {
			pkg.Unfixed = append(pkg.Unfixed, document.VulnID(f))
		}
	}
	pkg.Unfixed = sortedUnique(pkg.Unfixed)
	b.graphOnce.Do(func() { b.graph = newDepGraph(b.doc) })
	pkg.Direct, pkg.Via = b.graph.place(p)

	u := upgrade{installed: p, eco: eco, target: target, pkg: pkg, fs: fs, counts: severityCounts(fs)}
	var summary string
	if len(fs) == 1 {
		summary = fmt.Sprintf("%s, %s", document.VulnID(fs[0]), fs[0].Severity)
	} else {
		summary = fmt.Sprintf("%d vulnerabilities: %s", len(fs), u.counts)
	}
	if n := len(pkg.Unfixed); n > 0 && n < len(fs) {
		summary += fmt.Sprintf("; %d without a fix", n)
	}
	switch {
	case target.Version != "":
		u.title = fmt.Sprintf("Upgrade %s %s to %s (%s)", p.Name, p.Version, target.Version, summary)
	case len(target.Candidates) > 0:
		u.title = fmt.Sprintf("Upgrade %s %s to a fixed version (%s)", p.Name, p.Version, summary)
	default:
		u.title = fmt.Sprintf("Upgrade or replace %s %s: no fixed version known (%s)", p.Name, p.Version, summary)
	}
	u.title = oneLineTitle(u.title)

	// A distribution's package is upgraded with its package manager or a
	// newer base image, whatever pulled it in.
	u.distro = ecosystem.IsOS(eco)
	u.transitive = pkg.Direct != nil && !*pkg.Direct && !u.distro
	if target.Version != "" && !u.transitive {
		u.hint = ecosystem.InstallHint(eco, p.Name, target.Version)
	}
	var where []string
	for _, f := range fs {
		where = appendPlaces(where, f, true)
	}
	u.places = sortedUnique(where)
	return u
}

// secretTitle is "Revoke the secret RULE in PATH".
func secretTitle(rule string, f *document.Finding) string {
	title := "Revoke the secret " + rule
	if p := locationPath(f); p != "" {
		title += " in " + p
	}
	return oneLineTitle(title)
}

// ruleName names the rule of a finding: its rule id (a vulnerability's
// primary id), else its title.
func ruleName(f *document.Finding) string {
	rule := f.RuleID
	if f.Kind == document.KindVulnerability {
		rule = document.VulnID(f)
	}
	return orDefault(rule, orDefault(f.Title, "finding"))
}

// ruleTitle is "Fix RULE in PATH:LINE", or "(N places)".
func ruleTitle(rule string, fs []*document.Finding) string {
	f := fs[0]
	var title string
	switch path := locationPath(f); {
	case path == "":
		title = "Fix " + rule
		if len(fs) > 1 {
			title += fmt.Sprintf(" (%d places)", len(fs))
		}
	case len(fs) == 1:
		title = "Fix " + rule + " in " + path
		if f.Location.StartLine > 0 {
			title += ":" + strconv.Itoa(f.Location.StartLine)
		}
	default:
		title = fmt.Sprintf("Fix %s in %s (%d places)", rule, path, len(fs))
	}
	return oneLineTitle(title)
}

// licenceSubject names what a scanner's licence finding is about: its
// package, else its file.
func licenceSubject(f *document.Finding) string {
	subject := ""
	if f.Package != nil {
		subject = packageLabel(f.Package)
		if f.Package.Purl == "" && f.Package.Version != "" {
			subject += "@" + f.Package.Version
		}
	}
	if subject == "" {
		subject = orDefault(locationPath(f), "a component")
	}
	return subject
}

// licenceTitle is the title of a licence violation about one component.
func licenceTitle(label, expr string) string {
	if expr == "" {
		return oneLineTitle("Licence: " + label + " has no known licence")
	}
	return oneLineTitle("Licence: " + label + " is " + expr)
}

// remediations are the distinct remediation texts of the messages.
func remediations(msgs []eval.Message) []string {
	var out []string
	for _, m := range msgs {
		if m.Remediation != "" {
			out = append(out, m.Remediation)
		}
	}
	return sortedUnique(out)
}

// places lists where the findings are, as path:line, sorted.
func places(fs []*document.Finding) []string {
	var out []string
	for _, f := range fs {
		out = appendPlaces(out, f, false)
	}
	sort.SliceStable(out, func(i, j int) bool { return lessLocation(out[i], out[j]) })
	return compactStrings(out)
}

// referenceURLs are the distinct web references of the findings, at most ten.
func referenceURLs(fs []*document.Finding) []string {
	var out []string
	for _, f := range fs {
		for _, r := range f.References {
			r = strings.TrimSpace(r)
			if strings.HasPrefix(r, "https://") || strings.HasPrefix(r, "http://") {
				out = append(out, r)
			}
		}
	}
	out = sortedUnique(out)
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}

// representative is the package of an upgrade group to show: the findings
// agree on its identity; the one with the smallest purl wins, for stability.
func representative(fs []*document.Finding) *document.Package {
	var best *document.Package
	for _, f := range fs {
		p := f.Package
		if best == nil || (p.Purl != "" && (best.Purl == "" || p.Purl < best.Purl)) ||
			(p.Purl == best.Purl && p.Name < best.Name) {
			best = p
		}
	}
	return best
}

func hasVersion(vs []string) bool {
	for _, v := range vs {
		if cleanVersion(v) != "" {
			return true
		}
	}
	return false
}

func cleanAll(vs []string) []string {
	var out []string
	for _, v := range vs {
		if c := cleanVersion(v); c != "" {
			out = append(out, c)
		}
	}
	return sortedUnique(out)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown-ecosystem"
	}
	return s
}

// severityCounts says "1 critical, 2 high".
func severityCounts(fs []*document.Finding) string {
	n := map[document.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for _, s := range document.Severities {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

func vulnTitle(f *document.Finding) string {
	if f.Title != "" {
		return firstLine(f.Title)
	}
	return firstLine(f.Description)
}

func kevIDs(fs []*document.Finding) []string {
	var ids []string
	for _, f := range fs {
		if f.KEV != nil && f.KEV.Listed {
			ids = append(ids, document.VulnID(f))
		}
	}
	return sortedUnique(ids)
}

// appendPlaces appends every place a finding was reported at, as
// path:line: all its locations, and its package's paths (with
// withPackage, or when it has no location). A library vendored at two
// paths, a secret in several files, is fixed at each.
func appendPlaces(out []string, f *document.Finding, withPackage bool) []string {
	n := len(out)
	for i := range f.Locations {
		if l := locationString(&f.Locations[i]); l != "" {
			out = append(out, l)
		}
	}
	if len(f.Locations) == 0 {
		if l := locationString(f.Location); l != "" {
			out = append(out, l)
		}
	}
	if p := f.Package; p != nil && (withPackage || len(out) == n) {
		if len(p.Paths) == 0 && p.Path != "" {
			out = append(out, p.Path)
		}
		for _, path := range p.Paths {
			if path != "" {
				out = append(out, path)
			}
		}
	}
	return out
}

func compactStrings(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// lessLocation orders path:line strings by path, then numerically by line.
func lessLocation(a, b string) bool {
	pa, la := splitLine(a)
	pb, lb := splitLine(b)
	if pa != pb {
		return pa < pb
	}
	return la < lb
}

func splitLine(s string) (string, int) {
	if i := strings.LastIndexByte(s, ':'); i > 0 {
		if n, err := strconv.Atoi(s[i+1:]); err == nil {
			return s[:i], n
		}
	}
	return s, 0
}

func locationString(l *document.Location) string {
	if l == nil || l.Path == "" {
		return ""
	}
	if l.StartLine > 0 {
		return l.Path + ":" + strconv.Itoa(l.StartLine)
	}
	return l.Path
}

// squash folds each run of white space in s into one space and trims the
// ends, as strings.Join(strings.Fields(s), " ") does, without allocating
// when there is nothing to fold: most text is already one line.
func squash(s string) string {
	space := true // a space at the start is to be trimmed
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.Join(strings.Fields(s), " ")
		}
		isSpace := c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
		if isSpace && (c != ' ' || space) {
			return strings.Join(strings.Fields(s), " ")
		}
		space = isSpace
	}
	if space && s != "" {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		cut := 120
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// oneLineTitle folds a title onto one line and bounds its length.
func oneLineTitle(s string) string {
	s = textsafe.Clean(squash(s), 0)
	if len(s) > maxTitle {
		cut := maxTitle - 1
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
