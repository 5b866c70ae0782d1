package osv

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPurl(t *testing.T) {
	for _, tt := range []struct{ eco, name, version, want string }{
		{"PyPI", "Zope.Interface", "5.0", "pkg:pypi/zope-interface@5.0"},
		{"npm", "@babel/core", "7.0.0", "pkg:npm/%40babel/core@7.0.0"},
		{"npm", "lodash", "4.17.20", "pkg:npm/lodash@4.17.20"},
		{"Go", "golang.org/x/text", "0.3.0", "pkg:golang/golang.org/x/text@0.3.0"},
		{"Go", "stdlib", "1.20.1", "pkg:golang/stdlib@1.20.1"},
		{"crates.io", "regex", "1.5.1", "pkg:cargo/regex@1.5.1"},
		{"Packagist", "guzzlehttp/guzzle", "6.3.3", "pkg:composer/guzzlehttp/guzzle@6.3.3"},
		{"Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
		{"RubyGems", "rails", "6.0.0", "pkg:gem/rails@6.0.0"},
		{"NuGet", "Newtonsoft.Json", "12.0.1", "pkg:nuget/Newtonsoft.Json@12.0.1"},
		{"Debian:11", "openssl", "1.1.1n-0+deb11u3", "pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?distro=debian-11"},
		{"Alpine", "busybox", "1.36.1-r0", "pkg:apk/alpine/busybox@1.36.1-r0"},
		{"GIT", "x", "abc", ""},
		{"", "x", "1", ""},
		{"npm", "", "1", ""},
		{"npm", "scope/", "1", ""},
	} {
		if got := Purl(tt.eco, tt.name, tt.version); got != tt.want {
			t.Errorf("Purl(%q, %q, %q) = %q, want %q", tt.eco, tt.name, tt.version, got, tt.want)
		}
	}
}

func TestEntry(t *testing.T) {
	var e Entry
	err := json.Unmarshal([]byte(`{
	  "id": "GHSA-xxxx", "summary": "Title", "aliases": ["CVE-1"],
	  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, {"type": "Ubuntu", "score": "high"}],
	  "affected": [
	    {"package": {"ecosystem": "PyPI", "name": "Foo_Bar"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}, {"introduced": "2.0"}, {"fixed": "2.1"}]}],
	     "severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],
	     "database_specific": {"cwes": [{"cweId": "CWE-79"}]}},
	    {"package": {"ecosystem": "PyPI", "name": "other"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "9"}]}]}],
	  "references": [{"type": "WEB", "url": "https://a"}, {"type": "WEB", "url": " "}],
	  "database_specific": {"severity": "HIGH", "cwe_ids": ["CWE-20", "NVD-CWE-noinfo"], "url": "https://b"}}`), &e)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.Fixed("PyPI", "foo-bar"), ","); got != "1.2,2.1" {
		t.Errorf("Fixed = %q", got)
	}
	if got := strings.Join(e.Fixed("", ""), ","); got != "1.2,2.1,9" {
		t.Errorf("Fixed of any package = %q", got)
	}
	if got := e.Fixed("npm", "foo-bar"); len(got) != 0 {
		t.Errorf("Fixed of another ecosystem = %v", got)
	}
	scores := e.Scores()
	if len(scores) != 2 || scores[0].Score != 9.8 || scores[0].Source != "ghsa" || scores[1].Version != "4.0" {
		t.Errorf("Scores = %+v", scores)
	}
	if got := strings.Join(e.CWEs(), ","); got != "CWE-20,CWE-79" {
		t.Errorf("CWEs = %q", got)
	}
	if got := strings.Join(e.URLs(), ","); got != "https://a,https://b" {
		t.Errorf("URLs = %q", got)
	}
	if e.SeverityWord() != "HIGH" {
		t.Errorf("SeverityWord = %q", e.SeverityWord())
	}
	if title, desc := e.Text(); title != "Title" || desc != "Title" {
		t.Errorf("Text = %q, %q", title, desc)
	}
	// A database's own shape never fails the entry.
	e = Entry{DatabaseSpecific: json.RawMessage(`{"severity": 5, "cwe_ids": "CWE-1", "cwes": 3}`)}
	if e.SeverityWord() != "" || len(e.CWEs()) != 0 {
		t.Errorf("odd database_specific read as %q, %v", e.SeverityWord(), e.CWEs())
	}
}
