package builtins

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPURLParse(t *testing.T) {
	tests := []struct {
		purl string
		want string
	}{
		{"pkg:npm/lodash@4.17.21",
			`{"type": "npm", "namespace": "", "name": "lodash", "version": "4.17.21", "qualifiers": {}, "subpath": ""}`},
		{"pkg:npm/%40babel/core@7.24.0",
			`{"type": "npm", "namespace": "@babel", "name": "core", "version": "7.24.0", "qualifiers": {}, "subpath": ""}`},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar&classifier=sources",
			`{"type": "maven", "namespace": "org.apache.logging.log4j", "name": "log4j-core", "version": "2.14.1", "qualifiers": {"classifier": "sources", "type": "jar"}, "subpath": ""}`},
		{"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
			`{"type": "deb", "namespace": "debian", "name": "openssl", "version": "3.0.11-1~deb12u2", "qualifiers": {"arch": "amd64", "distro": "debian-12"}, "subpath": ""}`},
		{"pkg:golang/github.com/gorilla/mux@v1.8.0#internal/x",
			`{"type": "golang", "namespace": "github.com/gorilla", "name": "mux", "version": "v1.8.0", "qualifiers": {}, "subpath": "internal/x"}`},
		{"pkg:rpm/redhat/openssl@1:3.0.7-24.el9?arch=x86_64",
			`{"type": "rpm", "namespace": "redhat", "name": "openssl", "version": "1:3.0.7-24.el9", "qualifiers": {"arch": "x86_64"}, "subpath": ""}`},
		{"pkg:docker/library/nginx@sha256%3Aabc123?repository_url=docker.io",
			`{"type": "docker", "namespace": "library", "name": "nginx", "version": "sha256:abc123", "qualifiers": {"repository_url": "docker.io"}, "subpath": ""}`},
		// Normalised: type lower-cased, pypi names lower-cased with "-".
		{"pkg:PyPI/Django_Rest@3.0",
			`{"type": "pypi", "namespace": "", "name": "django-rest", "version": "3.0", "qualifiers": {}, "subpath": ""}`},
		// Qualifier keys lower-cased, empty values dropped.
		{"pkg:apk/alpine/busybox@1.36.1-r15?Arch=x86_64&distro=",
			`{"type": "apk", "namespace": "alpine", "name": "busybox", "version": "1.36.1-r15", "qualifiers": {"arch": "x86_64"}, "subpath": ""}`},
		{"pkg:generic/openssl",
			`{"type": "generic", "namespace": "", "name": "openssl", "version": "", "qualifiers": {}, "subpath": ""}`},
		{"pkg:generic/name%20with%20spaces@1.0%2Bbuild",
			`{"type": "generic", "namespace": "", "name": "name with spaces", "version": "1.0+build", "qualifiers": {}, "subpath": ""}`},
	}
	for _, tt := range tests {
		t.Run(tt.purl, func(t *testing.T) {
			got := mustCall(t, "secgate.purl_parse", tt.purl)
			if diff := cmp.Diff(fromJSON(t, tt.want), got); diff != "" {
				t.Errorf("purl_parse(%q) (-want +got):\n%s", tt.purl, diff)
			}
		})
	}
}

func TestPURLParseErrors(t *testing.T) {
	tests := []struct {
		name string
		purl any
		want string
	}{
		{"empty", "", `invalid package URL ""`},
		{"no scheme", "npm/lodash@4.17.21", "invalid package URL"},
		{"other scheme", "https://example.com/lodash", "invalid package URL"},
		{"no name", "pkg:npm", "invalid package URL"},
		{"empty name", "pkg:npm/@4.17.21", "invalid package URL"},
		{"bad type", "pkg:n%20pm/lodash", "invalid package URL"},
		{"duplicate qualifier", "pkg:npm/lodash?arch=x&arch=y", "invalid package URL"},
		{"bad escape", "pkg:npm/lo%zzdash", "invalid package URL"},
		{"long input is cut short", "x" + strings.Repeat("y", 500), "…"},
		{"number", 1, "operand 1 must be string but got number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := call(t, "secgate.purl_parse", tt.purl)
			wantBuiltinErr(t, err, "secgate.purl_parse: ", tt.want)
		})
	}
}
