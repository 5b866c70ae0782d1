package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/opaclient"
)

func opaCommand() *cli.Command {
	return &cli.Command{
		Name:  "opa",
		Usage: "OPA's own server with secgate's builtins (for check --opa-url)",
		Commands: []*cli.Command{{
			Name:      "run",
			Usage:     "OPA's run command (opa run) with secgate's builtins registered: runs " + opaServer,
			ArgsUsage: "[OPA run flags] [files]",
			Description: "Every flag of opa run works: --server, --addr, --bundle, --config-file, --log-level …\n" +
				"secgate opa run --help lists them. Unlike opa run, it listens on " + opaclient.DefaultServerAddr + " unless --addr says\n" +
				"otherwise, and does not ask GitHub for OPA's latest version unless --skip-version-check=false.\n" +
				"The server is the binary " + opaServer + ", found beside secgate or on the PATH (make build builds both).\n" +
				"Serve the bundle secgate bundle build --opa-entrypoint makes, then: secgate check --opa-url http://" + opaclient.DefaultServerAddr + " REPORT…",
			SkipFlagParsing: true,
			Action: func(ctx context.Context, c *cli.Command) error {
				r := c.Root()
				return runOPA(ctx, c.Args().Slice(), r.Reader, r.Writer, r.ErrWriter)
			},
		}},
	}
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
