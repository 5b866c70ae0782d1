package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/tickets"
	ticketsync "github.com/secgate/secgate/tickets/sync"
)

// tokenEnv holds the GitHub token of `tickets sync --github`.
const tokenEnv = "GITHUB_TOKEN"

func ticketsCommand() *cli.Command {
	return &cli.Command{
		Name:  "tickets",
		Usage: "push remediation tickets (written by check --tickets) to an issue tracker",
		Commands: []*cli.Command{{
			Name:      "sync",
			Usage:     "create, update, reopen and close GitHub issues to match the tickets, or post them to a webhook",
			ArgsUsage: "TICKETS.json",
			Description: "With --github OWNER/REPO, the repository's issues carrying the label are listed (every state,\n" +
				"every page) and matched to the tickets by the fingerprint marker in their body: a new ticket\n" +
				"opens an issue, a changed one updates it, one that comes back reopens it, and an open issue\n" +
				"whose ticket is gone is commented on and closed. Running it twice changes nothing the second\n" +
				"time. The token is read from " + tokenEnv + " (needs issues: write); --dry-run prints the plan\n" +
				"and changes nothing, and works without a token on a public repository.\n" +
				"With --webhook URL, the tickets are posted as a JSON array, signed with HMAC-SHA256 in\n" +
				ticketsync.SignatureHeader + " when --secret-env names a variable holding the secret.",
			Flags: append([]cli.Flag{
				&cli.StringFlag{Name: "github", Usage: "sync to the issues of this repository (OWNER/REPO)"},
				&cli.StringFlag{Name: "github-url", Usage: "API URL of a GitHub Enterprise Server, e.g. https://ghe.example/api/v3/"},
				&cli.StringFlag{Name: "label", Value: tickets.DefaultLabel, Usage: "label that marks secgate's issues"},
				&cli.StringFlag{Name: "webhook", Usage: "post the tickets to this URL instead"},
				&cli.StringFlag{Name: "secret-env", Usage: "environment variable holding the webhook's signing secret"},
				&cli.BoolFlag{Name: "dry-run", Usage: "print what would change, change nothing"},
				&cli.DurationFlag{Name: "max-wait", Value: ticketsync.DefaultMaxWait, Usage: "longest wait for a rate limit before failing"},
			}, netFlags()...),
			Action: func(ctx context.Context, c *cli.Command) error {
				opts, err := ticketsSyncOptionsFrom(c, os.Getenv)
				if err != nil {
					return err
				}
				return runTicketsSync(ctx, opts, c.Root().Writer, c.Root().ErrWriter)
			},
		}},
	}
}

// ticketsSyncOptions are the flags of `tickets sync`.
type ticketsSyncOptions struct {
	Path string
	// GitHub sync.
	Owner, Repo string
	GitHubURL   string
	Label       string
	Token       string
	// Webhook sync.
	Webhook string
	Secret  string

	DryRun  bool
	MaxWait time.Duration
	// Net is the network policy of --github-url and --webhook.
	Net netpolicy.Options
}

func ticketsSyncOptionsFrom(c *cli.Command, env func(string) string) (ticketsSyncOptions, error) {
	opts := ticketsSyncOptions{
		GitHubURL: c.String("github-url"),
		Label:     c.String("label"),
		Webhook:   c.String("webhook"),
		DryRun:    c.Bool("dry-run"),
		MaxWait:   c.Duration("max-wait"),
	}
	switch c.NArg() {
	case 0:
		return opts, errors.New("tickets sync: name the tickets file (TICKETS.json, written by check --tickets DIR)")
	case 1:
		opts.Path = c.Args().First()
	default:
		return opts, fmt.Errorf("tickets sync: want one tickets file, got %d arguments", c.NArg())
	}
	gh := c.String("github")
	switch {
	case gh == "" && opts.Webhook == "":
		return opts, errors.New("tickets sync: say where to: --github OWNER/REPO or --webhook URL")
	case gh != "" && opts.Webhook != "":
		return opts, errors.New("tickets sync: --github and --webhook exclude each other")
	case gh != "":
		owner, repo, ok := strings.Cut(gh, "/")
		if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
			return opts, fmt.Errorf("--github: want OWNER/REPO, got %q", gh)
		}
		opts.Owner, opts.Repo = owner, repo
		if c.IsSet("secret-env") {
			return opts, errors.New("--secret-env goes with --webhook, not --github")
		}
		opts.Token = env(tokenEnv)
		if opts.Token == "" && !opts.DryRun {
			return opts, fmt.Errorf("%s is not set: the GitHub sync needs a token that may write issues (or use --dry-run on a public repository)", tokenEnv)
		}
	default:
		if c.IsSet("github-url") || c.IsSet("label") {
			return opts, errors.New("--github-url and --label go with --github, not --webhook")
		}
		if name := c.String("secret-env"); name != "" {
			opts.Secret = env(name)
			if opts.Secret == "" {
				return opts, fmt.Errorf("--secret-env: the environment variable %s is not set or empty", name)
			}
		}
	}
	if opts.MaxWait <= 0 {
		return opts, fmt.Errorf("--max-wait: want a positive duration, got %s", opts.MaxWait)
	}
	var err error
	opts.Net, err = netOptionsFrom(c)
	return opts, err
}

// runTicketsSync loads the tickets and syncs them to the sink the flags
// name, printing the plan: a summary line and one line per change.
func runTicketsSync(ctx context.Context, opts ticketsSyncOptions, stdout, stderr io.Writer) error {
	ts, err := tickets.Load(opts.Path)
	if err != nil {
		return err
	}
	sink, err := ticketsync.New(opts.sinkOptions(stderr))
	if err != nil {
		return err
	}
	plan, err := sink.Sync(ctx, ts)
	if plan != nil {
		printPlan(stdout, plan)
	}
	return err
}

// sinkOptions maps the flags to the options of the sink they name.
func (o ticketsSyncOptions) sinkOptions(log io.Writer) ticketsync.Options {
	if o.Webhook != "" {
		return ticketsync.Options{Sink: "webhook", Target: o.Webhook, Secret: o.Secret, DryRun: o.DryRun, Net: o.Net}
	}
	return ticketsync.Options{
		Sink: "github", Target: o.Owner + "/" + o.Repo, BaseURL: o.GitHubURL, Secret: o.Token,
		Label: o.Label, DryRun: o.DryRun, MaxWait: o.MaxWait, Log: log, Net: o.Net,
	}
}

// printPlan prints what the sync did or would do (see ticketsync.Plan.Print).
func printPlan(w io.Writer, p *ticketsync.Plan) { p.Print(w) }
