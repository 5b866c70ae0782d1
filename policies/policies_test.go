package policies_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/policies"
)

// minCoverage is the line coverage every built-in policy must keep.
const minCoverage = 90.0

// TestBuiltinPolicies runs the Rego unit tests of the built-in policies
// with the same runner as `secgate test`, and enforces their coverage.
func TestBuiltinPolicies(t *testing.T) {
	pols, err := eval.LoadFS("builtin", policies.FS, eval.Filter{Tests: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eval.RunTests(context.Background(), eval.TestOptions{Policies: pols, Data: cfg.Data(), Coverage: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if !r.Pass() {
			msg := ""
			if r.Error != nil {
				msg = r.Error.Error()
			}
			t.Errorf("%s.%s failed %s %s", r.Package, r.Name, msg, r.Output)
		}
	}
	if rep.Passed < 40 {
		t.Errorf("only %d Rego tests passed; the built-ins have more", rep.Passed)
	}
	for file, fr := range rep.Coverage.Files {
		if strings.HasSuffix(file, "_test.rego") {
			continue
		}
		total := fr.CoveredLines + fr.NotCoveredLines
		if total == 0 {
			t.Errorf("%s: no lines measured", file)
			continue
		}
		cov := 100 * float64(fr.CoveredLines) / float64(total)
		if cov < minCoverage {
			var lines []string
			for _, r := range fr.NotCovered {
				lines = append(lines, fmt.Sprintf("%d-%d", r.Start.Row, r.End.Row))
			}
			t.Errorf("%s: coverage %.1f%%, want at least %.0f%% (not covered: %s)", file, cov, minCoverage, strings.Join(lines, ", "))
		}
	}
}

// TestConfigSectionsInSchema checks that the configuration section each
// built-in policy names (custom.config) is one secgate.yaml's schema
// describes, with defaults.
func TestConfigSectionsInSchema(t *testing.T) {
	pols, err := eval.LoadFS("builtin", policies.FS, eval.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range pols.Modules {
		for _, a := range m.Annotations {
			section, _ := a.Custom["config"].(string)
			if a.Scope != "package" || section == "" {
				continue
			}
			n++
			if _, ok := config.Section(section); !ok {
				t.Errorf("%s: config section %q is not in config's schema", m.Package.Path, section)
			}
			if d.Sections[section] == nil {
				t.Errorf("%s: config section %q has no defaults", m.Package.Path, section)
			}
		}
	}
	if n < 7 {
		t.Errorf("%d policies name a config section, want at least 7", n)
	}
}

// TestCatalogue lists each built-in policy once, with the title,
// description and severity of its annotation, and a configuration section
// the configuration has; the shared library is no policy.
func TestCatalogue(t *testing.T) {
	cat, err := policies.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	defaults := cfg.Sections
	want := []string{"secgate.coverage", "secgate.dependencies", "secgate.exceptions", "secgate.licenses", "secgate.secrets", "secgate.thresholds", "secgate.vex"}
	var got []string
	for _, p := range cat {
		got = append(got, p.Package)
		if p.Title == "" || p.Description == "" || p.Severity == "" {
			t.Errorf("%s: title %q, description %q, severity %q", p.Package, p.Title, p.Description, p.Severity)
		}
		if _, ok := defaults[p.Section]; p.Section != "" && !ok {
			t.Errorf("%s: section %q has no defaults", p.Package, p.Section)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("catalogue %v, want %v", got, want)
	}
	if th := cat[len(cat)-2]; th.Section != "thresholds" || th.Severity != "high" {
		t.Errorf("thresholds: %+v", th)
	}
}
