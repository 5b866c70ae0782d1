package document

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseSeverity(t *testing.T) {
	cases := map[string]Severity{
		"CRITICAL": SeverityCritical, "High": SeverityHigh, "moderate": SeverityMedium, "MEDIUM": SeverityMedium,
		"warning": SeverityMedium, "error": SeverityHigh, "note": SeverityLow, "Negligible": SeverityInfo,
		"none": SeverityInfo, "UNKNOWN": SeverityUnknown, "9.8": SeverityCritical, "7.0": SeverityHigh,
		"6.9": SeverityMedium, "0.1": SeverityLow, "0": SeverityInfo, "banana": SeverityUnknown, "11": SeverityUnknown,
	}
	for in, want := range cases {
		if got, _ := ParseSeverity(in); got != want {
			t.Errorf("ParseSeverity(%q) = %s, want %s", in, got, want)
		}
	}
	if _, ok := ParseSeverity("banana"); ok {
		t.Error("an unknown word must not be ok")
	}
}

func TestSeverityFromScore(t *testing.T) {
	for score, want := range map[float64]Severity{10: SeverityCritical, 9.0: SeverityCritical, 8.9: SeverityHigh, 7.0: SeverityHigh,
		6.9: SeverityMedium, 4.0: SeverityMedium, 3.9: SeverityLow, 0.1: SeverityLow, 0: SeverityInfo, -1: SeverityUnknown, 10.1: SeverityUnknown} {
		if got := SeverityFromScore(score); got != want {
			t.Errorf("SeverityFromScore(%v) = %s, want %s", score, got, want)
		}
	}
}

func TestScoreVector(t *testing.T) {
	cases := []struct {
		vector, version string
		score           float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", 9.8},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", "3.0", 8.8},
		{"AV:N/AC:M/Au:N/C:P/I:P/A:P", "2.0", 6.8},
		{"(AV:N/AC:L/Au:N/C:P/I:N/A:N)", "2.0", 5.0},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", 9.3},
	}
	for _, c := range cases {
		v, s, ok := ScoreVector(c.vector)
		if !ok || v != c.version || s != c.score {
			t.Errorf("ScoreVector(%q) = %s %v %v, want %s %v", c.vector, v, s, ok, c.version, c.score)
		}
	}
	if _, _, ok := ScoreVector("CVSS:3.1/AV:X"); ok {
		t.Error("a malformed vector must not score")
	}
	c, ok := NewCVSS("nvd", "", 0, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	if !ok || c.Score != 9.8 || c.Version != "3.1" {
		t.Errorf("NewCVSS scored a vector alone as %+v", c)
	}
	if _, ok := NewCVSS("x", "3.1", 0, ""); ok {
		t.Error("no score and no vector is no CVSS")
	}
}

func TestBestCVSS(t *testing.T) {
	scores := []CVSS{{Version: "3.1", Score: 5, Source: "redhat"}, {Version: "3.1", Score: 7, Source: "nvd"}, {Version: "4.0", Score: 8, Source: "ghsa"}}
	if got := BestCVSS(scores, "nvd"); got.Source != "nvd" {
		t.Errorf("preferred nvd, got %+v", got)
	}
	if got := BestCVSS(scores); got.Version != "4.0" {
		t.Errorf("no preference: newest version first, got %+v", got)
	}
	if BestCVSS(nil) != nil {
		t.Error("no scores: nil")
	}
}

func vuln(id string, aliases []string, purl, version string) Finding {
	return Finding{Kind: KindVulnerability, RuleID: id, Aliases: aliases, Severity: SeverityHigh,
		Package: &Package{Name: "x", Version: version, Purl: purl}}
}

