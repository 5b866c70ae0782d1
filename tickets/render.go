package tickets

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/internal/ecosystem"
	"github.com/secgate/secgate/internal/textsafe"
)

// maxTitle bounds a title (GitHub allows 256 characters).
const maxTitle = 200

// maxBody bounds a body before its finding ids and marker, well below the
// 65536 characters GitHub allows in an issue.
const maxBody = 56 << 10

// maxDescription bounds the scanner description quoted in a body.
const maxDescription = 800

// renderer collects the sections of one ticket's body.
type renderer struct {
	t    *Ticket
	days int
	fs   []*document.Finding
	msgs []eval.Message

	what, why, how, where []string
}

// body assembles the Markdown body: heading, due line, what, why, how to
// fix, where, the policies' messages, and the fingerprint marker.
func (r *renderer) body() string {
	var b strings.Builder
	// Sized once: a large report renders thousands of bodies.
	size := 512 + len(r.t.Title) + 80*min(len(r.msgs), maxRows+1) + 64*min(len(r.t.FindingIDs), maxRows+1)
	for _, lines := range [][]string{r.what, r.why, r.how, r.where} {
		for _, l := range lines {
			size += len(l) + 1
		}
	}
	// A longer body is cut at maxBody, and the builder's buffer is the
	// string returned: no more than that and the finding ids is reserved.
	b.Grow(min(size, maxBody+64*(maxRows+1)))
	fmt.Fprintf(&b, "## %s\n\n", text(r.t.Title))
	b.WriteString(dueLine(r.t.Due, r.t.Severity, r.t.Priority, r.days))
	b.WriteString("\n\n")
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "### %s\n\n", title)
		for _, l := range lines {
			b.WriteString(l)
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	section("What", r.what)
	section("Why", r.why)
	section("How to fix", r.how)
	section("Where", r.where)
	var pol []string
	for i, m := range r.msgs {
		if i == maxRows {
			pol = append(pol, fmt.Sprintf("- … and %d more", len(r.msgs)-maxRows))
			break
		}
		sev := ""
		if m.Severity != "" {
			sev = " (" + text(m.Severity) + ")"
		}
		pol = append(pol, fmt.Sprintf("- %s%s: %s", code(m.Policy), sev, text(m.Msg)))
	}
	section("Policy violations", pol)
	tail := "Finding ids: " + findingIDList(r.t.FindingIDs) + "\n\n" + Marker(r.t.Fingerprint) + "\n"
	if out := b.String(); len(out) > maxBody {
		cut := strings.LastIndexByte(out[:maxBody], '\n')
		return out[:cut+1] + "\n… (cut to fit an issue; tickets.json names every finding)\n\n" + tail
	}
	b.WriteString(tail)
	return b.String()
}

func findingIDList(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	var parts []string
	for i, id := range ids {
		if i == maxRows {
			parts = append(parts, fmt.Sprintf("… and %d more", len(ids)-maxRows))
			break
		}
		parts = append(parts, code(id))
	}
	return strings.Join(parts, ", ")
}

// remediations are the distinct remediation texts of the messages.
func (r *renderer) remediations() []string {
	var out []string
	for _, m := range r.msgs {
		if m.Remediation != "" {
			out = append(out, m.Remediation)
		}
	}
	return sortedUnique(out)
}

// bulletRemediations appends the policies' remediation texts to how, or
// the fallback when they give none.
func (r *renderer) bulletRemediations(fallback string) {
	rs := r.remediations()
	if len(rs) == 0 {
		r.how = append(r.how, fallback)
		return
	}
	for _, s := range rs {
		r.how = append(r.how, "- "+upperFirst(text(s))+".")
	}
}

