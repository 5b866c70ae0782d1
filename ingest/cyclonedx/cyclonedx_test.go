package cyclonedx

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New()}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file string
		// Counts in the report, before the document merges components of
		// equal purl.
		components, findings, direct int
		// Counts in the finished document.
		docComponents int
		severities    map[document.Severity]int
		tool          document.Tool
		created       string
	}{
		{file: "cyclonedx-json/cdx-1.3-maven-companion-of-vex.cdx.json", components: 3, docComponents: 3,
			tool: document.Tool{Name: "CycloneDX Maven plugin", Version: "2.5.3"}, created: "2022-01-11T02:55:27Z"},
		// 837 top-level, 1115 in all; nested npm copies of one package share a purl.
		{file: "cyclonedx-json/cyclonedx-npm-1.4-juice-shop-large-nested.cdx.json", components: 1115, docComponents: 978, direct: 71,
			tool: document.Tool{Name: "cyclonedx-npm", Version: "1.9.2"}},
		// tools in the 1.5 object form: npm, cyclonedx-library, cyclonedx-npm.
		{file: "cyclonedx-json/cyclonedx-npm-1.5-workspaces.cdx.json", components: 4, docComponents: 4, direct: 4,
			tool: document.Tool{Name: "cyclonedx-npm", Version: "3.1.0"}},
		// 2 top-level, 52 with the bundled ones nested under them.
		{file: "cyclonedx-json/cyclonedx-npm-1.6-bundled-deps-nested.cdx.json", components: 52, docComponents: 52, direct: 2,
			tool: document.Tool{Name: "cyclonedx-npm", Version: "3.1.0"}},
		{file: "cyclonedx-json/cyclonedx-php-composer-1.2-laravel.cdx.json", components: 62, docComponents: 62, direct: 1,
			tool: document.Tool{Name: "cyclonedx-php-composer", Version: "in-dev"}},
		{file: "cyclonedx-json/grype-0.61-1.4-with-19-vulns.cdx.json", components: 101, docComponents: 101, findings: 19,
			severities: map[document.Severity]int{document.SeverityInfo: 9, document.SeverityLow: 10},
			tool:       document.Tool{Name: "grype", Version: "0.61.1"}, created: "2023-04-28T15:09:06-06:00"},
		{file: "cyclonedx-json/grype-1.4-nested-component-vulns.cdx.json", components: 2, docComponents: 2, findings: 8,
			severities: map[document.Severity]int{document.SeverityCritical: 4, document.SeverityHigh: 1, document.SeverityMedium: 3},
			tool:       document.Tool{Name: "grype", Version: "0.41.0"}, created: "2022-07-22T09:45:32+01:00"},
		{file: "cyclonedx-json/jake-1.4-python-with-vulns.cdx.json", components: 67, docComponents: 67, findings: 7,
			severities: map[document.Severity]int{document.SeverityHigh: 3, document.SeverityMedium: 4},
			tool:       document.Tool{Name: "cyclonedx-python-lib", Version: "1.3.0"}, created: "2022-01-28T07:05:16.397158+00:00"},
		{file: "cyclonedx-json/syft-0.79-1.4-juice-shop-image.cdx.json", components: 102, docComponents: 102,
			tool: document.Tool{Name: "syft", Version: "0.79.0"}, created: "2023-04-28T14:56:04-06:00"},
		// 10 vulnerabilities, four of them affecting several packages.
		{file: "cyclonedx-json/trivy-1.5-with-vulns-and-deps.cdx.json", components: 102, docComponents: 102, findings: 14, direct: 1,
			severities: map[document.Severity]int{document.SeverityLow: 13, document.SeverityMedium: 1},
			tool:       document.Tool{Name: "trivy", Version: "0.48.1"}, created: "2024-01-04T15:25:30+00:00"},
		{file: "cyclonedx-json/trivy-fluentd-gems-deps-graph.cdx.json", components: 161, docComponents: 161, direct: 56,
			tool: document.Tool{Name: "trivy", Version: "dev"}, created: "2021-08-25T12:20:30+00:00"},
		{file: "cyclonedx-json/trivy-npm-cdx17-with-vulns.cdx.json", components: 13, docComponents: 13, findings: 1, direct: 5, // the lock file and what it lists directly

			severities: map[document.Severity]int{document.SeverityMedium: 1},
			tool:       document.Tool{Name: "trivy", Version: "dev"}, created: "2021-08-25T12:20:30+00:00"},
		// MANIFEST's counts of <component> elements include metadata's and the tools'.
		{file: "cyclonedx-xml/cyclonedx-gomod-1.2-proton-bridge.cdx.xml", components: 201, docComponents: 201, direct: 56,
			tool: document.Tool{Name: "cyclonedx-gomod", Version: "v0.6.1"}, created: "2021-05-16T17:10:00+02:00"},
		{file: "cyclonedx-xml/cyclonedx-npm-1.5-dev-deps.cdx.xml", components: 5, docComponents: 5, direct: 4,
			tool: document.Tool{Name: "cyclonedx-npm", Version: "3.1.0"}},
		{file: "cyclonedx-xml/cyclonedx-npm-1.6-bundled-deps-nested.cdx.xml", components: 52, docComponents: 52, direct: 2,
			tool: document.Tool{Name: "cyclonedx-npm", Version: "3.1.0"}},
		// Schema 1.1: no metadata, so no tool and no graph.
		{file: "cyclonedx-xml/cyclonedx-php-composer-1.1-laravel.cdx.xml", components: 62, docComponents: 62},
		{file: "cyclonedx-xml/cyclonedx-php-composer-1.3-laravel.cdx.xml", components: 62, docComponents: 62, direct: 1,
			tool: document.Tool{Name: "cyclonedx-php-composer", Version: "in-dev"}},
		// The v: extension: 381 vulnerabilities inside components.
		{file: "cyclonedx-xml/grype-1.2-vulnerability-extension.cdx.xml", components: 308, docComponents: 308, findings: 381,
			severities: map[document.Severity]int{document.SeverityCritical: 4, document.SeverityHigh: 28, document.SeverityMedium: 175,
				document.SeverityLow: 141, document.SeverityUnknown: 33},
			tool: document.Tool{Name: "grype", Version: "0.11.0"}, created: "2021-05-03T10:25:05+02:00"},
		{file: "cyclonedx-xml/grype-1.4-log4j-vulns.cdx.xml", components: 1, docComponents: 1, findings: 8,
			severities: map[document.Severity]int{document.SeverityCritical: 4, document.SeverityHigh: 1, document.SeverityMedium: 3},
			tool:       document.Tool{Name: "grype", Version: "0.41.0"}, created: "2022-07-22T09:45:22+01:00"},
		// Schema 1.0: no metadata.
		{file: "cyclonedx-xml/retirejs-cyclonedx-1.0.cdx.xml", components: 6, docComponents: 6},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep := h.Must(t, ingesttest.Corpus(t, "", tt.file))
			if len(rep.Components) != tt.components {
				t.Errorf("components = %d, want %d", len(rep.Components), tt.components)
			}
			if len(rep.Findings) != tt.findings {
				t.Errorf("findings = %d, want %d", len(rep.Findings), tt.findings)
			}
			direct := 0
			for _, c := range rep.Components {
				if c.Direct {
					direct++
				}
			}
			if direct != tt.direct {
				t.Errorf("direct components = %d, want %d", direct, tt.direct)
			}
			if rep.Tool != tt.tool {
				t.Errorf("tool = %+v, want %+v", rep.Tool, tt.tool)
			}
			if rep.Created != tt.created {
				t.Errorf("created = %q, want %q", rep.Created, tt.created)
			}
			doc := h.Finish(t, rep)
			if len(doc.Components) != tt.docComponents {
				t.Errorf("document components = %d, want %d", len(doc.Components), tt.docComponents)
			}
			got := map[document.Severity]int{}
			for _, f := range doc.Findings {
				got[f.Severity]++
				if len(f.Origins) != 1 {
					t.Errorf("%s: %d origins, want 1", f.RuleID, len(f.Origins))
				}
			}
			for _, s := range document.Severities {
				if got[s] != tt.severities[s] {
					t.Errorf("%s findings = %d, want %d", s, got[s], tt.severities[s])
				}
			}
		})
	}
}

