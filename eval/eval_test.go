package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secgate/secgate/document"
)

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// sampleDoc has every optional field of the document set somewhere.
func sampleDoc(n int) *document.Document {
	d := document.New()
	yes := true
	d.Sources = append(d.Sources, document.Source{Path: "r.json", Format: "trivy", Tool: document.Tool{Name: "trivy", Version: "0.50"}, Created: "2026-01-01", SHA256: strings.Repeat("a", 64),
		IncompleteReason: "run 1 (trivy): results is null", Errors: []document.ScanError{{Level: "error", Message: "m", Path: "a.go", Line: 2, Type: "Syntax error"}, {Level: "warning", Message: "n"}},
		Subject: &document.Subject{Name: "app", Version: "1.0", Purl: "pkg:npm/app@1.0"}})
	d.VEX = append(d.VEX, document.VEXStatement{Source: 0, Document: "d", Vulnerability: "CVE-1", Aliases: []string{"GHSA-x"},
		Products: []document.Product{{ID: "pkg:npm/app", Subcomponents: []string{"pkg:npm/lodash"}}}, Status: "not_affected",
		Justification: "j", Timestamp: "2026-01-01T00:00:00Z", Findings: []string{"f"}, Problem: "p"})
	for i := 0; i < n; i++ {
		f := document.Finding{
			ID: fmt.Sprintf("%020d", i), Kind: document.KindVulnerability, RuleID: fmt.Sprintf("CVE-2024-%d", i),
			Aliases: []string{"GHSA-x"}, Title: "t", Description: "d", CWE: []string{"CWE-79"}, References: []string{"https://x"},
			Tags: []string{}, Severity: document.SeverityHigh,
			CVSS:          &document.CVSS{Version: "3.1", Score: 7.5, Vector: "CVSS:3.1/AV:N", Source: "nvd"},
			Scores:        []document.CVSS{{Version: "3.1", Score: 7.5, Source: "nvd"}},
			Package:       &document.Package{Name: "lodash", Version: "1.0", Purl: "pkg:npm/lodash@1.0", Ecosystem: "npm", Path: "package-lock.json", Paths: []string{"package-lock.json", "vendor/package-lock.json"}},
			FixedVersions: []string{"1.1"}, FixState: "fixed",
			Location:   &document.Location{Path: "a.go", StartLine: 3, EndLine: 4, StartColumn: 1, EndColumn: 2, Snippet: "x"},
			Locations:  []document.Location{{Path: "a.go", StartLine: 3, EndLine: 4, StartColumn: 1, EndColumn: 2, Snippet: "x"}, {Path: "b.go"}},
			Confidence: "high", EPSS: &document.EPSS{Score: 0.25, Percentile: 0.5, Date: "2026-01-01"},
			KEV:           &document.KEV{Listed: true, DateAdded: "2025-01-01", RequiredAction: "patch", DueDate: "2025-02-01"},
			BaselineState: "new", Origins: []document.Origin{{Source: 0, Tool: "trivy", RuleID: "CVE", Severity: "HIGH"}},
			Status: document.StatusAccepted, StatusReason: &document.StatusNote{By: "vex", Justification: "j", Statement: "s", Source: "v.json"},
			New: &yes,
		}
		d.Findings = append(d.Findings, f)
	}
	d.Components = append(d.Components, document.Component{BOMRef: "r", Type: "library", Name: "lodash", Group: "g", Version: "1.0",
		Purl: "pkg:npm/lodash@1.0", Ecosystem: "npm", Licenses: []string{"MIT"}, LicenseExpression: "MIT", Direct: true, Scope: "required",
		DependsOn: []string{"x"}, Sources: []int{0}, New: &yes})
	d.Summary = document.Summarize(d)
	d.Context = document.Context{Stage: "pre-merge", Now: "2026-06-01T00:00:00Z", NowSource: document.NowFlag, Repository: "o/r", Commit: "c", Branch: "b", CI: "ci", Baseline: true}
	return d
}

