package eval_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/policies"
)

// bigDoc is a document of n open vulnerabilities across all severities,
// shaped like a large Trivy report.
func bigDoc(n int) *document.Document {
	d := document.New()
	sevs := []document.Severity{"critical", "high", "medium", "low", "unknown"}
	for i := 0; i < n; i++ {
		f := document.Finding{
			Kind: document.KindVulnerability, RuleID: fmt.Sprintf("CVE-20%d-%d", 10+i%15, 10000+i),
			Title: fmt.Sprintf("Vulnerability %d", i), Description: strings.Repeat("A flaw was found. ", 5),
			Severity: sevs[i%len(sevs)], Status: document.StatusOpen,
			Package:       &document.Package{Name: fmt.Sprintf("pkg-%d", i%2000), Version: fmt.Sprintf("1.%d.0", i%7), Purl: fmt.Sprintf("pkg:npm/pkg-%d@1.%d.0", i%2000, i%7)},
			FixedVersions: []string{fmt.Sprintf("1.%d.1", i%7)},
			References:    []string{fmt.Sprintf("https://example.org/advisory/%d", i)},
		}
		d.Findings = append(d.Findings, f)
	}
	d.Add(document.Source{Path: "big.json", Format: "trivy", SHA256: strings.Repeat("0", 64)}, &document.Report{Findings: d.Findings})
	d.Findings = d.Findings[n:]
	d.Finish()
	return d
}

func builtinEngine(b *testing.B) *eval.Engine {
	pols, err := eval.LoadFS("builtin", policies.FS, eval.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	pols.NamedFieldsOnly = true // as check gives the built-ins alone
	pols.Checked = true
	cfg, err := config.Defaults()
	if err != nil {
		b.Fatal(err)
	}
	e, err := eval.New(context.Background(), eval.Options{Policies: pols, Data: cfg.Data()})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkEvaluateBuiltins evaluates the built-in policies over documents
// of 50 and 100,000 findings.
func BenchmarkEvaluateBuiltins(b *testing.B) {
	e := builtinEngine(b)
	for _, n := range []int{50, 100000} {
		d := bigDoc(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Evaluate(context.Background(), d, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuildBuiltins loads, parses, compiles and prepares the
// built-in policies: what every check pays before evaluating.
func BenchmarkBuildBuiltins(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		builtinEngine(b)
	}
}