func findComponent(t *testing.T, rep *document.Report, bomRef string) document.Component {
	t.Helper()
	for _, c := range rep.Components {
		if c.BOMRef == bomRef {
			return c
		}
	}
	t.Fatalf("no component %q", bomRef)
	return document.Component{}
}

func TestRootIsNotAComponent(t *testing.T) {
	rep := h.Must(t, ingesttest.Corpus(t, "", "cyclonedx-json/cyclonedx-npm-1.4-juice-shop-large-nested.cdx.json"))
	for _, c := range rep.Components {
		if c.BOMRef == "juice-shop@14.1.1" {
			t.Fatal("metadata.component juice-shop@14.1.1 listed as a component")
		}
	}
	// body-parser is a direct dependency of juice-shop.
	if c := findComponent(t, rep, "body-parser@1.20.2"); !c.Direct || len(c.DependsOn) == 0 {
		t.Errorf("body-parser: direct %v, %d dependencies; want direct with dependencies", c.Direct, len(c.DependsOn))
	}
}

func TestBundledNestedJSONAndXMLAgree(t *testing.T) {
	names := func(file string) []string {
		rep := h.Must(t, ingesttest.Corpus(t, "", file))
		var out []string
		for _, c := range rep.Components {
			out = append(out, c.BOMRef+"="+c.Name+"@"+c.Version+" "+strings.Join(c.DependsOn, ","))
		}
		slices.Sort(out)
		return out
	}
	j := names("cyclonedx-json/cyclonedx-npm-1.6-bundled-deps-nested.cdx.json")
	x := names("cyclonedx-xml/cyclonedx-npm-1.6-bundled-deps-nested.cdx.xml")
	if !slices.Equal(j, x) {
		t.Errorf("JSON and XML twins differ:\n%v\n%v", j, x)
	}
}

