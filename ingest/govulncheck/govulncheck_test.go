package govulncheck

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New(), Dir: "govulncheck", Raw: true}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file     string
		version  string
		findings int
		levels   map[string]int
	}{
		// 10 finding messages at three levels: 4 OSV entries in module versions.
		{"govulncheck-binary-mode.json", "v0.0.0-00000000000-20000101010101", 4,
			map[string]int{"called": 2, "imported": 1, "required": 1}},
		// 12 vulnerable symbols of 3 OSV entries, all in stdlib.
		{"govulncheck-legacy-pre1.0-vulns-calls.json", "", 3, map[string]int{"called": 3}},
		{"govulncheck-module-level-scan.json", "v0.0.0-00000000000-20000101010101", 1, map[string]int{"required": 1}},
		{"govulncheck-source-symbol-scan.json", "v0.0.0-00000000000-20000101010101", 4,
			map[string]int{"called": 2, "imported": 1, "required": 1}},
		// 116 finding messages; 201 OSV entries, of which 40 found.
		{"govulncheck-stream-with-sbom-116-findings.json", "v1.1.4", 40,
			map[string]int{"called": 22, "imported": 8, "required": 10}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc := h.File(t, tt.file)
			if rep.Tool.Name != "govulncheck" || rep.Tool.Version != tt.version || rep.Created != "" {
				t.Errorf("tool %+v, created %q", rep.Tool, rep.Created)
			}
			if len(rep.Findings) != tt.findings || len(doc.Findings) != tt.findings {
				t.Errorf("%d reported, %d findings, want %d", len(rep.Findings), len(doc.Findings), tt.findings)
			}
			levels := map[string]int{}
			for _, f := range doc.Findings {
				levels[f.Confidence]++
				if strings.Join(f.Tags, ",") != f.Confidence {
					t.Errorf("%s: tags %v, confidence %q", f.RuleID, f.Tags, f.Confidence)
				}
				// govulncheck's entries carry no severity: a called one is
				// high, the others stay unknown.
				want := document.SeverityUnknown
				if f.Confidence == "called" {
					want = document.SeverityHigh
				}
				if f.Severity != want {
					t.Errorf("%s (%s): severity %s, want %s", f.RuleID, f.Confidence, f.Severity, want)
				}
				if !strings.HasPrefix(f.RuleID, "GO-") || f.Package.Ecosystem != "golang" || !strings.HasPrefix(f.Package.Purl, "pkg:golang/") {
					t.Errorf("%s: package %+v", f.RuleID, f.Package)
				}
			}
			for _, l := range []string{"called", "imported", "required"} {
				if levels[l] != tt.levels[l] {
					t.Errorf("%s: %d, want %d", l, levels[l], tt.levels[l])
				}
			}
		})
	}
}

func TestSymbolScan(t *testing.T) {
	_, doc := h.File(t, "govulncheck-source-symbol-scan.json")
	// Found at module, package and symbol level: called, at the call
	// site in the scanned code (the trace's last frame).
	f := ingesttest.Find(t, doc, "GO-2021-0265", "github.com/tidwall/gjson")
	if f.Confidence != "called" || f.Location == nil || f.Location.Path != "vuln.go" || f.Location.StartLine != 14 || f.Location.StartColumn != 20 {
		t.Errorf("confidence %q, location %+v", f.Confidence, f.Location)
	}
	p := f.Package
	if p.Version != "v1.6.5" || p.Purl != "pkg:golang/github.com/tidwall/gjson@v1.6.5" {
		t.Errorf("package %+v", p)
	}
	if strings.Join(f.FixedVersions, ",") != "v1.9.3" || f.FixState != "fixed" {
		t.Errorf("fixed %v, state %q", f.FixedVersions, f.FixState)
	}
	if strings.Join(f.Aliases, ",") != "CVE-2021-42248,CVE-2021-42836,GHSA-c9gm-7rfj-8w5h,GHSA-ppj4-34rq-v8j9" {
		t.Errorf("aliases %v", f.Aliases)
	}
	if !strings.HasPrefix(f.Description, "A maliciously crafted path") || !strings.Contains(f.Description, "gjson.Result.Get") {
		t.Errorf("description %q", f.Description)
	}
	if !slices.Contains(f.References, "https://github.com/tidwall/gjson/issues/237") || !slices.Contains(f.References, "https://pkg.go.dev/vuln/GO-2021-0265") {
		t.Errorf("references %v", f.References)
	}
	// Imported only.
	f = ingesttest.Find(t, doc, "GO-2021-0113", "golang.org/x/text")
	if f.Confidence != "imported" || f.Location != nil {
		t.Errorf("confidence %q, location %+v", f.Confidence, f.Location)
	}
	// Required only.
	f = ingesttest.Find(t, doc, "GO-2020-0015", "")
	if f.Confidence != "required" || f.Title != "Infinite loop when decoding some inputs in golang.org/x/text" {
		t.Errorf("confidence %q, title %q", f.Confidence, f.Title)
	}
}

