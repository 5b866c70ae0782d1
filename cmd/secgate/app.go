package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.Command {
	app := &cli.Command{
		Name:  "secgate",
		Usage: "a policy-as-code security gate over scanner reports and SBOMs",
		Description: "secgate reads the reports security scanners and SBOM tools wrote (SARIF, Trivy, Grype,\n" +
			"npm audit, CycloneDX, SPDX …), turns them into one document, evaluates Rego policies over it\n" +
			"and answers pass, warn or fail. Exit codes: 0 pass, 1 policy failure, 2 error.",
		Version:         buildVersion(),
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		// Errors are printed once, by run; urfave/cli must neither print nor exit.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		Action:         groupAction,
		Commands: []*cli.Command{
			checkCommand(),
			initCommand(),
			ingestCommand(),
			listCommand(),
			diffCommand(),
			historyCommand(),
			testCommand(),
			policiesCommand(),
			bundleCommand(),
			verifyDecisionCommand(),
			opaCommand(),
			pullCommand(),
			ticketsCommand(),
			commentCommand(),
			uploadSARIFCommand(),
			schemaCommand(),
			exceptionsCommand(),
			versionCommand(),
		},
		EnableShellCompletion: true,
		// secgate completion SHELL prints the library's script, which asks
		// secgate itself for the commands and flags as one types.
		ConfigureShellCompletionCommand: func(c *cli.Command) {
			c.Hidden = false
			c.Usage = "print a shell completion script: bash, zsh, fish or pwsh"
			c.Action = groupAction
			c.OnUsageError = usageError
		},
	}
	_ = app.Walk(func(c *cli.Command) error {
		if len(c.Commands) > 0 && c.Action == nil {
			c.Action = groupAction
		}
		if c.OnUsageError == nil {
			c.OnUsageError = usageError
		}
		return nil
	})
	return app
}

// groupAction runs a command that only groups others (secgate, bundle,
// tickets): alone, or with "help", it shows the help; with anything else it
// names the command it does not know, and the nearest it does.
func groupAction(_ context.Context, c *cli.Command) error {
	if c.NArg() == 0 || c.Args().First() == "help" {
		if c.Root() == c {
			return cli.ShowRootCommandHelp(c)
		}
		return cli.ShowSubcommandHelp(c)
	}
	name := c.Args().First()
	var known []*cli.Command
	for _, sub := range c.Commands {
		if !sub.Hidden {
			known = append(known, sub)
		}
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if s := cli.SuggestCommand(known, name); s != "" && s != "help" && s != "h" {
		msg += ", did you mean " + s + "?"
	}
	return errors.New(msg + " (see --help)")
}

// The usage errors of urfave/cli that name a flag: it writes -NAME however
// the flag was typed.
const (
	errUndefinedFlag = "flag provided but not defined: -"
	errFlagValue     = "for flag -"
)

// usageError turns a command line the command does not take into one
// line: the flag as it was typed, the nearest flag the command has when
// the flag is unknown, and where to look.
func usageError(_ context.Context, c *cli.Command, err error, _ bool) error {
	msg := err.Error()
	for _, prefix := range []string{errUndefinedFlag, errFlagValue} {
		i := strings.Index(msg, prefix)
		if i < 0 {
			continue
		}
		at := i + len(prefix) - 1
		end := at + 1
		for end < len(msg) && msg[end] != ':' && msg[end] != ' ' {
			end++
		}
		name := msg[at+1 : end]
		msg = msg[:at] + typedFlag(c.Root().Args().Slice(), name) + msg[end:]
		if prefix == errUndefinedFlag {
			if s := cli.SuggestFlag(c.VisibleFlags(), name, true); s != "" {
				msg += ", did you mean " + s + "?"
			}
		}
		break
	}
	return fmt.Errorf("%s (see --help)", msg)
}

// typedFlag is the flag name as args spell it (-o, --format, --format=…
// gives --format), or, when args do not have it, as the help does: one
// dash for a one-letter name, two for a word.
func typedFlag(args []string, name string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		if n, _, _ := strings.Cut(a, "="); strings.HasPrefix(n, "-") && strings.TrimLeft(n, "-") == name {
			return n
		}
	}
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// folderRules says how a folder argument is read, for --help.
var folderRules = "A folder is read recursively, following symbolic links (each folder once); dot-files count, .git does not.\n" +
	"Files whose extension or name no report has (" + strings.Join(ingest.NotReportExtensions, " ") + "; " +
	strings.Join(ingest.NotReportNames, " ") + ") are skipped and listed on stderr;\n" +
	"--exclude GLOB leaves out paths relative to the folder (* and ? within a name, ** across folders; a GLOB without / matches a name at any depth).\n" +
	"Any other file that is no report of a known format is an error."

// trimSpace is the configuration of every list flag: each value is
// trimmed, "a, b" being a and b.
var trimSpace = cli.StringConfig{TrimSpace: true}

// stringList is a list flag's values, nil when none is given (urfave/cli
// gives an empty list, which bundle build would read as "no roots").
func stringList(c *cli.Command, name string) []string {
	if v := c.StringSlice(name); len(v) > 0 {
		return v
	}
	return nil
}

// commonIngestFlags are the flags every command that reads reports takes.
func commonIngestFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "max-file-size", Value: strconv.FormatInt(ingest.DefaultMaxFileSize>>20, 10) + "MiB",
			Usage: "largest report read (bytes, or with KiB, MiB, GiB)"},
		&cli.StringSliceFlag{Config: trimSpace, Name: "exclude", Usage: "leave out of folder arguments (and --baseline folders) the paths matching this glob, relative to the folder: *.sig, drafts, old/**, **/tmp-*.json (repeatable)"},
		&cli.StringFlag{Name: "stage", Usage: "pipeline stage, visible to policies as input.context.stage (pre-merge, release …)"},
		&cli.StringFlag{Name: "now", Usage: "the time policies see as now, and judge exceptions and approvals by (RFC 3339; default: the clock, never SOURCE_DATE_EPOCH)"},
		&cli.StringFlag{Name: "epss", Usage: "FIRST EPSS scores (CSV, plain or .gz; a file, or an http(s) URL to download)"},
		&cli.StringFlag{Name: "kev", Usage: "CISA Known Exploited Vulnerabilities catalogue (JSON; a file, or an http(s) URL)"},
	}
}

