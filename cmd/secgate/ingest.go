package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/enrich"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/internal/textsafe"
)

// ingestOptions is what every report-reading command needs.
type ingestOptions struct {
	Reports []string
	Ingest  ingest.Options
	Context document.Context
	// EPSS and KEV name exploit data files or URLs; empty: none.
	EPSS, KEV string
	// Net is the network policy of EPSS and KEV URLs.
	Net netpolicy.Options
	// Stderr receives notes: the folders' files skipped.
	Stderr io.Writer
}

func ingestOptionsFrom(c *cli.Context) (ingestOptions, error) {
	// Flags may come after the reports too (secgate check reports/ -o json).
	args, err := positional(c)
	if err != nil {
		return ingestOptions{}, err
	}
	opts := ingestOptions{Reports: args}
	if len(opts.Reports) == 0 {
		return opts, errors.New("no reports given: name at least one report file (see --help)")
	}
	max, err := parseSize(c.String("max-file-size"))
	if err != nil {
		return opts, err
	}
	opts.Ingest.MaxFileSize = max
	opts.Ingest.Exclude = c.StringSlice("exclude")
	opts.Stderr = c.App.ErrWriter
	now, source, err := runTime(c.String("now"), time.Now)
	if err != nil {
		return opts, err
	}
	opts.Context = ciContext(os.Getenv)
	opts.Context.Stage = c.String("stage")
	opts.Context.Now = now.Format(time.RFC3339)
	opts.Context.NowSource = source
	opts.EPSS, opts.KEV = c.String("epss"), c.String("kev")
	opts.Net, err = netOptionsFrom(c)
	return opts, err
}

// runTime is the time policies see, in UTC, and where it came from:
// --now, else the clock. SOURCE_DATE_EPOCH is deliberately not read: it
// says when the sources were committed (or 1980), and judging waivers
// and approvals by it would bring expired ones back into force.
func runTime(flag string, clock func() time.Time) (time.Time, string, error) {
	if flag != "" {
		t, err := time.Parse(time.RFC3339, flag)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("--now: want an RFC 3339 time such as 2026-01-31T12:00:00Z, got %q", flag)
		}
		return t.UTC(), document.NowFlag, nil
	}
	return clock().UTC().Truncate(time.Second), document.NowClock, nil
}

// ciContext reads what the CI system says about the run.
func ciContext(env func(string) string) document.Context {
	var c document.Context
	switch {
	case env("GITHUB_ACTIONS") == "true":
		c.CI = "github-actions"
		c.Repository = env("GITHUB_REPOSITORY")
		c.Commit = env("GITHUB_SHA")
		c.Branch = env("GITHUB_HEAD_REF")
		if c.Branch == "" {
			c.Branch = env("GITHUB_REF_NAME")
		}
	case env("GITLAB_CI") == "true":
		c.CI = "gitlab-ci"
		c.Repository = env("CI_PROJECT_PATH")
		c.Commit = env("CI_COMMIT_SHA")
		c.Branch = env("CI_COMMIT_REF_NAME")
	case env("CI") != "":
		c.CI = "ci"
	}
	return c
}

// exploitData loads the --epss and --kev files, if given.
func exploitData(ctx context.Context, opts ingestOptions) (enrich.EPSS, enrich.KEV, error) {
	var epss enrich.EPSS
	var kev enrich.KEV
	var err error
	if opts.EPSS != "" {
		if epss, err = enrich.LoadEPSS(ctx, opts.EPSS, enrich.Options{Net: opts.Net}); err != nil {
			return nil, nil, err
		}
	}
	if opts.KEV != "" {
		if kev, err = enrich.LoadKEV(ctx, opts.KEV, enrich.Options{Net: opts.Net}); err != nil {
			return nil, nil, err
		}
	}
	return epss, kev, nil
}

// loadDocument ingests the reports, adds exploit data and fills the context.
func loadDocument(ctx context.Context, opts ingestOptions) (*document.Document, error) {
	epss, kev, err := exploitData(ctx, opts)
	if err != nil {
		return nil, err
	}
	reports, err := ingest.Expand(opts.Reports, opts.Ingest.Exclude)
	if err != nil {
		return nil, err
	}
	doc, err := ingest.Load(reports.Reports, opts.Ingest)
	if err != nil {
		return nil, err
	}
	enrich.Apply(doc, epss, kev)
	doc.Context = opts.Context
	noteSkipped(opts.Stderr, reports.Skipped)
	return doc, nil
}

// noteSkipped lists on w the folders' files not read. It is called once
// the reports are read, so that an error stays the only line.
func noteSkipped(w io.Writer, skipped []ingest.Skipped) {
	if w == nil {
		return
	}
	for _, s := range skipped {
		fmt.Fprintf(w, "secgate: skipped: %s\n", textsafe.Clean(s.String(), 0))
	}
}

func runIngest(ctx context.Context, opts ingestOptions, stdout io.Writer) error {
	doc, err := loadDocument(ctx, opts)
	if err != nil {
		return err
	}
	return doc.WriteJSON(stdout)
}
