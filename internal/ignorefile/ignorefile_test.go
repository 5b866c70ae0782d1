package ignorefile

import (
	"errors"
	"strings"
	"testing"

	"github.com/gobwas/glob"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/secgate/secgate/config"
)

func TestParsePlain(t *testing.T) {
	in := "# reviewed\n\nCVE-2023-1\r\n  CVE-2023-2 exp:2027-01-01 # inline note\nAVD-DS-0002\n#CVE-2023-3\n"
	f, got, err := Parse([]byte(in))
	if err != nil || f != TrivyPlain {
		t.Fatalf("Parse = %v, %v", f, err)
	}
	want := []Entry{
		{Line: 3, What: "CVE-2023-1", Exception: &Exception{ID: "CVE-2023-1"}},
		{Line: 4, What: "CVE-2023-2", Exception: &Exception{ID: "CVE-2023-2", Expires: "2026-12-31"}},
		{Line: 5, What: "AVD-DS-0002", Exception: &Exception{ID: "AVD-DS-0002"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"CVE-1 exp:2024-02-30\n":           "line 1: exp:2024-02-30 is not a date YYYY-MM-DD",
		"output: json\n":                   "line 1: not an ignore file",
		"vulnerabilities: []\nvulns: []\n": "line 2: vulns: unknown key (known: vulnerabilities, misconfigurations, secrets, licenses)",
		"vulnerabilities: {id: x}\n":       "line 1: vulnerabilities: want a list",
		"ignore: {vulnerability: CVE-1}\n": "line 1: ignore: want a list of rules",
		"CVE-1\nCVE-2\x1b[31m\n":           "line 2: the id holds a control character (U+001B): not a .trivyignore",
		"A=1\x00SECRET=2\n":                "holds NUL bytes: not an ignore file",
		"CVE-\u202e1\n":                    "line 1: the id holds a control character (U+202E)",
	} {
		_, _, err := Parse([]byte(in))
		var pe *ParseError
		if err == nil || !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
}

func TestParseTrivyYAML(t *testing.T) {
	in := `vulnerabilities:
  - id: CVE-2022-40897
    statement: " build time only "
    expired_at: 2024-08-20
  - id: CVE-2023-3817
    purls: ["pkg:deb/debian/libssl1.1"]
  - id: CVE-2023-2650
    paths: ["usr/lib/x"]
  - id: CVE-2023-1
    expired_at: 2024-08-20T12:00:00+02:00
  - id: CVE-2023-2
    severity: low
  - statement: no id
misconfigurations:
  - id: AVD-DS-0001
    paths: []
secrets:
licenses:
  - id: GPL-3.0
`
	f, got, err := Parse([]byte(in))
	if err != nil || f != TrivyYAML {
		t.Fatalf("Parse = %v, %v", f, err)
	}
	imported := map[string]Exception{}
	refused := map[string]string{}
	for _, e := range got {
		if e.Exception != nil {
			imported[e.What] = *e.Exception
		} else {
			refused[e.What] = e.Refused
		}
	}
	wantIn := map[string]Exception{
		"CVE-2022-40897": {ID: "CVE-2022-40897", Reason: "build time only", Expires: "2024-08-19"},
		"CVE-2023-1":     {ID: "CVE-2023-1", Expires: "2024-08-19"},
		"AVD-DS-0001":    {ID: "AVD-DS-0001"},
	}
	if d := cmp.Diff(wantIn, imported); d != "" {
		t.Error(d)
	}
	for what, why := range map[string]string{
		"CVE-2023-3817":         "purls:",
		"CVE-2023-2650":         "paths:",
		"CVE-2023-2":            "severity: unknown key",
		"vulnerabilities entry": "no id",
		"GPL-3.0":               "licences are judged by the licenses policy",
	} {
		if !strings.HasPrefix(refused[what], why) {
			t.Errorf("%s: refused %q, want %q", what, refused[what], why)
		}
	}
}

func TestParseGrype(t *testing.T) {
	in := `check-for-app-update: false
ignore:
  - vulnerability: CVE-2008-4318
    reason: not reachable
  - vulnerability: GHSA-xxxx
    include-aliases: true
  - fix-state: not-fixed
  - vulnerability: CVE-1
    fix-state: unknown
  - vulnerability: CVE-2
    package: {name: libcurl}
  - vulnerability: CVE-3
    namespace: debian:distro:debian:11
  - package: {name: bash, version: 5.1-2+deb11u1, type: deb}
  - package: {name: bash, type: deb, location: "/usr/**"}
  - package: {type: gem}
  - package: {name: lodash, type: npm}
  - package: {name: "@babel/core", version: 7.0.0, type: npm}
  - package: {name: github.com/a/b, type: go-module}
  - package: {name: "lib.*", type: npm}
  - package: {name: "python3.9", type: python}
  - package: {name: commons-text, type: java-archive}
  - package: {name: lodash}
  - package: {version: 1.0, type: npm}
  - package: {name: x, type: binary}
  - package: {name: x/y, type: npm}
  - package: {name: x, language: python}
  - package: {name: x, upstream-name: y, type: deb}
  - vex-status: not_affected
  - match-type: cpe-match
  - vulnerabilty: CVE-4
    package: {name: foo, type: npm}
  - package: {name: x, typ: npm}
  - {}
  - just a string
  - vulnerability: [CVE-5]
`
	f, got, err := Parse([]byte(in))
	if err != nil || f != Grype {
		t.Fatalf("Parse = %v, %v", f, err)
	}
	var lines []string
	for _, e := range got {
		switch {
		case e.Exception != nil && e.Exception.ID != "":
			lines = append(lines, "id "+e.Exception.ID+" "+e.Exception.Reason)
		case e.Exception != nil:
			lines = append(lines, "purl "+e.Exception.Purl)
		default:
			lines = append(lines, "refused "+strings.SplitN(e.Refused, ":", 2)[0])
		}
	}
	want := []string{
		"id CVE-2008-4318 not reachable",
		"id GHSA-xxxx ",
		"refused fix-state",
		"refused fix-state",
		"refused a secgate exception names a vulnerability or packages, not a vulnerability in some packages; waive each finding by its id (secgate check -o json lists them) instead",
		"refused namespace",
		`purl pkg:deb/*/bash@5.1-2{+,%2B,%2b}deb11u1{,\?*,#*}`,
		"refused package.location",
		"purl pkg:gem/*",
		"purl pkg:npm/lodash",
		`purl pkg:npm/{@,%40}babel/core@7.0.0{,\?*,#*}`,
		"purl pkg:golang/github.com/a/b",
		`refused package.name "lib.*" is a regular expression`,
		"purl pkg:pypi/python3.9",
		"purl pkg:maven/*/commons-text",
		"refused package without type",
		"refused package.version without package.name",
		`refused package.type "binary"`,
		`refused package.name "x/y"`,
		"refused package.language",
		"refused package.upstream-name",
		"refused vex-status",
		"refused match-type",
		"refused vulnerabilty",
		"refused package.typ",
		"refused the rule names nothing (Grype applies it to no match)",
		"refused not a mapping of vulnerability, package, reason …",
		"refused vulnerability",
	}
	if d := cmp.Diff(want, lines); d != "" {
		t.Error(d)
	}
}

// A purl pattern made from a Grype rule matches the package it named, at
// its version, as reports write its purl, and nothing else.
func TestPackagePatternMatchesExactly(t *testing.T) {
	cases := []struct {
		name, version, typ string
		match, miss        []string
	}{
		{"bash", "5.1-2+deb11u1", "deb",
			[]string{"pkg:deb/debian/bash@5.1-2+deb11u1", "pkg:deb/debian/bash@5.1-2%2Bdeb11u1?arch=amd64&distro=debian-11", "pkg:deb/ubuntu/bash@5.1-2%2bdeb11u1#x"},
			[]string{"pkg:deb/debian/bash@5.1-2+deb11u10", "pkg:deb/debian/not-bash@5.1-2+deb11u1", "pkg:deb/debian/bash@5.1-2xdeb11u1", "pkg:rpm/redhat/bash@5.1-2+deb11u1"}},
		{"@babel/core", "7.0.0", "npm",
			[]string{"pkg:npm/%40babel/core@7.0.0", "pkg:npm/@babel/core@7.0.0"},
			[]string{"pkg:npm/%40babel/core@7.0.01", "pkg:npm/%40babel/core-js@7.0.0", "pkg:npm/core@7.0.0"}},
		{"we*ird[1]", "1.0{a,b}", "gem",
			[]string{"pkg:gem/we*ird[1]@1.0{a,b}", "pkg:gem/we%2Aird%5B1%5D@1.0%7Ba%2Cb%7D"},
			[]string{"pkg:gem/weXXird1@1.0a", "pkg:gem/weird[1]@1.0{a,b}"}},
	}
	for _, c := range cases {
		p, why := packagePattern(c.name, c.version, c.typ)
		if why != "" {
			// we*ird is a regular expression to Grype: refused, as it must be.
			if strings.ContainsAny(c.name, "*[") {
				continue
			}
			t.Fatalf("%s: %s", c.name, why)
		}
		g, err := glob.Compile(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, m := range c.match {
			if !g.Match(m) {
				t.Errorf("%s does not match %s", p, m)
			}
		}
		for _, m := range c.miss {
			if g.Match(m) {
				t.Errorf("%s matches %s", p, m)
			}
		}
	}
	// Characters a pattern reads as wildcards are literal in a version.
	p, _ := packagePattern("x", "1.*", "npm")
	g := glob.MustCompile(p)
	if !g.Match("pkg:npm/x@1.*") || g.Match("pkg:npm/x@1.2") {
		t.Errorf("%s: a * in a version must match only itself", p)
	}
}

// Render quotes what a rule holds: a statement cannot add an entry or a
// key, whatever it says.
func TestRenderQuotes(t *testing.T) {
	xs := []Exception{
		{ID: "CVE-1", Reason: "fine\nexceptions:\n  - purl: '*'", Expires: "2099-01-01"},
		{ID: "true", Reason: "- purl: '*'", Expires: "2099-01-01"},
		{Purl: `pkg:npm/{@,%40}a/b@1{,\?*,#*}`, Reason: "#not a comment", Expires: "2099-01-01"},
	}
	out, err := Render(xs, []string{"from x:1\n- purl: '*'", "", ""})
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Exceptions []Exception `yaml:"exceptions"`
	}
	if err := yaml.Unmarshal(out, &back); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if d := cmp.Diff(xs, back.Exceptions); d != "" {
		t.Errorf("round trip:\n%s\n%s", d, out)
	}
	empty, _ := Render(nil, nil)
	if string(empty) != "exceptions: []\n" {
		t.Errorf("Render(nil) = %q", empty)
	}
}

// FuzzParse: no input panics; an entry is imported or refused, never
// both; what is imported names one thing and renders to YAML that reads
// back as the same exceptions.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"CVE-2023-1\nCVE-2 exp:2027-01-01\n# c\n",
		"vulnerabilities:\n  - id: CVE-1\n    statement: s\n    expired_at: 2024-01-01\n  - id: x\n    paths: [a]\nsecrets:\n",
		"ignore:\n  - vulnerability: CVE-1\n  - package: {name: bash, version: 5.1+x, type: deb}\n  - fix-state: wont-fix\n",
		"ignore:\n  - package: {name: \"@a/b\", type: npm}\n",
		"ignore: ~\n",
		"",
		"\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, entries, err := Parse(data)
		if err != nil {
			if entries != nil {
				t.Fatal("entries with an error")
			}
			return
		}
		var xs []Exception
		for _, e := range entries {
			if (e.Exception == nil) == (e.Refused == "") {
				t.Fatalf("entry %+v: imported and refused, or neither", e)
			}
			if e.Exception == nil {
				continue
			}
			x := *e.Exception
			if (x.ID == "") == (x.Purl == "") {
				t.Fatalf("exception %+v names not exactly one thing", x)
			}
			if x.Purl != "" {
				if _, err := glob.Compile(x.Purl); err != nil {
					t.Fatalf("purl %q: %v", x.Purl, err)
				}
			}
			xs = append(xs, x)
		}
		out, err := Render(xs, nil)
		if err != nil {
			t.Fatal(err)
		}
		var back struct {
			Exceptions []Exception `yaml:"exceptions"`
		}
		if err := yaml.Unmarshal(out, &back); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if len(xs) == 0 {
			xs = []Exception{}
		}
		if back.Exceptions == nil {
			back.Exceptions = []Exception{}
		}
		if d := cmp.Diff(xs, back.Exceptions); d != "" {
			t.Fatalf("round trip: %s", d)
		}
		// With a reason and an expiry, as the command gives them, what
		// is written loads as secgate.yaml.
		for i := range xs {
			if xs[i].Reason == "" {
				xs[i].Reason = "r"
			}
			xs[i].Expires = "2099-01-01"
		}
		out, err = Render(xs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := config.Parse(out); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	})
}