func TestDevDependenciesAreOptional(t *testing.T) {
	rep := h.Must(t, ingesttest.Corpus(t, "", "cyclonedx-xml/cyclonedx-npm-1.5-dev-deps.cdx.xml"))
	for _, c := range rep.Components {
		if c.Scope != "optional" {
			t.Errorf("%s: scope %q, want optional (dev dependency or scope optional)", c.Name, c.Scope)
		}
	}
	c := findComponent(t, rep, "demo-dev-dependencies@0.0.0|@types/node@20.14.10")
	if c.Group != "@types" || !c.Direct || !slices.Equal(c.DependsOn, []string{"demo-dev-dependencies@0.0.0|undici-types@5.26.5"}) {
		t.Errorf("@types/node = %+v", c)
	}
}

func TestOldXMLSchemas(t *testing.T) {
	rep := h.Must(t, ingesttest.Corpus(t, "", "cyclonedx-xml/retirejs-cyclonedx-1.0.cdx.xml"))
	for _, c := range rep.Components {
		// <licenses><license></license></licenses>: nothing to name.
		if len(c.Licenses) != 0 || c.LicenseExpression != "" || c.Purl == "" || c.Direct {
			t.Errorf("1.0 component %+v", c)
		}
	}
	rep = h.Must(t, ingesttest.Corpus(t, "", "cyclonedx-xml/cyclonedx-php-composer-1.1-laravel.cdx.xml"))
	var withLicence int
	for _, c := range rep.Components {
		if c.LicenseExpression != "" {
			withLicence++
		}
	}
	if withLicence == 0 {
		t.Error("1.1 components carry no licence")
	}
}

func TestVulnerabilityExtension(t *testing.T) {
	rep := h.Must(t, ingesttest.Corpus(t, "", "cyclonedx-xml/grype-1.2-vulnerability-extension.cdx.xml"))
	var apt []document.Finding
	for _, f := range rep.Findings {
		if f.Package == nil || f.Package.Name == "" || f.RuleID == "" {
			t.Fatalf("finding without package or id: %+v", f)
		}
		if f.Package.Name == "apt" {
			apt = append(apt, f)
		}
	}
	if len(apt) == 0 {
		t.Fatal("no findings for apt")
	}
	f := apt[0]
	if f.RuleID != "CVE-2011-3374" || f.Package.Version != "1.8.2.1" || f.Severity != document.SeverityLow ||
		f.Origins[0].Severity != "Low" || len(f.Scores) != 1 || f.Scores[0].Score != 4.3 || f.Scores[0].Version != "2.0" ||
		!slices.Contains(f.References, "https://security-tracker.debian.org/tracker/CVE-2011-3374") {
		t.Errorf("apt finding = %+v", f)
	}
}

