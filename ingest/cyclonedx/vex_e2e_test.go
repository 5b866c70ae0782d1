package cyclonedx_test

import (
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest"
)

// load ingests named documents, formats detected, into one finished
// document.
func load(t *testing.T, inputs ...[2]string) *document.Document {
	t.Helper()
	doc := document.New()
	for _, in := range inputs {
		src, rep, err := ingest.Bytes(in[0], "", []byte(in[1]))
		if err != nil {
			t.Fatalf("%s: %v", in[0], err)
		}
		doc.Add(src, rep)
	}
	doc.Finish()
	if err := doc.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return doc
}

// trivyMyApp is a Trivy scan of github.com/example/myapp with
// golang.org/x/crypto's CVE-2024-45337.
var trivyMyApp = [2]string{"trivy.json", `{"SchemaVersion": 2, "ArtifactName": "github.com/example/myapp", "ArtifactType": "repository",
  "Results": [{"Target": "go.mod", "Class": "lang-pkgs", "Type": "gomod", "Vulnerabilities": [
    {"VulnerabilityID": "CVE-2024-45337", "PkgName": "golang.org/x/crypto", "InstalledVersion": "v0.23.0",
     "PkgIdentifier": {"PURL": "pkg:golang/golang.org/x/crypto@v0.23.0"}, "Severity": "CRITICAL"}]}]}`}

// vexBOM is a CycloneDX VEX BOM (metadata.component given as JSON, or
// "") stating CVE-2024-45337 not_affected in ref.
func vexBOM(component, ref string) [2]string {
	md := `"timestamp": "2026-04-01T00:00:00Z"`
	if component != "" {
		md += `, "component": ` + component
	}
	return [2]string{"vex.cdx.json", `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "metadata": {` + md + `},
	  "vulnerabilities": [{"id": "CVE-2024-45337", "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
	    "affects": [{"ref": "` + ref + `"}]}]}`}
}

const sbomSerial = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"

// sbom is a CycloneDX SBOM of myapp, with golang.org/x/crypto.
var sbom = [2]string{"sbom.cdx.json", `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "serialNumber": "` + sbomSerial + `",
  "metadata": {"component": {"type": "application", "bom-ref": "app", "name": "github.com/example/myapp", "version": "v1.2.0", "purl": "pkg:golang/github.com/example/myapp@v1.2.0"}},
  "components": [{"type": "library", "bom-ref": "crypto", "name": "golang.org/x/crypto", "version": "v0.23.0", "purl": "pkg:golang/golang.org/x/crypto@v0.23.0"}]}`}

func status(t *testing.T, doc *document.Document) (document.Status, document.VEXStatement) {
	t.Helper()
	if len(doc.VEX) != 1 {
		t.Fatalf("%d statements listed, want 1", len(doc.VEX))
	}
	for _, f := range doc.Findings {
		if f.RuleID == "CVE-2024-45337" {
			return f.Status, doc.VEX[0]
		}
	}
	t.Fatal("no CVE-2024-45337 finding")
	return "", document.VEXStatement{}
}

func TestCycloneDXVEXOnOtherBOMIsNotApplied(t *testing.T) {
	doc := load(t, trivyMyApp, vexBOM(`{"type": "application", "name": "other-tool", "purl": "pkg:golang/github.com/example/other-tool@v1.0.0"}`,
		"pkg:golang/golang.org/x/crypto@v0.23.0"))
	st, v := status(t, doc)
	if st != document.StatusOpen || !strings.Contains(v.Problem, "not applied") {
		t.Errorf("status %s, listed as %+v", st, v)
	}
	if len(v.Products) != 1 || v.Products[0].ID != "pkg:golang/github.com/example/other-tool@v1.0.0" ||
		strings.Join(v.Products[0].Subcomponents, " ") != "pkg:golang/golang.org/x/crypto@v0.23.0" {
		t.Errorf("products %+v: the BOM's component with the ref inside it", v.Products)
	}
}

func TestCycloneDXVEXOnItsOwnProductApplies(t *testing.T) {
	doc := load(t, trivyMyApp, vexBOM(`{"type": "application", "name": "myapp", "purl": "pkg:golang/github.com/example/myapp"}`,
		"pkg:golang/golang.org/x/crypto@v0.23.0"))
	if st, v := status(t, doc); st != document.StatusNotAffected || len(v.Findings) != 1 || v.Problem != "" {
		t.Errorf("status %s, listed as %+v", st, v)
	}
	// Without metadata.component, the ref is the product: the package itself.
	doc = load(t, trivyMyApp, vexBOM("", "pkg:golang/golang.org/x/crypto@v0.23.0"))
	if st, v := status(t, doc); st != document.StatusNotAffected || len(v.Findings) != 1 {
		t.Errorf("package itself: status %s, listed as %+v", st, v)
	}
}

func TestCycloneDXBOMLinkToUnknownBOMIsNotApplied(t *testing.T) {
	doc := load(t, trivyMyApp, vexBOM("", "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:golang/golang.org/x/crypto@v0.23.0"))
	if st, v := status(t, doc); st != document.StatusOpen || !strings.Contains(v.Problem, "is in a BOM that is not among the inputs") {
		t.Errorf("status %s, listed as %+v", st, v)
	}
}

// TestCycloneDXBOMLinkAppliesInsideItsBOM: a BOM-Link to a component of
// a BOM given among the inputs speaks of that component inside the BOM's
// own component: it closes the finding of a scan of that project.
func TestCycloneDXBOMLinkAppliesInsideItsBOM(t *testing.T) {
	doc := load(t, sbom, trivyMyApp, vexBOM("", "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#crypto"))
	if st, v := status(t, doc); st != document.StatusNotAffected || len(v.Findings) != 1 || v.Problem != "" {
		t.Errorf("status %s, listed as %+v", st, v)
	}
	if s := doc.Sources[0].Subject; s == nil || s.Purl != "pkg:golang/github.com/example/myapp@v1.2.0" {
		t.Errorf("SBOM subject %+v", s)
	}
}