func TestFingerprint(t *testing.T) {
	a := vuln("GHSA-35jh-r3h4-6jhm", []string{"CVE-2021-23337"}, "pkg:npm/lodash@4.17.20", "4.17.20")
	b := vuln("CVE-2021-23337", nil, "pkg:npm/lodash@4.17.20?foo=bar", "4.17.20")
	if Fingerprint(&a) != Fingerprint(&b) {
		t.Error("the same CVE in the same package must have one id whichever id the tool leads with")
	}
	c := vuln("CVE-2021-23337", nil, "pkg:npm/lodash@4.17.21", "4.17.21")
	if Fingerprint(&a) == Fingerprint(&c) {
		t.Error("another version is another problem")
	}
	code1 := Finding{Kind: KindCode, RuleID: "r", Location: &Location{Path: "a.go", StartLine: 3}}
	code2 := Finding{Kind: KindCode, RuleID: "r", Location: &Location{Path: "a.go", StartLine: 4}}
	if Fingerprint(&code1) != Fingerprint(&code2) {
		t.Error("the same rule in the same file moved a line: the same problem")
	}
	d := New()
	d.Add(Source{Path: "r.sarif", Format: "sarif", SHA256: strings.Repeat("0", 64)},
		&Report{Findings: []Finding{code2, code1}})
	d.Finish()
	if len(d.Findings) != 2 || d.Findings[0].ID == d.Findings[1].ID {
		t.Errorf("one report, one rule, one file, two lines: two problems, got %+v", d.Findings)
	}
	if len(Fingerprint(&code1)) != idLen {
		t.Error("id length")
	}
}

