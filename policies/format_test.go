package policies_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/secgate/secgate/internal/testutil"
)

// TestRegoIsFormatted checks every .rego file of the repository against
// `opa fmt` (OPA's format package, Rego v1). With -update it rewrites them.
func TestRegoIsFormatted(t *testing.T) {
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		got, err := format.SourceWithOpts(path, src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if !bytes.Equal(got, src) {
			if *testutil.Update {
				return os.WriteFile(path, got, 0o644)
			}
			t.Errorf("%s is not formatted as opa fmt would (go test ./policies -run TestRegoIsFormatted -update)", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
