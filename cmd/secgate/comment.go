package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/limitread"
	"github.com/secgate/secgate/publish"
	"github.com/secgate/secgate/report"
	ticketsync "github.com/secgate/secgate/tickets/sync"
)

// githubFlags are the flags of the commands that write to a repository
// on GitHub: where, as whom, and the network policy.
func githubFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "github", Usage: "the repository: OWNER/REPO (in GitHub Actions: $GITHUB_REPOSITORY)"},
		&cli.StringFlag{Name: "github-url", Usage: "API URL of a GitHub Enterprise Server, e.g. https://ghe.example/api/v3/ (in GitHub Actions: $GITHUB_API_URL)"},
		&cli.DurationFlag{Name: "max-wait", Value: ticketsync.DefaultMaxWait, Usage: "longest wait for a rate limit before failing"},
	}, netFlags()...)
}

// publishOptionsFrom reads githubFlags and the token.
func publishOptionsFrom(c *cli.Command, env func(string) string) (publish.Options, error) {
	var opts publish.Options
	gh := c.String("github")
	owner, repo, ok := strings.Cut(gh, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return opts, fmt.Errorf("--github: want OWNER/REPO, got %q", gh)
	}
	opts.Owner, opts.Repo, opts.BaseURL = owner, repo, c.String("github-url")
	opts.Token = env(tokenEnv)
	if opts.Token == "" {
		return opts, fmt.Errorf("%s is not set: %s needs a token", tokenEnv, c.Name)
	}
	opts.MaxWait = c.Duration("max-wait")
	if opts.MaxWait <= 0 {
		return opts, fmt.Errorf("--max-wait: want a positive duration, got %s", opts.MaxWait)
	}
	opts.Log = c.Root().ErrWriter
	var err error
	opts.Net, err = netOptionsFrom(c)
	return opts, err
}

func commentCommand() *cli.Command {
	return &cli.Command{
		Name:      "comment",
		Usage:     "keep one pull-request comment with the verdict up to date, from the decision check -o json wrote",
		ArgsUsage: "DECISION.json",
		Description: "Renders the decision as a comment (as -o comment does: verdict first, worst violations first,\n" +
			"counts by severity for what does not fit, within GitHub's size limit) and keeps ONE comment of it\n" +
			"on the pull request: the comment made earlier is edited in place, else one is made. secgate's\n" +
			"comment is the oldest one whose first line is the hidden marker " + report.CommentMarker + "\n" +
			"and whose author is --author, by default the token's user (GET /user), or " + publish.ActionsBot + "\n" +
			"when the token cannot read its user (GitHub Actions' token): a comment of anyone else is never\n" +
			"edited, whatever it holds. The token is read from " + tokenEnv + " (needs pull-requests: write).\n" +
			"The pull request is --pr N, or the one of the event file --event names (GITHUB_EVENT_PATH).",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "pr", Usage: "the pull request's number"},
			&cli.StringFlag{Name: "event", Usage: "read the pull request's number from this GitHub event file (in GitHub Actions: $GITHUB_EVENT_PATH)"},
			&cli.StringFlag{Name: "author", Usage: "the login whose comment is kept up to date (default: the token's user)"},
		}, githubFlags()...),
		Action: func(ctx context.Context, c *cli.Command) error {
			opts, err := commentOptionsFrom(c, os.Getenv)
			if err != nil {
				return err
			}
			return runComment(ctx, opts, c.Root().Writer)
		},
	}
}

// commentOptions are the flags of `comment`.
type commentOptions struct {
	Decision string
	PR       int
	Publish  publish.Options
}

func commentOptionsFrom(c *cli.Command, env func(string) string) (commentOptions, error) {
	var opts commentOptions
	if c.NArg() != 1 {
		return opts, fmt.Errorf("comment: want one decision file (written by check -o json=FILE), got %d arguments", c.NArg())
	}
	opts.Decision = c.Args().First()
	switch {
	case c.IsSet("pr") && c.IsSet("event"):
		return opts, errors.New("comment: --pr and --event exclude each other")
	case c.IsSet("pr"):
		opts.PR = int(c.Int("pr"))
		if opts.PR <= 0 {
			return opts, fmt.Errorf("--pr: want a positive number, got %d", opts.PR)
		}
	case c.IsSet("event"):
		var err error
		if opts.PR, err = prOfEvent(c.String("event")); err != nil {
			return opts, err
		}
	default:
		return opts, errors.New("comment: name the pull request: --pr N or --event FILE")
	}
	var err error
	if opts.Publish, err = publishOptionsFrom(c, env); err != nil {
		return opts, err
	}
	opts.Publish.Author = c.String("author")
	return opts, nil
}

