package bundles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOriginNamesTheContent: a local folder's origin carries the digest
// of its modules: the same for the same policies, another for a changed
// rule, so a recorded decision says which policies made it.
func TestOriginNamesTheContent(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		if err := os.WriteFile(filepath.Join(dir, "p.rego"), []byte("package team\n\n"+body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		pols, _, err := LoadPolicies([]*Fetched{{Address: dir, Path: dir, Kind: KindFolder}}, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return pols.Origins[0]
	}
	a := write(`deny contains "x" if input.a`)
	if again := write(`deny contains "x" if input.a`); again != a {
		t.Errorf("the same policies: %s, then %s", a, again)
	}
	b := write(`deny contains "x" if input.b`)
	if b == a || !strings.HasPrefix(a, dir+" sha256:") || len(a) != len(dir)+len(" sha256:")+64 {
		t.Errorf("origins %q and %q", a, b)
	}
}
