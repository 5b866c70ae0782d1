package spdx

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New()}

// comp is what the tests check of one component.
type comp struct {
	name, version, purl, expr, scope, typ string
	direct                                bool
	licenses, dependsOn                   []string
}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file          string
		tool          document.Tool
		created       string
		docComponents int
		// Every component of the report, by SPDXID.
		components map[string]comp
	}{
		{
			// 7 packages; SPDXRef-1 is the described root. DEPENDENCY_OF and
			// TEST_DEPENDENCY_OF point at it; hamcrest is a dependency of
			// the test dependency junit only.
			file: "spdx-json/spdx-2.2-appbomination-license-exprs-relationships.spdx.json",
			tool: document.Tool{Name: "Source Auditor Open Source Console"}, created: "2021-09-02T13:46:32Z", docComponents: 6,
			components: map[string]comp{
				"SPDXRef-5":  {name: "Gradle", typ: "library", expr: "Apache-2.0", licenses: []string{"Apache-2.0", "Apache-2.0"}},
				"SPDXRef-13": {name: "Faust Proprietary File", typ: "library", expr: "LicenseRef-1", licenses: []string{"LicenseRef-1", "LicenseRef-1"}},
				"SPDXRef-23": {name: "hamcrest-core", version: "1.3", purl: "pkg:maven/org.hamcrest/hamcrest-core@1.3", typ: "library",
					expr: "BSD-3-Clause", licenses: []string{"BSD-3-Clause"}, scope: "optional"},
				"SPDXRef-21": {name: "commons-lang3", version: "3.4", purl: "pkg:maven/org.apache.commons/commons-lang3@3.4", typ: "library",
					expr: "Apache-2.0", licenses: []string{"Apache-2.0", "Apache-2.0"}, scope: "required", direct: true},
				"SPDXRef-22": {name: "junit", version: "4.12", purl: "pkg:maven/junit/junit@4.12", typ: "library",
					expr: "EPL-1.0", licenses: []string{"EPL-1.0", "EPL-1.0"}, scope: "optional", direct: true, dependsOn: []string{"SPDXRef-23"}},
				"SPDXRef-20": {name: "slf4j-api", version: "1.7.21", purl: "pkg:maven/org.slf4j/slf4j-api@1.7.21", typ: "library",
					expr: "Apache-2.0", licenses: []string{"Apache-2.0"}, scope: "required", direct: true},
			},
		},
		{
			// One package, the described one: it is all there is, so it is listed.
			file: "spdx-json/spdx-2.2-ms-sbom-tool-files.spdx.json",
			tool: document.Tool{Name: "Microsoft.SBOMTool", Version: "0.2.7"}, created: "2022-11-04T11:11:52Z", docComponents: 1,
			components: map[string]comp{
				"SPDXRef-RootPackage": {name: "hello", version: "0.0.1", typ: "library"},
			},
		},
		{
			file: "spdx-json/spdx-2.3-k8s-bom-tool-depends-on.spdx.json",
			tool: document.Tool{Name: "sigs.k8s.io/bom/pkg/spdx"}, created: "2022-11-03T07:10:10Z", docComponents: 3,
			components: map[string]comp{
				"SPDXRef-Package-SPDXRef-Package-cargo-hyper-0.14": {name: "hyper", version: "0.14", purl: "pkg:cargo/hyper@0.14",
					typ: "library", expr: "MIT", licenses: []string{"MIT"}, scope: "required", direct: true},
				"SPDXRef-Package-SPDXRef-Package-cargo-tokio-1": {name: "tokio", version: "1.19.2", purl: "pkg:cargo/tokio@1.19.2",
					typ: "library", expr: "MIT", licenses: []string{"MIT"}, scope: "required", direct: true},
				"SPDXRef-Package-SPDXRef-Package-cargo-pretty-env-logger-0.4.0": {name: "pretty_env_logger", version: "0.4.0",
					purl: "pkg:cargo/pretty_env_logger@0.4.0", typ: "library", expr: "MIT OR Apache-2.0",
					licenses: []string{"MIT", "Apache-2.0"}, scope: "required", direct: true},
			},
		},
		{
			// DYNAMIC_LINK counts as a dependency; concluded NOASSERTION
			// gives way to declared.
			file: "spdx-json/spdx-2.3-maven-enriched-external-doc-refs.spdx.json",
			tool: document.Tool{Name: "spdx-maven-plugin"}, created: "2024-11-18T10:22:12Z", docComponents: 5,
			components: map[string]comp{
				"SPDXRef-junit": {name: "JUnit", version: "3.8.1", typ: "library", expr: "CPL-1.0", licenses: []string{"CPL-1.0"},
					scope: "optional", direct: true},
				"SPDXRef-log4jslf4jbinding": {name: "Apache Log4j SLF4J Binding", typ: "library", scope: "required", direct: true},
				"SPDXRef-log4jslf4jApi":     {name: "SLF4J API Module", typ: "library", scope: "required", direct: true},
				"SPDXRef-log4jApi":          {name: "Apache Log4j API", typ: "library", scope: "required", direct: true},
				"SPDXRef-log4jImpl":         {name: "Apache Log4j Core", typ: "library", scope: "required", direct: true},
			},
		},
		{
			// No Tool creator; the SECURITY advisory reference makes no finding.
			file:    "spdx-json/spdx-2.3-security-external-refs.spdx.json",
			created: "2023-05-12T18:30:22Z", docComponents: 1,
			components: map[string]comp{
				"SPDXRef-xlsx": {name: "xlsx", version: "0.16.6", purl: "pkg:maven/org.webjars.npm/xlsx@0.16.6", typ: "library",
					scope: "required", direct: true},
			},
		},
		{
			// Root filesystem CONTAINS the application, which CONTAINS the
			// packages. The two B packages differ by julia's uuid
			// qualifier, which names the package: they stay two.
			file: "spdx-json/trivy-julia-spdx23.spdx.json",
			tool: document.Tool{Name: "trivy", Version: "dev"}, created: "2021-08-25T12:20:30Z", docComponents: 4,
			components: map[string]comp{
				"SPDXRef-Application-c39d15beb6bdf085": {name: "Manifest.toml", typ: "application", direct: true},
				"SPDXRef-Package-87b4e00fb433805d": {name: "A", version: "1.9.0", typ: "library",
					purl:      "pkg:julia/A@1.9.0?uuid=ead4f63c-334e-11e9-00e6-e7f0a5f21b60",
					dependsOn: []string{"SPDXRef-Package-32e95bcb6c889958"}},
				"SPDXRef-Package-32e95bcb6c889958": {name: "B", version: "1.9.0", typ: "library", scope: "required",
					purl: "pkg:julia/B@1.9.0?uuid=f41f7b98-334e-11e9-1257-49272045fb24"},
				"SPDXRef-Package-789679ef84876c8d": {name: "B", version: "1.9.0", typ: "library",
					purl: "pkg:julia/B@1.9.0?uuid=edca9bc6-334e-11e9-3554-9595dbb4349c"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep := h.Must(t, ingesttest.Corpus(t, "", tt.file))
			if rep.Tool != tt.tool || rep.Created != tt.created {
				t.Errorf("tool %+v created %q, want %+v %q", rep.Tool, rep.Created, tt.tool, tt.created)
			}
			if len(rep.Findings) != 0 {
				t.Errorf("%d findings, want none", len(rep.Findings))
			}
			if len(rep.Components) != len(tt.components) {
				t.Errorf("%d components, want %d", len(rep.Components), len(tt.components))
			}
			for _, c := range rep.Components {
				want, ok := tt.components[c.BOMRef]
				if !ok {
					t.Errorf("unexpected component %s (%s)", c.BOMRef, c.Name)
					continue
				}
				got := comp{name: c.Name, version: c.Version, purl: c.Purl, expr: c.LicenseExpression, scope: c.Scope, typ: c.Type,
					direct: c.Direct, licenses: c.Licenses, dependsOn: c.DependsOn}
				if got.name != want.name || got.version != want.version || got.purl != want.purl || got.expr != want.expr ||
					got.scope != want.scope || got.typ != want.typ || got.direct != want.direct ||
					!sameStrings(got.licenses, want.licenses) || !sameStrings(got.dependsOn, want.dependsOn) {
					t.Errorf("%s:\n got %+v\nwant %+v", c.BOMRef, got, want)
				}
			}
			if doc := h.Finish(t, rep); len(doc.Components) != tt.docComponents {
				t.Errorf("document: %d components, want %d", len(doc.Components), tt.docComponents)
			}
		})
	}
}

