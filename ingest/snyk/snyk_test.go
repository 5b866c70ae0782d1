package snyk

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New(), Dir: "snyk"}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file       string
		listed     int // vulnerabilities as listed, one per dependency path
		findings   int // one per vulnerability in a package version
		bySeverity map[string]int
		ecosystems string
	}{
		// 25 listings of OS packages (13 vulnerabilities of source
		// packages, in 18 binary packages) and 12 of the juice-shop app.
		{"snyk-container-deb-with-applications.json", 37, 30,
			map[string]int{"critical": 1, "high": 2, "medium": 9, "low": 18}, "deb,npm"},
		{"snyk-container-rpm-null-cvss.json", 1, 1, map[string]int{"low": 1}, "rpm"},
		// 3 projects, 4 listings; guava 29.0-jre's CVE-2020-8908 in two.
		{"snyk-test-all-projects-array.json", 4, 3, map[string]int{"medium": 3}, "maven"},
		// MANIFEST counts 12 high by the old severity field; 3 of them are
		// critical by severityWithCritical.
		{"snyk-test-maven-41-vulns.json", 41, 41, map[string]int{"critical": 3, "high": 9, "medium": 29}, "maven"},
		{"snyk-test-maven-no-vulns.json", 0, 0, map[string]int{}, ""},
		// 254 listings (30 high) of 52 vulnerabilities in package versions.
		{"snyk-test-npm-254-vulns-upgrade-paths.json", 254, 52, map[string]int{"high": 19, "medium": 31, "low": 2}, "npm"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc := h.File(t, tt.file)
			if rep.Tool.Name != "snyk" {
				t.Errorf("tool %+v", rep.Tool)
			}
			if len(rep.Findings) != tt.listed || len(doc.Findings) != tt.findings {
				t.Errorf("%d listed, %d findings; want %d, %d", len(rep.Findings), len(doc.Findings), tt.listed, tt.findings)
			}
			for _, s := range document.Severities {
				if got, want := doc.Summary.BySeverity[string(s)], tt.bySeverity[string(s)]; got != want {
					t.Errorf("%s: %d, want %d", s, got, want)
				}
			}
			ecos := map[string]bool{}
			paths := 0
			for _, f := range doc.Findings {
				p := f.Package
				if f.Kind != document.KindVulnerability || p == nil || p.Name == "" || p.Version == "" || p.Purl == "" ||
					document.Ecosystem(p.Purl) != p.Ecosystem || !strings.HasPrefix(f.RuleID, "SNYK-") && !strings.HasPrefix(f.RuleID, "npm:") {
					t.Errorf("%s: kind %s package %+v", f.RuleID, f.Kind, p)
				}
				ecos[p.Ecosystem] = true
				for _, tag := range f.Tags {
					if strings.HasPrefix(tag, "path:") {
						paths++
					}
				}
			}
			var got []string
			for _, e := range []string{"deb", "maven", "npm", "rpm"} {
				if ecos[e] {
					got = append(got, e)
				}
			}
			if strings.Join(got, ",") != tt.ecosystems {
				t.Errorf("ecosystems %v, want %s", got, tt.ecosystems)
			}
			// Every listing's dependency path is kept.
			if paths != tt.listed {
				t.Errorf("%d path tags, want %d", paths, tt.listed)
			}
		})
	}
}

