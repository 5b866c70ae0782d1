package diff_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secgate/secgate/diff"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/internal/testutil"
)

func doc(findings []document.Finding, comps ...document.Component) *document.Document {
	d := document.New()
	d.Findings = append(d.Findings, findings...)
	d.Components = append(d.Components, comps...)
	return d
}

func vuln(id, pkg, version string, status document.Status, sev document.Severity) document.Finding {
	return document.Finding{
		ID: id + "/" + pkg + "@" + version, Kind: document.KindVulnerability, RuleID: id, Severity: sev, Status: status,
		Package: &document.Package{Name: pkg, Version: version, Purl: "pkg:npm/" + pkg + "@" + version},
	}
}

func npm(name, version string) document.Component {
	return document.Component{Name: name, Version: version, Purl: "pkg:npm/" + name + "@" + version, Licenses: []string{"MIT"}}
}

// TestResolutions: each fixed vulnerability says what fixed it.
func TestResolutions(t *testing.T) {
	open, high := document.StatusOpen, document.SeverityHigh
	oldDoc := doc([]document.Finding{
		vuln("CVE-2021-1", "lodash", "4.17.15", open, high),
		vuln("CVE-2021-2", "request", "2.88.0", open, high),
		vuln("CVE-2021-3", "qs", "6.5.0", open, high),
		vuln("CVE-2021-4", "minimist", "1.2.0", open, high),
		vuln("CVE-2021-5", "semver", "7.0.0", open, high),
	})
	newDoc := doc([]document.Finding{
		// Still there, but a VEX statement says not affected.
		vuln("CVE-2021-3", "qs", "6.5.0", document.StatusNotAffected, high),
	}, npm("lodash", "4.17.21"), npm("qs", "6.5.0"), npm("minimist", "1.1.0"), npm("semver", "7.0.0"))
	got := map[string]string{}
	for _, v := range diff.Compute(oldDoc, newDoc).Vulnerabilities.Fixed {
		r := v.ResolvedBy
		got[v.ID] = r.How + " " + r.From + ">" + r.To + " " + r.Status
	}
	want := map[string]string{
		"CVE-2021-1": "upgrade 4.17.15>4.17.21 ",
		"CVE-2021-2": "removal 2.88.0> ",
		"CVE-2021-3": "status > not_affected",
		"CVE-2021-4": "downgrade 1.2.0>1.1.0 ",
		// The same version, and no finding: the scanner no longer says.
		"CVE-2021-5": "not_reported > ",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: got %q, want %q", id, got[id], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fixed: got %v", got)
	}
}

// TestWaivedIsPresent: a vulnerability waived by an exception is still
// there: not fixed when it becomes waived, not introduced when the waiver
// expires, and not listed as still open while waived.
func TestWaivedIsPresent(t *testing.T) {
	open, accepted, high := document.StatusOpen, document.StatusAccepted, document.SeverityHigh
	d := diff.Compute(
		doc([]document.Finding{vuln("CVE-1", "a", "1.0.0", open, high), vuln("CVE-2", "b", "1.0.0", accepted, high)}),
		doc([]document.Finding{vuln("CVE-1", "a", "1.0.0", accepted, high), vuln("CVE-2", "b", "1.0.1", open, high)}),
	)
	v := d.Vulnerabilities
	if len(v.Fixed) != 0 || len(v.Introduced) != 0 {
		t.Errorf("fixed %v, introduced %v: a waiver is neither", v.Fixed, v.Introduced)
	}
	if len(v.StillOpen) != 1 || v.StillOpen[0].ID != "CVE-2" {
		t.Errorf("still open: %+v, want CVE-2 (its waiver expired)", v.StillOpen)
	}
}

// TestFailOnNew: the count of what was introduced at or above a
// severity; unknown counts at every threshold.
func TestFailOnNew(t *testing.T) {
	open := document.StatusOpen
	d := diff.Compute(doc(nil), doc([]document.Finding{
		vuln("CVE-1", "a", "1.0.0", open, document.SeverityMedium),
		vuln("CVE-2", "b", "1.0.0", open, document.SeverityUnknown),
		{ID: "c1", Kind: document.KindSecret, RuleID: "aws-key", Severity: document.SeverityCritical, Status: open, Location: &document.Location{Path: "a.env"}},
	}))
	for sev, want := range map[document.Severity]int{"critical": 2, "high": 2, "medium": 3, "low": 3, "unknown": 3} {
		if got := d.IntroducedAtOrAbove(sev); got != want {
			t.Errorf("at or above %s: got %d, want %d", sev, got, want)
		}
	}
}

