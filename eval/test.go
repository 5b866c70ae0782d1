package eval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/secgate/secgate/eval/builtins"
)

// TestOptions configure a run of Rego unit tests.
type TestOptions struct {
	Policies *Policies
	// Data is laid over the policies' own data, as for evaluation.
	Data map[string]any
	// Coverage computes line coverage of the non-test modules.
	Coverage bool
	// Run selects tests by regular expression over package.name.
	Run     string
	Timeout time.Duration
	// Explain keeps each test's trace (Result.Trace) for
	// WriteExplanation: ExplainFull, ExplainFails or ExplainNotes, or ""
	// for none. It cannot be had with Coverage (OPA's runner traces or
	// covers).
	Explain string
}

// TestReport is the outcome of a test run.
type TestReport struct {
	Results []*tester.Result
	Passed  int
	Failed  int // failed or errored
	Skipped int
	// Coverage is the percentage of covered lines; set with TestOptions.Coverage.
	Coverage *cover.Report
}

// RunTests runs every test_ rule of the policies with secgate's builtins,
// the same capabilities as evaluation, strict builtin errors and pinned
// randomness: the one runner behind `go test` and `secgate test`.
func RunTests(ctx context.Context, opts TestOptions) (*TestReport, error) {
	caps := DefaultCapabilities()
	caps.Builtins = append(caps.Builtins, builtins.Decls()...)
	data := map[string]any{}
	if err := mergeData(data, opts.Policies.Data, "", mustAgree); err != nil {
		return nil, fmt.Errorf("policy data: %w", err)
	}
	MergeOver(data, opts.Data)
	store := inmem.NewFromObject(data)
	compiler := ast.NewCompiler().
		WithCapabilities(caps).
		WithDefaultRegoVersion(ast.RegoV1).
		WithEnablePrintStatements(true)

	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		SetModules(opts.Policies.Modules).
		AddCustomBuiltins(builtins.All()).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true).
		SetDefaultRegoVersion(ast.RegoV1).
		SetTimeout(timeout)
	if opts.Run != "" {
		runner = runner.Filter(opts.Run)
	}
	if opts.Explain != "" {
		if !slices.Contains(ExplainModes, opts.Explain) {
			return nil, fmt.Errorf("explain: want %s, got %q", strings.Join(ExplainModes, ", "), opts.Explain)
		}
		if opts.Coverage {
			return nil, errors.New("explain and coverage cannot be had in one run")
		}
		runner = runner.EnableTracing(true)
	}
	var cov *cover.Cover
	if opts.Coverage {
		cov = cover.New()
		runner = runner.SetCoverageQueryTracer(cov)
	}

	txn, err := store.NewTransaction(ctx, storage.TransactionParams{})
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", testSetupError(err))
	}
	rep := &TestReport{}
	for r := range ch {
		rep.Results = append(rep.Results, r)
		switch {
		case r.Skip:
			rep.Skipped++
		case r.Pass():
			rep.Passed++
		default:
			rep.Failed++
		}
	}
	sort.SliceStable(rep.Results, func(i, j int) bool {
		a, b := rep.Results[i], rep.Results[j]
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		return a.Name < b.Name
	})
	if cov != nil {
		mods := map[string]*ast.Module{}
		for name, m := range compiler.Modules {
			if !isTestModule(name) {
				mods[name] = m
			}
		}
		r := cov.Report(mods)
		rep.Coverage = &r
	}
	return rep, nil
}

func isTestModule(name string) bool {
	return len(name) > len("_test.rego") && name[len(name)-len("_test.rego"):] == "_test.rego"
}

func testSetupError(err error) error {
	if errs, ok := err.(ast.Errors); ok {
		return fmt.Errorf("%s", astErrors(errs))
	}
	return err
}
