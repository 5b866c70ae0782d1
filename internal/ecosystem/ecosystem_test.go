package ecosystem

import "testing"

// TestWordsUnique: a word names one purl type, so every tool reads it the
// same way.
func TestWordsUnique(t *testing.T) {
	seen := map[string]string{}
	for _, row := range types {
		for _, w := range append([]string{row.purl}, row.words...) {
			if prev, ok := seen[w]; ok {
				t.Errorf("%q is in the rows of %s and %s", w, prev, row.purl)
			}
			seen[w] = row.purl
		}
	}
}

// TestResolvedDisagreements pins the words the ingesters' own tables once
// read differently.
func TestResolvedDisagreements(t *testing.T) {
	tests := []struct {
		word, want, was string
	}{
		// Grype's JSON said generic, its SARIF nothing: a package of no
		// ecosystem keeps a defined ecosystem, so rules that read it run.
		{"binary", "generic", "grype: generic; sarif: \"\""},
		{"unknown", "generic", "grype: unknown; sarif: \"\""},
		// Grype's JSON said pecl, its SARIF kept php-pecl.
		{"php-pecl", "pecl", "grype: pecl; sarif: php-pecl"},
		// Trivy kept a distribution's name where its purl (and OSV, Snyk)
		// said the package type: rules on deb/rpm/apk now see every one.
		{"debian", "deb", "trivy: debian; osv, snyk: deb"},
		{"ubuntu", "deb", "trivy: ubuntu; osv, snyk: deb"},
		{"alpine", "apk", "trivy: alpine; osv, snyk: apk"},
		{"redhat", "rpm", "trivy: redhat; snyk: rpm"},
		{"Debian:12", "deb", "osv: deb"},
		{"crates.io", "cargo", "osv: cargo"},
		{"yarn", "npm", "trivy, snyk: npm"},
		{"go-module", "golang", "grype: golang"},
		{"nonesuch", "", ""},
	}
	for _, tt := range tests {
		if got := PurlType(tt.word); got != tt.want {
			t.Errorf("PurlType(%q) = %q, want %q (was %s)", tt.word, got, tt.want, tt.was)
		}
	}
	if got := Name("NoneSuch"); got != "nonesuch" {
		t.Errorf("Name(NoneSuch) = %q, want the word in lower case", got)
	}
}

func TestIsOS(t *testing.T) {
	for eco, want := range map[string]bool{
		"deb": true, "debian": true, "ubuntu": true, "rpm": true, "redhat": true, "apk": true,
		"alpine": true, "alpm": true, "npm": false, "generic": false, "": false,
	} {
		if got := IsOS(eco); got != want {
			t.Errorf("IsOS(%q) = %v, want %v", eco, got, want)
		}
	}
}

func TestInstallHint(t *testing.T) {
	tests := []struct{ eco, name, version, want string }{
		{"npm", "lodash", "4.17.21", "npm install lodash@4.17.21"},
		{"pypi", "django", "5.0", "pip install 'django>=5.0'"},
		{"golang", "golang.org/x/net", "0.23.0", "go get golang.org/x/net@v0.23.0"},
		{"go", "stdlib", "v1.22.3", "go mod edit -toolchain=go1.22.3"},
		{"cargo", "time", "0.2.23", "cargo update -p time --precise 0.2.23"},
		{"gem", "rails", "7.0.8", "bundle update rails"},
		{"debian", "openssl", "3.0.11-1", "apt-get install --only-upgrade openssl"},
		{"rpm", "glibc", "2.34-100", "dnf upgrade glibc"},
		{"alpine", "busybox", "1.36.1-r10", "apk upgrade busybox"},
		{"maven", "log4j-core", "2.17.1", ""},
	}
	for _, tt := range tests {
		if got := InstallHint(tt.eco, tt.name, tt.version); got != tt.want {
			t.Errorf("InstallHint(%q, %q, %q) = %q, want %q", tt.eco, tt.name, tt.version, got, tt.want)
		}
	}
}
