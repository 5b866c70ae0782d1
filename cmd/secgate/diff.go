package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/diff"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/limitread"
	"github.com/secgate/secgate/internal/safefile"
)

// diffFormats are the outputs of secgate diff.
var diffFormats = []string{"table", "json", "markdown"}

func diffCommand() *cli.Command {
	return &cli.Command{
		Name:  "diff",
		Usage: "compare two versions: components, vulnerabilities and findings introduced, fixed, upgraded …",
		ArgsUsage: "OLD NEW (each a report, an SBOM, a folder of them, or a decision written by check -o json;\n" +
			"   --old and --new add more files to a side)",
		Description: "Exit codes: 0 compared; 1 with --fail-on-new when something at or above that severity was\n" +
			"introduced (a finding of unknown severity counts whatever the severity named); 2 error.\n" +
			"--changelog FILE --version V puts the Markdown section of V at the top of FILE (a\n" +
			"SECURITY-CHANGELOG.md), or in place of V's section when there is one; the rest of FILE is kept\n" +
			"byte for byte, so a release job can run it every time.\n" + folderRules,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Config: trimSpace, Name: "old", Usage: "more reports of the old version (repeatable)"},
			&cli.StringSliceFlag{Config: trimSpace, Name: "new", Usage: "more reports of the new version (repeatable)"},
			&cli.StringSliceFlag{Config: trimSpace, Name: "format", Aliases: []string{"o"}, Usage: "output FORMAT or FORMAT=PATH (repeatable): " + strings.Join(diffFormats, ", ") + " (default: table)"},
			&cli.StringFlag{Name: "fail-on-new", Usage: "exit 1 when a vulnerability or finding at or above this severity was introduced: critical, high, medium, low, info, unknown"},
			&cli.StringFlag{Name: "changelog", Usage: "security changelog to put the version's section in (needs --version)"},
			&cli.StringFlag{Name: "version", Usage: "the new version's name: the heading of its Markdown section and changelog entry"},
			commonIngestFlags()[0], commonIngestFlags()[1],
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			opts, err := diffOptionsFrom(c)
			if err != nil {
				return err
			}
			return runDiff(opts, c.Root().Writer, c.Root().ErrWriter)
		},
	}
}

type diffOptions struct {
	Old, New   []string
	Ingest     ingest.Options
	Outputs    []diffOutput
	FailOn     document.Severity
	Changelog  string
	Version    string
	failOnText string
}

type diffOutput struct{ format, path string }

func diffOptionsFrom(c *cli.Command) (diffOptions, error) {
	var o diffOptions
	args := c.Args().Slice()
	o.Old, o.New = stringList(c, "old"), stringList(c, "new")
	switch len(args) {
	case 2:
		o.Old, o.New = append([]string{args[0]}, o.Old...), append([]string{args[1]}, o.New...)
	case 0:
	default:
		return o, fmt.Errorf("diff takes two arguments, OLD and NEW, got %d", len(args))
	}
	if len(o.Old) == 0 || len(o.New) == 0 {
		return o, errors.New("diff needs both versions: secgate diff OLD NEW")
	}
	max, err := parseSize(c.String("max-file-size"))
	if err != nil {
		return o, err
	}
	o.Ingest = ingest.Options{MaxFileSize: max, Exclude: stringList(c, "exclude")}
	for _, spec := range stringList(c, "format") {
		format, path, _ := strings.Cut(spec, "=")
		if !slices.Contains(diffFormats, format) {
			return o, fmt.Errorf("-o %s: unknown format %q (diff writes %s)", spec, format, strings.Join(diffFormats, ", "))
		}
		o.Outputs = append(o.Outputs, diffOutput{format, path})
	}
	if len(o.Outputs) == 0 {
		o.Outputs = []diffOutput{{format: "table"}}
	}
	if o.failOnText = c.String("fail-on-new"); o.failOnText != "" {
		o.FailOn = document.Severity(strings.ToLower(o.failOnText))
		if !o.FailOn.Valid() {
			return o, fmt.Errorf("--fail-on-new: want critical, high, medium, low, info or unknown, got %q", o.failOnText)
		}
	}
	o.Changelog, o.Version = c.String("changelog"), c.String("version")
	if o.Version != "" {
		if err := diff.CheckVersion(o.Version); err != nil {
			return o, fmt.Errorf("--version: %w", err)
		}
	}
	if o.Changelog != "" && o.Version == "" {
		return o, errors.New("--changelog needs --version: the name of the section to write")
	}
	return o, nil
}

func runDiff(o diffOptions, stdout, stderr io.Writer) error {
	oldDoc, skipped, err := gate.LoadSide(o.Old, o.Ingest)
	if err != nil {
		return fmt.Errorf("old: %w", err)
	}
	noteSkipped(stderr, skipped)
	newDoc, skipped, err := gate.LoadSide(o.New, o.Ingest)
	if err != nil {
		return fmt.Errorf("new: %w", err)
	}
	noteSkipped(stderr, skipped)
	d := diff.Compute(oldDoc, newDoc)

	var section bytes.Buffer
	if err := d.Markdown(&section, o.Version); err != nil {
		return err
	}
	if o.Changelog != "" {
		if err := writeChangelog(o.Changelog, o.Version, section.Bytes()); err != nil {
			return err
		}
	}
	for _, out := range o.Outputs {
		var buf bytes.Buffer
		switch out.format {
		case "table":
			err = d.Table(&buf)
		case "json":
			err = writeJSON(&buf, d)
		case "markdown":
			_, err = buf.Write(section.Bytes())
		}
		if err != nil {
			return err
		}
		if out.path == "" {
			if _, err := stdout.Write(buf.Bytes()); err != nil {
				return err
			}
			continue
		}
		if err := writeOutputFile(out.path, buf.Bytes()); err != nil {
			return fmt.Errorf("output %s: %w", out.format, err)
		}
	}
	if o.FailOn != "" {
		if n := d.IntroducedAtOrAbove(o.FailOn); n > 0 {
			fmt.Fprintf(stderr, "secgate: --fail-on-new %s: %d introduced at or above it\n", o.FailOn, n)
			return errPolicy
		}
	}
	return nil
}

// maxChangelog bounds the changelog read.
const maxChangelog = 64 << 20

// writeChangelog puts the section of version in the changelog at path,
// creating it when missing. The file is replaced atomically; a symlink
// there is refused, not followed.
func writeChangelog(path, version string, section []byte) error {
	old, err := readChangelog(path)
	if err != nil {
		return fmt.Errorf("--changelog %s: %w", path, err)
	}
	updated, err := diff.InsertSection(old, version, section)
	if err != nil {
		return fmt.Errorf("--changelog %s: %w", path, err)
	}
	if err := writeOutputFile(path, updated); err != nil {
		return fmt.Errorf("--changelog: %w", err)
	}
	return nil
}

func readChangelog(path string) ([]byte, error) {
	if fi, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file (a symlink is not followed)")
	}
	return limitread.File(path, maxChangelog)
}

// writeOutputFile writes data to path as the check's outputs are written:
// its folder made if missing and not a symlink, the file beside it then
// renamed into place, a symlink at path refused.
func writeOutputFile(path string, data []byte) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := safefile.Dir(dir); err != nil {
			return err
		}
	}
	return safefile.Write(path, data, 0o644)
}