func sameStrings(a, b []string) bool {
	return len(a) == 0 && len(b) == 0 || slices.Equal(a, b)
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, data  string
		ok          bool
		unsupported string
	}{
		{"2.2", `{"spdxVersion":"SPDX-2.2"}`, true, ""},
		{"2.3", `{"spdxVersion":"SPDX-2.3"}`, true, ""},
		{"2.1", `{"spdxVersion":"SPDX-2.1"}`, true, `"SPDX-2.1"`},
		{"3 in spdxVersion", `{"spdxVersion":"SPDX-3.0"}`, true, `"SPDX-3.0"`},
		{"3 JSON-LD", `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[]}`, true, "SPDX 3"},
		{"3 JSON-LD array context", `{"@context":["https://spdx.org/rdf/3.0.0/spdx-context.jsonld"],"@graph":[]}`, true, "SPDX 3"},
		{"other JSON-LD", `{"@context":"https://openvex.dev/ns/v0.2.0"}`, false, ""},
		{"cyclonedx", `{"bomFormat":"CycloneDX","specVersion":"1.5"}`, false, ""},
		{"tag-value 2.3", "# comment\n\nSPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", true, ""},
		{"tag-value 2.1", "SPDXVersion: SPDX-2.1\n", true, `"SPDX-2.1"`},
		{"text", "hello\nSPDXVersion: SPDX-2.3\n", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := sniff.New("x", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			ok, err := New().Detect(f)
			if ok != tt.ok {
				t.Errorf("Detect = %v, %v; want %v", ok, err, tt.ok)
			}
			switch {
			case tt.unsupported == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.unsupported != "" && (!errors.Is(err, sniff.ErrUnsupported) || !strings.Contains(err.Error(), tt.unsupported)):
				t.Errorf("err = %v, want ErrUnsupported naming %s", err, tt.unsupported)
			}
		})
	}
}

