package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/urfave/cli/v2"

	"github.com/secgate/secgate/bundles"
	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/enrich"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/policies"
	"github.com/secgate/secgate/report"
	"github.com/secgate/secgate/tickets"
)

// builtinSource names the embedded policies among -p sources.
const builtinSource = "builtin"

// policyFlags are the flags that choose and configure policies.
func policyFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringSliceFlag{Name: "policy", Aliases: []string{"p"}, Usage: "policy source: a folder, a .rego file, a bundle .tar.gz, \"builtin\", or a go-getter address (git::https://host/repo//dir?ref=v1, https://host/b.tar.gz) (repeatable; default: the built-in policies)"},
		&cli.StringSliceFlag{Name: "data", Aliases: []string{"d"}, Usage: "JSON or YAML data visible to policies under data (repeatable)"},
		&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "secgate.yaml: thresholds, licences, approvals, exceptions (default: ./secgate.yaml when present)"},
		&cli.StringSliceFlag{Name: "namespace", Usage: "evaluate only these Rego packages (repeatable; conftest's --namespace)"},
		&cli.BoolFlag{Name: "all-namespaces", Usage: "evaluate every package with deny, violation or warn rules (the default)"},
		&cli.StringFlag{Name: "capabilities", Usage: "OPA capabilities JSON file that replaces the restricted default (e.g. to allow http.send)"},
		&cli.DurationFlag{Name: "timeout", Value: eval.DefaultTimeout, Usage: "bound on one policy evaluation"},
	}, sourceFlags()...)
}

func checkCommand() *cli.Command {
	flags := append(commonIngestFlags(), policyFlags()...)
	flags = append(flags,
		&cli.StringSliceFlag{Name: "baseline", Usage: "reports or SBOMs of the base (a folder or files); findings and components are then marked new or not"},
		&cli.StringSliceFlag{Name: "format", Aliases: []string{"o"}, Usage: "output FORMAT or FORMAT=PATH (repeatable): " + strings.Join(report.Names(), ", ")},
		&cli.StringFlag{Name: "fail-on", Value: gate.Fail, Usage: "fail: exit 1 on violations; warn: also on warnings"},
		&cli.StringFlag{Name: "tickets", Usage: "write remediation tickets to this folder (tickets.json and one Markdown file each)"},
	)
	return &cli.Command{
		Name:      "check",
		Usage:     "ingest reports, evaluate policies, and decide pass, warn or fail",
		ArgsUsage: "REPORT... (files or folders; FORMAT:PATH forces a format)",
		Description: "Exit codes: 0 pass (or warn), 1 policy failure (or warn with --fail-on warn), 2 error.\n" +
			"A gate never passes on an error: unreadable reports, broken policies and no reports at all are exit 2.\n" +
			folderRules,
		Flags: flags,
		Action: func(c *cli.Context) error {
			opts, err := checkOptionsFrom(c)
			if err != nil {
				return err
			}
			return runCheck(c.Context, opts, c.App.Writer)
		},
	}
}

type checkOptions struct {
	ingestOptions
	Policy   policyOptions
	Baseline []string
	Outputs  []report.Output
	FailOn   string
	Now      time.Time
	// TicketsDir is where remediation tickets are written; "" for none.
	TicketsDir string
}

type policyOptions struct {
	Sources      []string
	DataFiles    []string
	Config       *config.Config
	Namespaces   []string
	Capabilities *ast.Capabilities
	Timeout      time.Duration
	// Fetch configures how remote sources are fetched and cached.
	Fetch bundles.FetchOptions
	// Verify, when set, holds the key every bundle must be signed with.
	Verify *bundles.VerifyOptions
}

func checkOptionsFrom(c *cli.Context) (checkOptions, error) {
	var opts checkOptions
	io, err := ingestOptionsFrom(c)
	if err != nil {
		return opts, err
	}
	opts.ingestOptions = io
	opts.Now, _ = time.Parse(time.RFC3339, io.Context.Now)
	if opts.Policy, err = policyOptionsFrom(c); err != nil {
		return opts, err
	}
	opts.Baseline = c.StringSlice("baseline")
	opts.FailOn = c.String("fail-on")
	opts.TicketsDir = c.String("tickets")
	if opts.FailOn != gate.Fail && opts.FailOn != gate.Warn {
		return opts, fmt.Errorf("--fail-on: want fail or warn, got %q", opts.FailOn)
	}
	opts.Outputs, err = report.ParseOutputs(c.StringSlice("format"), report.Options{
		Color:   report.IsTerminal(c.App.Writer) && os.Getenv("NO_COLOR") == "",
		Version: buildVersion(),
	})
	return opts, err
}