func TestVulnerabilityExtensionTopLevel(t *testing.T) {
	// A 1.3 BOM declaring the extension: one v:vulnerability at the top
	// level with a ref, one inside a component, and a native <vulnerabilities>
	// section the extension pass must not read twice.
	bom := `<bom xmlns="http://cyclonedx.org/schema/bom/1.4" xmlns:v="http://cyclonedx.org/schema/ext/vulnerability/1.0" version="1">
  <components>
    <component type="library" bom-ref="a"><name>a</name><version>1</version><purl>pkg:npm/a@1</purl>
      <v:vulnerabilities><v:vulnerability ref="a"><v:id>CVE-2020-0001</v:id>
        <v:ratings><v:rating><v:score><v:base>9.8</v:base></v:score><v:method>CVSSv3</v:method>
          <v:vector>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</v:vector></v:rating></v:ratings>
        <v:cwes><v:cwe>79</v:cwe></v:cwes>
        <v:recommendations><v:recommendation>upgrade</v:recommendation></v:recommendations>
      </v:vulnerability></v:vulnerabilities>
    </component>
  </components>
  <v:vulnerabilities><v:vulnerability ref="a"><v:id>CVE-2020-0002</v:id></v:vulnerability></v:vulnerabilities>
  <vulnerabilities><vulnerability><id>CVE-2020-0003</id><affects><target><ref>a</ref></target></affects></vulnerability></vulnerabilities>
</bom>`
	rep := h.Must(t, []byte(bom))
	var ids []string
	for _, f := range rep.Findings {
		ids = append(ids, f.RuleID)
		if f.Package == nil || f.Package.Purl != "pkg:npm/a@1" {
			t.Errorf("%s: package %+v", f.RuleID, f.Package)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"CVE-2020-0001", "CVE-2020-0002", "CVE-2020-0003"}) {
		t.Fatalf("findings %q", ids)
	}
	for _, f := range rep.Findings {
		if f.RuleID == "CVE-2020-0001" && (f.Severity != document.SeverityCritical || !slices.Equal(f.CWE, []string{"CWE-79"}) ||
			f.Description != "Recommendation: upgrade" || f.CVSS == nil || f.CVSS.Version != "3.1") {
			t.Errorf("CVE-2020-0001 = %+v", f)
		}
	}
}

func TestNativeVulnerabilities(t *testing.T) {
	rep := h.Must(t, ingesttest.Corpus(t, "", "cyclonedx-json/trivy-1.5-with-vulns-and-deps.cdx.json"))
	var libc []document.Finding
	for _, f := range rep.Findings {
		if f.RuleID == "CVE-2016-20013" {
			libc = append(libc, f)
		}
	}
	// One vulnerability, two affected packages: two findings.
	if len(libc) != 2 {
		t.Fatalf("CVE-2016-20013: %d findings, want 2", len(libc))
	}
	for _, f := range libc {
		// Ubuntu (the vulnerability's source) rates it low; NVD's 7.5 is kept as a score.
		if f.Severity != document.SeverityLow || f.CVSS == nil || f.CVSS.Score != 7.5 || f.CVSS.Source != "nvd" ||
			!slices.Equal(f.CWE, []string{"CWE-770"}) || f.Package == nil || !strings.HasPrefix(f.Package.Purl, "pkg:deb/ubuntu/libc") {
			t.Errorf("finding = %+v", f)
		}
	}

	rep = h.Must(t, ingesttest.Corpus(t, "", "cyclonedx-json/jake-1.4-python-with-vulns.cdx.json"))
	for _, f := range rep.Findings {
		// OSS Index ids, with the CVE as a reference.
		if len(f.Aliases) != 1 || !strings.HasPrefix(f.Aliases[0], "CVE-") || f.Package == nil || f.Package.Purl != "pkg:pypi/django@2.0" {
			t.Errorf("jake finding = %+v", f)
		}
	}

	rep = h.Must(t, ingesttest.Corpus(t, "", "cyclonedx-json/grype-1.4-nested-component-vulns.cdx.json"))
	for _, f := range rep.Findings {
		// in_triage stays open; the affected component is the nested one.
		if f.Status != "" || f.Package == nil || f.Package.Name != "log4j-core" {
			t.Errorf("grype finding = %+v", f)
		}
	}
}

