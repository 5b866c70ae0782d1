package ingest_test

import (
	"path/filepath"
	"testing"

	"github.com/secgate/secgate/document"
)

// TestSourcesCarryTheirSubject: each format that says what was scanned
// or described gives its source that subject, which VEX products are
// compared with.
func TestSourcesCarryTheirSubject(t *testing.T) {
	for _, tt := range []struct {
		file string
		want document.Subject
	}{
		{"cyclonedx-json/cyclonedx-php-composer-1.2-laravel.cdx.json",
			document.Subject{Name: "cyclonedx/cyclonedx-php-composer-demo", Version: "dev-master", Purl: "pkg:composer/cyclonedx/cyclonedx-php-composer-demo@dev-master"}},
		{"spdx-json/spdx-2.3-maven-enriched-external-doc-refs.spdx.json", document.Subject{Name: "examplemaven", Version: "0.0.1"}},
		{"trivy-json/trivy-image-license-results.json",
			document.Subject{Name: "alpine:3.11", Purl: "pkg:oci/alpine?repository_url=index.docker.io%2Flibrary%2Falpine&tag=3.11"}},
		{"trivy-json/trivy-image-alpine310-os-vulns.json", document.Subject{Name: "testdata/fixtures/images/alpine-310.tar.gz"}},
		{"grype-json/grype-0.7-image-327-matches.json", document.Subject{Name: "defectdojo/defectdojo-django:1.13.1",
			Purl: "pkg:oci/defectdojo-django?repository_url=index.docker.io%2Fdefectdojo%2Fdefectdojo-django&tag=1.13.1"}},
		{"grype-json/grype-0.24-directory-source.json", document.Subject{Name: "."}},
		{"govulncheck/govulncheck-stream-with-sbom-116-findings.json",
			document.Subject{Name: "github.com/alielmi98/golang-expense-tracker-api", Purl: "pkg:golang/github.com/alielmi98/golang-expense-tracker-api"}},
		{"govulncheck/govulncheck-source-symbol-scan.json", document.Subject{Name: "golang.org/vuln", Purl: "pkg:golang/golang.org/vuln"}},
		{"snyk/snyk-test-maven-41-vulns.json", document.Subject{Name: "com.test:myframework"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			doc, err := ingestOne(t, filepath.Join("..", "testdata", "corpus", tt.file), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.Sources[0].Subject; got == nil || *got != tt.want {
				t.Errorf("subject %+v, want %+v", got, tt.want)
			}
		})
	}
	// A report of several projects has no one subject.
	doc, err := ingestOne(t, filepath.Join("..", "testdata", "corpus", "snyk/snyk-test-all-projects-array.json"), "snyk")
	if err != nil {
		t.Fatal(err)
	}
	if s := doc.Sources[0].Subject; s != nil {
		t.Errorf("several projects: subject %+v", s)
	}
}
