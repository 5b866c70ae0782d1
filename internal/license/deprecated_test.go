package license

import (
	"slices"
	"strings"
	"testing"

	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
)

// TestDeprecatedLicencesCoverSPDXList: the generated table names every id
// go-spdx's licence list marks deprecated, each with a valid replacement
// of current ids. A go-spdx update that deprecates more fails here: run
// go generate ./internal/license.
func TestDeprecatedLicencesCoverSPDXList(t *testing.T) {
	deprecated := spdxlicenses.GetDeprecated()
	if len(deprecatedLicences) != len(deprecated) {
		t.Errorf("table has %d ids, the SPDX list %d deprecated", len(deprecatedLicences), len(deprecated))
	}
	for _, id := range deprecated {
		repl, ok := deprecatedLicences[id]
		if !ok {
			t.Errorf("deprecated %s has no replacement", id)
			continue
		}
		if valid, _ := Read(repl); !valid {
			t.Errorf("%s: replacement %q is not valid", id, repl)
		}
		if licence, _, _ := strings.Cut(repl, " WITH "); slices.Contains(deprecated, licence) {
			t.Errorf("%s: replacement %q is deprecated too", id, repl)
		}
	}
}
