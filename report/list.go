package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/internal/textsafe"
)

// maxListTitle bounds a title in the list, where one long title would
// widen every row; -o json keeps it whole.
const maxListTitle = 80

// List writes what a document holds for a person to read, one finding a
// row in the document's order (worst first): severity, rule, package and
// version (or file and line), fixed versions, status, title and the
// tools that reported it; then a count by severity, the components and
// the reports read. Every field from a report is cleaned (textsafe.Clean),
// so no report can write a control character to the terminal or break
// the columns with a tab.
func List(w io.Writer, doc *document.Document) error {
	bw := bufio.NewWriter(w)
	if len(doc.Findings) == 0 {
		fmt.Fprintln(bw, "No findings.")
	} else {
		tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tID\tPACKAGE / LOCATION\tFIXED\tSTATUS\tTITLE\tTOOL")
		for i := range doc.Findings {
			f := &doc.Findings[i]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
				clean(string(f.Severity)), clean(f.RuleID), where(f), dash(fixed(f)), clean(string(f.Status)),
				dash(textsafe.Clean(f.Title, maxListTitle)), dash(tools(f)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	s := doc.Summary
	counts := make([]string, len(document.Severities))
	for i, sev := range document.Severities {
		counts[i] = fmt.Sprintf("%s %d", sev, s.BySeverity[string(sev)])
	}
	fmt.Fprintf(bw, "\nTotal: %d finding(s) (%s), %d open; components: %d\n",
		s.Findings, strings.Join(counts, ", "), s.OpenFindings, s.Components)
	srcs := make([]string, len(doc.Sources))
	for i, src := range doc.Sources {
		srcs[i] = fmt.Sprintf("%s (%s)", clean(src.Path), clean(src.Format))
	}
	fmt.Fprintf(bw, "reports: %s\n", strings.Join(srcs, ", "))
	return bw.Flush()
}

func clean(s string) string { return textsafe.Clean(s, textsafe.MaxField) }

// dash stands in for an empty cell, so the columns stay readable.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// where is the finding's package as name@version, else its place as
// path:line (with how many more places it has).
func where(f *document.Finding) string {
	if p := f.Package; p != nil && p.Name != "" {
		if p.Version == "" {
			return clean(p.Name)
		}
		return clean(p.Name) + "@" + clean(p.Version)
	}
	if l := f.Location; l != nil && l.Path != "" {
		s := placeString(l)
		if n := len(f.Locations); n > 1 {
			s += fmt.Sprintf(" (+%d)", n-1)
		}
		return s
	}
	return "-"
}

// fixed lists the versions that fix the finding.
func fixed(f *document.Finding) string {
	vs := make([]string, len(f.FixedVersions))
	for i, v := range f.FixedVersions {
		vs[i] = clean(v)
	}
	return strings.Join(vs, ", ")
}

// tools lists the tools that reported the finding, each once, sorted.
func tools(f *document.Finding) string {
	var names []string
	for _, o := range f.Origins {
		if t := clean(o.Tool); t != "" && !slices.Contains(names, t) {
			names = append(names, t)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