func TestStream(t *testing.T) {
	_, doc := h.File(t, "govulncheck-stream-with-sbom-116-findings.json")
	// The standard library is the module stdlib.
	n := 0
	for _, f := range doc.Findings {
		if f.Package.Name == "stdlib" {
			n++
			if f.Package.Version != "v1.24.4" || f.Package.Purl != "pkg:golang/stdlib@v1.24.4" {
				t.Errorf("%s: package %+v", f.RuleID, f.Package)
			}
		}
	}
	if n == 0 {
		t.Error("no stdlib finding")
	}
	// No fixed version yet.
	f := ingesttest.Find(t, doc, "GO-2026-4771", "github.com/jackc/pgx/v5")
	if f.FixState != "not-fixed" || len(f.FixedVersions) != 0 || f.Package.Purl != "pkg:golang/github.com/jackc/pgx/v5@v5.5.5" {
		t.Errorf("fix %q %v, package %+v", f.FixState, f.FixedVersions, f.Package)
	}
	f = ingesttest.Find(t, doc, "GO-2025-3553", "github.com/golang-jwt/jwt")
	if f.Confidence != "called" || f.Location == nil || f.Location.Path != "api/helper/statuse_code_maping.go" || f.Location.StartLine != 21 {
		t.Errorf("confidence %q, location %+v", f.Confidence, f.Location)
	}
}

func TestBinary(t *testing.T) {
	_, doc := h.File(t, "govulncheck-binary-mode.json")
	// Called, but a binary has no source positions.
	f := ingesttest.Find(t, doc, "GO-2021-0265", "")
	if f.Confidence != "called" || f.Location != nil {
		t.Errorf("confidence %q, location %+v", f.Confidence, f.Location)
	}
}

func TestLegacy(t *testing.T) {
	_, doc := h.File(t, "govulncheck-legacy-pre1.0-vulns-calls.json")
	f := ingesttest.Find(t, doc, "GO-2022-1144", "stdlib")
	if f.Package.Version != "v1.19.0" || f.Package.Purl != "pkg:golang/stdlib@v1.19.0" {
		t.Errorf("package %+v", f.Package)
	}
	// The fixed versions come from the entry's ranges, written as Go does.
	if strings.Join(f.FixedVersions, ",") != "v1.18.9,v1.19.4" || f.FixState != "fixed" {
		t.Errorf("fixed %v, state %q", f.FixedVersions, f.FixState)
	}
	// main calls ListenAndServe, which leads to the vulnerable symbol.
	l := f.Location
	if l == nil || l.Path != "/home/dtimoshenko/test_parser/evil-app/main.go" || l.StartLine != 22 {
		t.Errorf("location %+v", l)
	}
	if strings.Join(f.Aliases, ",") != "CVE-2022-41717" || !strings.Contains(f.Description, "http.http2serverConn.canonicalHeader") {
		t.Errorf("aliases %v, description %q", f.Aliases, f.Description)
	}
}

// TestOSVSeverity reads a severity when an entry states one.
func TestOSVSeverity(t *testing.T) {
	data := `{"config": {"protocol_version": "v1.0.0", "scanner_name": "govulncheck", "scanner_version": "v1.1.0"}}
{"osv": {"id": "GO-1", "database_specific": {"severity": "HIGH"}}}
{"osv": {"id": "GO-2", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}]}}
{"finding": {"osv": "GO-1", "trace": [{"module": "example.com/a", "version": "v1.0.0", "package": "example.com/a"}]}}
{"finding": {"osv": "GO-2", "trace": [{"module": "example.com/b", "version": "v1.0.0"}]}}
{"finding": {"osv": "GO-3", "trace": []}}`
	_, doc, err := h.Bytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if f := ingesttest.Find(t, doc, "GO-1", ""); f.Severity != document.SeverityHigh || f.Origins[0].Severity != "HIGH" {
		t.Errorf("GO-1: severity %s, origins %+v", f.Severity, f.Origins)
	}
	if f := ingesttest.Find(t, doc, "GO-2", ""); f.Severity != document.SeverityMedium || f.CVSS == nil || f.Origins[0].Severity != "5.3" {
		t.Errorf("GO-2: severity %s, cvss %+v, origins %+v", f.Severity, f.CVSS, f.Origins)
	}
	// A finding without a trace, of an entry not in the stream.
	if f := ingesttest.Find(t, doc, "GO-3", ""); f.Package.Name != "unknown module" || f.Confidence != "required" {
		t.Errorf("GO-3: package %+v, confidence %q", f.Package, f.Confidence)
	}
}

