package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/openvex/go-vex/pkg/vex"
	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/internal/ignorefile"
	"github.com/secgate/secgate/internal/limitread"
	"github.com/secgate/secgate/internal/safefile"
	"github.com/secgate/secgate/internal/textsafe"
	"github.com/secgate/secgate/internal/waivervex"
)

func exceptionsCommand() *cli.Command {
	return &cli.Command{
		Name:  "exceptions",
		Usage: "work with secgate.yaml's exceptions: import ignore files, export those in force as OpenVEX",
		Commands: []*cli.Command{{
			Name:      "import",
			Usage:     "turn .trivyignore, .trivyignore.yaml and .grype.yaml ignore rules into secgate exceptions",
			ArgsUsage: "FILE...",
			Description: "Prints the exceptions section of secgate.yaml (or writes it with -o) for the rules of Trivy's\n" +
				".trivyignore and .trivyignore.yaml and of the ignore list of a Grype configuration, each file's\n" +
				"format told by its content. A rule becomes an exception by id (a vulnerability or rule id) or\n" +
				"by purl pattern (a Grype rule on a package), exactly; a rule an exception cannot say as it is\n" +
				"(a vulnerability in one package, paths, a fix state, a namespace, a package name that is a\n" +
				"regular expression) is not imported and is listed on standard error with the reason.\n" +
				"Every exception needs a reason and an expiry: the rule's own (statement, expired_at, exp:,\n" +
				"reason), else --reason and --expires, else they are asked for on a terminal; without one,\n" +
				"the rules that lack them are listed and nothing is written (exit 2).\n" +
				"Trivy applies a rule until its expiry date starts; the exception's expires is the day\n" +
				"before, the last day the rule applied.",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "reason", Usage: "the reason of the rules that give none"},
				&cli.StringFlag{Name: "expires", Usage: "the expiry (YYYY-MM-DD, the last day it applies) of the rules that give none"},
				&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the exceptions to this file instead of standard output"},
			},
			Action: func(ctx context.Context, c *cli.Command) error {
				if c.Args().Len() == 0 {
					return errors.New("exceptions import: name at least one ignore file (.trivyignore, .trivyignore.yaml, .grype.yaml)")
				}
				in := c.Root().Reader
				return runExceptionsImport(ctx, importOptions{
					Files:       c.Args().Slice(),
					Reason:      c.String("reason"),
					Expires:     c.String("expires"),
					Output:      c.String("output"),
					Interactive: isTerminalReader(in),
				}, in, c.Root().Writer, c.Root().ErrWriter)
			},
		}, {
			Name:  "export",
			Usage: "write the exceptions in force as an OpenVEX document",
			Description: "Writes the exceptions of secgate.yaml that are in force at --now (default: the clock) as an\n" +
				"OpenVEX document, to standard output or to -O FILE. Each exception by vulnerability id is one\n" +
				"statement about the --product(s): with a justification, not_affected with that justification\n" +
				"and the reason as impact statement; without one, an accepted risk: affected, with the reason\n" +
				"and the last day as action statement. Its status notes name its owner and ticket.\n" +
				"Exceptions by rule or purl pattern, or by a finding's fingerprint, name no vulnerability and\n" +
				"are left out, as are expired ones: each is listed on standard error with the reason.\n" +
				"The same configuration, flags and --now write the same bytes.",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "openvex", Usage: "the document's format: openvex"},
				&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "secgate.yaml to read (default: ./secgate.yaml)"},
				&cli.StringSliceFlag{Name: "product", Usage: "repeatable: the product the exceptions are about (a purl such as pkg:oci/app, or another id)"},
				&cli.StringFlag{Name: "author", Usage: "the document's author (default: " + vex.DefaultAuthor + ")"},
				&cli.StringFlag{Name: "output", Aliases: []string{"O"}, Usage: "write the document to this file instead of standard output"},
				&cli.StringFlag{Name: "now", Usage: "the time exceptions are judged by and the document's timestamp (RFC 3339; default: the clock)"},
			},
			Action: func(ctx context.Context, c *cli.Command) error {
				if c.Args().Len() > 0 {
					return fmt.Errorf("exceptions export: unexpected argument %q (the exceptions are read from --config)", c.Args().First())
				}
				now, _, err := runTime(c.String("now"), time.Now)
				if err != nil {
					return err
				}
				return runExceptionsExport(ctx, exportOptions{
					Format:   c.String("format"),
					Config:   c.String("config"),
					Products: c.StringSlice("product"),
					Author:   c.String("author"),
					Output:   c.String("output"),
					Now:      now,
				}, c.Root().Writer, c.Root().ErrWriter)
			},
		}},
	}
}

