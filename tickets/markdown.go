package tickets

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/internal/ecosystem"
	"github.com/secgate/secgate/internal/textsafe"
)

// This file writes a ticket's body in Markdown from what plan.go decided:
// the sections, the tables and lists, and the escaping that keeps a
// report's text from becoming structure.

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
	// lapsed are the warnings about waivers of these findings that no
	// longer apply (Options.Lapsed).
	lapsed []eval.Message

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
	var lapsed []string
	for i, m := range r.lapsed {
		if i == maxRows {
			lapsed = append(lapsed, fmt.Sprintf("- … and %d more", len(r.lapsed)-maxRows))
			break
		}
		lapsed = append(lapsed, "- "+text(m.Msg))
	}
	section("Accepted before", lapsed)
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

// renderUpgrade writes the sections of an upgrade.
func (r *renderer) renderUpgrade(u upgrade) {
	p, pkg, fs, target := u.installed, u.pkg, u.fs, u.target

	// What.
	ident := []string{}
	if u.eco != "" {
		ident = append(ident, text(u.eco))
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
	r.what = append(r.what, fmt.Sprintf("%s has %d known %s: %s.", desc, len(fs), noun, u.counts))
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
		r.why = append(r.why, fmt.Sprintf("| %s | %s | %s | %s | %s |",
			vulnLink(f), text(string(f.Severity)), cvssCell(f), text(u.fix(i)), text(vulnTitle(f))))
	}
	if kev := kevIDs(fs); len(kev) > 0 {
		r.why = append(r.why, "", "Known exploited (CISA KEV): "+codeList(kev)+".")
	}

	// How to fix.
	switch {
	case target.Version != "":
		fixesAll := "it fixes all of them"
		if len(pkg.Unfixed) > 0 {
			fixesAll = "it fixes every one that has a known fix"
		}
		r.how = append(r.how, fmt.Sprintf("Upgrade %s from %s to **%s** or later: %s.",
			code(p.Name), text(p.Version), text(target.Version), fixesAll))
		if u.hint != "" {
			r.how = append(r.how, "", "For example: "+code(u.hint))
		}
	case len(target.Candidates) > 0:
		why := "secgate does not order " + text(orUnknown(u.eco)) + " versions"
		if ecosystem.Ordered(u.eco) {
			why = "not all of them are " + text(u.eco) + " versions secgate can read"
		}
		r.how = append(r.how, fmt.Sprintf("Upgrade %s from %s to a version that fixes every vulnerability below. "+
			"The advisories name several fixed versions (%s) and %s: take the latest of them that your package manager offers.",
			code(p.Name), text(p.Version), codeList(target.Candidates), why))
	}
	if u.distro && (target.Version != "" || len(target.Candidates) > 0) {
		r.how = appendPara(r.how, "It is an operating system package: rebuild the image on an updated base image, "+
			"or upgrade the package in the image build.")
	}
	if u.transitive {
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
	r.where = bullets(u.places)
}

// renderSecret writes the sections of one secret finding. The body never
// quotes the secret or its snippet.
func (r *renderer) renderSecret(rule string) {
	f := r.fs[0]
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
	for _, s := range remediations(r.msgs) {
		r.how = append(r.how, "", "The policy says: "+text(s)+".")
	}
	r.where = bullets(places(r.fs))
}

// renderRule writes the sections of one rule's findings in one file
// (code, misconfiguration, or a vulnerability without a package).
func (r *renderer) renderRule(rule string) {
	f := r.fs[0]
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
	refs := autolinks(referenceURLs(r.fs))
	if len(refs) > 0 {
		r.why = append(r.why, "")
		r.why = append(r.why, bullets(refs)...)
	}
	r.bulletRemediations(fmt.Sprintf("Fix each place listed below so that %s no longer applies; "+
		"if a place is a false positive, waive its finding with an exception that says why.", code(rule)))
	r.where = bullets(places(r.fs))
}

// renderLicenceFindings writes the sections of the licence findings a
// scanner made for one package (or file) and licence.
func (r *renderer) renderLicenceFindings(subject string) {
	f := r.fs[0]
	r.what = append(r.what, fmt.Sprintf("%s is licensed %s.", code(subject), code(orDefault(f.RuleID, "?"))))
	r.why = append(r.why, "Its licence breaks the licence policy; see the violations below.")
	r.bulletRemediations(fmt.Sprintf("Replace %s with a component under an allowed licence, or get legal approval and waive it with an exception.", code(subject)))
	r.where = bullets(places(r.fs))
}

// renderLicence writes the sections of a licence violation about one SBOM
// component.
func (r *renderer) renderLicence(label string, c *document.Component, expr string) {
	if expr == "" {
		r.what = append(r.what, code(label)+" has no licence information secgate can judge.")
	} else {
		r.what = append(r.what, fmt.Sprintf("%s is licensed %s.", code(label), code(expr)))
	}
	r.why = append(r.why, "It breaks the licence policy; see the violations below.")
	r.bulletRemediations(fmt.Sprintf("Replace %s with a component under an allowed licence, or get legal approval and waive it.", code(label)))
	r.where = componentWhere(c)
}

// renderDependency writes the sections of an unapproved dependency
// change: a new dependency, or an upgrade, downgrade or licence change
// that dependencies.require_approval_for asks approval for.
func (r *renderer) renderDependency(label string, c *document.Component) {
	if newDependency(r.msgs) {
		r.what = append(r.what, code(label)+" is a new dependency that has no valid approval.")
		r.why = append(r.why, "New dependencies need an approval (who approved it, until when, and why) before they are merged.")
		r.bulletRemediations("Remove the dependency, or get it approved.")
	} else {
		r.what = append(r.what, code(label)+" changed since the baseline (see the violations below), and the change has no valid approval.")
		r.why = append(r.why, "The dependency changes dependencies.require_approval_for lists need an approval (who approved it, until when, and why) before they are merged.")
		r.bulletRemediations("Undo the change, or get it approved.")
	}
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

// newDependency: every message is about a new dependency, none about a
// change of one the baseline had.
func newDependency(msgs []eval.Message) bool {
	for _, m := range msgs {
		if !strings.HasPrefix(m.Msg, "new dependency ") {
			return false
		}
	}
	return true
}

// renderPolicy writes the sections of any other violation.
func (r *renderer) renderPolicy() {
	m := r.msgs[0]
	r.what = append(r.what, text(m.Msg)+".")
	if len(r.t.Components) > 0 {
		r.what = append(r.what, "", "Components: "+codeList(r.t.Components)+".")
	}
	r.why = append(r.why, fmt.Sprintf("Policy %s denies it.", code(m.Policy)))
	r.bulletRemediations("Change what the policy objects to, or waive it with an exception that says why.")
}

// bulletRemediations appends the policies' remediation texts to how, or
// the fallback when they give none.
func (r *renderer) bulletRemediations(fallback string) {
	rs := remediations(r.msgs)
	if len(rs) == 0 {
		r.how = append(r.how, fallback)
		return
	}
	for _, s := range rs {
		r.how = append(r.how, "- "+upperFirst(text(s))+".")
	}
}

// autolinks writes web addresses as Markdown autolinks.
func autolinks(urls []string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = "<" + textsafe.URL(u) + ">"
	}
	return out
}

// appendPara appends a paragraph, after a blank line when lines has some.
func appendPara(lines []string, para string) []string {
	if len(lines) > 0 {
		lines = append(lines, "")
	}
	return append(lines, para)
}

// vulnLink is a finding's id, linked to its advisory
// (document.AdvisoryURL).
func vulnLink(f *document.Finding) string {
	label := text(document.VulnID(f))
	u := document.AdvisoryURL(f)
	if u == "" {
		return label
	}
	return "[" + label + "](" + textsafe.URL(u) + ")"
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

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
