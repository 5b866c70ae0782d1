package openvex_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
)

// load ingests files (corpus paths, or raw documents named "inline:…")
// through ingest.Bytes, detection included, into one finished document.
func load(t *testing.T, inputs ...[2]string) *document.Document {
	t.Helper()
	doc := document.New()
	for _, in := range inputs {
		name, data := in[0], []byte(in[1])
		if len(data) == 0 {
			var err error
			data, err = os.ReadFile(filepath.Join(ingesttest.CorpusDir, name))
			if err != nil {
				t.Fatal(err)
			}
		}
		src, rep, err := ingest.Bytes(name, "", data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		doc.Add(src, rep)
	}
	doc.Finish()
	if err := doc.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return doc
}

func file(path string) [2]string { return [2]string{path, ""} }

// govulncheckVEX is the OpenVEX document govulncheck wrote for its symbol
// scan, its product ("Unknown Product") renamed.
func govulncheckVEX(t *testing.T, product string) [2]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ingesttest.CorpusDir, "openvex/govulncheck-source-call.openvex.json"))
	if err != nil {
		t.Fatal(err)
	}
	return [2]string{"govulncheck.openvex.json", strings.ReplaceAll(string(data), `"Unknown Product"`, `"`+product+`"`)}
}

// TestVEXUnknownProductIsNotApplied: govulncheck writes its statements
// about "Unknown Product", with the vulnerable modules as subcomponents.
// That product is the subject of no source: the statements close nothing,
// and each says why.
func TestVEXUnknownProductIsNotApplied(t *testing.T) {
	doc := load(t,
		file("govulncheck/govulncheck-source-symbol-scan.json"),
		file("openvex/govulncheck-source-call.openvex.json"))
	if doc.Summary.OpenFindings != 4 {
		t.Errorf("%d open, want 4", doc.Summary.OpenFindings)
	}
	if len(doc.VEX) != 4 {
		t.Fatalf("%d vex statements listed, want 4", len(doc.VEX))
	}
	for _, v := range doc.VEX {
		if len(v.Findings) != 0 || !strings.Contains(v.Problem, "none has one of the statement's products as its subject or package") {
			t.Errorf("%s: findings %v, problem %q", v.Vulnerability, v.Findings, v.Problem)
		}
	}
}

// TestVEXAppliesToGovulncheck ingests govulncheck's symbol scan and the
// OpenVEX document govulncheck wrote for the same code, its product named
// as the scanned module: the statements that the vulnerable code is not
// called close exactly those findings; the affected ones stay open.
func TestVEXAppliesToGovulncheck(t *testing.T) {
	doc := load(t,
		file("govulncheck/govulncheck-source-symbol-scan.json"),
		govulncheckVEX(t, "pkg:golang/golang.org/vuln"))
	if s := doc.Sources[0].Subject; s == nil || s.Purl != "pkg:golang/golang.org/vuln" {
		t.Fatalf("govulncheck subject %+v", s)
	}
	if doc.Sources[0].Format != "govulncheck" || doc.Sources[1].Format != "openvex" {
		t.Fatalf("formats %s, %s", doc.Sources[0].Format, doc.Sources[1].Format)
	}
	want := map[string]document.Status{
		"GO-2020-0015": document.StatusNotAffected, // golang.org/x/text, vulnerable_code_not_present
		"GO-2021-0113": document.StatusNotAffected, // golang.org/x/text, vulnerable_code_not_in_execute_path
		"GO-2021-0054": document.StatusOpen,        // github.com/tidwall/gjson: affected
		"GO-2021-0265": document.StatusOpen,        // github.com/tidwall/gjson: affected
	}
	if len(doc.Findings) != len(want) {
		t.Fatalf("%d findings, want %d", len(doc.Findings), len(want))
	}
	for _, f := range doc.Findings {
		if f.Status != want[f.RuleID] {
			t.Errorf("%s (%s): status %s, want %s", f.RuleID, f.Package.Purl, f.Status, want[f.RuleID])
		}
		if f.Status == document.StatusOpen {
			if f.StatusReason != nil {
				t.Errorf("%s: open with a reason %+v", f.RuleID, f.StatusReason)
			}
			continue
		}
		r := f.StatusReason
		if r == nil || r.By != "vex" || r.Statement != "Govulncheck determined that the vulnerable code isn't called" ||
			r.Source != "govulncheck/vex:261b597336f7aa5eb53a4a196c354c5afed43fe55658ae3816194192b5268881" {
			t.Errorf("%s: reason %+v", f.RuleID, r)
		}
	}
	if got := byRule(doc, "GO-2020-0015").StatusReason; got == nil || got.Justification != "vulnerable_code_not_present" {
		t.Errorf("GO-2020-0015: reason %+v", got)
	}
	if got := byRule(doc, "GO-2021-0113").StatusReason; got == nil || got.Justification != "vulnerable_code_not_in_execute_path" {
		t.Errorf("GO-2021-0113: reason %+v", got)
	}
	if doc.Summary.OpenFindings != 2 || doc.Summary.ByStatus["not_affected"] != 2 {
		t.Errorf("summary %+v", doc.Summary)
	}

	// Without the VEX document, all four are open.
	doc = load(t, file("govulncheck/govulncheck-source-symbol-scan.json"))
	if doc.Summary.OpenFindings != 4 {
		t.Errorf("%d open without VEX, want 4", doc.Summary.OpenFindings)
	}
}

