package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/testutil"
	"github.com/secgate/secgate/policies"
	"github.com/secgate/secgate/report"
	"github.com/secgate/secgate/tickets"
)

func corpus(name string) string { return filepath.Join("..", "testdata", "corpus", name) }

// result runs the built-in policies over real reports.
func result(t *testing.T, reports ...string) *gate.Result {
	t.Helper()
	pols, err := eval.LoadFS("builtin", policies.FS, eval.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	e, err := eval.New(context.Background(), eval.Options{Policies: pols, Data: cfg.Data()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := gate.Run(context.Background(), gate.Options{Reports: reports, Engine: gate.Ready(e), Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func render(t *testing.T, f report.Format, r *gate.Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSARIFValidates checks secgate's SARIF against the OASIS SARIF 2.1.0
// schema, on real reports of every kind of finding.
func TestSARIFValidates(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "schemas", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, reports := range [][]string{
		{corpus("grype-json/grype-0.64-image-62-matches.json")},
		{corpus("trivy-json/trivy-fs-vulns-misconfig-secrets.json"), corpus("sarif/snyk-code.sarif")},
		{corpus("trivy-json/trivy-image-alpine-no-vulns.json")},
	} {
		r := result(t, reports...)
		out := render(t, report.SARIF{Version: "test"}, r)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Fatalf("%v: SARIF does not validate: %v", reports, err)
		}
		var log struct {
			Runs []struct {
				Results []struct {
					RuleID              string            `json:"ruleId"`
					Level               string            `json:"level"`
					PartialFingerprints map[string]string `json:"partialFingerprints"`
					Locations           []any             `json:"locations"`
				} `json:"results"`
				Tool struct {
					Driver struct {
						Rules []struct {
							ID         string         `json:"id"`
							Properties map[string]any `json:"properties"`
							Help       struct{ Text string }
						} `json:"rules"`
					} `json:"driver"`
				} `json:"tool"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(out, &log); err != nil {
			t.Fatal(err)
		}
		run := log.Runs[0]
		want := 0
		for _, m := range append(r.Decision.Violations, r.Decision.Warnings...) {
			if len(m.FindingIDs) > 1 && m.Extra["per_finding"] != false {
				want += len(m.FindingIDs) // one result per failing finding
			} else {
				want++
			}
		}
		if len(run.Results) != want {
			t.Errorf("%d results, want one per failing finding and per other message (%d)", len(run.Results), want)
		}
		for _, res := range run.Results {
			if res.PartialFingerprints["secgate/v1"] == "" || len(res.Locations) != 1 {
				t.Fatalf("result %+v lacks a fingerprint or location", res)
			}
		}
		for _, rule := range run.Tool.Driver.Rules {
			if rule.Help.Text == "" {
				t.Errorf("rule %s has no help", rule.ID)
			}
		}
	}
}

func TestSARIFFingerprintsAreFindingIDs(t *testing.T) {
	r := result(t, corpus("trivy-json/trivy-legacy-array-debian-93-vulns.json"))
	out := string(render(t, report.SARIF{}, r))
	for _, v := range r.Decision.Violations {
		if len(v.FindingIDs) == 1 && !strings.Contains(out, `"secgate/v1": "`+v.FindingIDs[0]+`"`) {
			t.Fatalf("no result carries finding %s", v.FindingIDs[0])
		}
	}
}

func TestJUnitParses(t *testing.T) {
	r := result(t, corpus("grype-json/grype-0.64-image-62-matches.json"))
	out := render(t, report.JUnit{}, r)
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out, &suites); err != nil {
		t.Fatal(err)
	}
	if suites.Failures != len(r.Decision.Violations) || suites.Failures == 0 {
		t.Fatalf("%d failures, want %d", suites.Failures, len(r.Decision.Violations))
	}
	names := map[string]bool{}
	for _, s := range suites.Suites {
		names[s.Name] = true
		if len(s.Cases) == 0 {
			t.Errorf("suite %s has no testcase", s.Name)
		}
	}
	for _, p := range r.Decision.Policies {
		if !names[p] {
			t.Errorf("no testsuite for policy %s", p)
		}
	}
}

func TestGitHubCommandsAndSummary(t *testing.T) {
	r := result(t, corpus("trivy-json/trivy-fs-vulns-misconfig-secrets.json"))
	summary := filepath.Join(t.TempDir(), "summary.md")
	out := string(render(t, report.GitHub{Env: func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return summary
		}
		return ""
	}}, r))
	if !strings.Contains(out, "::error file=") {
		t.Fatalf("no ::error command in\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "::") && strings.Count(line, "::") != 2 {
			t.Errorf("a message with an unescaped '::' or newline: %q", line)
		}
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(md, []byte("## ❌ secgate: FAIL")) || !bytes.Contains(md, []byte("### Violations")) {
		t.Fatalf("summary:\n%s", md)
	}
}

func TestMarkdownWithBaseline(t *testing.T) {
	r := result(t, corpus("trivy-json/trivy-image-alpine310-os-vulns.json"))
	yes, no := true, false
	r.Document.Findings[0].New = &yes
	for i := 1; i < len(r.Document.Findings); i++ {
		r.Document.Findings[i].New = &no
	}
	r.Decision.Context.Baseline = true
	out := string(render(t, report.Markdown{}, r))
	if !strings.Contains(out, "| medium | 4 | 1 | 3 |") {
		t.Fatalf("new vs pre-existing counts missing:\n%s", out)
	}
}

func TestTableColourOnlyWhenAsked(t *testing.T) {
	r := result(t, corpus("grype-json/grype-0.64-image-62-matches.json"))
	plain := string(render(t, &report.Table{}, r))
	if strings.Contains(plain, "\x1b[") {
		t.Error("colour codes without Color")
	}
	if !strings.HasPrefix(plain, "FAIL  ") {
		t.Errorf("the verdict must come first: %q", plain[:20])
	}
	if !strings.Contains(plain, "… and ") {
		t.Error("long lists must be summarised with a count")
	}
	if coloured := string(render(t, &report.Table{Color: true}, r)); !strings.Contains(coloured, "\x1b[31m") {
		t.Error("no colour with Color")
	}
}

func TestParseOutputs(t *testing.T) {
	if _, err := report.ParseOutputs([]string{"json", "table"}, report.Options{}); err == nil {
		t.Error("two formats on standard output must be refused")
	}
	outs, err := report.ParseOutputs([]string{"table", "json=x.json", "sarif=-"}, report.Options{})
	if err == nil {
		t.Errorf("sarif=- is standard output too: %v", outs)
	}
	if _, err := report.ParseOutputs([]string{"xml"}, report.Options{}); err == nil || !strings.Contains(err.Error(), "valid: badge, codequality, comment, github, html, json, junit, markdown, sarif, shields, table") {
		t.Errorf("err = %v", err)
	}
}

// TestJSONIsEncoderOutput: the streamed decision is byte for byte what
// json.Encoder (two-space indent, HTML unescaped) writes, on real reports
// with violations, warnings, tickets and empty lists.
func TestJSONIsEncoderOutput(t *testing.T) {
	for _, reports := range [][]string{
		{corpus("grype-json/grype-0.64-image-62-matches.json")},
		{corpus("trivy-json/trivy-fs-vulns-misconfig-secrets.json"), corpus("npm-audit/npm6-advisories-41-multiple-cwes.json")},
		{corpus("trivy-json/trivy-image-alpine-no-vulns.json")},
	} {
		r := result(t, reports...)
		r.Decision.Tickets = append(r.Decision.Tickets, tickets.Ticket{Title: "<b> & </b>", Labels: []string{"a"}, Body: "<!-- & -->"})
		want := testutil.JSON(t, r.Decision)
		if got := render(t, report.JSON{}, r); !bytes.Equal(got, want) {
			t.Errorf("%v: streamed JSON differs from json.Encoder's:\n%s\nwant\n%s", reports, got, want)
		}
	}
}

// TestApprovalsListed: table and Markdown list the approvals applied, each
// with who, until when, why and what it approved, the first five
// components of a wide one and how many more.
func TestApprovalsListed(t *testing.T) {
	doc := document.New()
	var many []string
	for i := range 7 {
		many = append(many, fmt.Sprintf("pkg:npm/p%d@1.0.0", i))
	}
	r := &gate.Result{Document: doc, Decision: &gate.Decision{
		Decision: gate.Pass, Violations: []eval.Message{}, Warnings: []eval.Message{}, Exceptions: []eval.Waiver{},
		Approvals: []eval.Approval{
			{Match: "pkg:npm/*", ApprovedBy: "security-team", Expires: "2099-12-31", Reason: "reviewed", Components: many},
			{Match: "pkg:npm/left-pad", ApprovedBy: "platform", Expires: "2099-12-31", Reason: "tiny", Components: []string{"pkg:npm/left-pad@1.3.0"}},
		},
	}}
	table := string(render(t, &report.Table{}, r))
	for _, want := range []string{
		"\nApprovals applied\n",
		"  ✓ pkg:npm/*, by security-team until 2099-12-31 (reviewed): pkg:npm/p0@1.0.0, pkg:npm/p1@1.0.0, pkg:npm/p2@1.0.0, pkg:npm/p3@1.0.0, pkg:npm/p4@1.0.0 and 2 more\n",
		"  ✓ pkg:npm/left-pad, by platform until 2099-12-31 (tiny): pkg:npm/left-pad@1.3.0\n",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	md := string(render(t, report.Markdown{}, r))
	if !strings.Contains(md, "<summary>Approvals applied (2)</summary>") || !strings.Contains(md, `- pkg:npm/left-pad, by platform until 2099-12-31 \(tiny\): pkg:npm/left-pad@1.3.0`) {
		t.Errorf("markdown:\n%s", md)
	}
	r.Decision.Approvals = []eval.Approval{}
	if out := string(render(t, &report.Table{}, r)) + string(render(t, report.Markdown{}, r)); strings.Contains(out, "Approvals applied") {
		t.Errorf("no approval, yet listed:\n%s", out)
	}
}