func TestFields(t *testing.T) {
	_, doc := h.File(t, "snyk-test-npm-254-vulns-upgrade-paths.json")
	f := ingesttest.Find(t, doc, "SNYK-JS-ANSIHTML-1296849", "ansi-html")
	if strings.Join(f.Aliases, ",") != "CVE-2021-23424" || strings.Join(f.CWE, ",") != "CWE-400" || f.Title != "Regular Expression Denial of Service (ReDoS)" {
		t.Errorf("aliases %v cwe %v title %q", f.Aliases, f.CWE, f.Title)
	}
	if f.CVSS == nil || f.CVSS.Score != 7.5 || f.CVSS.Source != "snyk" || f.CVSS.Version != "3.1" || f.Severity != document.SeverityHigh {
		t.Errorf("cvss %+v severity %s", f.CVSS, f.Severity)
	}
	if p := f.Package; p.Purl != "pkg:npm/ansi-html@0.0.7" || p.Path != "package-lock.json" {
		t.Errorf("package %+v", p)
	}
	if strings.Join(f.FixedVersions, ",") != "0.0.9" || f.FixState != "fixed" || len(f.References) != 2 {
		t.Errorf("fixed %v %s references %v", f.FixedVersions, f.FixState, f.References)
	}
	if !slices.Contains(f.Tags, "path:acme-review@1.0.0 > react-scripts@3.4.4 > webpack-dev-server@3.11.0 > ansi-html@0.0.7") ||
		!slices.Contains(f.Tags, "exploit:Proof of Concept") || slices.Contains(f.Tags, "upgradable") {
		t.Errorf("tags %v", f.Tags)
	}

	// severityWithCritical; maven purls.
	_, doc = h.File(t, "snyk-test-maven-41-vulns.json")
	f = ingesttest.Find(t, doc, "SNYK-JAVA-LOG4J-572732", "")
	if f.Severity != document.SeverityCritical || f.Origins[0].Severity != "critical" || f.Package.Purl != "pkg:maven/log4j/log4j@1.2.16" {
		t.Errorf("log4j %s %+v %+v", f.Severity, f.Origins, f.Package)
	}
	f = ingesttest.Find(t, doc, "SNYK-JAVA-COMBEUST-174815", "")
	if f.Package.Name != "com.beust:jcommander" || f.Package.Purl != "pkg:maven/com.beust/jcommander@1.72" ||
		strings.Join(f.CWE, ",") != "CWE-494,CWE-829" || !slices.Contains(f.Tags, "upgradable") || len(f.Aliases) != 0 {
		t.Errorf("jcommander %+v", f)
	}

	// No CVSS at all; SUSE advisory as alias; nearestFixedInVersion.
	_, doc = h.File(t, "snyk-container-rpm-null-cvss.json")
	f = &doc.Findings[0]
	if f.CVSS != nil || len(f.Scores) != 0 || f.Severity != document.SeverityLow {
		t.Errorf("cvss %+v scores %v severity %s", f.CVSS, f.Scores, f.Severity)
	}
	if f.Package.Purl != "pkg:rpm/sles/permissions@20181225-23.6.1?distro=sles-15.3" || f.Package.Ecosystem != "rpm" ||
		strings.Join(f.Aliases, ",") != "SUSE-SU-2022:0141-1" || strings.Join(f.FixedVersions, ",") != "20181225-23.12.1" {
		t.Errorf("finding %+v %+v", f, f.Package)
	}

	// deb binary packages, cvssDetails with NVD preferred, EPSS, and the
	// npm app's findings at its target file.
	_, doc = h.File(t, "snyk-container-deb-with-applications.json")
	f = ingesttest.Find(t, doc, "SNYK-DEBIAN11-GCC10-5901313", "libgcc-s1")
	if f.Package.Purl != "pkg:deb/debian/libgcc-s1@10.2.1-6?distro=debian-11&upstream=gcc-10" || f.Package.Ecosystem != "deb" {
		t.Errorf("package %+v", f.Package)
	}
	if f.Severity != document.SeverityLow || f.CVSS == nil || f.CVSS.Source != "nvd" || f.CVSS.Score != 4.8 || len(f.Scores) != 4 {
		t.Errorf("severity %s cvss %+v scores %+v", f.Severity, f.CVSS, f.Scores)
	}
	if f.EPSS == nil || f.EPSS.Score != 0.00046 || f.EPSS.Percentile != 0.14414 || f.FixState != "not-fixed" {
		t.Errorf("epss %+v fix %s", f.EPSS, f.FixState)
	}
	// Listed through two paths: one finding with both.
	n := 0
	for _, tag := range f.Tags {
		if strings.HasPrefix(tag, "path:") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("tags %v", f.Tags)
	}
	f = ingesttest.Find(t, doc, "SNYK-JS-EXPRESSJWT-575022", "express-jwt")
	if f.Package.Path != "/juice-shop/package.json" || f.Severity != document.SeverityHigh || f.CVSS.Score != 9.1 ||
		strings.Join(f.Aliases, ",") != "CVE-2020-15084,GHSA-6g6m-m6h5-w9gf" {
		t.Errorf("express-jwt %+v %+v", f, f.Package)
	}
	f = ingesttest.Find(t, doc, "SNYK-DEBIAN11-OPENSSL-518334", "openssl")
	if f.Package.Purl != "pkg:deb/debian/openssl@1.1.1w-0%2Bdeb11u1?distro=debian-11" {
		t.Errorf("openssl %+v", f.Package)
	}
}