type exportOptions struct {
	// Format is the document's format: openvex.
	Format string
	// Config is secgate.yaml's path; "" for ./secgate.yaml.
	Config   string
	Products []string
	Author   string
	// Output is the file written; "" for standard output.
	Output string
	Now    time.Time
}

func runExceptionsExport(_ context.Context, opts exportOptions, stdout, stderr io.Writer) error {
	if opts.Format != "openvex" {
		return fmt.Errorf("exceptions export: -o %q: want openvex", opts.Format)
	}
	var cfg *config.Config
	var err error
	if opts.Config != "" {
		cfg, err = config.Load(opts.Config)
	} else {
		cfg, err = config.Find()
		if err == nil && cfg.Path == "" {
			err = fmt.Errorf("exceptions export: no %s here: name the configuration with --config", config.DefaultFile)
		}
	}
	if err != nil {
		return err
	}
	waivers, _ := cfg.Sections["exceptions"].([]any)
	doc, skipped, err := waivervex.Document(waivers, waivervex.Options{
		Products: opts.Products,
		Now:      opts.Now,
		Author:   strings.TrimSpace(opts.Author),
		Tooling:  "secgate exceptions export",
	})
	for _, s := range skipped {
		fmt.Fprintf(stderr, "secgate: not exported: exception for %s: %s\n", textsafe.Clean(s.What, textsafe.MaxField), s.Why)
	}
	if errors.Is(err, waivervex.ErrNoProduct) {
		return fmt.Errorf("exceptions export: %s: %w: name the product they are about with --product (a purl such as pkg:oci/app, or another id)", textsafe.Clean(cfg.Path, textsafe.MaxField), err)
	}
	if err != nil {
		return fmt.Errorf("exceptions export: %s: %w", textsafe.Clean(cfg.Path, textsafe.MaxField), err)
	}
	out, err := waivervex.Encode(doc)
	if err != nil {
		return err
	}
	if opts.Output == "" {
		_, err = stdout.Write(out)
		return err
	}
	if err := safefile.Write(opts.Output, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "secgate: wrote %d statement(s) to %s\n", len(doc.Statements), textsafe.Clean(opts.Output, textsafe.MaxField))
	return nil
}

type importOptions struct {
	Files []string
	// Reason and Expires are given to the rules that say none.
	Reason, Expires string
	// Output is the file written; "" for standard output.
	Output string
	// Interactive: ask on stdin (a terminal) for what a rule lacks.
	Interactive bool
}

// maxListed bounds the rules an error lists by name.
const maxListed = 10