const vexBOM = `{
  "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
  "metadata": {"component": {"bom-ref": "app", "type": "application", "name": "app"}},
  "components": [
    {"bom-ref": "lib", "type": "library", "name": "lib", "version": "1.0.0", "purl": "pkg:npm/lib@1.0.0"}
  ],
  "dependencies": [{"ref": "app", "dependsOn": ["lib"]}],
  "vulnerabilities": [
    {"id": "CVE-2024-0001", "ratings": [{"severity": "high"}],
     "affects": [{"ref": "lib", "versions": [{"version": "1.0.0", "status": "affected"}, {"version": "1.0.1", "status": "unaffected"}]}],
     "analysis": {"state": "not_affected", "justification": "code_not_reachable", "detail": "never called"}},
    {"id": "CVE-2024-0002", "ratings": [{"score": 9.8, "method": "CVSSv31", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
     "affects": [{"ref": "lib"}], "analysis": {"state": "false_positive"}},
    {"id": "CVE-2024-0003", "affects": [{"ref": "lib"}], "analysis": {"state": "resolved", "detail": "patched"}},
    {"id": "CVE-2024-0004", "affects": [{"ref": "lib"}], "analysis": {"state": "exploitable"}},
    {"id": "CVE-2024-0005", "description": "no affects"},
    {"id": "CVE-2024-0006", "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/com.example/other@2.0"}]},
    {"id": "CVE-2024-0007", "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#lib"}]},
    {"id": "", "ratings": [{"severity": "low"}]},
    {"id": "CVE-2024-0008", "ratings": [{"source": {"name": "nvd"}, "severity": "low"}, {"source": {"name": "ghsa"}, "severity": "critical"}], "affects": [{"ref": "app"}]}
  ]
}`

func TestVEXAnalysis(t *testing.T) {
	rep := h.Must(t, []byte(vexBOM))
	byID := map[string]document.Finding{}
	for _, f := range rep.Findings {
		byID[f.RuleID] = f
	}
	if len(rep.Findings) != 8 {
		t.Fatalf("%d findings, want 8 (one without id dropped)", len(rep.Findings))
	}
	tests := []struct {
		id       string
		status   document.Status
		note     *document.StatusNote
		severity document.Severity
		pkg      *document.Package
		fixed    []string
	}{
		{"CVE-2024-0001", document.StatusNotAffected, &document.StatusNote{By: "vex", Justification: "code_not_reachable", Statement: "never called"},
			document.SeverityHigh, &document.Package{Name: "lib", Version: "1.0.0", Purl: "pkg:npm/lib@1.0.0"}, []string{"1.0.1"}},
		{"CVE-2024-0002", document.StatusNotAffected, &document.StatusNote{By: "vex", Justification: "false_positive"},
			document.SeverityCritical, &document.Package{Name: "lib", Version: "1.0.0", Purl: "pkg:npm/lib@1.0.0"}, nil},
		{"CVE-2024-0003", document.StatusFixed, &document.StatusNote{By: "vex", Statement: "patched"},
			document.SeverityUnknown, &document.Package{Name: "lib", Version: "1.0.0", Purl: "pkg:npm/lib@1.0.0"}, nil},
		{"CVE-2024-0004", "", nil, document.SeverityUnknown, &document.Package{Name: "lib", Version: "1.0.0", Purl: "pkg:npm/lib@1.0.0"}, nil},
		{"CVE-2024-0005", "", nil, document.SeverityUnknown, nil, nil},
		{"CVE-2024-0006", "", nil, document.SeverityUnknown, &document.Package{Name: "other", Version: "2.0", Purl: "pkg:maven/com.example/other@2.0"}, nil},
		{"CVE-2024-0007", "", nil, document.SeverityUnknown, &document.Package{Name: "lib", Version: "1.0.0", Purl: "pkg:npm/lib@1.0.0"}, nil},
		// No source on the vulnerability: the worst stated rating.
		{"CVE-2024-0008", "", nil, document.SeverityCritical, &document.Package{Name: "app"}, nil},
	}
	for _, tt := range tests {
		f, ok := byID[tt.id]
		if !ok {
			t.Errorf("%s: missing", tt.id)
			continue
		}
		if f.Status != tt.status || !equalNote(f.StatusReason, tt.note) || f.Severity != tt.severity ||
			!equalPkg(f.Package, tt.pkg) || !slices.Equal(f.FixedVersions, tt.fixed) {
			t.Errorf("%s = status %q %+v severity %s package %+v fixed %v", tt.id, f.Status, f.StatusReason, f.Severity, f.Package, f.FixedVersions)
		}
	}
	doc := h.Finish(t, rep)
	if doc.Summary.ByStatus["not_affected"] != 2 || doc.Summary.ByStatus["fixed"] != 1 {
		t.Errorf("by status = %v", doc.Summary.ByStatus)
	}
	if c := findComponent(t, rep, "lib"); !c.Direct {
		t.Error("lib is a direct dependency of the root")
	}
}