func viaJSON(t testing.TB, d *document.Document) ast.Value {
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		t.Fatal(err)
	}
	return val
}

// TestValueMatchesJSON: the direct conversion must give exactly the value
// of the document's JSON form, which is the contract. The full document
// has every exported field of every type in it set, by reflection: a field
// added to the document and not to Value fails here.
func TestValueMatchesJSON(t *testing.T) {
	full := &document.Document{}
	n := 0
	fillAll(reflect.ValueOf(full).Elem(), &n)
	empty := document.New()
	empty.Summary = document.Summarize(empty)
	for _, d := range []*document.Document{full, sampleDoc(2), empty} {
		want := viaJSON(t, d)
		got := Value(d)
		if want.Compare(got) != 0 {
			t.Fatalf("direct value differs from JSON value:\n got %v\nwant %v", got, want)
		}
	}
}

// fillAll sets every exported field reachable from v to a value that is
// not zero and differs from the others: pointers point, slices hold two
// elements, maps one key.
func fillAll(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i), n)
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fillAll(v.Index(0), n)
		fillAll(v.Index(1), n)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k := reflect.New(v.Type().Key()).Elem()
		e := reflect.New(v.Type().Elem()).Elem()
		fillAll(k, n)
		fillAll(e, n)
		v.SetMapIndex(k, e)
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Float64, reflect.Float32:
		v.SetFloat(float64(*n) + 0.5)
	default:
		panic(fmt.Sprintf("fillAll: no value for %s", v.Type()))
	}
}

func BenchmarkValue(b *testing.B) {
	d := sampleDoc(20000)
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Value(d)
		}
	})
	b.Run("InterfaceToValue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			viaJSON(b, d)
		}
	})
}

func evaluate(t *testing.T, files map[string]string, opts Options, d *document.Document) (*Result, error) {
	t.Helper()
	pols, err := func() (p *Policies, err error) {
		fsys := fstest.MapFS{}
		for name, src := range files {
			fsys[name] = &fstest.MapFile{Data: []byte(src)}
		}
		return LoadFS("test", fsys, Filter{})
	}()
	if err != nil {
		return nil, err
	}
	opts.Policies = pols
	e, err := New(context.Background(), opts)
	if err != nil {
		return nil, err
	}
	return e.Evaluate(context.Background(), d, now)
}