func runExceptionsImport(_ context.Context, opts importOptions, stdin io.Reader, stdout, stderr io.Writer) error {
	if strings.TrimSpace(opts.Reason) == "" && opts.Reason != "" {
		return errors.New("--reason: empty")
	}
	if opts.Expires != "" {
		if _, err := time.Parse(time.DateOnly, opts.Expires); err != nil {
			return fmt.Errorf("--expires: %q is not a date YYYY-MM-DD", opts.Expires)
		}
	}
	type imported struct {
		x     ignorefile.Exception
		where string
	}
	var got []imported
	seen := map[ignorefile.Exception]bool{}
	for _, path := range opts.Files {
		// An ignore file is read as itself: one planted as a link to a
		// secret would have the secret printed as its ids.
		if st, err := os.Lstat(path); err == nil && st.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symlink; secgate reads an ignore file only as itself (name the file it points to)", path)
		}
		data, err := limitread.File(path, config.MaxFileSize)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		format, entries, err := ignorefile.Parse(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if len(entries) == 0 {
			fmt.Fprintf(stderr, "secgate: %s (%s): no rules\n", textsafe.Clean(path, 256), format)
		}
		for _, e := range entries {
			where := fmt.Sprintf("%s:%d %s", textsafe.Clean(path, 256), e.Line, textsafe.Clean(e.What, 256))
			if e.Exception == nil {
				fmt.Fprintf(stderr, "secgate: not imported: %s: %s\n", where, textsafe.Clean(e.Refused, 0))
				continue
			}
			x := *e.Exception
			if x.Reason == "" {
				x.Reason = strings.TrimSpace(opts.Reason)
			}
			if x.Expires == "" {
				x.Expires = opts.Expires
			}
			if seen[x] {
				continue
			}
			seen[x] = true
			got = append(got, imported{x, where})
		}
	}
	var lacking []string
	ask := newAsker(stdin, stderr)
	for i := range got {
		x := &got[i].x
		if x.Reason != "" && x.Expires != "" {
			continue
		}
		if opts.Interactive {
			if err := ask.fill(x, got[i].where); err != nil {
				return err
			}
			continue
		}
		var what []string
		if x.Reason == "" {
			what = append(what, "reason")
		}
		if x.Expires == "" {
			what = append(what, "expires")
		}
		lacking = append(lacking, fmt.Sprintf("%s (%s)", got[i].where, strings.Join(what, ", ")))
	}
	if n := len(lacking); n > 0 {
		more := ""
		if len(lacking) > maxListed {
			more = fmt.Sprintf(", … and %d more", len(lacking)-maxListed)
			lacking = lacking[:maxListed]
		}
		return fmt.Errorf("exceptions import: %d rule(s) lack a reason or an expiry, which every exception needs (give --reason and --expires, or run on a terminal to be asked): %s%s",
			n, strings.Join(lacking, "; "), more)
	}
	xs := make([]ignorefile.Exception, len(got))
	comments := make([]string, len(got))
	for i, g := range got {
		xs[i], comments[i] = g.x, "from "+g.where
	}
	out, err := ignorefile.Render(xs, comments)
	if err != nil {
		return err
	}
	// What is written must load: a rule that would make secgate.yaml
	// invalid is an error here, not in the gate.
	if _, err := config.Parse(out); err != nil {
		return fmt.Errorf("exceptions import: the exceptions do not load: %w", err)
	}
	if opts.Output == "" {
		_, err = stdout.Write(out)
		return err
	}
	if err := safefile.Write(opts.Output, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "secgate: wrote %d exception(s) to %s\n", len(xs), textsafe.Clean(opts.Output, 256))
	return nil
}

// asker asks on a terminal for what an exception lacks.
type asker struct {
	in  *bufio.Scanner
	out io.Writer
}

func newAsker(stdin io.Reader, stderr io.Writer) *asker {
	return &asker{in: bufio.NewScanner(stdin), out: stderr}
}

// maxTries bounds the answers asked for one value.
const maxTries = 3

func (a *asker) fill(x *ignorefile.Exception, where string) error {
	if x.Reason == "" {
		r, err := a.ask(fmt.Sprintf("reason for %s: ", where), func(s string) error {
			if s == "" {
				return errors.New("a reason is needed")
			}
			return nil
		})
		if err != nil {
			return err
		}
		x.Reason = r
	}
	if x.Expires == "" {
		e, err := a.ask(fmt.Sprintf("expires (YYYY-MM-DD, the last day it applies) for %s: ", where), func(s string) error {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				return fmt.Errorf("%q is not a date YYYY-MM-DD", s)
			}
			return nil
		})
		if err != nil {
			return err
		}
		x.Expires = e
	}
	return nil
}

func (a *asker) ask(prompt string, check func(string) error) (string, error) {
	for range maxTries {
		fmt.Fprint(a.out, prompt)
		if !a.in.Scan() {
			fmt.Fprintln(a.out)
			return "", errors.New("exceptions import: no answer (end of input); nothing written")
		}
		s := strings.TrimSpace(a.in.Text())
		if err := check(s); err != nil {
			fmt.Fprintf(a.out, "secgate: %v\n", err)
			continue
		}
		return s, nil
	}
	return "", fmt.Errorf("exceptions import: no valid answer after %d tries; nothing written", maxTries)
}

// isTerminalReader reports whether r is a terminal: not merely a
// character device, which /dev/null is too.
func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
