package enrich

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
)

var (
	epssFile = filepath.Join("..", "testdata", "enrich", "epss_scores-sample.csv")
	kevFile  = filepath.Join("..", "testdata", "enrich", "known_exploited_vulnerabilities-sample.json")
)

func TestLoadAndApply(t *testing.T) {
	ctx := context.Background()
	epss, err := LoadEPSS(ctx, epssFile, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e := epss["CVE-2021-44228"]; e.Score != 0.94358 || e.Percentile != 0.9997 || e.Date != "2025-06-18" {
		t.Errorf("log4shell EPSS = %+v", e)
	}
	kev, err := LoadKEV(ctx, kevFile, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if k := kev["CVE-2021-44228"]; !k.Listed || k.DateAdded != "2021-12-10" || k.DueDate != "2021-12-24" {
		t.Errorf("log4shell KEV = %+v", k)
	}
	d := document.New()
	d.Add(document.Source{Path: "x", Format: "x", SHA256: strings.Repeat("0", 64)}, &document.Report{Findings: []document.Finding{
		{Kind: document.KindVulnerability, RuleID: "GHSA-jfh8-c2jp-5v3q", Aliases: []string{"CVE-2021-44228"}, Package: &document.Package{Name: "log4j-core", Version: "2.14.1"}},
		{Kind: document.KindVulnerability, RuleID: "CVE-2000-0001", Package: &document.Package{Name: "x", Version: "1"}},
		{Kind: document.KindCode, RuleID: "CVE-2021-44228", Location: &document.Location{Path: "a"}},
	}})
	d.Finish()
	Apply(d, epss, kev)
	for _, f := range d.Findings {
		switch {
		case f.Kind == document.KindVulnerability && f.RuleID == "GHSA-jfh8-c2jp-5v3q":
			if f.EPSS == nil || f.KEV == nil || !f.KEV.Listed {
				t.Errorf("log4shell by alias: %+v %+v", f.EPSS, f.KEV)
			}
		default:
			if f.EPSS != nil || f.KEV != nil {
				t.Errorf("%s %s must not be enriched", f.Kind, f.RuleID)
			}
		}
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestGzipAndURL(t *testing.T) {
	raw, err := os.ReadFile(epssFile)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	path := filepath.Join(t.TempDir(), "epss.csv.gz")
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if e, err := LoadEPSS(context.Background(), path, Options{}); err != nil || len(e) != 5 {
		t.Fatalf("gzip: %d scores, %v", len(e), err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/epss.csv.gz" {
			http.NotFound(w, r)
			return
		}
		w.Write(gz.Bytes())
	}))
	defer srv.Close()
	if e, err := LoadEPSS(context.Background(), srv.URL+"/epss.csv.gz", Options{}); err != nil || len(e) != 5 {
		t.Fatalf("url: %d scores, %v", len(e), err)
	}
	if _, err := LoadEPSS(context.Background(), srv.URL+"/missing", Options{}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("a 404 must be an error naming it: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	for name, data := range map[string]string{
		"no header":    "CVE-1,0.5,0.5\n",
		"bad score":    "cve,epss,percentile\nCVE-1,2.0,0.5\n",
		"short row":    "cve,epss,percentile\nCVE-1\n",
		"empty":        "",
		"no rows":      "cve,epss,percentile\n",
		"not a number": "cve,epss,percentile\nCVE-1,x,0.1\n",
	} {
		if _, err := ParseEPSS([]byte(data)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	for name, data := range map[string]string{
		"not json":      "{",
		"no list":       `{"title": "x"}`,
		"list of junk":  `{"vulnerabilities": 3}`,
		"a json string": `"x"`,
	} {
		if _, err := ParseKEV([]byte(data)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	if _, err := LoadKEV(context.Background(), "nowhere.json", Options{}); err == nil || !strings.Contains(err.Error(), "kev nowhere.json: no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{epssFile, kevFile} {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if e, err := ParseEPSS(data); err == nil {
			for id, s := range e {
				if s.Score < 0 || s.Score > 1 || s.Percentile < 0 || s.Percentile > 1 {
					t.Fatalf("%s: %+v out of range", id, s)
				}
			}
		}
		ParseKEV(data)
	})
}

// TestApplyKeepsWorstFirst: KEV and EPSS are part of the findings' order,
// so Apply leaves the document worst first whoever calls it (check, and
// ingest --kev).
func TestApplyKeepsWorstFirst(t *testing.T) {
	doc := document.New()
	for _, id := range []string{"CVE-2024-0001", "CVE-2024-0002"} {
		doc.Findings = append(doc.Findings, document.Finding{ID: id, Kind: document.KindVulnerability, RuleID: id, Severity: document.SeverityHigh})
	}
	Apply(doc, nil, KEV{"CVE-2024-0002": {Listed: true}})
	if doc.Findings[0].RuleID != "CVE-2024-0002" {
		t.Errorf("first finding %s, want the KEV-listed CVE-2024-0002", doc.Findings[0].RuleID)
	}
}