func TestConftestStylePolicy(t *testing.T) {
	files := map[string]string{"main.rego": `package main

deny contains msg if {
	some f in input.findings
	f.severity == "high"
	msg := sprintf("%s is high", [f.rule_id])
}

warn contains "always" if true

violation contains {"msg": "object form", "finding_ids": ["a", "b"], "severity": "low", "team": "x"} if true
`}
	res, err := evaluate(t, files, Options{}, sampleDoc(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Denies) != 2 || len(res.Warnings) != 1 {
		t.Fatalf("denies %v warnings %v", res.Denies, res.Warnings)
	}
	// Worst first: the object with a severity, then the string.
	if got := res.Denies[0]; got.Msg != "object form" || got.Rule != "violation" || strings.Join(got.FindingIDs, ",") != "a,b" || got.Extra["team"] != "x" {
		t.Errorf("object deny = %+v", got)
	}
	if got := res.Denies[1]; got.Msg != "CVE-2024-0 is high" || got.Policy != "main" || got.Rule != "deny" {
		t.Errorf("string deny = %+v", got)
	}
}

func TestPolicyErrorsAreErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"syntax", map[string]string{"bad.rego": "package main\n\ndeny contains msg if {\n  msg := \n}\n"}, "bad.rego:"},
		{"unsafe", map[string]string{"u.rego": "package main\n\ndeny contains msg if { x == 1 }\n"}, "u.rego:3"},
		{"network builtin", map[string]string{"n.rego": "package main\n\ndeny contains r.body if { r := http.send({\"method\": \"GET\", \"url\": \"http://127.0.0.1\"}) }\n"}, "undefined function http.send"},
		{"random builtin", map[string]string{"n.rego": "package main\n\ndeny contains x if { x := rand.intn(\"a\", 10) }\n"}, "undefined function rand.intn"},
		{"conflict", map[string]string{"c.rego": "package main\n\nlevel := 1 if true\nlevel := 2 if true\n\ndeny contains \"x\" if level > 0\n"}, "conflict"},
		{"strict builtin error", map[string]string{"s.rego": "package main\n\ndeny contains x if { x := sprintf(\"%d\", [to_number(\"abc\")]) }\n"}, "to_number"},
		{"bad message", map[string]string{"m.rego": "package main\n\ndeny contains 42 if true\n"}, "want a string or an object with msg"},
		{"object without msg", map[string]string{"m.rego": "package main\n\ndeny contains {\"text\": \"x\"} if true\n"}, "without a string msg"},
		{"no rules", map[string]string{"m.rego": "package lib\n\nx := 1\n"}, "no package defines deny"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := evaluate(t, c.files, Options{}, sampleDoc(1))
			if err == nil {
				t.Fatalf("want an error containing %q, got result %+v", c.want, res)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestNamespaces(t *testing.T) {
	files := map[string]string{
		"a.rego": "package main\n\ndeny contains \"main\" if true\n",
		"b.rego": "package team.b\n\ndeny contains \"b\" if true\n",
	}
	res, err := evaluate(t, files, Options{Namespaces: []string{"team.b"}}, sampleDoc(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Denies) != 1 || res.Denies[0].Msg != "b" {
		t.Fatalf("denies = %+v", res.Denies)
	}
	res, err = evaluate(t, files, Options{}, sampleDoc(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Denies) != 2 {
		t.Fatalf("all namespaces: denies = %+v", res.Denies)
	}
	if _, err := evaluate(t, files, Options{Namespaces: []string{"nope"}}, sampleDoc(0)); err == nil {
		t.Fatal("an unknown namespace must be an error")
	}
}

func TestTimeIsPinned(t *testing.T) {
	files := map[string]string{"t.rego": "package main\n\ndeny contains sprintf(\"%d\", [time.now_ns()]) if true\n"}
	res, err := evaluate(t, files, Options{}, sampleDoc(0))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprint(now.UnixNano()); res.Denies[0].Msg != want {
		t.Fatalf("time.now_ns() = %s, want %s", res.Denies[0].Msg, want)
	}
}

func TestDataAndUserDataOverride(t *testing.T) {
	files := map[string]string{
		"p.rego":    "package main\n\ndeny contains data.limits.msg if true\n",
		"data.json": `{"limits": {"msg": "from policy data", "other": 1}}`,
	}
	res, err := evaluate(t, files, Options{}, sampleDoc(0))
	if err != nil {
		t.Fatal(err)
	}
	if res.Denies[0].Msg != "from policy data" {
		t.Fatalf("deny = %+v", res.Denies)
	}
	res, err = evaluate(t, files, Options{Data: map[string]any{"limits": map[string]any{"msg": "from user"}}}, sampleDoc(0))
	if err != nil {
		t.Fatal(err)
	}
	if res.Denies[0].Msg != "from user" {
		t.Fatalf("user data must override policy data: %+v", res.Denies)
	}
}

func TestExceptionsApplyBeforeOtherPolicies(t *testing.T) {
	files := map[string]string{
		"x.rego": "package secgate.exceptions\n\napplied contains {\"finding_id\": f.id, \"exception\": {\"id\": f.rule_id, \"reason\": \"r\", \"expires\": \"2027-01-01\"}} if {\n\tsome f in input.findings\n\tf.rule_id == \"CVE-2024-0\"\n}\n",
		"m.rego": "package main\n\ndeny contains f.rule_id if {\n\tsome f in input.findings\n\tf.status == \"open\"\n}\n",
	}
	d := sampleDoc(2)
	for i := range d.Findings {
		d.Findings[i].Status, d.Findings[i].StatusReason = document.StatusOpen, nil
	}
	res, err := evaluate(t, files, Options{}, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Denies) != 1 || res.Denies[0].Msg != "CVE-2024-1" {
		t.Fatalf("denies = %+v", res.Denies)
	}
	if len(res.Waivers) != 1 || res.Waivers[0].FindingID != d.Findings[0].ID {
		t.Fatalf("waivers = %+v", res.Waivers)
	}
	if d.Findings[0].Status != document.StatusAccepted || d.Findings[0].StatusReason.By != "exception" {
		t.Fatalf("finding 0 = %+v", d.Findings[0])
	}
	if d.Summary.OpenFindings != 1 {
		t.Fatalf("summary not recounted: %+v", d.Summary)
	}
}

// TestApprovalsCollected: the approvals the dependencies package says it
// applied are read with the deciding rules, sorted; a package evaluated
// without them, or not evaluated, gives none, never null.
func TestApprovalsCollected(t *testing.T) {
	deps := "package secgate.dependencies\n\n" +
		"deny contains \"x\" if false\n\n" +
		"applied contains {\"match\": \"pkg:npm/b\", \"approved_by\": \"sec\", \"expires\": \"2027-01-01\", \"reason\": \"r\", \"components\": [\"pkg:npm/b@2\", \"pkg:npm/b@1\"]} if true\n\n" +
		"applied contains {\"match\": \"pkg:npm/a\", \"approved_by\": \"sec\", \"expires\": \"2027-01-01\", \"reason\": \"r\", \"components\": []} if true\n"
	main := "package main\n\ndeny contains \"m\" if true\n"
	res, err := evaluate(t, map[string]string{"d.rego": deps, "m.rego": main}, Options{}, sampleDoc(0))
	if err != nil {
		t.Fatal(err)
	}
	want := []Approval{
		{Match: "pkg:npm/a", ApprovedBy: "sec", Expires: "2027-01-01", Reason: "r", Components: []string{}},
		{Match: "pkg:npm/b", ApprovedBy: "sec", Expires: "2027-01-01", Reason: "r", Components: []string{"pkg:npm/b@1", "pkg:npm/b@2"}},
	}
	if !reflect.DeepEqual(res.Approvals, want) || len(res.Denies) != 1 {
		t.Fatalf("approvals = %+v, denies = %+v", res.Approvals, res.Denies)
	}
	res, err = evaluate(t, map[string]string{"d.rego": deps, "m.rego": main}, Options{Namespaces: []string{"main"}}, sampleDoc(0))
	if err != nil {
		t.Fatal(err)
	}
	if res.Approvals == nil || len(res.Approvals) != 0 {
		t.Fatalf("approvals of a package not evaluated = %#v", res.Approvals)
	}
	bad := "package secgate.dependencies\n\ndeny contains \"x\" if false\n\napplied contains \"pkg:npm/a\" if true\n"
	if _, err := evaluate(t, map[string]string{"d.rego": bad}, Options{}, sampleDoc(0)); err == nil || !strings.Contains(err.Error(), "applied holds a string; want objects") {
		t.Fatalf("err = %v", err)
	}
}

func TestTimeout(t *testing.T) {
	files := map[string]string{"slow.rego": "package main\n\ndeny contains \"x\" if {\n\tsome i in numbers.range(1, 100000000)\n\ti < 0\n}\n"}
	_, err := evaluate(t, files, Options{Timeout: 50 * time.Millisecond}, sampleDoc(0))
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

// TestCheckedSkipsOnlyChecks: policies marked Checked compile without
// the type checker, and are type-checked again when the capabilities are
// replaced; what the capabilities decide (undefined functions) is always
// checked.
func TestCheckedSkipsOnlyChecks(t *testing.T) {
	typeErr := "package main\n\ndeny contains x if { x := count(1) }\n"
	undefined := "package main\n\ndeny contains x if { x := rand.intn(\"a\", 10) }\n"
	cases := []struct {
		name    string
		src     string
		caps    *ast.Capabilities
		wantErr string
	}{
		{"type error skipped", typeErr, nil, ""},
		{"type error with own capabilities", typeErr, DefaultCapabilities(), "count"},
		{"undefined function", undefined, nil, "undefined function rand.intn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pols, err := LoadFS("test", fstest.MapFS{"p.rego": &fstest.MapFile{Data: []byte(c.src)}}, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			pols.Checked = true
			_, err = New(context.Background(), Options{Policies: pols, Capabilities: c.caps})
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}

// TestEngineValue: a rule's value over a document, with the exceptions
// applied first as Evaluate applies them; an undefined rule is not a
// value, and only references into data are asked.
func TestEngineValue(t *testing.T) {
	files := map[string]string{
		"x.rego": "package secgate.exceptions\n\napplied contains {\"finding_id\": f.id, \"exception\": {\"id\": f.rule_id, \"reason\": \"r\", \"expires\": \"2027-01-01\"}} if {\n\tsome f in input.findings\n\tf.rule_id == \"CVE-2024-0\"\n}\n",
		"m.rego": "package main\n\nopen := count([f | some f in input.findings; f.status == \"open\"])\n\ndeny contains \"x\" if false\n",
	}
	pols, err := LoadFS("test", fstest.MapFS{"x.rego": {Data: []byte(files["x.rego"])}, "m.rego": {Data: []byte(files["m.rego"])}}, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), Options{Policies: pols})
	if err != nil {
		t.Fatal(err)
	}
	d := sampleDoc(2)
	for i := range d.Findings {
		d.Findings[i].Status, d.Findings[i].StatusReason = document.StatusOpen, nil
	}
	v, ok, err := e.Value(context.Background(), d, now, "data.main.open")
	if err != nil || !ok {
		t.Fatalf("Value: %v, %v, %v", v, ok, err)
	}
	if fmt.Sprint(v) != "1" || d.Findings[0].Status != document.StatusAccepted {
		t.Errorf("open = %v with finding 0 %s; want 1, the waived one accepted", v, d.Findings[0].Status)
	}
	if _, ok, err := e.Value(context.Background(), d, now, "data.main.nothing"); ok || err != nil {
		t.Errorf("undefined: %v, %v; want not ok, no error", ok, err)
	}
	if _, _, err := e.Value(context.Background(), d, now, "input.findings"); err == nil {
		t.Error("input.findings: want an error")
	}
}

// Options.Values are read in the evaluation that decides, over the same
// input (exceptions applied): the defined ones, by reference.
func TestEvaluateValues(t *testing.T) {
	files := fstest.MapFS{
		"x.rego": {Data: []byte("package secgate.exceptions\n\napplied contains {\"finding_id\": f.id, \"exception\": {\"id\": f.rule_id, \"reason\": \"r\", \"expires\": \"2027-01-01\"}} if {\n\tsome f in input.findings\n\tf.rule_id == \"CVE-2024-0\"\n}\n")},
		"m.rego": {Data: []byte("package main\n\nopen := count([f | some f in input.findings; f.status == \"open\"])\n\ndeny contains \"x\" if false\n")},
	}
	pols, err := LoadFS("test", files, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), Options{Policies: pols, Values: []string{"data.main.open", "data.main.nothing"}})
	if err != nil {
		t.Fatal(err)
	}
	d := sampleDoc(2)
	for i := range d.Findings {
		d.Findings[i].Status, d.Findings[i].StatusReason = document.StatusOpen, nil
	}
	res, err := e.Evaluate(context.Background(), d, now)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := res.Values["data.main.open"]; !ok || fmt.Sprint(v) != "1" {
		t.Errorf("data.main.open = %v (%v); want 1, the waived finding not counted", v, ok)
	}
	if v, ok := res.Values["data.main.nothing"]; ok {
		t.Errorf("an undefined value is there: %v", v)
	}
	if _, err := New(context.Background(), Options{Policies: pols, Values: []string{"input.findings"}}); err == nil {
		t.Error("a value that is no reference into data: want an error")
	}
}