// TestVEXByAliasAndUnversionedProduct applies a statement that names a
// vulnerability by its CVE and a product by a purl without version to an
// OSV-Scanner finding reported under its GHSA id; a statement about
// another package leaves its findings alone, and a later statement wins.
func TestVEXByAliasAndUnversionedProduct(t *testing.T) {
	vex := `{
	  "@context": "https://openvex.dev/ns/v0.2.0",
	  "@id": "https://example.com/vex/1",
	  "author": "Example",
	  "timestamp": "2024-05-01T00:00:00Z",
	  "version": 1,
	  "statements": [
	    {"vulnerability": {"name": "CVE-2022-24713"}, "products": [{"@id": "pkg:cargo/regex"}],
	     "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
	    {"vulnerability": {"name": "CVE-2021-3121"}, "products": [{"@id": "pkg:golang/github.com/gogo/protobuf"}],
	     "status": "fixed", "timestamp": "2024-01-01T00:00:00Z"},
	    {"vulnerability": {"name": "CVE-2021-3121"}, "products": [{"@id": "pkg:golang/github.com/gogo/protobuf@1.3.1"}],
	     "status": "affected", "action_statement": "upgrade", "timestamp": "2024-06-01T00:00:00Z"},
	    {"vulnerability": {"name": "CVE-2022-24713"}, "products": [{"@id": "pkg:npm/regex"}], "status": "fixed"}
	  ]}`
	doc := load(t, file("osv-scanner/osv-scanner-two-lockfiles-groups.json"), [2]string{"inline.openvex.json", vex})
	f := byRule(doc, "GHSA-m5pq-gvj9-9vr8")
	if f.Status != document.StatusNotAffected || f.StatusReason == nil || f.StatusReason.Source != "https://example.com/vex/1" {
		t.Errorf("regex: status %s, reason %+v", f.Status, f.StatusReason)
	}
	// The later statement says affected: open.
	f = byRule(doc, "GHSA-c3h9-896r-86jm")
	if f.Status != document.StatusOpen {
		t.Errorf("gogo/protobuf: status %s, reason %+v", f.Status, f.StatusReason)
	}
}

func byRule(doc *document.Document, rule string) *document.Finding {
	for i := range doc.Findings {
		if doc.Findings[i].RuleID == rule {
			return &doc.Findings[i]
		}
	}
	return &document.Finding{}
}

func TestVEXOrderDoesNotMatter(t *testing.T) {
	vex := govulncheckVEX(t, "pkg:golang/golang.org/vuln")
	a := load(t, vex, file("govulncheck/govulncheck-source-symbol-scan.json"))
	b := load(t, file("govulncheck/govulncheck-source-symbol-scan.json"), vex)
	if a.Summary.OpenFindings != b.Summary.OpenFindings || a.Summary.OpenFindings != 2 {
		t.Errorf("open: %d with VEX first, %d with VEX last; want 2", a.Summary.OpenFindings, b.Summary.OpenFindings)
	}
	for _, f := range a.Findings {
		if strings.HasPrefix(f.Package.Name, "golang.org/x/text") && f.Status != document.StatusNotAffected {
			t.Errorf("%s: %s", f.RuleID, f.Status)
		}
	}
}