const tagValue = `SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: demo
DocumentNamespace: https://example.com/demo
Creator: Tool: syft-v0.105.0
Created: 2024-01-01T00:00:00Z

PackageName: demo
SPDXID: SPDXRef-demo
PackageVersion: 1.0.0
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false
PackageLicenseConcluded: NOASSERTION
PackageLicenseDeclared: NOASSERTION

PackageName: lodash
SPDXID: SPDXRef-lodash
PackageVersion: 4.17.21
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false
PackageLicenseConcluded: MIT
PackageLicenseDeclared: MIT
ExternalRef: PACKAGE-MANAGER purl pkg:npm/lodash@4.17.21
ExternalRef: SECURITY cpe23Type cpe:2.3:a:lodash:lodash:4.17.21:*:*:*:*:*:*:*

PackageName: jest
SPDXID: SPDXRef-jest
PackageVersion: 29.0.0
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false
PackageLicenseConcluded: NOASSERTION
PackageLicenseDeclared: BSD License

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-demo
Relationship: SPDXRef-demo DEPENDS_ON SPDXRef-lodash
Relationship: SPDXRef-jest DEV_DEPENDENCY_OF SPDXRef-demo
`

func TestTagValue(t *testing.T) {
	rep := h.Must(t, []byte(tagValue))
	if rep.Tool != (document.Tool{Name: "syft", Version: "v0.105.0"}) || rep.Created != "2024-01-01T00:00:00Z" {
		t.Errorf("tool %+v created %q", rep.Tool, rep.Created)
	}
	if len(rep.Components) != 2 {
		t.Fatalf("%d components, want lodash and jest", len(rep.Components))
	}
	lodash, jest := rep.Components[0], rep.Components[1]
	if lodash.Purl != "pkg:npm/lodash@4.17.21" || !lodash.Direct || lodash.Scope != "required" || lodash.LicenseExpression != "MIT" {
		t.Errorf("lodash = %+v", lodash)
	}
	// "BSD License" is no SPDX expression: kept as a licence name only.
	if !jest.Direct || jest.Scope != "optional" || jest.LicenseExpression != "" || !slices.Equal(jest.Licenses, []string{"BSD License"}) {
		t.Errorf("jest = %+v", jest)
	}
	h.Finish(t, rep)
}

func TestMalformed(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"syntax", "{\"spdxVersion\":\"SPDX-2.3\",\n\"packages\":[1,]}", "line 2"},
		{"type", "{\"spdxVersion\":\"SPDX-2.3\",\n\"packages\":{}}", "packages"},
		{"bad id", `{"spdxVersion":"SPDX-2.3","SPDXID":"DOCUMENT"}`, "ElementID"},
		{"not spdx", `{"name":"x"}`, "not an SPDX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := sniff.New("x", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := New().Ingest(f)
			if err == nil || rep != nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Ingest = %v, %v; want an error saying %q", rep, err, tt.want)
			}
		})
	}
}

func TestParseTool(t *testing.T) {
	tests := map[string]document.Tool{
		"Microsoft.SBOMTool-0.2.7":  {Name: "Microsoft.SBOMTool", Version: "0.2.7"},
		"trivy-dev":                 {Name: "trivy", Version: "dev"},
		"syft-v0.105.0":             {Name: "syft", Version: "v0.105.0"},
		"sigs.k8s.io/bom/pkg/spdx":  {Name: "sigs.k8s.io/bom/pkg/spdx"},
		"spdx-maven-plugin":         {Name: "spdx-maven-plugin"},
		"  scancode-toolkit-32.0.8": {Name: "scancode-toolkit", Version: "32.0.8"},
		"x-":                        {Name: "x-"},
	}
	for in, want := range tests {
		if got := parseTool(in); got != want {
			t.Errorf("parseTool(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// TestDetectCorpus checks that of the whole corpus only the spdx-json
// folder is claimed.
func TestDetectCorpus(t *testing.T) {
	ingesttest.AssertClaimsOnly(t, New(), "spdx-json")
}

// FuzzIngest checks that no input makes the ingester panic, and that what
// it accepts makes a valid document.
func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 0, "spdx-json")
	f.Add([]byte(tagValue))
	f.Add([]byte(tagValue[:len(tagValue)/2]))
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-a","name":""}],"relationships":[{"spdxElementId":"SPDXRef-a","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-a"}]}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}