func equalNote(a, b *document.StatusNote) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func equalPkg(a, b *document.Package) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name && a.Version == b.Version && a.Purl == b.Purl &&
		a.Ecosystem == b.Ecosystem && a.Path == b.Path && slices.Equal(a.Paths, b.Paths)
}

func TestLicenses(t *testing.T) {
	tests := []struct {
		name, json string
		ids        []string
		expr       string
	}{
		{"one id", `[{"license":{"id":"MIT"}}]`, []string{"MIT"}, "MIT"},
		{"ids mean all apply", `[{"license":{"id":"MIT"}},{"license":{"id":"Apache-2.0"}},{"license":{"id":"MIT"}}]`,
			[]string{"MIT", "Apache-2.0", "MIT"}, "MIT AND Apache-2.0"},
		{"a name blocks the expression", `[{"license":{"id":"MIT"}},{"license":{"name":"Custom"}}]`, []string{"MIT", "Custom"}, ""},
		{"name only", `[{"license":{"name":"GPL-2.0"}}]`, []string{"GPL-2.0"}, ""},
		{"expression", `[{"expression":"(MIT OR Apache-2.0) AND LicenseRef-x"}]`, []string{"MIT", "Apache-2.0", "LicenseRef-x"}, "(MIT OR Apache-2.0) AND LicenseRef-x"},
		{"expression with exception", `[{"expression":"GPL-2.0-only WITH Classpath-exception-2.0"}]`, []string{"GPL-2.0-only"}, "GPL-2.0-only WITH Classpath-exception-2.0"},
		{"no expression at all", `[{"expression":"BSD or Apache License, Version 2.0"}]`, []string{"BSD or Apache License, Version 2.0"}, ""},
		{"concluded wins", `[{"expression":"MIT","acknowledgement":"declared"},{"expression":"Apache-2.0 OR MIT","acknowledgement":"concluded"}]`,
			[]string{"MIT", "Apache-2.0", "MIT"}, "Apache-2.0 OR MIT"},
		{"empty licence", `[{"license":{}}]`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bom := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"c","licenses":` + tt.json + `}]}`
			rep := h.Must(t, []byte(bom))
			c := rep.Components[0]
			if !slices.Equal(c.Licenses, tt.ids) && !(len(c.Licenses) == 0 && len(tt.ids) == 0) {
				t.Errorf("licenses = %q, want %q", c.Licenses, tt.ids)
			}
			if c.LicenseExpression != tt.expr {
				t.Errorf("expression = %q, want %q", c.LicenseExpression, tt.expr)
			}
		})
	}
}

func TestComponentNames(t *testing.T) {
	bom := `{"bomFormat":"CycloneDX","specVersion":"1.4","components":[
	  {"type":"library","name":"","purl":"pkg:npm/left-pad@1.0.0","bom-ref":"a"},
	  {"type":"library","name":"","bom-ref":"b"},
	  {"type":"library","name":""}
	]}`
	rep := h.Must(t, []byte(bom))
	var names []string
	for _, c := range rep.Components {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"left-pad", "b"}) {
		t.Errorf("names = %q, want left-pad (from the purl) and b (the bom-ref); the unnamed one skipped", names)
	}
	h.Finish(t, rep)
}

func TestDetectVersions(t *testing.T) {
	tests := []struct {
		name, data  string
		ok          bool
		unsupported bool
	}{
		{"json 1.2", `{"bomFormat":"CycloneDX","specVersion":"1.2"}`, true, false},
		{"json 1.7", `{"bomFormat":"CycloneDX","specVersion":"1.7"}`, true, false},
		{"json 1.1", `{"bomFormat":"CycloneDX","specVersion":"1.1"}`, true, true},
		{"json 1.8", `{"bomFormat":"CycloneDX","specVersion":"1.8"}`, true, true},
		{"json no version", `{"bomFormat":"CycloneDX"}`, true, true},
		{"json other", `{"bomFormat":"SPDX","specVersion":"1.4"}`, false, false},
		{"xml 1.0", `<bom xmlns="http://cyclonedx.org/schema/bom/1.0" version="1"/>`, true, false},
		{"xml 1.7", `<bom xmlns="http://cyclonedx.org/schema/bom/1.7" version="1"/>`, true, false},
		{"xml 2.0", `<bom xmlns="http://cyclonedx.org/schema/bom/2.0" version="1"/>`, true, true},
		{"xml prefixed", `<cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.4" version="1"/>`, true, false},
		{"xml other namespace", `<bom xmlns="http://example.com/bom"/>`, false, false},
		{"xml other root", `<project xmlns="http://cyclonedx.org/schema/bom/1.4"/>`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := sniff.New("x", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			ok, err := New().Detect(f)
			if ok != tt.ok || errors.Is(err, sniff.ErrUnsupported) != tt.unsupported {
				t.Errorf("Detect = %v, %v; want %v, unsupported %v", ok, err, tt.ok, tt.unsupported)
			}
			if tt.unsupported && !strings.Contains(strings.ToLower(err.Error()), "version") {
				t.Errorf("error %q does not name the version", err)
			}
			if _, err := New().Ingest(f); tt.ok && !tt.unsupported && err != nil {
				t.Errorf("Ingest: %v", err)
			} else if (!tt.ok || tt.unsupported) && err == nil {
				t.Error("Ingest accepted what Detect refused")
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"json type", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\n\"components\":{}}", "line 2"},
		{"xml", "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\">\n<components><component></components></bom>", "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := sniff.New("x", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			_, err = New().Ingest(f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

// TestDetectCorpus checks that only CycloneDX files of the corpus are
// claimed: the cyclonedx-json and cyclonedx-xml folders, and the
// CycloneDX VEX documents, which are CycloneDX BOMs too.
func TestDetectCorpus(t *testing.T) {
	ingesttest.AssertClaims(t, New(), ingesttest.Claims{
		Folders: []string{"cyclonedx-json", "cyclonedx-xml", "cyclonedx-vex"},
		Skip:    func(path string) bool { return filepath.Ext(path) == ".tsv" || filepath.Ext(path) == ".md" },
	})
}

// FuzzIngest checks that no input makes the ingester panic, and that what
// it accepts makes a valid document.
func FuzzIngest(f *testing.F) {
	for _, data := range ingesttest.CorpusFiles(f, "cyclonedx-json", "cyclonedx-xml", "cyclonedx-vex") {
		if len(data) > 64<<10 {
			continue
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte(vexBOM))
	f.Add([]byte(strings.Replace(vexBOM, `"lib"`, `""`, -1)))
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.4","components":[{"components":[{"components":[{"name":"x"}]}]}]}`))
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.2" xmlns:v="http://cyclonedx.org/schema/ext/vulnerability/1.0"><components><component><name>a</name><v:vulnerabilities><v:vulnerability><v:id>CVE-1</v:id></v:vulnerability></v:vulnerabilities></component></components></bom>`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}