// trivyMyApp is a Trivy scan of a project that is not Trivy, with
// golang.org/x/crypto's CVE-2024-45337 (GO-2024-3321).
const trivyMyApp = `{"SchemaVersion": 2, "ArtifactName": "github.com/example/myapp", "ArtifactType": "repository",
  "Results": [{"Target": "go.mod", "Class": "lang-pkgs", "Type": "gomod", "Vulnerabilities": [
    {"VulnerabilityID": "CVE-2024-45337", "PkgName": "golang.org/x/crypto", "InstalledVersion": "v0.23.0",
     "PkgIdentifier": {"PURL": "pkg:golang/golang.org/x/crypto@v0.23.0"}, "Severity": "CRITICAL"}]}]}`

// openVEX is an OpenVEX document of the statements given.
func openVEX(statements string) [2]string {
	return [2]string{"inline.openvex.json", `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/t",
	  "author": "t", "timestamp": "2026-04-01T00:00:00Z", "version": 1, "statements": [` + statements + `]}`}
}

// vexOf returns the listed statement about vuln.
func vexOf(t *testing.T, doc *document.Document, vuln string) document.VEXStatement {
	t.Helper()
	for _, v := range doc.VEX {
		if v.Vulnerability == vuln {
			return v
		}
	}
	t.Fatalf("no statement about %s in %+v", vuln, doc.VEX)
	return document.VEXStatement{}
}

// TestTrivyVEXOnOtherProjectIsNotApplied: Trivy's own published VEX says
// GO-2024-3321 is not_affected in Trivy (product) through its
// golang.org/x/crypto (subcomponent). Another project's govulncheck scan
// has the same vulnerability in the same module: it stays open, and the
// statement says why it was not applied.
func TestTrivyVEXOnOtherProjectIsNotApplied(t *testing.T) {
	doc := load(t,
		file("govulncheck/govulncheck-stream-with-sbom-116-findings.json"),
		file("openvex/trivy-project-self.openvex.json"))
	if s := doc.Sources[0].Subject; s == nil || s.Name != "github.com/alielmi98/golang-expense-tracker-api" {
		t.Fatalf("govulncheck subject %+v", s)
	}
	for _, id := range []string{"GO-2024-3321", "GO-2024-3333"} {
		if f := byRule(doc, id); f.Status != document.StatusOpen {
			t.Errorf("%s: %s by %+v, want open", id, f.Status, f.StatusReason)
		}
		if v := vexOf(t, doc, id); len(v.Findings) != 0 || !strings.Contains(v.Problem, "not applied") {
			t.Errorf("%s: listed as %+v", id, v)
		}
	}
	if doc.Summary.ByStatus["not_affected"] != 0 {
		t.Errorf("summary %+v", doc.Summary.ByStatus)
	}
}

// TestVEXAppliesToItsProductsFindings: the same statement about the
// scanned project (product), or about the package itself, closes the
// finding, and the list names it.
func TestVEXAppliesToItsProductsFindings(t *testing.T) {
	for name, product := range map[string]string{
		"product is the subject":              `{"@id": "pkg:golang/github.com/example/myapp", "subcomponents": [{"@id": "pkg:golang/golang.org/x/crypto"}]}`,
		"product is the subject, no parts":    `{"@id": "pkg:golang/github.com/example/myapp@v1.2.0"}`,
		"product is the package":              `{"@id": "pkg:golang/golang.org/x/crypto@v0.23.0"}`,
		"product is the package, escaped":     `{"@id": "pkg:golang/golang.org%2Fx%2Fcrypto"}`,
		"product is the package, identifiers": `{"@id": "crypto", "identifiers": {"purl": "pkg:golang/golang.org/x/crypto"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			doc := load(t, [2]string{"trivy.json", trivyMyApp}, openVEX(`{"vulnerability": {"name": "GO-2024-3321", "aliases": ["CVE-2024-45337"]},
			  "products": [`+product+`], "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}`))
			f := byRule(doc, "CVE-2024-45337")
			if f.Status != document.StatusNotAffected {
				t.Errorf("status %s, want not_affected", f.Status)
			}
			if v := vexOf(t, doc, "GO-2024-3321"); len(v.Findings) != 1 || v.Findings[0] != f.ID || v.Problem != "" || v.Source != 1 {
				t.Errorf("listed as %+v", v)
			}
		})
	}
}

