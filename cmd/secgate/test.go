package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/textsafe"
)

func testCommand() *cli.Command {
	return &cli.Command{
		Name:      "test",
		Usage:     "run Rego unit tests (test_* rules) with secgate's builtins",
		ArgsUsage: "[PATH...] (policy folders or files; default: the built-in policies)",
		Description: "Prints one line per failing test (all of them with -v) and a summary line\n" +
			"\"N passed, M failed\". Exit 1 when a test fails, 2 when a policy does not compile.",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every test, with its print output"},
			&cli.BoolFlag{Name: "coverage", Usage: "report line coverage of the policies under test"},
			&cli.StringFlag{Name: "run", Usage: "run only the tests whose package.name matches this regular expression"},
			&cli.StringSliceFlag{Config: trimSpace, Name: "data", Aliases: []string{"d"}, Usage: "JSON or YAML data visible to policies under data (repeatable)"},
			&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "secgate.yaml whose sections the tests see as data.secgate.config (and whose verification_key bundles must be signed with)"},
			regoVersionFlag(),
			&cli.StringFlag{Name: "explain", Usage: "show under each failing test (every test with -v) why, as opa test --explain: " + strings.Join(eval.ExplainModes, ", ")},
			&cli.BoolFlag{Name: "trace", Usage: "conftest verify's --trace: --explain full"},
		}, sourceFlags()...),
		Action: func(ctx context.Context, c *cli.Command) error {
			paths := c.Args().Slice()
			var cfg *config.Config
			var err error
			if p := c.String("config"); p != "" {
				cfg, err = config.Load(p)
			} else {
				cfg, err = config.Defaults()
			}
			if err != nil {
				return err
			}
			fetch, verify, err := sourceOptionsFrom(c, cfg)
			if err != nil {
				return err
			}
			v0, err := regoV0From(c)
			if err != nil {
				return err
			}
			explain, err := explainFrom(c)
			if err != nil {
				return err
			}
			if explain != "" && c.Bool("coverage") {
				return fmt.Errorf("--explain and --trace cannot be given with --coverage (OPA's test runner traces or covers)")
			}
			return runTest(ctx, testOptions{
				Verbose:  c.Bool("verbose"),
				Coverage: c.Bool("coverage"),
				Run:      c.String("run"),
				Explain:  explain,
				Policy: gate.Policy{
					Sources: paths, Config: cfg, DataFiles: stringList(c, "data"),
					Fetch: fetch, Verify: verify, RegoV0: v0,
				},
			}, c.Root().Writer)
		},
	}
}

type testOptions struct {
	Verbose  bool
	Coverage bool
	Run      string
	// Explain shows each shown test's trace: full, fails, notes or "".
	Explain string
	// Policy holds the sources under test (none: the built-ins), how
	// they are fetched and verified, and the data the tests see.
	Policy gate.Policy
}

func runTest(ctx context.Context, opts testOptions, stdout io.Writer) error {
	pols, _, err := gate.LoadPolicies(ctx, opts.Policy, eval.Filter{Tests: true})
	if err != nil {
		return err
	}
	data, err := gate.PolicyData(opts.Policy)
	if err != nil {
		return err
	}
	rep, err := eval.RunTests(ctx, eval.TestOptions{Policies: pols, Data: data, Coverage: opts.Coverage, Run: opts.Run, Explain: opts.Explain})
	if err != nil {
		return err
	}
	for _, r := range rep.Results {
		status := "PASS"
		switch {
		case r.Skip:
			status = "SKIP"
		case r.Error != nil:
			status = "ERROR"
		case r.Fail:
			status = "FAIL"
		}
		if status == "PASS" && !opts.Verbose {
			continue
		}
		loc := ""
		if r.Location != nil {
			loc = fmt.Sprintf(" (%s:%d)", r.Location.File, r.Location.Row)
		}
		fmt.Fprintf(stdout, "%s %s %s\n", status, textsafe.Clean(strings.TrimPrefix(r.Package, "data.")+"."+r.Name+loc, 0), r.Duration.Round(1000))
		if r.Error != nil {
			fmt.Fprintf(stdout, "    %s\n", oneLine(r.Error.Error()))
		}
		if len(r.Output) > 0 && (opts.Verbose || status != "PASS") {
			for _, line := range strings.Split(strings.TrimRight(string(r.Output), "\n"), "\n") {
				fmt.Fprintf(stdout, "    | %s\n", textsafe.Clean(line, 0))
			}
		}
		if opts.Explain != "" && len(r.Trace) > 0 {
			if err := eval.WriteExplanation(stdout, r.Trace, opts.Explain, "    "); err != nil {
				return err
			}
		}
	}
	if rep.Coverage != nil {
		var files []string
		covered, total := 0, 0
		for f, fr := range rep.Coverage.Files {
			if strings.HasSuffix(f, "_test.rego") {
				continue
			}
			files = append(files, f)
			covered += fr.CoveredLines
			total += fr.CoveredLines + fr.NotCoveredLines
		}
		sort.Strings(files)
		fmt.Fprintf(stdout, "coverage: %.1f%%\n", percent(covered, total))
		for _, f := range files {
			fr := rep.Coverage.Files[f]
			fmt.Fprintf(stdout, "  %5.1f%% %s\n", percent(fr.CoveredLines, fr.CoveredLines+fr.NotCoveredLines), f)
		}
	}
	summary := fmt.Sprintf("%d passed, %d failed", rep.Passed, rep.Failed)
	if rep.Skipped > 0 {
		summary += fmt.Sprintf(", %d skipped", rep.Skipped)
	}
	fmt.Fprintln(stdout, summary)
	if rep.Passed+rep.Failed == 0 {
		return fmt.Errorf("no tests found (test rules are named test_*)")
	}
	if rep.Failed > 0 {
		return errPolicy
	}
	return nil
}

func percent(n, total int) float64 {
	if total == 0 {
		return 100
	}
	return 100 * float64(n) / float64(total)
}
