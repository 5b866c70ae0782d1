package diff_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/secgate/secgate/diff"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/benchgen"
)

// BenchmarkCompute compares two versions of a 100,000-finding Trivy
// report (the same report twice: every finding still open, the most
// work identity does).
func BenchmarkCompute(b *testing.B) {
	data, err := benchgen.Bytes("trivy", 100000)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "trivy.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	oldDoc, _, err := gate.LoadSide([]string{path}, ingest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	newDoc, _, err := gate.LoadSide([]string{path}, ingest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		diff.Compute(oldDoc, newDoc)
	}
}