func policyOptionsFrom(c *cli.Context) (policyOptions, error) {
	var opts policyOptions
	var err error
	if path := c.String("config"); path != "" {
		opts.Config, err = config.Load(path)
	} else {
		opts.Config, err = config.Find()
	}
	if err != nil {
		return opts, err
	}
	opts.Sources = c.StringSlice("policy")
	if len(opts.Sources) == 0 {
		opts.Sources = opts.Config.Policies
	}
	opts.DataFiles = c.StringSlice("data")
	if !c.Bool("all-namespaces") {
		opts.Namespaces = c.StringSlice("namespace")
	}
	if path := c.String("capabilities"); path != "" {
		opts.Capabilities, err = ast.LoadCapabilitiesFile(path)
		if err != nil {
			return opts, fmt.Errorf("--capabilities %s: %w", path, err)
		}
	}
	opts.Timeout = c.Duration("timeout")
	if opts.Fetch, opts.Verify, err = sourceOptionsFrom(c, opts.Config); err != nil {
		return opts, err
	}
	return opts, nil
}

// loadSources fetches the policy sources (local paths pass through,
// go-getter addresses go through the cache) and loads them, verifying
// bundles when opts.Verify is set; none means the built-ins. It returns
// where each module came from.
func loadSources(ctx context.Context, opts policyOptions, filter eval.Filter) (*eval.Policies, []bundles.Source, error) {
	sources := opts.Sources
	if len(sources) == 0 {
		sources = []string{builtinSource}
	}
	fetched := make([]*bundles.Fetched, 0, len(sources))
	for _, s := range sources {
		if s == builtinSource {
			fetched = append(fetched, bundles.Embedded(builtinSource, policies.FS))
			continue
		}
		f, err := bundles.Fetch(ctx, s, opts.Fetch)
		if err != nil {
			return nil, nil, err
		}
		fetched = append(fetched, f)
	}
	pols, origins, err := bundles.LoadPolicies(fetched, bundles.LoadOptions{Filter: filter, Verify: opts.Verify, MaxSize: opts.Fetch.MaxSize})
	if err != nil {
		return nil, nil, err
	}
	// The built-ins read the document by the names they spell out; any
	// other policy may read it any way, and gets every field.
	pols.NamedFieldsOnly = !slices.ContainsFunc(sources, func(s string) bool { return s != builtinSource })
	// Their tests compile them with every check; a check need not repeat it.
	pols.Checked = pols.NamedFieldsOnly
	return pols, origins, nil
}

// policyData is what policies see under data: the configuration, then
// each -d file laid over it.
func policyData(opts policyOptions) (map[string]any, error) {
	data := opts.Config.Data()
	for _, path := range opts.DataFiles {
		raw, err := config.ReadDataFile(path)
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if err != nil {
			return nil, fmt.Errorf("data %s: %w", path, err)
		}
		v, err := config.DecodeData(raw)
		if err != nil {
			return nil, fmt.Errorf("data %s: want a JSON or YAML object: %w", path, err)
		}
		// data.secgate is the built-ins' configuration, checked key by
		// key when read from secgate.yaml; laid over unchecked, a null or
		// a misspelt word there would switch a policy off.
		if _, ok := v["secgate"]; ok {
			return nil, fmt.Errorf("data %s: the key \"secgate\" is reserved for the built-in policies' configuration: set it in secgate.yaml (-c), where it is checked", path)
		}
		mergeInto(data, v)
	}
	return data, nil
}

func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		dm, ok1 := dst[k].(map[string]any)
		sm, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			mergeInto(dm, sm)
			continue
		}
		dst[k] = v
	}
}

// configName names the configuration in errors.
func configName(c *config.Config) string {
	if c.Path == "" {
		return "configuration"
	}
	return c.Path
}

