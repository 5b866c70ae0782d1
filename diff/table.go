package diff

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/secgate/secgate/internal/textsafe"
)

// Table writes the diff for a terminal or a CI log: a line of counts per
// part, then one line per change (+ introduced or added, - fixed or
// removed, ^ upgraded, v downgraded, ~ changed), at most MaxListed each.
// Report text is cleaned of control characters.
func (d *Diff) Table(w io.Writer) error {
	bw := bufio.NewWriter(w)
	c, v, f := &d.Components, &d.Vulnerabilities, &d.Findings
	fmt.Fprintf(bw, "Components: %d added, %d removed, %d upgraded, %d downgraded, %d changed, %d licence changes\n",
		len(c.Added), len(c.Removed), len(c.Upgraded), len(c.Downgraded), len(c.Changed), len(c.LicenseChanged))
	rows(bw, "+", c.Added, func(x Component) string { return name(x) + " " + clean(x.Version) })
	rows(bw, "-", c.Removed, func(x Component) string { return name(x) + " " + clean(x.Version) })
	arrow := func(x Component) string { return name(x) + " " + clean(x.PreviousVersion) + " -> " + clean(x.Version) }
	rows(bw, "^", c.Upgraded, arrow)
	rows(bw, "v", c.Downgraded, arrow)
	rows(bw, "~", c.Changed, arrow)
	rows(bw, "L", c.LicenseChanged, func(x Component) string {
		return name(x) + " licence " + clean(licenceList(x.PreviousLicenses)) + " -> " + clean(licenceList(x.Licenses))
	})
	fmt.Fprintf(bw, "Vulnerabilities: %s introduced, %s fixed, %s still open\n",
		countText(len(v.Introduced), v.Counts.Introduced), countText(len(v.Fixed), v.Counts.Fixed), countText(len(v.StillOpen), v.Counts.StillOpen))
	rows(bw, "+", v.Introduced, vulnRow)
	rows(bw, "-", v.Fixed, func(x Vulnerability) string { return vulnRow(x) + fixedByText(x.ResolvedBy) })
	fmt.Fprintf(bw, "Code and secret findings: %s introduced, %s fixed\n",
		countText(len(f.Introduced), f.Counts.Introduced), countText(len(f.Fixed), f.Counts.Fixed))
	rows(bw, "+", f.Introduced, findingRow)
	rows(bw, "-", f.Fixed, findingRow)
	return bw.Flush()
}

func rows[T any](w io.Writer, mark string, items []T, row func(T) string) {
	for i, x := range items {
		if i == MaxListed {
			fmt.Fprintf(w, "  … and %d more (-o json lists them all)\n", len(items)-MaxListed)
			return
		}
		fmt.Fprintf(w, "  %s %s\n", mark, row(x))
	}
}

func clean(s string) string { return textsafe.Clean(s, textsafe.MaxField) }

func name(x Component) string {
	if x.Group != "" {
		return clean(x.Group + "/" + x.Name)
	}
	return clean(x.Name)
}

func licenceList(l []string) string {
	if len(l) == 0 {
		return "(none)"
	}
	return strings.Join(l, ", ")
}

func vulnRow(x Vulnerability) string {
	row := fmt.Sprintf("%-8s %s", x.Severity, clean(x.ID))
	if p := x.Package; p != nil {
		row += " in " + clean(p.Name) + " " + clean(p.Version)
	}
	return row
}

func fixedByText(r *Resolution) string {
	if r == nil {
		return ""
	}
	switch r.How {
	case ByUpgrade, ByDowngrade, ByVersionChange:
		return fmt.Sprintf(" (%s to %s)", strings.ReplaceAll(r.How, "_", " "), clean(r.To))
	case ByRemoval:
		return " (package removed)"
	case ByStatus:
		return " (" + strings.ReplaceAll(r.Status, "_", " ") + ", VEX)"
	}
	return " (no longer reported)"
}

func findingRow(x Finding) string {
	row := fmt.Sprintf("%-8s %s %s", x.Severity, x.Kind, clean(x.RuleID))
	if x.Path != "" {
		row += " " + clean(x.Path)
	}
	if x.Package != "" {
		row += " " + clean(x.Package)
	}
	return row
}