func TestAddMergesAndFinishNormalises(t *testing.T) {
	d := New()
	src := func(p string) Source { return Source{Path: p, Format: "trivy", SHA256: strings.Repeat("0", 64)} }
	d.Add(src("a"), &Report{Tool: Tool{Name: "trivy"}, Findings: []Finding{
		vuln("CVE-1", []string{"GHSA-1"}, "pkg:npm/x@1", "1"),
	}, Components: []Component{{Name: "x", Version: "1", Purl: "pkg:npm/x@1", Licenses: []string{"MIT"}}}})
	g := vuln("GHSA-1", []string{"CVE-1"}, "pkg:npm/x@1", "1")
	g.Severity = SeverityCritical
	g.Status = StatusNotAffected
	g.StatusReason = &StatusNote{By: "vex"}
	d.Add(src("b"), &Report{Tool: Tool{Name: "grype"}, Findings: []Finding{g},
		Components: []Component{{Name: "x", Version: "1", Purl: "pkg:npm/x@1?repository_url=https://registry.example", Direct: true}}})
	d.Finish()
	if len(d.Findings) != 1 || len(d.Components) != 1 {
		t.Fatalf("findings %d components %d", len(d.Findings), len(d.Components))
	}
	f := d.Findings[0]
	if f.Severity != SeverityCritical || len(f.Origins) != 2 || f.Status != StatusOpen {
		t.Errorf("merged finding %+v", f)
	}
	if !reflect.DeepEqual(f.Aliases, []string{"GHSA-1"}) {
		t.Errorf("aliases %v", f.Aliases)
	}
	c := d.Components[0]
	if !c.Direct || !reflect.DeepEqual(c.Sources, []int{0, 1}) || c.Ecosystem != "npm" {
		t.Errorf("merged component %+v", c)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(d)
	if strings.Contains(string(raw), "null") {
		t.Errorf("null in %s", raw)
	}
}

func TestValidateCatchesProblems(t *testing.T) {
	d := New()
	d.Findings = append(d.Findings, Finding{ID: "x", Kind: "weird", Severity: "bad", Status: "open",
		Origins: []Origin{{Source: 3}}})
	d.Summary = Summarize(d)
	err := d.Validate()
	for _, want := range []string{`kind "weird"`, `severity "bad"`, "empty rule_id", "null slice", "out of range"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
}

// TestSchemaCoversTypes checks that every JSON field of the Go types is a
// property of the schema and vice versa, so they cannot drift apart.
func TestSchemaCoversTypes(t *testing.T) {
	var schema struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(Schema, &schema); err != nil {
		t.Fatal(err)
	}
	check := func(name string, typ reflect.Type, props map[string]any) {
		fields := map[string]bool{}
		for i := 0; i < typ.NumField(); i++ {
			tag := strings.Split(typ.Field(i).Tag.Get("json"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = true
			if _, ok := props[tag]; !ok {
				t.Errorf("%s.%s is not in the schema", name, tag)
			}
		}
		for p := range props {
			if !fields[p] {
				t.Errorf("schema %s.%s has no Go field", name, p)
			}
		}
	}
	check("document", reflect.TypeOf(Document{}), schema.Properties)
	for def, typ := range map[string]reflect.Type{
		"source": reflect.TypeOf(Source{}), "tool": reflect.TypeOf(Tool{}), "finding": reflect.TypeOf(Finding{}),
		"cvss": reflect.TypeOf(CVSS{}), "package": reflect.TypeOf(Package{}), "location": reflect.TypeOf(Location{}),
		"origin": reflect.TypeOf(Origin{}), "component": reflect.TypeOf(Component{}), "summary": reflect.TypeOf(Summary{}),
		"context": reflect.TypeOf(Context{}),
	} {
		check(def, typ, schema.Defs[def].Properties)
	}
}

func TestVEXStatements(t *testing.T) {
	src := func(p string) Source { return Source{Path: p, Format: "x", SHA256: strings.Repeat("0", 64)} }
	build := func(stmts ...Statement) *Document {
		d := New()
		d.Add(src("scan.json"), &Report{Findings: []Finding{
			vuln("GHSA-aaaa", []string{"CVE-2024-1"}, "pkg:golang/example.com/a@v1.0.0", "v1.0.0"),
			vuln("CVE-2024-1", nil, "pkg:golang/example.com/b@v2.0.0", "v2.0.0"),
			vuln("CVE-2024-2", nil, "pkg:npm/c@1.0.0?arch=x", "1.0.0"),
		}})
		d.Add(src("vex.json"), &Report{Statements: stmts})
		d.Finish()
		return d
	}
	status := func(d *Document, name string) Status {
		for _, f := range d.Findings {
			if strings.Contains(f.Package.Purl, name) {
				return f.Status
			}
		}
		return ""
	}
	// By alias, and only in the product named (a purl without version).
	d := build(Statement{Vulnerability: "CVE-2024-1", Products: []Product{{ID: "pkg:golang/example.com/a"}}, Status: VEXNotAffected,
		Justification: "vulnerable_code_not_in_execute_path", Timestamp: "2024-01-01T00:00:00Z"})
	if status(d, "/a@") != StatusNotAffected || status(d, "/b@") != StatusOpen {
		t.Fatalf("a: %s, b: %s", status(d, "/a@"), status(d, "/b@"))
	}
	for _, f := range d.Findings {
		if f.Status == StatusNotAffected && (f.StatusReason == nil || f.StatusReason.Source != "vex.json" || f.StatusReason.Justification == "") {
			t.Errorf("status reason %+v", f.StatusReason)
		}
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	// The latest statement wins.
	c := []Product{{ID: "pkg:npm/c"}}
	d = build(
		Statement{Vulnerability: "CVE-2024-2", Products: c, Justification: "component_not_present", Status: VEXNotAffected, Timestamp: "2024-03-01T00:00:00Z"},
		Statement{Vulnerability: "CVE-2024-2", Products: c, Justification: "component_not_present", Status: VEXAffected, Timestamp: "2024-02-01T00:00:00Z"},
	)
	if status(d, "/c@") != StatusNotAffected {
		t.Errorf("latest (not_affected) must win, got %s", status(d, "/c@"))
	}
	d = build(
		Statement{Vulnerability: "CVE-2024-2", Products: c, Justification: "component_not_present", Status: VEXNotAffected, Timestamp: "2024-01-01T00:00:00Z"},
		Statement{Vulnerability: "CVE-2024-2", Products: c, Justification: "component_not_present", Status: VEXUnderInvestigation, Timestamp: "2024-02-01T00:00:00Z"},
	)
	if status(d, "/c@") != StatusOpen {
		t.Errorf("latest (under_investigation) must win, got %s", status(d, "/c@"))
	}
	// Versions and qualifiers must agree when the statement gives them.
	d = build(Statement{Vulnerability: "CVE-2024-2", Products: []Product{{ID: "pkg:npm/c@2.0.0"}}, Status: VEXFixed})
	if status(d, "/c@") != StatusOpen {
		t.Error("another version must not match")
	}
	d = build(Statement{Vulnerability: "CVE-2024-2", Products: []Product{{ID: "pkg:npm/c@1.0.0?arch=x"}}, Status: VEXFixed})
	if status(d, "/c@") != StatusFixed {
		t.Error("the same version with its qualifier must match")
	}
	d = build(Statement{Vulnerability: "CVE-2024-2", Products: []Product{{ID: "pkg:npm/c@1.0.0?arch=y"}}, Status: VEXFixed})
	if status(d, "/c@") != StatusOpen {
		t.Error("another qualifier value must not match")
	}
}

// TestWriteJSONMatchesEncoder: the streamed form is byte for byte what an
// indenting json.Encoder writes.
func TestWriteJSONMatchesEncoder(t *testing.T) {
	d := New()
	d.Add(Source{Path: "a", Format: "x", SHA256: strings.Repeat("0", 64)}, &Report{
		Findings:   []Finding{vuln("CVE-1", []string{"GHSA-<&>"}, "pkg:npm/x@1", "1"), vuln("CVE-2", nil, "pkg:npm/y@2", "2")},
		Components: []Component{{Name: "x <b>", Version: "1", Purl: "pkg:npm/x@1"}},
	})
	d.Finish()
	for _, doc := range []*Document{d, func() *Document { e := New(); e.Finish(); return e }()} {
		var want, got strings.Builder
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(doc); err != nil {
			t.Fatal(err)
		}
		if err := doc.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("WriteJSON differs:\n%s\nwant:\n%s", got.String(), want.String())
		}
	}
}

func TestPreferSeverity(t *testing.T) {
	d := New()
	f := vuln("CVE-1", nil, "pkg:npm/x@1", "1")
	f.Severity = SeverityCritical
	f.Scores = []CVSS{{Version: "3.1", Score: 5.0, Source: "nvd@nist.gov"}, {Version: "3.1", Score: 9.8, Source: "ghsa"}}
	f.Origins = []Origin{{RuleID: "CVE-1", Severity: "LOW"}}
	g := vuln("CVE-2", nil, "pkg:npm/y@1", "1")
	g.Severity = SeverityHigh
	d.Add(Source{Path: "a", Format: "x", SHA256: strings.Repeat("0", 64)}, &Report{Findings: []Finding{f, g}})
	d.Finish()
	sev := func(id string) Severity {
		for _, f := range d.Findings {
			if f.RuleID == id {
				return f.Severity
			}
		}
		return ""
	}
	d.PreferSeverity([]string{"nvd", "ghsa"})
	if sev("CVE-1") != SeverityMedium || sev("CVE-2") != SeverityHigh {
		t.Errorf("nvd first: %s, %s", sev("CVE-1"), sev("CVE-2"))
	}
	d.PreferSeverity([]string{"tool"})
	if sev("CVE-1") != SeverityLow {
		t.Errorf("tool: %s", sev("CVE-1"))
	}
	d.PreferSeverity([]string{"ghsa"})
	if sev("CVE-1") != SeverityCritical || d.Summary.BySeverity["critical"] != 1 {
		t.Errorf("ghsa: %s, summary %v", sev("CVE-1"), d.Summary.BySeverity)
	}
}

func TestFingerprintAcrossTools(t *testing.T) {
	same := [][2]*Package{
		{{Name: "libssl1.1", Version: "1.1.1c-r0", Purl: "pkg:apk/alpine/libssl1.1@1.1.1c-r0?arch=x86_64"}, {Name: "libssl1.1", Version: "1.1.1c-r0"}},
		{{Name: "com.fasterxml.jackson.core:jackson-databind", Version: "2.10.0"}, {Name: "jackson-databind", Version: "2.10.0", Purl: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0"}},
		{{Name: "golang.org/x/text", Version: "v0.3.7", Purl: "pkg:golang/golang.org/x/text@v0.3.7"}, {Name: "golang.org/x/text", Version: "0.3.7"}},
	}
	for _, pair := range same {
		a := Finding{Kind: KindVulnerability, RuleID: "CVE-2024-1", Package: pair[0]}
		b := Finding{Kind: KindVulnerability, RuleID: "CVE-2024-1", Package: pair[1]}
		if Fingerprint(&a) != Fingerprint(&b) {
			t.Errorf("%+v and %+v must be one problem", *pair[0], *pair[1])
		}
	}
	a := Finding{Kind: KindVulnerability, RuleID: "CVE-2024-1", Package: &Package{Name: "a", Version: "1.0"}}
	b := Finding{Kind: KindVulnerability, RuleID: "CVE-2024-1", Package: &Package{Name: "a", Version: "1.1"}}
	if Fingerprint(&a) == Fingerprint(&b) {
		t.Error("other versions are other problems")
	}
}

// TestVisitStringsReachesEveryString: every string field of a finding, and
// of what it points to, is visited; a field added later without a visit
// fails here.
func TestVisitStringsReachesEveryString(t *testing.T) {
	f := &Finding{}
	n := 0
	fill(reflect.ValueOf(f).Elem(), &n)
	seen := map[string]bool{}
	f.VisitStrings(func(s *string) { seen[*s] = true })
	for i := 0; i < n; i++ {
		if s := "s" + strconv.Itoa(i); !seen[s] {
			t.Errorf("string %s (%d of %d, in reflect order) is not visited", s, i, n)
		}
	}
}

// fill gives every string reachable from v a distinct value, allocating
// pointers and one-element slices on the way.
func fill(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + strconv.Itoa(*n))
		*n++
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Bool {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), n)
		}
	}
}

// TestAddRecordsScanCoverage: a report's scan errors and the reason its
// scan did not complete are recorded on its source, one line each; a
// report without them is a complete scan with an empty error list.
func TestAddRecordsScanCoverage(t *testing.T) {
	d := New()
	sum := strings.Repeat("0", 64)
	d.Add(Source{Path: "a.sarif", Format: "sarif", SHA256: sum}, &Report{
		Incomplete: "run 1 (CodeQL): results is null\nsecond line",
		Errors:     []ScanError{NewScanError("ERROR", "\n  Parse error\nat line 3", `src\a.js`, -1, "parse")},
	})
	d.Add(Source{Path: "b.json", Format: "trivy", SHA256: sum}, &Report{})
	d.Finish()
	a, b := d.Sources[0], d.Sources[1]
	if a.Complete || a.IncompleteReason != "run 1 (CodeQL): results is null" {
		t.Errorf("a: complete %v, reason %q", a.Complete, a.IncompleteReason)
	}
	want := ScanError{Level: "error", Message: "Parse error", Path: "src/a.js", Type: "parse"}
	if len(a.Errors) != 1 || a.Errors[0] != want {
		t.Errorf("a: errors %+v, want [%+v]", a.Errors, want)
	}
	if !b.Complete || b.IncompleteReason != "" || b.Errors == nil || len(b.Errors) != 0 {
		t.Errorf("b: %+v, want complete with no errors", b)
	}
	if err := d.Validate(); err != nil {
		t.Error(err)
	}
	if got := OneLine(strings.Repeat("é", 400)); len(got) > maxErrorText+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("OneLine: %d bytes", len(got))
	}
}
