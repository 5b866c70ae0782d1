package ingest_test

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/testutil"
)

// corpusFormats maps a folder of testdata/corpus to the format every file
// in it must be detected as.
var corpusFormats = map[string]string{
	"sarif":          "sarif",
	"trivy-json":     "trivy",
	"grype-json":     "grype",
	"npm-audit":      "npm-audit",
	"cyclonedx-json": "cyclonedx",
	"cyclonedx-xml":  "cyclonedx",
	"spdx-json":      "spdx",
	"pip-audit":      "pip-audit",
	"safety":         "safety",
	"osv-scanner":    "osv-scanner",
	"govulncheck":    "govulncheck",
	"retirejs":       "retirejs",
	"snyk":           "snyk",
	"bandit":         "bandit",
	"semgrep":        "semgrep",
	"eslint":         "eslint",
	"gosec":          "gosec",
	"gitleaks":       "gitleaks",
	"openvex":        "openvex",
	"cyclonedx-vex":  "cyclonedx",
}

// corpusEmpty lists the corpus files that are an empty JSON array: no
// content can tell their tool, so they are the format "empty" with nothing
// in them.
var corpusEmpty = map[string]bool{
	"eslint/eslint-empty-array.json":          true,
	"gitleaks/gitleaks-empty-array.json":      true,
	"pip-audit/pip-audit-1.x-empty-list.json": true,
}

// corpusErrors lists the corpus files that must be refused, and why.
var corpusErrors = map[string]error{
	"npm-audit/npm-error-enoaudit.json": sniff.ErrFailedScan,
}

func corpusFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for dir := range corpusFormats {
		m, err := filepath.Glob(filepath.Join("..", "testdata", "corpus", dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		if len(m) == 0 {
			t.Fatalf("no corpus files in %s", dir)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	return files
}

// rel is a corpus file's path below testdata/corpus, as golden files name it.
func rel(path string) string {
	r, _ := filepath.Rel(filepath.Join("..", "testdata", "corpus"), path)
	return filepath.ToSlash(r)
}

// ingestOne ingests one corpus file into a finished document.
func ingestOne(t *testing.T, path, name string) (*document.Document, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src, rep, err := ingest.Bytes(name, "", data)
	if err != nil {
		return nil, err
	}
	doc := document.New()
	doc.Add(src, rep)
	doc.Finish()
	return doc, nil
}

// TestCorpusGolden ingests every corpus file of the supported formats: it
// must be detected as its folder's format, validate, and match its golden
// document under testdata/golden.
func TestCorpusGolden(t *testing.T) {
	for _, path := range corpusFiles(t) {
		name := rel(path)
		t.Run(name, func(t *testing.T) {
			doc, err := ingestOne(t, path, name)
			if want, ok := corpusErrors[name]; ok {
				if !errors.Is(err, want) {
					t.Fatalf("err = %v, want %v", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ingest: %v", err)
			}
			want := corpusFormats[filepath.Dir(name)]
			if corpusEmpty[name] {
				want = "empty"
				if len(doc.Findings)+len(doc.Components) != 0 {
					t.Fatalf("an empty report has %d findings", len(doc.Findings))
				}
			}
			if got := doc.Sources[0].Format; got != want {
				t.Fatalf("detected %q, want %q", got, want)
			}
			testutil.ValidateSchema(t, doc)
			testutil.Golden(t, filepath.Join("..", "testdata", "golden", name+".json"), testutil.JSON(t, doc))
		})
	}
}

// TestCorpusIDsStable checks that finding ids depend on the problem, not on
// the report's path, and that ingesting a report twice yields the same
// findings, each with two origins.
func TestCorpusIDsStable(t *testing.T) {
	for _, path := range corpusFiles(t) {
		name := rel(path)
		if _, bad := corpusErrors[name]; bad {
			continue
		}
		t.Run(name, func(t *testing.T) {
			a, err := ingestOne(t, path, "a/"+name)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ingestOne(t, path, "elsewhere/b.json")
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Findings) != len(b.Findings) {
				t.Fatalf("%d findings vs %d", len(a.Findings), len(b.Findings))
			}
			for i := range a.Findings {
				if a.Findings[i].ID != b.Findings[i].ID {
					t.Fatalf("finding %d: id %s under one path, %s under another", i, a.Findings[i].ID, b.Findings[i].ID)
				}
			}

			data, _ := os.ReadFile(path)
			twice := document.New()
			for _, p := range []string{"one", "two"} {
				src, rep, err := ingest.Bytes(p, "", data)
				if err != nil {
					t.Fatal(err)
				}
				twice.Add(src, rep)
			}
			twice.Finish()
			if len(twice.Findings) != len(a.Findings) || len(twice.Components) != len(a.Components) {
				t.Fatalf("twice: %d findings, %d components; once: %d, %d",
					len(twice.Findings), len(twice.Components), len(a.Findings), len(a.Components))
			}
			for _, f := range twice.Findings {
				sources := map[int]bool{}
				for _, o := range f.Origins {
					sources[o.Source] = true
				}
				if len(sources) != 2 {
					t.Fatalf("finding %s has origins in %d sources, want 2", f.ID, len(sources))
				}
			}
			testutil.ValidateSchema(t, twice)
		})
	}
}

// TestCrossToolMerge: Trivy's JSON and SARIF reports of one image name the
// same four vulnerabilities (the SARIF without purls or ecosystems); they
// are four findings, each reported by both.
func TestCrossToolMerge(t *testing.T) {
	jsonReport := filepath.Join("..", "testdata", "corpus", "trivy-json", "trivy-image-alpine310-os-vulns.json")
	sarifReport := filepath.Join("..", "testdata", "corpus", "sarif", "trivy-image-alpine310.sarif")
	for _, order := range [][]string{{jsonReport, sarifReport}, {sarifReport, jsonReport}} {
		crossToolMerge(t, order)
	}
}

func crossToolMerge(t *testing.T, reports []string) {
	doc, err := ingest.Load(reports, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 4 {
		t.Fatalf("%d findings, want 4", len(doc.Findings))
	}
	for _, f := range doc.Findings {
		formats := map[string]bool{}
		for _, o := range f.Origins {
			formats[doc.Sources[o.Source].Format] = true
		}
		if !formats["trivy"] || !formats["sarif"] {
			t.Errorf("%s in %s: reported by %v, want trivy and sarif", f.RuleID, f.Package.Name, formats)
		}
		if f.Package.Purl == "" {
			t.Errorf("%s: the merged finding lost the purl Trivy's JSON gave", f.RuleID)
		}
	}
	testutil.ValidateSchema(t, doc)
}
