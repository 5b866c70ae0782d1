package diff

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/internal/textsafe"
)

// MaxListed bounds each list a Markdown section or table prints; the rest
// is counted (the JSON form has them all).
const MaxListed = 100

// Markdown writes the diff as one release's section of a security
// changelog: a heading (the version, or "Security changes"), a summary,
// then what changed, each vulnerability linked to its advisory and each
// fixed one with what fixed it. Report text is escaped: it cannot add a
// link, HTML, a heading or a mention of its own.
func (d *Diff) Markdown(w io.Writer, version string) error {
	bw := bufio.NewWriter(w)
	title := "Security changes"
	if version != "" {
		title = version
		fmt.Fprintf(bw, "%s\n", beginMarker(version))
	}
	fmt.Fprintf(bw, "## %s\n\n", textsafe.Markdown(title, textsafe.MaxField))
	v, c, f := &d.Vulnerabilities, &d.Components, &d.Findings
	fmt.Fprintf(bw, "Vulnerabilities: %s fixed, %s introduced, %s still open. "+
		"Dependencies: %d added, %d upgraded, %d downgraded, %d removed, %d licence changes. "+
		"Code and secret findings: %s introduced, %s fixed.\n",
		countText(len(v.Fixed), v.Counts.Fixed), countText(len(v.Introduced), v.Counts.Introduced), countText(len(v.StillOpen), v.Counts.StillOpen),
		len(c.Added), len(c.Upgraded), len(c.Downgraded)+len(c.Changed), len(c.Removed), len(c.LicenseChanged),
		countText(len(f.Introduced), f.Counts.Introduced), countText(len(f.Fixed), f.Counts.Fixed))

	section(bw, "Vulnerabilities fixed", v.Fixed, func(x Vulnerability) string {
		return vulnLine(x) + fixedBy(x.ResolvedBy)
	})
	section(bw, "Vulnerabilities introduced", v.Introduced, func(x Vulnerability) string {
		line := vulnLine(x)
		if len(x.FixedVersions) > 0 {
			line += " (fixed in " + textsafe.Markdown(strings.Join(x.FixedVersions, ", "), textsafe.MaxField) + ")"
		}
		return line
	})
	section(bw, "Dependencies added", c.Added, func(x Component) string {
		return componentLabel(x) + " " + code(x.Version) + licences(x)
	})
	section(bw, "Dependencies upgraded", c.Upgraded, versionLine)
	section(bw, "Dependencies downgraded", c.Downgraded, versionLine)
	section(bw, "Dependencies changed (versions that cannot be ordered)", c.Changed, versionLine)
	section(bw, "Dependencies removed", c.Removed, func(x Component) string {
		return componentLabel(x) + " " + code(x.Version)
	})
	section(bw, "Licence changes", c.LicenseChanged, func(x Component) string {
		return componentLabel(x) + ": " + licenceText(x.PreviousLicenses) + " → " + licenceText(x.Licenses)
	})
	section(bw, "Code and secret findings introduced", f.Introduced, findingLine)
	section(bw, "Code and secret findings fixed", f.Fixed, findingLine)
	if version != "" {
		fmt.Fprintf(bw, "\n%s\n", endMarker(version))
	}
	return bw.Flush()
}

// section writes a heading and a bullet per item, at most MaxListed.
func section[T any](w io.Writer, heading string, items []T, line func(T) string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\n### %s (%d)\n\n", heading, len(items))
	for i, x := range items {
		if i == MaxListed {
			fmt.Fprintf(w, "- and %d more (`secgate diff -o json` lists them all)\n", len(items)-MaxListed)
			break
		}
		fmt.Fprintf(w, "- %s\n", line(x))
	}
}

// countText is "3 (1 critical, 2 high)", or "0".
func countText(n int, by map[string]int) string {
	if n == 0 {
		return "0"
	}
	var parts []string
	for _, s := range document.Severities {
		if k := by[string(s)]; k > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k, s))
		}
	}
	return fmt.Sprintf("%d (%s)", n, strings.Join(parts, ", "))
}

// vulnLine is "**high** [CVE-…](advisory) in `lodash` `4.17.15`: title".
func vulnLine(x Vulnerability) string {
	id := textsafe.Markdown(x.ID, textsafe.MaxField)
	if x.Advisory != "" {
		id = "[" + id + "](" + textsafe.URL(x.Advisory) + ")"
	}
	line := "**" + textsafe.Markdown(x.Severity, textsafe.MaxField) + "** " + id
	if p := x.Package; p != nil {
		line += " in " + code(p.Name)
		if p.Version != "" {
			line += " " + code(p.Version)
		}
	}
	if x.Title != "" {
		line += ": " + textsafe.Markdown(x.Title, textsafe.MaxMessage)
	}
	if x.Status == string(document.StatusAccepted) {
		line += " (waived by an exception)"
	}
	return line
}

// fixedBy says what fixed a vulnerability, for the changelog.
func fixedBy(r *Resolution) string {
	if r == nil {
		return ""
	}
	switch r.How {
	case ByUpgrade:
		return " — fixed by the upgrade of " + code(r.Package) + " to " + code(r.To)
	case ByDowngrade:
		return " — fixed by the downgrade of " + code(r.Package) + " to " + code(r.To)
	case ByVersionChange:
		return " — fixed by the change of " + code(r.Package) + " to " + code(r.To)
	case ByRemoval:
		return " — fixed by the removal of " + code(r.Package)
	case ByStatus:
		return " — " + strings.ReplaceAll(r.Status, "_", " ") + " (VEX)"
	}
	return " — no longer reported"
}

func versionLine(x Component) string {
	return componentLabel(x) + " " + code(x.PreviousVersion) + " → " + code(x.Version)
}

func componentLabel(x Component) string {
	if x.Group != "" {
		return code(x.Group + "/" + x.Name)
	}
	return code(x.Name)
}

// licences are a component's licences in brackets: its expression when
// its SBOM gives one.
func licences(x Component) string {
	switch {
	case x.LicenseExpression != "":
		return " (" + textsafe.Markdown(x.LicenseExpression, textsafe.MaxField) + ")"
	case len(x.Licenses) == 0:
		return ""
	}
	return " (" + licenceText(x.Licenses) + ")"
}

func licenceText(l []string) string {
	if len(l) == 0 {
		return "none stated"
	}
	return textsafe.Markdown(strings.Join(l, ", "), textsafe.MaxField)
}

func findingLine(x Finding) string {
	line := "**" + textsafe.Markdown(x.Severity, textsafe.MaxField) + "** " + textsafe.Markdown(x.Kind, textsafe.MaxField) + " " + code(x.RuleID)
	if x.Path != "" {
		line += " in " + code(x.Path)
	}
	if x.Package != "" {
		line += " in " + code(x.Package)
	}
	if x.Title != "" {
		line += ": " + textsafe.Markdown(x.Title, textsafe.MaxMessage)
	}
	return line
}

// code is report text as an inline code span; empty, "(none)".
func code(s string) string {
	if s = textsafe.Code(s, textsafe.MaxField, false); s == "" {
		return "(none)"
	}
	return s
}