// renderUpgrade renders the upgrade of one installed package.
func (b *builder) renderUpgrade(r *renderer, fs []*document.Finding) {
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
			pkg.Unfixed = append(pkg.Unfixed, vulnID(f))
		}
	}
	pkg.Unfixed = sortedUnique(pkg.Unfixed)
	b.graphOnce.Do(func() { b.graph = newDepGraph(b.doc) })
	pkg.Direct, pkg.Via = b.graph.place(p)
	r.t.Package = pkg

	counts := severityCounts(fs)
	var summary string
	if len(fs) == 1 {
		summary = fmt.Sprintf("%s, %s", vulnID(fs[0]), fs[0].Severity)
	} else {
		summary = fmt.Sprintf("%d vulnerabilities: %s", len(fs), counts)
	}
	if n := len(pkg.Unfixed); n > 0 && n < len(fs) {
		summary += fmt.Sprintf("; %d without a fix", n)
	}
	switch {
	case target.Version != "":
		r.t.Title = fmt.Sprintf("Upgrade %s %s to %s (%s)", p.Name, p.Version, target.Version, summary)
	case len(target.Candidates) > 0:
		r.t.Title = fmt.Sprintf("Upgrade %s %s to a fixed version (%s)", p.Name, p.Version, summary)
	default:
		r.t.Title = fmt.Sprintf("Upgrade or replace %s %s: no fixed version known (%s)", p.Name, p.Version, summary)
	}
	r.t.Title = oneLineTitle(r.t.Title)

	// What.
	ident := []string{}
	if eco != "" {
		ident = append(ident, text(eco))
	}
	if p.Purl != "" {
		ident = append(ident, code(p.Purl))
	}
	desc := code(p.Name) + " " + text(p.Version)
	if len(ident) > 0 {
		desc += " (" + strings.Join(ident, ", ") + ")"
	}
	noun := "vulnerability"
	if len(fs) > 1 {
		noun = "vulnerabilities"
	}
	r.what = append(r.what, fmt.Sprintf("%s has %d known %s: %s.", desc, len(fs), noun, counts))
	switch {
	case pkg.Direct == nil:
		r.what = append(r.what, "", "No SBOM component is this package, so how it is pulled in is not known.")
	case *pkg.Direct && len(pkg.Via) == 0:
		r.what = append(r.what, "", "It is a direct dependency.")
	case *pkg.Direct:
		r.what = append(r.what, "", "It is a direct dependency, and also pulled in by "+codeList(pkg.Via)+".")
	case len(pkg.Via) > 0:
		r.what = append(r.what, "", "It is a transitive dependency, pulled in by "+codeList(pkg.Via)+".")
	default:
		r.what = append(r.what, "", "It is not a direct dependency; the SBOM does not show what pulls it in.")
	}

	// Why: one row per vulnerability.
	r.why = append(r.why, "| Vulnerability | Severity | CVSS | Fixed in | Title |", "|---|---|---|---|---|")
	for i, f := range fs {
		if i == maxRows {
			r.why = append(r.why, fmt.Sprintf("| … and %d more | | | | |", len(fs)-maxRows))
			break
		}
		fix := target.PerVuln[i]
		if fix == "" {
			fix = strings.Join(cleanAll(f.FixedVersions), ", ")
		}
		if fix == "" {
			fix = "no fix known"
		}
		r.why = append(r.why, fmt.Sprintf("| %s | %s | %s | %s | %s |",
			vulnLink(f), text(string(f.Severity)), cvssCell(f), text(fix), text(vulnTitle(f))))
	}
	if kev := kevIDs(fs); len(kev) > 0 {
		r.why = append(r.why, "", "Known exploited (CISA KEV): "+codeList(kev)+".")
	}

	// How to fix. A distribution's package is upgraded with its package
	// manager or a newer base image, whatever pulled it in.
	distro := ecosystem.IsOS(eco)
	transitive := pkg.Direct != nil && !*pkg.Direct && !distro
	switch {
	case target.Version != "":
		fixesAll := "it fixes all of them"
		if len(pkg.Unfixed) > 0 {
			fixesAll = "it fixes every one that has a known fix"
		}
		r.how = append(r.how, fmt.Sprintf("Upgrade %s from %s to **%s** or later: %s.",
			code(p.Name), text(p.Version), text(target.Version), fixesAll))
		if hint := ecosystem.InstallHint(eco, p.Name, target.Version); hint != "" && !transitive {
			r.how = append(r.how, "", "For example: "+code(hint))
		}
	case len(target.Candidates) > 0:
		why := "secgate does not order " + text(orUnknown(eco)) + " versions"
		if ecosystem.Ordered(eco) {
			why = "not all of them are " + text(eco) + " versions secgate can read"
		}
		r.how = append(r.how, fmt.Sprintf("Upgrade %s from %s to a version that fixes every vulnerability below. "+
			"The advisories name several fixed versions (%s) and %s: take the latest of them that your package manager offers.",
			code(p.Name), text(p.Version), codeList(target.Candidates), why))
	}
	if distro && (target.Version != "" || len(target.Candidates) > 0) {
		r.how = appendPara(r.how, "It is an operating system package: rebuild the image on an updated base image, "+
			"or upgrade the package in the image build.")
	}
	if transitive {
		via := "the direct dependency that pulls it in"
		if len(pkg.Via) > 0 {
			via = codeList(pkg.Via)
		}
		r.how = appendPara(r.how, fmt.Sprintf("It is not a direct dependency: upgrade %s to a release that requires a fixed %s, "+
			"or force the version (npm overrides, yarn resolutions, pip constraints, a Go require, Maven dependencyManagement).",
			via, code(p.Name)))
	}
	if len(pkg.Unfixed) > 0 {
		r.how = appendPara(r.how, fmt.Sprintf("No fixed version is known for %s: remove or replace %s, mitigate, "+
			"or waive with an exception (reason and expiry) until a fix is released.", codeList(pkg.Unfixed), code(p.Name)))
	}

	// Where.
	var where []string
	for _, f := range fs {
		where = appendPlaces(where, f, true)
	}
	r.where = bullets(sortedUnique(where))
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