// TestMarkdownGolden is the release section of the repository's pairs:
// the SBOMs of two versions, and a Trivy report before and after a
// partial upgrade.
func TestMarkdownGolden(t *testing.T) {
	for _, tc := range []struct{ name, old, new string }{
		{"sbom-versions", "../testdata/sbom-versions/v1.cdx.json", "../testdata/sbom-versions/v2.cdx.json"},
		{"trivy-upgrade", "../testdata/corpus/trivy-json/trivy-image-alpine310-os-vulns.json", "../testdata/moved/trivy-image-alpine310.upgraded.json"},
		{"conftest-releases", "../testdata/sbom-versions/conftest-v0.59.0.cdx.json", "../testdata/sbom-versions/conftest-v0.66.0.cdx.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var md, table bytes.Buffer
			d := compute(t, tc.old, tc.new)
			if err := d.Markdown(&md, "v2.0.0"); err != nil {
				t.Fatal(err)
			}
			if err := d.Table(&table); err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, filepath.Join("..", "testdata", "golden", "diff", tc.name+".md"), md.Bytes())
			testutil.Golden(t, filepath.Join("..", "testdata", "golden", "diff", tc.name+".txt"), table.Bytes())
		})
	}
}

// TestHostileReportInjectsNothing: a report whose every field attacks a
// terminal, a CI log or Markdown adds no control character, no link,
// image, HTML, heading or mention to the table or the changelog.
func TestHostileReportInjectsNothing(t *testing.T) {
	dir := filepath.Join("..", "testdata", "hostile", "output")
	empty := filepath.Join(t.TempDir(), "empty.sarif")
	if err := os.WriteFile(empty, []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, report := range []string{"trivy.json", "hostile.sarif"} {
		// Everything introduced, then everything fixed.
		for _, pair := range [][2]string{{empty, filepath.Join(dir, report)}, {filepath.Join(dir, report), empty}} {
			d := compute(t, pair[0], pair[1])
			if len(d.Vulnerabilities.Introduced)+len(d.Findings.Introduced)+len(d.Vulnerabilities.Fixed)+len(d.Findings.Fixed) == 0 {
				t.Fatalf("%s: nothing to show", report)
			}
			var md, table bytes.Buffer
			if err := d.Markdown(&md, "v1"); err != nil {
				t.Fatal(err)
			}
			if err := d.Table(&table); err != nil {
				t.Fatal(err)
			}
			for name, out := range map[string]string{"markdown": md.String(), "table": table.String()} {
				if i := testutil.ControlAt(out, true); i >= 0 {
					t.Errorf("%s %s: control character at %d", report, name, i)
				}
				for _, line := range strings.Split(out, "\n") {
					if strings.HasPrefix(strings.TrimSpace(line), "::") {
						t.Errorf("%s %s: a workflow command: %q", report, name, line)
					}
				}
			}
			for _, line := range strings.Split(md.String(), "\n") {
				if strings.HasPrefix(line, "#") && !ownHeading.MatchString(line) {
					t.Errorf("%s: a heading of the report: %q", report, line)
				}
				if strings.HasPrefix(line, "<!-- secgate:changelog ") {
					continue
				}
				// secgate's own links: the advisory's, around an id.
				line = ownLink.ReplaceAllString(line, "")
				if what := testutil.MarkdownInjection(line); what != "" {
					t.Errorf("%s markdown: %s in %q", report, what, line)
				}
			}
		}
	}
}

var (
	ownHeading = regexp.MustCompile(`^(## v1|### [A-Z][a-z ()]+ \(\d+\))$`)
	ownLink    = regexp.MustCompile(`\[(?:\\.|[^\[\]<\\])*\]\(https?://[A-Za-z0-9._~:/?#&=+%,;-]*\)`)
)
