package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/history"
	"github.com/secgate/secgate/report"
	"github.com/secgate/secgate/tickets"
)

// policyFlags are the flags that choose and configure policies.
func policyFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringSliceFlag{Config: trimSpace, Name: "policy", Aliases: []string{"p"}, Usage: "policy source: a folder, a .rego file, a bundle .tar.gz, \"builtin\", or a go-getter address (git::https://host/repo//dir?ref=v1, https://host/b.tar.gz) (repeatable; default: the built-in policies)"},
		&cli.StringSliceFlag{Config: trimSpace, Name: "data", Aliases: []string{"d"}, Usage: "JSON or YAML data visible to policies under data (repeatable)"},
		&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "secgate.yaml: thresholds, licences, approvals, exceptions (default: ./secgate.yaml when present)"},
		&cli.StringSliceFlag{Config: trimSpace, Name: "namespace", Usage: "evaluate only these Rego packages (repeatable; conftest's --namespace)"},
		&cli.BoolFlag{Name: "all-namespaces", Usage: "evaluate every package with deny, violation or warn rules (the default)"},
		&cli.StringFlag{Name: "capabilities", Usage: "OPA capabilities JSON file that replaces the restricted default (e.g. to allow http.send)"},
		&cli.DurationFlag{Name: "timeout", Value: eval.DefaultTimeout, Usage: "bound on one policy evaluation"},
		regoVersionFlag(),
		&cli.StringFlag{Name: "explain", Usage: "write to stderr why the deny, violation and warn rules fired, as opa eval --explain: " + strings.Join(eval.ExplainModes, ", ") + " (for small reports: at most " + strconv.Itoa(eval.MaxTraceEvents) + " steps)"},
		&cli.BoolFlag{Name: "trace", Usage: "conftest's --trace: --explain full"},
	}, sourceFlags()...)
}

func checkCommand() *cli.Command {
	flags := append(commonIngestFlags(), policyFlags()...)
	flags = append(flags,
		&cli.StringSliceFlag{Config: trimSpace, Name: "baseline", Usage: "history: (the project's latest run in the history), history:stage=release (its latest release run), or reports or SBOMs of the base (a folder or files), or the decision check -o json wrote on them (alone); findings and components are then marked new or not"},
		&cli.StringSliceFlag{Config: trimSpace, Name: "format", Aliases: []string{"o"}, Usage: "output FORMAT or FORMAT=PATH (repeatable): " + strings.Join(report.Names(), ", ")},
		&cli.StringFlag{Name: "fail-on", Value: gate.Fail, Usage: "fail: exit 1 on violations; warn: also on warnings"},
		&cli.StringFlag{Name: "tickets", Usage: "write remediation tickets to this folder (tickets.json and one Markdown file each)"},
		&cli.StringSliceFlag{Config: trimSpace, Name: "shadow-policy", Usage: "candidate policy source, as --policy takes (repeatable: together they replace the policies in force): evaluated beside them on the same reports and configuration, its decision and the violations and warnings it would add or remove are reported, never enforced; one that cannot be loaded is an error (exit 2)"},
	)
	flags = append(flags, historyFlags()...)
	flags = append(flags, attestFlags()...)
	flags = append(flags, opaFlags()...)
	return &cli.Command{
		Name:      "check",
		Usage:     "ingest reports, evaluate policies, and decide pass, warn or fail",
		ArgsUsage: reportArgs,
		Description: "Exit codes: 0 pass (or warn), 1 policy failure (or warn with --fail-on warn), 2 error.\n" +
			"A gate never passes on an error: unreadable reports, broken policies and no reports at all are exit 2.\n" +
			folderRules,
		Flags: flags,
		Action: func(ctx context.Context, c *cli.Command) error {
			opts, err := checkOptionsFrom(c)
			if err != nil {
				return err
			}
			return runCheck(ctx, opts, c.Root().Writer)
		},
	}
}