// TestGovulncheckCalledWithoutSeverityIsHigh: the scanned code calls the
// vulnerable symbol and nothing rates the vulnerability: it is at least
// high. A score says otherwise; imported and required ones keep what the
// data says.
func TestGovulncheckCalledWithoutSeverityIsHigh(t *testing.T) {
	data := `{"config": {"protocol_version": "v1.0.0", "scanner_name": "govulncheck", "scanner_version": "v1.1.0"}}
{"osv": {"id": "GO-1"}}
{"osv": {"id": "GO-2", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L"}]}}
{"osv": {"id": "GO-3", "database_specific": {"severity": "LOW"}}}
{"osv": {"id": "GO-4"}}
{"osv": {"id": "GO-5", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L"}]}}
{"finding": {"osv": "GO-1", "trace": [{"module": "example.com/a", "version": "v1.0.0", "package": "example.com/a", "function": "F"}]}}
{"finding": {"osv": "GO-2", "trace": [{"module": "example.com/b", "version": "v1.0.0", "package": "example.com/b", "function": "G"}]}}
{"finding": {"osv": "GO-3", "trace": [{"module": "example.com/c", "version": "v1.0.0", "package": "example.com/c", "function": "H"}]}}
{"finding": {"osv": "GO-4", "trace": [{"module": "example.com/d", "version": "v1.0.0", "package": "example.com/d"}]}}
{"finding": {"osv": "GO-5", "trace": [{"module": "example.com/e", "version": "v1.0.0"}]}}`
	_, doc, err := h.Bytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]document.Severity{
		"GO-1": document.SeverityHigh,    // called, no severity
		"GO-2": document.SeverityLow,     // called, scored 2.0
		"GO-3": document.SeverityHigh,    // called, a word but no score: at least high
		"GO-4": document.SeverityUnknown, // imported only
		"GO-5": document.SeverityLow,     // required only, scored
	} {
		if f := ingesttest.Find(t, doc, id, ""); f.Severity != want {
			t.Errorf("%s (%s): severity %s, want %s", id, f.Confidence, f.Severity, want)
		}
	}
}

