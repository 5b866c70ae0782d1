package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	opacmd "github.com/open-policy-agent/opa/cmd"
	"github.com/spf13/cobra"
	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/eval/builtins"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/opaclient"
)

// defaultOPAAddr is where secgate opa run listens unless --addr says
// otherwise: loopback, never every interface.
const defaultOPAAddr = "127.0.0.1:8181"

func opaCommand() *cli.Command {
	return &cli.Command{
		Name:  "opa",
		Usage: "OPA's own server with secgate's builtins (for check --opa-url)",
		Commands: []*cli.Command{{
			Name:      "run",
			Usage:     "OPA's run command (opa run) with secgate's builtins registered",
			ArgsUsage: "[OPA run flags] [files]",
			Description: "Every flag of opa run works: --server, --addr, --bundle, --config-file, --log-level …\n" +
				"secgate opa run --help lists them. Unlike opa run, it listens on " + defaultOPAAddr + " unless --addr says\n" +
				"otherwise, and does not ask GitHub for OPA's latest version unless --skip-version-check=false.\n" +
				"Serve the bundle secgate bundle build --opa-entrypoint makes, then: secgate check --opa-url http://" + defaultOPAAddr + " REPORT…",
			SkipFlagParsing: true,
			Action: func(ctx context.Context, c *cli.Command) error {
				return runOPA(ctx, c.Args().Slice(), c.Root().Writer, c.Root().ErrWriter)
			},
		}},
	}
}

// runOPA runs OPA's run command with args, with secgate's builtins
// registered the way OPA documents for extending its server: globally,
// before the runtime compiles anything.
func runOPA(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	builtins.Register()
	root := opacmd.Command(&cobra.Command{Use: "secgate opa", SilenceErrors: true, SilenceUsage: true}, "OPA")
	run, _, err := root.Find([]string{"run"})
	if err != nil || run == nil || run.Name() != "run" {
		return errors.New("internal error: OPA has no run command")
	}
	if f := run.Flags().Lookup("addr"); f != nil {
		f.DefValue = "[" + defaultOPAAddr + "]"
	}
	if f := run.Flags().Lookup("skip-version-check"); f != nil {
		f.DefValue = "true"
	}
	pre := run.PreRunE
	run.PreRunE = func(cmd *cobra.Command, a []string) error {
		if pre != nil {
			if err := pre(cmd, a); err != nil {
				return err
			}
		}
		// After OPA's environment variables (OPA_ADDR …) set theirs: what
		// neither the command line nor the environment set.
		if !cmd.Flags().Changed("addr") {
			if err := cmd.Flags().Set("addr", defaultOPAAddr); err != nil {
				return err
			}
		}
		if !cmd.Flags().Changed("skip-version-check") {
			if err := cmd.Flags().Set("skip-version-check", "true"); err != nil {
				return err
			}
		}
		return nil
	}
	root.SetArgs(append([]string{"run"}, args...))
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		return fmt.Errorf("opa run: %w", err)
	}
	return nil
}

// opaFlags are check's flags that send the document to an OPA server.
func opaFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "opa-url", Usage: "decide on an OPA server (secgate opa run) instead of locally: POST the document to its Data API; plain http only to loopback unless --allow-http"},
		&cli.StringFlag{Name: "opa-path", Value: eval.DecisionPath, Usage: "with --opa-url: the data path of the decision entry point"},
	}
}

// remoteFrom returns the evaluator of --opa-url, or nil without it. The
// server's bundle decides: flags that choose or feed local policies are
// refused with it rather than ignored.
func remoteFrom(c *cli.Command, p gate.Policy) (*eval.Remote, error) {
	url := c.String("opa-url")
	if url == "" {
		if c.IsSet("opa-path") {
			return nil, errors.New("--opa-path needs --opa-url")
		}
		return nil, nil
	}
	for _, name := range []string{"policy", "data", "namespace", "capabilities", "verification-key"} {
		if c.IsSet(name) {
			return nil, fmt.Errorf("--opa-url: the server's bundle decides; --%s is for local policies", name)
		}
	}
	if p.Config != nil && len(p.Config.Policies) > 0 {
		return nil, fmt.Errorf("--opa-url: the server's bundle decides; %s lists policies: for local policies", gate.ConfigName(p.Config))
	}
	net, err := netOptionsFrom(c)
	if err != nil {
		return nil, err
	}
	client, err := opaclient.New(opaclient.Options{URL: url, Path: c.String("opa-path"), Net: net})
	if err != nil {
		return nil, err
	}
	// What the policies see as data.secgate.config, as local
	// evaluation gives it.
	data, err := gate.PolicyData(p)
	if err != nil {
		return nil, err
	}
	sg, _ := data["secgate"].(map[string]any)
	return eval.NewRemote(client.Query, sg["config"], "opa "+client.Name()).WithDecisionIDs(client.DecisionIDs), nil
}
