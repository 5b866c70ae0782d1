package policies

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// LibPackage is the Rego package of the policies' shared library: no
// policy of its own.
const LibPackage = "secgate.lib"

// Policy describes one built-in policy, as its `# METADATA` package
// annotation says.
type Policy struct {
	// Package is the Rego package, without "data." (secgate.thresholds).
	Package     string `json:"package"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Severity is the severity of the policy's violations by default.
	Severity string `json:"severity,omitempty"`
	// Section is the secgate.yaml section that configures the policy
	// (data.secgate.config.SECTION); "" when none does.
	Section string `json:"config_section,omitempty"`
}

// Catalogue lists the built-in policies, by package; the shared library
// is none.
func Catalogue() ([]Policy, error) {
	var out []Policy
	err := fs.WalkDir(FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".rego") || strings.HasSuffix(name, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(FS, name)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			return fmt.Errorf("built-in policy %s: %w", name, err)
		}
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if pkg == LibPackage {
			return nil
		}
		p := Policy{Package: pkg}
		for _, a := range m.Annotations {
			if a.Scope != "package" {
				continue
			}
			p.Title, p.Description = a.Title, strings.TrimSpace(a.Description)
			p.Severity, _ = a.Custom["severity"].(string)
			p.Section, _ = a.Custom["config"].(string)
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Package < out[j].Package })
	return out, nil
}