// maxEvent bounds a GitHub event file.
const maxEvent = 16 << 20

// prOfEvent is the number of the pull request of a GitHub event file
// (pull_request.number).
func prOfEvent(path string) (int, error) {
	data, err := limitread.File(path, maxEvent)
	if err != nil {
		return 0, fmt.Errorf("--event %s: %w", path, err)
	}
	var ev struct {
		PullRequest *struct {
			Number int `json:"number"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return 0, fmt.Errorf("--event %s: not a GitHub event: %w", path, err)
	}
	if ev.PullRequest == nil || ev.PullRequest.Number <= 0 {
		return 0, fmt.Errorf("--event %s: no pull request in the event (comment only on pull_request events)", path)
	}
	return ev.PullRequest.Number, nil
}

// readResult reads the decision a check wrote, as the result to render.
func readResult(path string) (*gate.Result, error) {
	data, err := ingest.Read(path, ingest.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var probe struct {
		Decision *string `json:"decision"`
	}
	if json.Unmarshal(data, &probe) != nil || probe.Decision == nil {
		return nil, fmt.Errorf("%s: not a decision: give the file secgate check -o json=FILE wrote", path)
	}
	r, err := gate.ReadResult(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a decision of secgate check -o json=FILE: %w", path, err)
	}
	return r, nil
}

// runComment renders the decision and keeps the pull request's comment
// of it, saying which comment it made or edited.
func runComment(ctx context.Context, opts commentOptions, stdout io.Writer) error {
	r, err := readResult(opts.Decision)
	if err != nil {
		return err
	}
	c, err := publish.New(opts.Publish)
	if err != nil {
		return err
	}
	res, err := c.Comment(ctx, opts.PR, report.CommentBody(r, 0))
	if err != nil {
		return err
	}
	what := "edited"
	if res.Created {
		what = "created"
	}
	fmt.Fprintf(stdout, "secgate: comment %d on %s/%s#%d %s (%s)\n", res.ID, opts.Publish.Owner, opts.Publish.Repo, opts.PR, what, res.URL)
	return nil
}

func uploadSARIFCommand() *cli.Command {
	return &cli.Command{
		Name:      "upload-sarif",
		Usage:     "upload a SARIF file (check -o sarif=FILE) to GitHub code scanning",
		ArgsUsage: "FILE.sarif",
		Description: "POST /repos/OWNER/REPO/code-scanning/sarifs with the file gzipped and in base64, for the commit\n" +
			"--commit (in GitHub Actions: $GITHUB_SHA) on the reference --ref ($GITHUB_REF). The token is read\n" +
			"from " + tokenEnv + " (needs security-events: write). Code scanning takes at most 10 MB gzipped.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "commit", Usage: "the commit analysed (its full SHA)"},
			&cli.StringFlag{Name: "ref", Usage: "the full Git reference analysed: refs/heads/main, refs/pull/7/merge"},
		}, githubFlags()...),
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.NArg() != 1 {
				return fmt.Errorf("upload-sarif: want one SARIF file, got %d arguments", c.NArg())
			}
			opts, err := publishOptionsFrom(c, os.Getenv)
			if err != nil {
				return err
			}
			return runUploadSARIF(ctx, opts, c.Args().First(), c.String("commit"), c.String("ref"), c.Root().Writer)
		},
	}
}

// runUploadSARIF uploads the file and says what code scanning answered.
func runUploadSARIF(ctx context.Context, opts publish.Options, path, commit, ref string, stdout io.Writer) error {
	data, err := ingest.Read(path, ingest.Options{})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	c, err := publish.New(opts)
	if err != nil {
		return err
	}
	res, err := c.UploadSARIF(ctx, publish.Upload{SARIF: data, CommitSHA: commit, Ref: ref})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stdout, "secgate: %s uploaded to code scanning of %s/%s (upload %s)\n", path, opts.Owner, opts.Repo, res.ID)
	return nil
}
