package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/textsafe"
	"github.com/secgate/secgate/report"
)

// ingestOptionsFrom reads the reports and the flags of every command that
// reads them into the options of gate.Load.
func ingestOptionsFrom(c *cli.Command) (gate.Options, error) {
	// Flags may come after the reports too (secgate check reports/ -o json).
	opts := gate.Options{Reports: c.Args().Slice()}
	if len(opts.Reports) == 0 {
		return opts, errors.New("no reports given: name at least one report file (see --help)")
	}
	max, err := parseSize(c.String("max-file-size"))
	if err != nil {
		return opts, err
	}
	opts.Ingest.MaxFileSize = max
	opts.Ingest.Exclude = stringList(c, "exclude")
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

// runIngest prints the document the policies would see: as JSON, or
// with format "table" as a list of its findings (report.List).
func runIngest(ctx context.Context, opts gate.Options, format string, stdout, stderr io.Writer) error {
	if format != "json" && format != "table" {
		return fmt.Errorf("-o: unknown format %q (json, table)", format)
	}
	doc, skipped, err := gate.Load(ctx, opts)
	if err != nil {
		return err
	}
	noteSkipped(stderr, skipped)
	if format == "table" {
		return report.List(stdout, doc)
	}
	return doc.WriteJSON(stdout)
}