func TestPackage(t *testing.T) {
	for _, tt := range []struct {
		projectPM, pm, name, pkgName, version string
		want, eco                             string
	}{
		{"npm", "npm", "@babel/core", "", "7.0.0", "pkg:npm/%40babel/core@7.0.0", "npm"},
		{"pip", "pip", "Django_Rest", "", "1.0", "pkg:pypi/django-rest@1.0", "pypi"},
		{"gomodules", "gomodules", "github.com/gin-gonic/gin", "", "v1.6.0", "pkg:golang/github.com/gin-gonic/gin@v1.6.0", "golang"},
		{"nuget", "nuget", "Newtonsoft.Json", "", "12.0.1", "pkg:nuget/Newtonsoft.Json@12.0.1", "nuget"},
		{"rubygems", "rubygems", "rails", "", "5.0.0", "pkg:gem/rails@5.0.0", "gem"},
		{"composer", "composer", "symfony/http-kernel", "", "4.0.0", "pkg:composer/symfony/http-kernel@4.0.0", "composer"},
		{"gradle", "", "org.apache:commons", "", "1", "pkg:maven/org.apache/commons@1", "maven"},
		{"apk", "alpine:3.17", "openssl/libcrypto3", "openssl", "3.0.8-r0", "pkg:apk/alpine/libcrypto3@3.0.8-r0?distro=alpine-3.17&upstream=openssl", "apk"},
		{"deb", "ubuntu:20.04", "zlib1g", "zlib", "1:1.2.11", "pkg:deb/ubuntu/zlib1g@1%3A1.2.11?distro=ubuntu-20.04&upstream=zlib", "deb"},
		{"rpm", "rhel:8", "openssl-libs", "openssl-libs", "1.1.1", "pkg:rpm/rhel/openssl-libs@1.1.1?distro=rhel-8", "rpm"},
		{"deb", "deb", "bash", "", "5.1", "pkg:deb/bash@5.1", "deb"},
		{"cpp", "cpp", "zlib", "", "1.2", "", "cpp"},
	} {
		p := pkg(&project{PackageManager: tt.projectPM}, &vuln{PackageManager: tt.pm, Name: tt.name, PackageName: tt.pkgName, Version: tt.version})
		if p.Purl != tt.want || p.Ecosystem != tt.eco {
			t.Errorf("%s %s %s: purl %q ecosystem %q, want %q %q", tt.projectPM, tt.pm, tt.name, p.Purl, p.Ecosystem, tt.want, tt.eco)
		}
	}
}

func TestEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		data string
		want func(t *testing.T, doc *document.Document)
	}{
		{"licence, ignored and patched", `{"ok": false, "packageManager": "npm", "projectName": "p", "vulnerabilities": [
			{"id": "snyk:lic:npm:foo:GPL-3.0", "type": "license", "license": "GPL-3.0", "title": "GPL-3.0 license", "severity": "high",
			 "packageName": "foo", "name": "foo", "version": "1.0.0", "from": ["p@1", "foo@1.0.0"], "packageManager": "npm"}],
			"filtered": {"ignore": [{"id": "SNYK-JS-BAR-1", "severity": "medium", "name": "bar", "version": "2.0.0",
			   "identifiers": {"CVE": ["CVE-2024-1"], "NSP": [565], "ALTERNATIVE": ["SNYK-JS-BAR-0"]},
			   "filtered": {"ignored": [{"reason": "not reachable", "expires": "2030-01-01T00:00:00.000Z", "source": "cli"}]}}],
			 "patch": [{"id": "npm:baz:2016", "severity": "low", "name": "baz", "version": "0.1.0", "cvssScore": 3.1}]}}`,
			func(t *testing.T, doc *document.Document) {
				lic := ingesttest.Find(t, doc, "GPL-3.0", "foo")
				if lic.Kind != document.KindLicense || lic.Origins[0].RuleID != "snyk:lic:npm:foo:GPL-3.0" || lic.Severity != document.SeverityHigh ||
					lic.FixState != "" || lic.CVSS != nil {
					t.Errorf("licence %+v", lic)
				}
				ig := ingesttest.Find(t, doc, "SNYK-JS-BAR-1", "bar")
				if ig.Status != document.StatusAccepted || ig.StatusReason == nil || ig.StatusReason.Justification != "not reachable" ||
					!strings.Contains(ig.StatusReason.Statement, "2030-01-01") || strings.Join(ig.Aliases, ",") != "CVE-2024-1,SNYK-JS-BAR-0" {
					t.Errorf("ignored %+v %+v", ig, ig.StatusReason)
				}
				p := ingesttest.Find(t, doc, "npm:baz:2016", "baz")
				if p.Status != document.StatusFixed || p.StatusReason == nil || p.Severity != document.SeverityLow {
					t.Errorf("patched %+v", p)
				}
			}},
		{"nvdSeverity and scores as fallbacks", `[{"ok": false, "dependencyCount": 1, "vulnerabilities": [
			{"id": "SNYK-X-1", "nvdSeverity": "critical", "packageManager": "debian:12", "name": "a/b", "version": "1"},
			{"id": "SNYK-X-2", "cvssScore": null, "CVSSv3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "packageManager": "npm", "name": "c", "version": "1",
			 "epssDetails": {"probability": 2, "percentile": "0.5"}},
			{"id": "SNYK-X-3", "packageManager": "npm", "name": "d", "version": "1", "cvssDetails": [{"assigner": "NVD", "cvssV3BaseScore": 11}]},
			null]}, null]`,
			func(t *testing.T, doc *document.Document) {
				if f := ingesttest.Find(t, doc, "SNYK-X-1", "b"); f.Severity != document.SeverityCritical || f.Origins[0].Severity != "critical" {
					t.Errorf("nvdSeverity: %s %+v", f.Severity, f.Origins)
				}
				if f := ingesttest.Find(t, doc, "SNYK-X-2", "c"); f.Severity != document.SeverityCritical || f.CVSS == nil || f.CVSS.Score != 9.8 || f.EPSS != nil {
					t.Errorf("vector alone: %s %+v %+v", f.Severity, f.CVSS, f.EPSS)
				}
				if f := ingesttest.Find(t, doc, "SNYK-X-3", "d"); f.Severity != document.SeverityUnknown || len(f.Scores) != 0 {
					t.Errorf("out-of-range score: %s %+v", f.Severity, f.Scores)
				}
			}},
	}
	for _, tt := range tests {
		h.Check(t, tt.name, tt.data, tt.want)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct {
		name, data, want string
		is               error
	}{
		{"failed test", `{"ok": false, "error": "Could not detect supported target files in /src.\nTry --all-projects", "path": "/src"}`,
			"could not detect supported target files", sniff.ErrFailedScan},
		{"failed project", `[{"ok": true, "vulnerabilities": [], "packageManager": "npm"}, {"ok": false, "error": "Failed to get dependencies", "path": "b"}]`,
			"Failed to get dependencies", sniff.ErrFailedScan},
		{"iac", `{"ok": false, "infrastructureAsCodeIssues": [], "projectType": "k8sconfig"}`, "snyk iac", sniff.ErrUnsupported},
		{"no id", `{"ok": false, "projectName": "p", "vulnerabilities": [{"title": "x"}]}`, `project "p": vulnerability 0 without an id`, nil},
		{"wrong type", "{\"ok\": false, \"projectName\": \"p\",\n\"vulnerabilities\": [{\"id\": 5}]}", "line 2, column", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := h.Bytes(t, []byte(tt.data))
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.want)) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, not %v", err, tt.is)
			}
		})
	}
}

// TestDetect checks that only Snyk's corpus files are claimed.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "snyk")
	ingesttest.AssertNotClaimed(t, in, `{"vulnerabilities": [], "ok": true}`, `{"error": "x"}`, `{"ok": true, "error": "x"}`, `[{"vulnerabilities": []}]`)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 64<<10, "snyk")
	f.Add([]byte(`{"ok": false, "packageManager": "x:y", "vulnerabilities": [{"id": "A", "name": "/", "version": "", "identifiers": {"CVE": [1, null]},
		"cvssScore": -1, "cvssDetails": [{}], "epssDetails": {}, "type": "license"}], "applications": [{"applications": [null]}]}`))
	f.Add([]byte(`[{"ok": false, "projectName": "p", "vulnerabilities": [{"id": "B", "packageManager": ":", "name": "@/", "alternativeIds": "SNYK-1"}]}]`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}
