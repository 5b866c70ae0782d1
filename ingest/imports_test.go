package ingest_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestIngestersImportNoSibling: no ingester imports another. What two of
// them share lives in internal/ecosystem, internal/license or
// ingest/internal; ingest/sniff is the detection every ingester uses.
// Test files count too: a test that needs a sibling's reader is a sign
// the shared part is in the wrong place.
func TestIngestersImportNoSibling(t *testing.T) {
	const prefix = "github.com/secgate/secgate/ingest/"
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	ingesters := 0
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "internal" || e.Name() == "sniff" || e.Name() == "testdata" {
			continue
		}
		ingesters++
		own := prefix + e.Name()
		err := filepath.WalkDir(e.Name(), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				rest, ok := strings.CutPrefix(p, prefix)
				if !ok || p == own || strings.HasPrefix(p, own+"/") || strings.HasPrefix(rest, "internal/") || rest == "sniff" {
					continue
				}
				t.Errorf("%s imports the ingester %s", path, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if ingesters < 10 {
		t.Fatalf("found %d ingesters; is the test run from ingest/?", ingesters)
	}
}