// TestVEXNotAppliedOutsideItsProducts: statements that must close nothing,
// each with the problem the list gives.
func TestVEXNotAppliedOutsideItsProducts(t *testing.T) {
	for _, tt := range []struct{ name, statement, problem string }{
		{"no product", `{"vulnerability": {"name": "CVE-2024-45337"}, "status": "not_affected", "justification": "component_not_present"}`,
			"no product: the statement applies to nothing"},
		{"not_affected without justification", `{"vulnerability": {"name": "CVE-2024-45337"}, "products": [{"@id": "pkg:golang/golang.org/x/crypto"}], "status": "not_affected"}`,
			"not_affected without a justification or impact statement: not applied"},
		{"subcomponent outside its product", `{"vulnerability": {"name": "CVE-2024-45337"}, "products": [{"@id": "pkg:golang/github.com/example/other", "subcomponents": [{"@id": "pkg:golang/golang.org/x/crypto"}]}], "status": "not_affected", "justification": "component_not_present"}`,
			"CVE-2024-45337 is in 1 finding(s), but none has one of the statement's products as its subject or package: not applied"},
		{"product is the package with subcomponents", `{"vulnerability": {"name": "CVE-2024-45337"}, "products": [{"@id": "pkg:golang/golang.org/x/crypto", "subcomponents": [{"@id": "pkg:golang/golang.org/x/crypto/ssh"}]}], "status": "fixed"}`,
			"but none has one of the statement's products"},
		{"another version of the subject", `{"vulnerability": {"name": "CVE-2024-45337"}, "products": [{"@id": "pkg:golang/golang.org/x/crypto@v0.31.0"}], "status": "fixed"}`,
			"but none has one of the statement's products"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := load(t, [2]string{"trivy.json", trivyMyApp}, openVEX(tt.statement))
			if f := byRule(doc, "CVE-2024-45337"); f.Status != document.StatusOpen {
				t.Errorf("status %s by %+v, want open", f.Status, f.StatusReason)
			}
			if v := vexOf(t, doc, "CVE-2024-45337"); len(v.Findings) != 0 || !strings.Contains(v.Problem, tt.problem) {
				t.Errorf("listed as %+v, want problem %q", v, tt.problem)
			}
		})
	}
}

// TestTrivyImageVEXAppliesOnlyToTrivysImage: Trivy's published VEX for
// its image (product pkg:oci/trivy in three registries, subcomponent
// busybox) closes busybox's CVE-2023-42363 in a scan of Trivy's image, and
// not in a scan of another image with the same busybox.
func TestTrivyImageVEXAppliesOnlyToTrivysImage(t *testing.T) {
	scan := func(image string) [2]string {
		return [2]string{"trivy-image.json", `{"SchemaVersion": 2, "ArtifactName": "` + image + `", "ArtifactType": "container_image",
		  "Results": [{"Target": "x (alpine 3.20.0)", "Class": "os-pkgs", "Type": "alpine", "Vulnerabilities": [
		    {"VulnerabilityID": "CVE-2023-42363", "PkgName": "busybox", "InstalledVersion": "1.36.1-r28",
		     "PkgIdentifier": {"PURL": "pkg:apk/alpine/busybox@1.36.1-r28?arch=x86_64&distro=3.20.0"}, "Severity": "MEDIUM"}]}]}`}
	}
	for image, want := range map[string]document.Status{
		"ghcr.io/aquasecurity/trivy:0.53.0":   document.StatusNotAffected,
		"aquasec/trivy:0.53.0":                document.StatusNotAffected,
		"docker.io/aquasec/trivy:0.53.0":      document.StatusNotAffected,
		"alpine:3.20":                         document.StatusOpen,
		"ghcr.io/example/trivy:0.53.0":        document.StatusOpen,
		"registry.example.com/busybox-app:v1": document.StatusOpen,
	} {
		doc := load(t, scan(image), file("openvex/trivy-oci-image.openvex.json"))
		if f := byRule(doc, "CVE-2023-42363"); f.Status != want {
			t.Errorf("%s: %s, want %s (subject %+v)", image, f.Status, want, doc.Sources[0].Subject)
		}
	}
}