// appendPara appends a paragraph, after a blank line when lines has some.
func appendPara(lines []string, para string) []string {
	if len(lines) > 0 {
		lines = append(lines, "")
	}
	return append(lines, para)
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

// vulnID is the primary id of a vulnerability (a CVE, else a GHSA …) as
// the report spelled it.
func vulnID(f *document.Finding) string {
	id := document.PrimaryVulnID(f.RuleID, f.Aliases)
	for _, a := range append([]string{f.RuleID}, f.Aliases...) {
		if a = strings.TrimSpace(a); strings.EqualFold(a, id) {
			return a
		}
	}
	return id
}

func vulnTitle(f *document.Finding) string {
	if f.Title != "" {
		return firstLine(f.Title)
	}
	return firstLine(f.Description)
}

// vulnLink is a finding's id, linked to its first web reference, or to the
// NVD or GitHub advisory page for a CVE or GHSA id.
func vulnLink(f *document.Finding) string {
	id := vulnID(f)
	u := referenceURL(f)
	if u == "" {
		switch {
		case strings.HasPrefix(strings.ToUpper(id), "CVE-"):
			u = "https://nvd.nist.gov/vuln/detail/" + strings.ToUpper(id)
		case strings.HasPrefix(strings.ToUpper(id), "GHSA-"):
			u = "https://github.com/advisories/GHSA-" + strings.ToLower(id[len("GHSA-"):])
		}
	}
	label := text(id)
	if u == "" {
		return label
	}
	return "[" + label + "](" + safeURL(u) + ")"
}

// referenceURL is the first http(s) reference of a finding.
func referenceURL(f *document.Finding) string {
	for _, r := range f.References {
		r = strings.TrimSpace(r)
		if strings.HasPrefix(r, "https://") || strings.HasPrefix(r, "http://") {
			return r
		}
	}
	return ""
}

// safeURL is u as a link destination of plain ASCII: every byte but
// letters, digits and -._~:/?#&=+%,; is percent-encoded, so a report's
// address cannot end the link, open another, mention anyone or carry a
// control character (Clean's escapes are encoded too).
func safeURL(u string) string {
	u = textsafe.Clean(u, textsafe.MaxMessage)
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~:/?#&=+%,;", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func cvssCell(f *document.Finding) string {
	if f.CVSS == nil || f.CVSS.Score <= 0 {
		return ""
	}
	s := strconv.FormatFloat(f.CVSS.Score, 'f', 1, 64)
	if f.CVSS.Version != "" {
		s += " (v" + text(strings.TrimPrefix(f.CVSS.Version, "v")) + ")"
	}
	return s
}

func kevIDs(fs []*document.Finding) []string {
	var ids []string
	for _, f := range fs {
		if f.KEV != nil && f.KEV.Listed {
			ids = append(ids, vulnID(f))
		}
	}
	return sortedUnique(ids)
}

// renderSecret renders one secret finding. The body never quotes the
// secret or its snippet.
func (r *renderer) renderSecret() {
	f := r.fs[0]
	rule := orDefault(f.RuleID, "secret")
	r.t.Title = "Revoke the secret " + rule
	if p := locationPath(f); p != "" {
		r.t.Title += " in " + p
	}
	r.t.Title = oneLineTitle(r.t.Title)
	what := fmt.Sprintf("A secret (%s", code(rule))
	if f.Title != "" && f.Title != f.RuleID {
		what += ": " + text(f.Title)
	}
	what += ") is in the code"
	if l := locationString(f.Location); l != "" {
		what += " at " + code(l)
	}
	r.what = append(r.what, what+".")
	r.why = append(r.why, "Anyone who can read the repository, its history, a fork or a build artefact can use it. "+
		"Removing it from the latest commit does not revoke it.")
	r.how = append(r.how,
		"1. Revoke or rotate the credential where it was issued; treat it as compromised.",
		"2. Remove it from the code: read it from a secret store or the environment.",
		"3. If the repository is shared, purge it from the history (git filter-repo) and force-push.",
		fmt.Sprintf("4. If it is not a secret (a test fixture, a placeholder), waive finding %s with an exception that says why.", code(f.ID)))
	for _, s := range r.remediations() {
		r.how = append(r.how, "", "The policy says: "+text(s)+".")
	}
	r.where = bullets(r.locations())
}

// renderRule renders one rule's findings in one file (code,
// misconfiguration, or a vulnerability without a package).
func (r *renderer) renderRule() {
	f := r.fs[0]
	rule := f.RuleID
	if f.Kind == document.KindVulnerability {
		rule = vulnID(f)
	}
	rule = orDefault(rule, orDefault(f.Title, "finding"))
	path := locationPath(f)
	switch {
	case path == "":
		r.t.Title = "Fix " + rule
		if len(r.fs) > 1 {
			r.t.Title += fmt.Sprintf(" (%d places)", len(r.fs))
		}
	case len(r.fs) == 1:
		r.t.Title = "Fix " + rule + " in " + path
		if f.Location.StartLine > 0 {
			r.t.Title += ":" + strconv.Itoa(f.Location.StartLine)
		}
	default:
		r.t.Title = fmt.Sprintf("Fix %s in %s (%d places)", rule, path, len(r.fs))
	}
	r.t.Title = oneLineTitle(r.t.Title)

	what := code(rule)
	if t := vulnTitle(f); t != "" && t != rule {
		what += ": " + text(t)
	}
	r.what = append(r.what, what+".")
	if d := quote(f.Description, f.Title); d != "" {
		r.what = append(r.what, "", d)
	}
	var why []string
	why = append(why, "Severity "+text(string(f.Severity)))
	if c := cvssCell(f); c != "" {
		why = append(why, "CVSS "+c)
	}
	if len(f.CWE) > 0 {
		why = append(why, strings.Join(cweLinks(f.CWE), ", "))
	}
	r.why = append(r.why, strings.Join(why, " · ")+".")
	refs := references(r.fs)
	if len(refs) > 0 {
		r.why = append(r.why, "")
		r.why = append(r.why, bullets(refs)...)
	}
	r.bulletRemediations(fmt.Sprintf("Fix each place listed below so that %s no longer applies; "+
		"if a place is a false positive, waive its finding with an exception that says why.", code(rule)))
	r.where = bullets(r.locations())
}

// renderLicenceFindings renders the licence findings a scanner made for one
// package (or file) and licence.
func (r *renderer) renderLicenceFindings() {
	f := r.fs[0]
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
	r.t.Title = oneLineTitle("Licence: " + subject + " is " + orDefault(f.RuleID, "not allowed"))
	r.what = append(r.what, fmt.Sprintf("%s is licensed %s.", code(subject), code(orDefault(f.RuleID, "?"))))
	r.why = append(r.why, "Its licence breaks the licence policy; see the violations below.")
	r.bulletRemediations(fmt.Sprintf("Replace %s with a component under an allowed licence, or get legal approval and waive it with an exception.", code(subject)))
	r.where = bullets(r.locations())
}

// renderLicence renders a licence violation about one SBOM component.
func (r *renderer) renderLicence(label string, c *document.Component, expr string) {
	if expr == "" {
		r.t.Title = "Licence: " + label + " has no known licence"
	} else {
		r.t.Title = "Licence: " + label + " is " + expr
	}
	r.t.Title = oneLineTitle(r.t.Title)
	if expr == "" {
		r.what = append(r.what, code(label)+" has no licence information secgate can judge.")
	} else {
		r.what = append(r.what, fmt.Sprintf("%s is licensed %s.", code(label), code(expr)))
	}
	r.why = append(r.why, "It breaks the licence policy; see the violations below.")
	r.bulletRemediations(fmt.Sprintf("Replace %s with a component under an allowed licence, or get legal approval and waive it.", code(label)))
	r.where = componentWhere(c)
}

// renderDependency renders an unapproved new dependency.
func (r *renderer) renderDependency(label string, c *document.Component) {
	r.t.Title = oneLineTitle("Approve or remove the new dependency " + label)
	r.what = append(r.what, code(label)+" is a new dependency that has no valid approval.")
	r.why = append(r.why, "New dependencies need an approval (who approved it, until when, and why) before they are merged.")
	r.bulletRemediations("Remove the dependency, or get it approved.")
	r.how = append(r.how, "", "An approval in secgate.yaml looks like this:", "",
		"```yaml",
		"dependencies:",
		"  approvals:",
		"    - match: "+strconv.Quote(label),
		"      approved_by: security-team",
		"      expires: YYYY-MM-DD",
		"      reason: why this dependency is needed",
		"```")
	r.where = componentWhere(c)
}

// renderPolicy renders any other violation.
func (r *renderer) renderPolicy() {
	m := r.msgs[0]
	r.t.Title = oneLineTitle(orDefault(m.Msg, "Policy violation in "+m.Policy))
	r.what = append(r.what, text(m.Msg)+".")
	if len(r.t.Components) > 0 {
		r.what = append(r.what, "", "Components: "+codeList(r.t.Components)+".")
	}
	r.why = append(r.why, fmt.Sprintf("Policy %s denies it.", code(m.Policy)))
	r.bulletRemediations("Change what the policy objects to, or waive it with an exception that says why.")
}

func componentWhere(c *document.Component) []string {
	if c == nil {
		return nil
	}
	var out []string
	if c.Purl != "" {
		out = append(out, "- purl: "+code(c.Purl))
	}
	if c.BOMRef != "" && c.BOMRef != c.Purl {
		out = append(out, "- SBOM bom-ref: "+code(c.BOMRef))
	}
	if c.Direct {
		out = append(out, "- a direct dependency")
	}
	if c.Scope != "" {
		out = append(out, "- scope: "+text(c.Scope))
	}
	return out
}

// locations lists where the findings are, as path:line, sorted.
func (r *renderer) locations() []string {
	var out []string
	for _, f := range r.fs {
		out = appendPlaces(out, f, false)
	}
	sort.SliceStable(out, func(i, j int) bool { return lessLocation(out[i], out[j]) })
	return compactStrings(out)
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

// references are the distinct web references of the findings, at most ten.
func references(fs []*document.Finding) []string {
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
	for i, u := range out {
		out[i] = "<" + safeURL(u) + ">"
	}
	return out
}

var cweRE = regexp.MustCompile(`(?i)^CWE-(\d+)`)

func cweLinks(cwes []string) []string {
	var out []string
	for _, c := range sortedUnique(cwes) {
		if m := cweRE.FindStringSubmatch(strings.TrimSpace(c)); m != nil {
			out = append(out, fmt.Sprintf("[CWE-%s](https://cwe.mitre.org/data/definitions/%s.html)", m[1], m[1]))
		} else {
			out = append(out, text(c))
		}
	}
	return out
}

func bullets(items []string) []string {
	var out []string
	for i, it := range items {
		if i == maxRows {
			out = append(out, fmt.Sprintf("- … and %d more", len(items)-maxRows))
			break
		}
		if strings.HasPrefix(it, "<http") {
			out = append(out, "- "+it)
		} else {
			out = append(out, "- "+code(it))
		}
	}
	return out
}

// text makes scanner-provided text safe to embed in Markdown on one line:
// whitespace collapsed, then textsafe.Markdown: no control character, no
// link, image or HTML (so no comment can forge a fingerprint marker), no
// heading, no table cell, and no @mentions that would notify strangers.
func text(s string) string {
	return textsafe.Markdown(squash(s), textsafe.MaxMessage)
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

// code is s on one line as an inline code span (no mentions, no HTML are
// rendered there; see textsafe.Code); empty, it is an empty span.
func code(s string) string {
	s = squash(s)
	if s == "" {
		return "``"
	}
	return textsafe.Code(s, textsafe.MaxMessage, false)
}

func codeList(items []string) string {
	var parts []string
	for i, it := range items {
		if i == 20 {
			parts = append(parts, fmt.Sprintf("and %d more", len(items)-20))
			break
		}
		parts = append(parts, code(it))
	}
	return strings.Join(parts, ", ")
}

// quote is a description as a Markdown block quote, bounded, unless it
// only repeats the title.
func quote(desc, title string) string {
	desc = strings.TrimSpace(desc)
	if desc == "" || desc == strings.TrimSpace(title) {
		return ""
	}
	if len(desc) > maxDescription {
		cut := maxDescription
		for cut > 0 && !isRuneStart(desc[cut]) {
			cut--
		}
		desc = desc[:cut] + " …"
	}
	var lines []string
	for _, l := range strings.Split(desc, "\n") {
		lines = append(lines, "> "+text(l))
	}
	return strings.Join(lines, "\n")
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

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// markerRE finds the fingerprint marker of a body.
var markerRE = regexp.MustCompile(`<!-- secgate:fingerprint=([0-9a-f]{16,64}) -->`)

// Marker is the hidden line that identifies a ticket's issue:
// <!-- secgate:fingerprint=FP -->.
func Marker(fingerprint string) string {
	return "<!-- secgate:fingerprint=" + fingerprint + " -->"
}

// FingerprintOf returns the fingerprint in a body's marker, if it has one.
func FingerprintOf(body string) (string, bool) {
	m := markerRE.FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// dueRE matches the due line of a body.
var dueRE = regexp.MustCompile(`(?m)^\*\*Due:\*\* (\d{4}-\d{2}-\d{2}) · severity ([a-z]+)`)

func dueLine(due, severity, priority string, days int) string {
	return fmt.Sprintf("**Due:** %s · severity %s · priority %s · SLA %d days", due, severity, priority, days)
}

// DueOf returns the due date (YYYY-MM-DD) and severity that a ticket body
// states on its due line.
func DueOf(body string) (due, severity string, ok bool) {
	m := dueRE.FindStringSubmatch(body)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// WithDue returns body with the date of its due line replaced by due (a
// body without a due line is returned as it is). Sync uses it to keep an
// issue's due date while its severity is unchanged.
func WithDue(body, due string) string {
	loc := dueRE.FindStringSubmatchIndex(body)
	if loc == nil {
		return body
	}
	return body[:loc[2]] + due + body[loc[3]:]
}
