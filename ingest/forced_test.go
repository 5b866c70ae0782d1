package ingest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/ingest/sniff"
)

// TestForcedFormatOnOtherReportFails forces every format on every corpus
// report of another format: none may be read, for read it would be an
// empty report and a pass. Empty arrays are left out: `[]` is a report
// of nothing whatever tool wrote it.
func TestForcedFormatOnOtherReportFails(t *testing.T) {
	for _, path := range corpusFiles(t) {
		name := rel(path)
		if corpusEmpty[name] {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		own := corpusFormats[filepath.Dir(name)]
		for _, format := range ingest.Formats() {
			if format == own {
				continue
			}
			_, rep, err := ingest.Bytes(name, format, data)
			if err == nil {
				t.Errorf("%s:%s read as %s: %d findings, %d components", format, name, format, len(rep.Findings), len(rep.Components))
				continue
			}
			if !errors.Is(err, ingest.ErrNotForcedFormat) && !errors.Is(err, sniff.ErrFailedScan) {
				t.Errorf("%s:%s: error %q is not ErrNotForcedFormat", format, name, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("%s:%s: error of several lines: %q", format, name, err)
			}
		}
	}
}

// TestForcedFormatOnOwnCorpus forces each corpus report's own format: it
// reads as it does when detected.
func TestForcedFormatOnOwnCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		name := rel(path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		own := corpusFormats[filepath.Dir(name)]
		src, rep, err := ingest.Bytes(name, own, data)
		if want, ok := corpusErrors[name]; ok {
			if !errors.Is(err, want) {
				t.Errorf("%s: err = %v, want %v", name, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s:%s: %v", own, name, err)
			continue
		}
		if src.Format != own {
			t.Errorf("%s:%s: format %q", own, name, src.Format)
		}
		if corpusEmpty[name] {
			continue
		}
		_, drep, err := ingest.Bytes(name, "", data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rep.Findings) != len(drep.Findings) || len(rep.Components) != len(drep.Components) {
			t.Errorf("%s:%s: %d findings, %d components; detected: %d, %d", own, name,
				len(rep.Findings), len(rep.Components), len(drep.Findings), len(drep.Components))
		}
	}
}

// TestForcedTrivyOnBanditFails is the case of the issue: trivy:PATH on a
// Bandit report was a pass.
func TestForcedTrivyOnBanditFails(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "corpus", "bandit", "bandit-one-result.json"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ingest.Bytes("b.json", "trivy", data)
	var se *ingest.ShapeError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a ShapeError", err)
	}
	for _, want := range []string{"forced format trivy: no trivy report shape", `"Results"`, "results", "it reads as a bandit report"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestForcedFormatOnShapelessJSONFails forces each format on JSON no
// detection claims: none has the format's keys.
func TestForcedFormatOnShapelessJSONFails(t *testing.T) {
	for _, data := range []string{`{"foo":1}`, `[{"foo":1}]`, `{"results":[{"foo":1}]}`, `{"Results":1}x`, "plain text"} {
		for _, format := range ingest.Formats() {
			if _, _, err := ingest.Bytes("x", format, []byte(data)); err == nil {
				t.Errorf("%s on %s: read", format, data)
			}
		}
	}
}

// TestForcedEmptyArray: `[]` forced as a format that writes arrays is a
// report of nothing.
func TestForcedEmptyArray(t *testing.T) {
	for _, format := range []string{"eslint", "gitleaks", "pip-audit", "snyk", "safety", "retirejs", "trivy", "empty"} {
		src, rep, err := ingest.Bytes("x", format, []byte(" [ ] "))
		if err != nil {
			t.Errorf("%s: %v", format, err)
			continue
		}
		if src.Format != format || len(rep.Findings) != 0 {
			t.Errorf("%s: %+v %+v", format, src, rep)
		}
	}
}

// FuzzForced forces every format on arbitrary input: no panic, and a
// report read is valid; an error is one line.
func FuzzForced(f *testing.F) {
	for _, name := range []string{"bandit/bandit-one-result.json", "trivy-json/trivy-image-alpine-no-vulns.json", "semgrep/semgrep-empty.json"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "corpus", filepath.FromSlash(name)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"results":[{"source":{}}]}`))
	f.Add([]byte(`[[ "a","b","c","d","1"]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range ingest.Formats() {
			_, _, err := ingest.Bytes("x", format, data)
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: error of several lines: %q", format, err)
			}
		}
	})
}