type checkOptions struct {
	// Gate is the check itself: reports, policies, exploit data.
	Gate    gate.Options
	Outputs []report.Output
	FailOn  string
	// TicketsDir is where remediation tickets are written; "" for none.
	TicketsDir string
	// Stderr receives notes: the folders' files skipped.
	Stderr io.Writer
	// History records the run; nil: not recorded.
	History *recorder
	// Attest writes the signed decision record; nil: none.
	Attest *attestOptions
}

func checkOptionsFrom(c *cli.Command) (checkOptions, error) {
	var opts checkOptions
	var err error
	if opts.Gate, err = ingestOptionsFrom(c); err != nil {
		return opts, err
	}
	opts.Stderr = c.Root().ErrWriter
	opts.Gate.Now, _ = time.Parse(time.RFC3339, opts.Gate.Context.Now)
	if opts.Gate.Policy, err = policyOptionsFrom(c); err != nil {
		return opts, err
	}
	if remote, err := remoteFrom(c, opts.Gate.Policy); err != nil {
		return opts, err
	} else if remote != nil {
		opts.Gate.Remote = remote
	}
	if shadow := stringList(c, "shadow-policy"); shadow != nil {
		// The same configuration, data, capabilities, verification and
		// fetching as the policies in force; only the sources differ.
		sp := opts.Gate.Policy
		sp.Sources = shadow
		sp.Explain = ""
		opts.Gate.Shadow = &sp
	}
	opts.Gate.Baseline = stringList(c, "baseline")
	opts.FailOn = c.String("fail-on")
	opts.TicketsDir = c.String("tickets")
	if opts.FailOn != gate.Fail && opts.FailOn != gate.Warn {
		return opts, fmt.Errorf("--fail-on: want fail or warn, got %q", opts.FailOn)
	}
	opts.History = recorderFrom(c, opts.Gate.Policy.Config)
	if opts.Attest, err = attestOptionsFrom(c, opts.FailOn, opts.Gate.Policy.Config); err != nil {
		return opts, err
	}
	if gate.IsHistorySide(opts.Gate.Baseline) {
		opts.Gate.History = gate.HistoryOptions{DSN: historyDSN(c.String("history"), opts.Gate.Policy.Config), Project: c.String("project")}
		if opts.Gate.History.DSN == "" {
			opts.Gate.History.DSN = history.DefaultPath
		}
		if opts.Gate.History.Project == "" {
			opts.Gate.History.Project = defaultProject(opts.Gate.Context)
		}
	}
	opts.Outputs, err = report.ParseOutputs(stringList(c, "format"), report.Options{
		Color:   report.IsTerminal(c.Root().Writer) && os.Getenv("NO_COLOR") == "",
		Version: buildVersion(),
	})
	return opts, err
}

func policyOptionsFrom(c *cli.Command) (gate.Policy, error) {
	var opts gate.Policy
	var err error
	if path := c.String("config"); path != "" {
		opts.Config, err = config.Load(path)
	} else {
		opts.Config, err = config.Find()
	}
	if err != nil {
		return opts, err
	}
	opts.Sources = stringList(c, "policy")
	if len(opts.Sources) == 0 {
		opts.Sources = opts.Config.Policies
	}
	opts.DataFiles = stringList(c, "data")
	if !c.Bool("all-namespaces") {
		opts.Namespaces = stringList(c, "namespace")
	}
	if path := c.String("capabilities"); path != "" {
		opts.Capabilities, err = ast.LoadCapabilitiesFile(path)
		if err != nil {
			return opts, fmt.Errorf("--capabilities %s: %w", path, err)
		}
	}
	opts.Timeout = c.Duration("timeout")
	if opts.RegoV0, err = regoV0From(c); err != nil {
		return opts, err
	}
	opts.Log = c.Root().ErrWriter
	if opts.Explain, err = explainFrom(c); err != nil {
		return opts, err
	}
	if opts.Fetch, opts.Verify, err = sourceOptionsFrom(c, opts.Config); err != nil {
		return opts, err
	}
	return opts, nil
}

