package document

import "testing"

func TestImageSubject(t *testing.T) {
	for ref, want := range map[string]string{
		"ghcr.io/aquasecurity/trivy:0.53.0": "pkg:oci/trivy?repository_url=ghcr.io%2Faquasecurity%2Ftrivy&tag=0.53.0",
		"alpine:3.11":                       "pkg:oci/alpine?repository_url=index.docker.io%2Flibrary%2Falpine&tag=3.11",
		"aquasec/trivy":                     "pkg:oci/trivy?repository_url=index.docker.io%2Faquasec%2Ftrivy",
		"localhost:5000/app@sha256:abc":     "pkg:oci/app@sha256%3Aabc?repository_url=localhost%3A5000%2Fapp",
		"images/alpine-310.tar.gz":          "",
		"":                                  "",
	} {
		got := ""
		if s := ImageSubject(ref); s != nil {
			got = s.Purl
		}
		if got != want {
			t.Errorf("ImageSubject(%q) = %q, want %q", ref, got, want)
		}
	}
}

// TestVEXPurlComparison: how a statement's product is compared with a
// subject or a package.
func TestVEXPurlComparison(t *testing.T) {
	for _, tt := range []struct {
		product, purl, version string
		want                   bool
	}{
		{"pkg:golang/golang.org/x/crypto", "pkg:golang/golang.org/x/crypto@v0.23.0", "", true},
		{"pkg:golang/golang.org%2Fx%2Fcrypto@v0.23.0", "pkg:golang/golang.org/x/crypto@v0.23.0", "", true},
		{"pkg:golang/golang.org/x/crypto@v0.31.0", "pkg:golang/golang.org/x/crypto@v0.23.0", "", false},
		{"pkg:golang/golang.org/x/crypto@v0.23.0", "pkg:golang/golang.org/x/crypto", "v0.23.0", true},
		{"pkg:golang/golang.org/x/crypto@v0.31.0", "pkg:golang/golang.org/x/crypto", "v0.23.0", false},
		{"pkg:golang/golang.org/x/net", "pkg:golang/golang.org/x/crypto", "", false},
		{"pkg:PyPI/Django_Rest", "pkg:pypi/django-rest@1.0", "", true},
		{"pkg:npm/c?arch=x", "pkg:npm/c@1.0.0", "", true},         // a qualifier one side gives: ignored
		{"pkg:npm/c?arch=x", "pkg:npm/c@1.0.0?arch=y", "", false}, // both give it: must agree
		{"pkg:oci/trivy?repository_url=index.docker.io%2Faquasec%2Ftrivy", "pkg:oci/trivy?repository_url=docker.io/aquasec/trivy&tag=0.53.0", "", true},
		{"pkg:oci/trivy?repository_url=ghcr.io/aquasecurity/trivy", "pkg:oci/trivy?repository_url=index.docker.io/someone/trivy", "", false},
		{"Unknown Product", "pkg:npm/c@1.0.0", "", false},
	} {
		got := isPackage(tt.product, &Package{Name: "x", Purl: tt.purl, Version: tt.version})
		if got != tt.want {
			t.Errorf("%s vs %s (%s): %v, want %v", tt.product, tt.purl, tt.version, got, tt.want)
		}
	}
}
