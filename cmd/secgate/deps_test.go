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

// serverPackages are OPA's server runtime, which secgate-opa links and
// secgate must not: OPA's command line, runtime, HTTP server and
// plugins, and the package that runs them with secgate's builtins.
// Linked into secgate they took the start-up of every command from
// 26–30 to 48 ms and the binary from 58 to 81 MB. (OPA's test runner,
// which secgate test uses, imports opa/cmd/formats, a list of names.)
var serverPackages = []string{
	"github.com/open-policy-agent/opa/cmd",
	"github.com/open-policy-agent/opa/v1/runtime",
	"github.com/open-policy-agent/opa/v1/server",
	"github.com/open-policy-agent/opa/v1/plugins",
	"github.com/secgate/secgate/internal/opaserver",
}

// deps is what go list -deps says pkg is built from.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	d := strings.Fields(string(out))
	if len(d) < 100 {
		t.Fatalf("go list -deps %s gave %d packages, want the hundreds it is built from", pkg, len(d))
	}
	return d
}

// under reports whether pkg is p or one of its subpackages.
func under(pkg, p string) bool { return pkg == p || strings.HasPrefix(pkg, p+"/") }

// TestBinaryLinksNoTestOnlyPackage: no package secgate is built from is
// one of testOnlyPackages or under one.
func TestBinaryLinksNoTestOnlyPackage(t *testing.T) {
	for _, dep := range deps(t, ".") {
		for _, p := range testOnlyPackages {
			if under(dep, p) {
				t.Errorf("secgate links %s (run go list -deps ./cmd/secgate to see what imports it)", dep)
			}
		}
	}
}

// TestBinaryLinksNoOPAServer: secgate links none of serverPackages (but
// opa/cmd/formats), and secgate-opa links them: OPA's server stays in
// its own binary.
func TestBinaryLinksNoOPAServer(t *testing.T) {
	for _, dep := range deps(t, ".") {
		for _, p := range serverPackages {
			if under(dep, p) && dep != "github.com/open-policy-agent/opa/cmd/formats" {
				t.Errorf("secgate links %s, OPA's server runtime: only cmd/secgate-opa may (run go list -deps ./cmd/secgate to see what imports it)", dep)
			}
		}
	}
	server := map[string]bool{}
	for _, dep := range deps(t, "../secgate-opa") {
		server[dep] = true
	}
	for _, p := range serverPackages {
		if !server[p] {
			t.Errorf("secgate-opa does not link %s: is the list above still OPA's server?", p)
		}
	}
}