// regoVersionFlag is conftest's --rego-version: v1 (the default) or v0,
// for policies written before Rego v1.
func regoVersionFlag() cli.Flag {
	return &cli.StringFlag{Name: "rego-version", Value: "v1", Usage: "Rego version of the policies in folders and files: v1, or v0 for policies written before Rego v1 (deny[msg] { … }); bundles say theirs in their manifest"}
}

// regoV0From reads --rego-version.
func regoV0From(c *cli.Command) (bool, error) {
	switch v := c.String("rego-version"); strings.ToLower(v) {
	case "v1":
		return false, nil
	case "v0":
		return true, nil
	default:
		return false, fmt.Errorf("--rego-version: want v0 or v1, got %q", v)
	}
}

// explainFrom reads --explain and --trace (conftest's, --explain full).
func explainFrom(c *cli.Command) (string, error) {
	explain := c.String("explain")
	if c.Bool("trace") {
		if explain != "" && explain != eval.ExplainFull {
			return "", fmt.Errorf("--trace is --explain %s; it cannot be given with --explain %s", eval.ExplainFull, explain)
		}
		explain = eval.ExplainFull
	}
	if explain != "" && !slices.Contains(eval.ExplainModes, explain) {
		return "", fmt.Errorf("--explain: want %s, got %q", strings.Join(eval.ExplainModes, ", "), explain)
	}
	return explain, nil
}

func runCheck(ctx context.Context, opts checkOptions, stdout io.Writer) error {
	// Tickets are built when something shows them: the folder, or the
	// decision as JSON, or the HTML page. A table alone does not. Only
	// the JSON shows the inventory.
	if opts.TicketsDir != "" || report.Needs(opts.Outputs, "json") || report.Needs(opts.Outputs, "html") {
		opts.Gate.Tickets = &tickets.Options{}
	}
	opts.Gate.Inventory = report.Needs(opts.Outputs, "json")
	// The run is written to the history while the policies evaluate.
	var recording *recording
	if opts.History != nil {
		opts.History.Trend = report.Needs(opts.Outputs, "html")
		opts.Gate.Loaded = func(doc *document.Document) { recording = opts.History.start(ctx, doc) }
	}
	res, err := gate.Run(ctx, opts.Gate)
	if err != nil {
		if recording != nil {
			recording.abandon()
		}
		return err
	}
	noteSkipped(opts.Stderr, res.Decision.Skipped)
	if opts.TicketsDir != "" {
		if err := tickets.WriteDir(opts.TicketsDir, res.Decision.Tickets); err != nil {
			if recording != nil {
				recording.abandon()
			}
			return fmt.Errorf("--tickets %s: %w", opts.TicketsDir, err)
		}
	}
	// The HTML page's charts include this run: it is recorded first. Any
	// other output is written while the recording completes. An error
	// recording the run is returned once the verdict is written.
	var histErr error
	if recording != nil && opts.History.Trend {
		var trend *history.Trend
		trend, histErr = recording.finish(ctx, res, opts.Stderr)
		recording = nil
		for i, o := range opts.Outputs {
			if h, ok := o.Format.(report.HTML); ok {
				h.Trend = trend
				opts.Outputs[i].Format = h
			}
		}
	}
	err = report.WriteAll(opts.Outputs, res, stdout)
	if err == nil && opts.Attest != nil {
		err = opts.Attest.write(ctx, res)
	}
	if recording != nil {
		_, histErr = recording.finish(ctx, res, opts.Stderr)
	}
	if err != nil {
		return err
	}
	if histErr != nil {
		return histErr
	}
	if res.Decision.Failed(opts.FailOn) {
		return errPolicy
	}
	return nil
}