// newEngine loads, compiles and prepares the policies.
func newEngine(ctx context.Context, opts policyOptions) (*eval.Engine, error) {
	pols, _, err := loadSources(ctx, opts, eval.Filter{})
	if err != nil {
		return nil, err
	}
	data, err := policyData(opts)
	if err != nil {
		return nil, err
	}
	if err := withExceptions(pols, data); err != nil {
		return nil, err
	}
	return eval.New(ctx, eval.Options{
		Policies:     pols,
		Data:         data,
		Namespaces:   opts.Namespaces,
		Capabilities: opts.Capabilities,
		Timeout:      opts.Timeout,
	})
}

// withExceptions adds the built-in exceptions policy, and the library it
// reads, when the configuration holds exceptions and no policy source
// brought that package: waivers from secgate.yaml apply whatever policies
// run, a team's own alone included, and their warnings (expired, unused)
// come with them.
func withExceptions(pols *eval.Policies, data map[string]any) error {
	waivers, _ := dataAt(data, "secgate", "config", "exceptions").([]any)
	if len(waivers) == 0 {
		return nil
	}
	have := map[string]bool{}
	for _, m := range pols.Modules {
		have[strings.TrimPrefix(m.Package.Path.String(), "data.")] = true
	}
	if have[eval.ExceptionsPackage] {
		return nil
	}
	builtin, err := eval.LoadFS(builtinSource, policies.FS, eval.Filter{})
	if err != nil {
		return err
	}
	for name, m := range builtin.Modules {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if pkg != eval.ExceptionsPackage && (pkg != libPackage || have[libPackage]) {
			continue
		}
		if _, dup := pols.Modules[name]; dup {
			return fmt.Errorf("policy file %s is loaded twice (the built-in exceptions policy needs it)", name)
		}
		pols.Modules[name] = m
	}
	pols.Origins = append(pols.Origins, builtinSource)
	return nil
}

// libPackage is the built-in policies' shared library.
const libPackage = "secgate.lib"

// dataAt is the value at path in nested maps, or nil.
func dataAt(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func runCheck(ctx context.Context, opts checkOptions, stdout io.Writer) error {
	// The policies compile while the reports are read.
	engine := gate.Background(func() (*eval.Engine, error) { return newEngine(ctx, opts.Policy) })
	epss, kev, err := exploitData(ctx, opts.ingestOptions)
	if err != nil {
		if _, perr := engine(); perr != nil {
			return perr
		}
		return err
	}
	res, err := gate.Run(ctx, gate.Options{
		Enrich:         func(d *document.Document) { enrich.Apply(d, epss, kev) },
		SeveritySource: opts.Policy.Config.SeveritySource,
		Reports:        opts.Reports,
		Baseline:       opts.Baseline,
		Ingest:         opts.Ingest,
		Context:        opts.Context,
		Now:            opts.Now,
		Engine:         engine,
	})
	if err != nil {
		return err
	}
	noteSkipped(opts.Stderr, res.Decision.Skipped)
	sla, err := tickets.SLAFromConfig(opts.Policy.Config.Sections)
	if err != nil {
		return fmt.Errorf("%s: %w", configName(opts.Policy.Config), err)
	}
	// Tickets are built when something shows them: the folder, or the
	// decision as JSON. A table alone does not.
	if opts.TicketsDir == "" && !report.Needs(opts.Outputs, "json") {
		return finish(opts, res, stdout)
	}
	ts := tickets.Build(res, tickets.Options{SLADays: sla, Now: opts.Now})
	for _, t := range ts {
		res.Decision.Tickets = append(res.Decision.Tickets, t)
	}
	if opts.TicketsDir != "" {
		if err := tickets.WriteDir(opts.TicketsDir, ts); err != nil {
			return fmt.Errorf("--tickets %s: %w", opts.TicketsDir, err)
		}
	}
	return finish(opts, res, stdout)
}

// finish writes the outputs and turns the decision into the exit status.
func finish(opts checkOptions, res *gate.Result, stdout io.Writer) error {
	if err := report.WriteAll(opts.Outputs, res, stdout); err != nil {
		return err
	}
	if res.Decision.Failed(opts.FailOn) {
		return errPolicy
	}
	return nil
}