func TestUnsupported(t *testing.T) {
	data := "{\"config\": {\"protocol_version\": \"v2.0.0\", \"scanner_name\": \"govulncheck\"}}\n{\"progress\": {}}"
	f, err := sniff.New("x", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	ok, err := New().Detect(f)
	if !ok || !errors.Is(err, sniff.ErrUnsupported) || !strings.Contains(err.Error(), `"v2.0.0" (want v1.x)`) {
		t.Errorf("Detect = %v, %v", ok, err)
	}
	if _, err := New().Ingest(f); !errors.Is(err, sniff.ErrUnsupported) {
		t.Errorf("Ingest (forced) = %v", err)
	}
}

func TestErrors(t *testing.T) {
	h.AssertErrors(t, []ingesttest.ErrorCase{
		{Name: "type", Data: "{\"config\": {\"protocol_version\": \"v1.0.0\"}}\n{\"finding\": {\"osv\": 5}}", Want: "message 2: line 2, column"},
		{Name: "no osv id", Data: "{\"config\": {\"protocol_version\": \"v1.0.0\"}}\n{\"finding\": {\"fixed_version\": \"v1\"}}", Want: "message 2: finding without an osv id"},
		{Name: "entry without id", Data: "{\"config\": {\"protocol_version\": \"v1.0.0\"}}\n{\"osv\": {\"summary\": \"x\"}}", Want: "message 2: osv entry without an id"},
		{Name: "legacy type", Data: `{"Vulns": [{"CallSink": "x"}], "Modules": []}`, Want: "line 1, column"},
		{Name: "legacy no id", Data: `{"Vulns": [{"Symbol": "x"}], "Modules": []}`, Want: "entry 0 of Vulns: no OSV entry id"},
	})
}

// TestDetect checks that only govulncheck's corpus files are claimed.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "govulncheck")
	ingesttest.AssertDetect(t, in, []ingesttest.DetectCase{
		// A clean scan: config and progress only.
		{Data: "{\"config\": {\"protocol_version\": \"v1.0.0\", \"scanner_name\": \"govulncheck\"}}\n{\"progress\": {\"message\": \"x\"}}", Want: true},
		{Data: `{"config": {"protocol_version": "v1.0.0"}}`, Want: true},
		{Data: `{"config": {"name": "x"}}`, Want: false},
		{Data: "{\"config\": {\"name\": \"x\"}}\n{\"osv\": {}}", Want: false},
		{Data: "{\"a\": 1}\n{\"b\": 2}", Want: false},
		{Data: `{"Vulns": []}`, Want: false},
	})
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 64<<10, "govulncheck")
	f.Add([]byte("{\"config\": {\"protocol_version\": \"v1\"}}\n{\"finding\": {\"osv\": \"G\", \"trace\": [{\"function\": \"f\", \"position\": {\"filename\": \"\"}}, {\"position\": {}}]}}\n{\"osv\": {\"id\": \"G\", \"affected\": [null]}}\n[]"))
	f.Add([]byte(`{"Vulns": [null, {"OSV": {"id": "G"}, "CallSink": 1}], "Calls": {"Functions": {"1": {"CallSites": [null, {"Parent": 1}, {"Parent": 2, "Pos": {"Filename": "a"}}]}, "2": null}, "Entries": [2]}, "Modules": [null]}`))
	f.Add([]byte("{\"config\": {\"protocol_version\": \"v1.0.0\"}}\n{\"progress\": null}\n{\"osv\": {\"id\": \"G\"}}\n{\"progress\": {\"message\": \"\"}}"))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}

// cutStream returns the messages of a corpus stream before the first one
// that holds marker: the stream govulncheck would have written had it
// stopped there.
func cutStream(t *testing.T, name, marker string) []byte {
	t.Helper()
	data := ingesttest.Corpus(t, "govulncheck", name)
	i := strings.Index(string(data), marker)
	if i < 0 {
		t.Fatalf("%s: no %q", name, marker)
	}
	// Back to the start of the message holding the marker: a "{" at the
	// start of a line.
	j := strings.LastIndex(string(data[:i]), "\n{")
	return data[:j+1]
}

// TestGovulncheckOSVWithoutFindingsIsIncomplete: govulncheck 1.1.4's real
// stream cut after its OSV entries (before "Checking the code against the
// vulnerabilities...") holds entries but no finding: the scan did not
// reach the check. Cut after that message, it is a complete scan that
// found nothing; so is a stream with no entries at all.
func TestGovulncheckOSVWithoutFindingsIsIncomplete(t *testing.T) {
	const real = "govulncheck-stream-with-sbom-116-findings.json"
	tests := []struct {
		name   string
		data   []byte
		reason string
	}{
		{"cut after the entries", cutStream(t, real, "Checking the code against the vulnerabilities"),
			"the stream holds 190 OSV entries but no finding, and ends before govulncheck says it checked the code against them"},
		{"cut before the findings", cutStream(t, real, `"finding"`), ""},
		{"no entries", cutStream(t, real, `"osv"`), ""},
		{"one entry, no progress", []byte("{\"config\": {\"protocol_version\": \"v1.0.0\"}}\n{\"osv\": {\"id\": \"GO-1\"}}"),
			"the stream holds 1 OSV entry but no finding, and ends before govulncheck says it checked the code against them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := h.Finish(t, h.Must(t, tt.data))
			if len(doc.Findings) != 0 {
				t.Errorf("%d findings", len(doc.Findings))
			}
			if s := doc.Sources[0]; s.Complete != (tt.reason == "") || s.IncompleteReason != tt.reason {
				t.Errorf("complete %v, reason %q; want %q", s.Complete, s.IncompleteReason, tt.reason)
			}
		})
	}
	// Every corpus stream is complete.
	for _, name := range []string{real, "govulncheck-binary-mode.json", "govulncheck-module-level-scan.json", "govulncheck-source-symbol-scan.json", "govulncheck-legacy-pre1.0-vulns-calls.json"} {
		if _, doc := h.File(t, name); !doc.Sources[0].Complete {
			t.Errorf("%s: incomplete: %s", name, doc.Sources[0].IncompleteReason)
		}
	}
}
