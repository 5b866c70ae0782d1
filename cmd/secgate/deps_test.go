package main

import (
	"os/exec"
	"strings"
	"testing"
)

// testOnlyPackages may be linked into tests, never into secgate: the JSON
// Schema library's init compiles every draft's meta-schema, milliseconds
// each run pays (config checks secgate.yaml itself, tests check it against
// the library), and internal/testutil, which imports it.
var testOnlyPackages = []string{
	"github.com/santhosh-tekuri/jsonschema",
	"github.com/secgate/secgate/internal/testutil",
}

// TestBinaryLinksNoTestOnlyPackage: no package secgate is built from is
// one of testOnlyPackages or under one.
func TestBinaryLinksNoTestOnlyPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list -deps gave %d packages, want the hundreds secgate is built from", len(deps))
	}
	for _, dep := range deps {
		for _, p := range testOnlyPackages {
			if dep == p || strings.HasPrefix(dep, p+"/") {
				t.Errorf("secgate links %s (run go list -deps ./cmd/secgate to see what imports it)", dep)
			}
		}
	}
}
