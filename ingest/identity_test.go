package ingest

import (
	"path/filepath"
	"testing"
)

// TestGosecJSONAndSARIFOfOneRunAreOneSetOfFindings: gosec writes absolute
// paths in JSON and paths relative to the scanned root in SARIF; read
// together, the run's six issues are six findings, each reported twice.
func TestGosecJSONAndSARIFOfOneRunAreOneSetOfFindings(t *testing.T) {
	for _, order := range [][]string{
		{"gosec/gosec-2.30-run-pair.json", "sarif/gosec-2.30-run-pair.sarif"},
		{"sarif/gosec-2.30-run-pair.sarif", "gosec/gosec-2.30-run-pair.json"},
	} {
		var paths []string
		for _, p := range order {
			paths = append(paths, filepath.Join("..", "testdata", "corpus", p))
		}
		doc, err := Load(paths, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Findings) != 6 {
			t.Errorf("%v: %d findings, want 6", order, len(doc.Findings))
		}
		for _, f := range doc.Findings {
			if len(f.Origins) != 2 || f.Location == nil || filepath.IsAbs(f.Location.Path) {
				t.Errorf("%v: %s at %+v: %d origins, want 2 and a relative path", order, f.RuleID, f.Location, len(f.Origins))
			}
		}
	}
}