// reportArgs is the ArgsUsage of every command that reads reports.
const reportArgs = "REPORT... (file or folder; FORMAT:PATH forces a format; - or FORMAT:- reads standard input)"

func ingestCommand() *cli.Command {
	return &cli.Command{
		Name:      "ingest",
		Usage:     "print the unified document (what policies see as input) as JSON, or -o table a list of its findings",
		ArgsUsage: reportArgs,
		Description: "Formats are detected from content: " + strings.Join(ingest.Formats(), ", ") + ".\n" +
			"Errors name the file and what is wrong; the exit code is then 2.\n" + folderRules,
		Flags: append(append(commonIngestFlags(), listFormatFlag("json")), netFlags()...),
		Action: func(ctx context.Context, c *cli.Command) error {
			opts, err := ingestOptionsFrom(c)
			if err != nil {
				return err
			}
			return runIngest(ctx, opts, c.String("format"), c.Root().Writer, c.Root().ErrWriter)
		},
	}
}

func listCommand() *cli.Command {
	return &cli.Command{
		Name:      "list",
		Usage:     "list what reports hold, worst first: severity, rule, package or file, fixed version, title, tool",
		ArgsUsage: reportArgs,
		Description: "The same as ingest -o table: one finding a row, then the count by severity and the components.\n" +
			"-o json prints the unified document instead. Nothing is judged: the exit code is 0 unless a report cannot be read (2).\n" +
			folderRules,
		Flags: append(append(commonIngestFlags(), listFormatFlag("table")), netFlags()...),
		Action: func(ctx context.Context, c *cli.Command) error {
			opts, err := ingestOptionsFrom(c)
			if err != nil {
				return err
			}
			return runIngest(ctx, opts, c.String("format"), c.Root().Writer, c.Root().ErrWriter)
		},
	}
}

// listFormatFlag is the -o of ingest and list: the document or the table.
func listFormatFlag(def string) cli.Flag {
	return &cli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: def, Usage: "output: json (the unified document) or table (one finding a row)"}
}

func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of the unified document (--config: of secgate.yaml)",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "config", Usage: "print the JSON Schema of secgate.yaml instead, for editors to check it with"}},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.NArg() > 0 {
				return fmt.Errorf("schema takes no arguments, got %q", c.Args().First())
			}
			schema := document.Schema
			if c.Bool("config") {
				schema = config.Schema
			}
			_, err := c.Root().Writer.Write(schema)
			return err
		},
	}
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print secgate's version and the document schema version",
		Action: func(ctx context.Context, c *cli.Command) error {
			fmt.Fprintf(c.Root().Writer, "secgate %s (document schema %s)\n", buildVersion(), document.SchemaVersion)
			return nil
		},
	}
}

// writeJSON prints v as indented JSON, as every JSON output does.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// parseSize reads "1048576", "512KiB", "256MiB", "1GiB" (KB/MB/GB taken as
// the binary units too).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, errors.New("--max-file-size: want a positive size such as 512MiB, got " + strconv.Quote(s))
	}
	return n * mult, nil
}
