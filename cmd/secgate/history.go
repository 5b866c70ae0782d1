package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/history"
	"github.com/secgate/secgate/internal/textsafe"
	"github.com/secgate/secgate/report"
)

// historyEnv names the history when no flag does.
const historyEnv = "SECGATE_HISTORY"

// historyFlags are check's flags that record its run.
func historyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "history", Usage: "record this run in a history: a SQLite file (" + history.DefaultPath + ") or postgres://… (default: $" + historyEnv + ", else history: in secgate.yaml; none: not recorded)"},
		&cli.StringFlag{Name: "project", Usage: "the project the run is recorded under (default: the CI's repository, else the git remote's, else the folder's name)"},
		&cli.BoolFlag{Name: "history-optional", Usage: "a history that cannot be written is a warning, not an error (exit 2)"},
	}
}

// recorder says where and how check records its run.
type recorder struct {
	DSN      string
	Project  string
	Optional bool
	Config   *config.Config
	Version  string
	// Trend asks for the trend of the run's project and stage once it is
	// recorded (for the HTML page).
	Trend bool
}

// recorderFrom reads check's history flags; nil when no history is named.
func recorderFrom(c *cli.Command, cfg *config.Config) *recorder {
	dsn := historyDSN(c.String("history"), cfg)
	if dsn == "" {
		return nil
	}
	return &recorder{DSN: dsn, Project: c.String("project"), Optional: c.Bool("history-optional"), Config: cfg, Version: buildVersion()}
}

// historyDSN is the history named by the flag, else the environment,
// else the configuration; "" when none is.
func historyDSN(flag string, cfg *config.Config) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv(historyEnv); env != "" {
		return env
	}
	if cfg != nil && cfg.History != "" {
		h := cfg.History
		// A relative file is relative to the configuration's folder.
		if !strings.Contains(h, "://") && cfg.Path != "" {
			path := strings.TrimPrefix(h, "sqlite:")
			if !filepath.IsAbs(path) {
				return filepath.Join(filepath.Dir(cfg.Path), path)
			}
		}
		return h
	}
	return ""
}

// recording is a run being written to the history while the policies
// evaluate (recorder.start), completed with their decision (finish).
type recording struct {
	r    *recorder
	done chan struct{}
	// Set on the recording's goroutine, read after done.
	store *history.Store
	rec   *history.Recording
	run   *history.Run
	err   error
}

// start begins recording the run of doc, the document just loaded: the
// history is opened and the run's findings and components written on
// another goroutine while the policies evaluate. It copies the findings'
// statuses first, which exceptions change meanwhile.
func (r *recorder) start(ctx context.Context, doc *document.Document) *recording {
	w := &recording{r: r, done: make(chan struct{})}
	statuses := history.Statuses(doc)
	go func() {
		defer close(w.done)
		// Nothing recovers a panic on this goroutine but this.
		defer func() {
			if p := recover(); p != nil {
				w.err = fmt.Errorf("internal error recording the run: %v", p)
			}
		}()
		w.err = w.begin(ctx, doc, statuses)
	}()
	return w
}

func (w *recording) begin(ctx context.Context, doc *document.Document, statuses []document.Status) error {
	r := w.r
	run := history.FromLoaded(doc, statuses)
	run.Project = r.Project
	if run.Project == "" {
		run.Project = defaultProject(doc.Context)
	}
	run.Ref, run.Commit = doc.Context.Branch, doc.Context.Commit
	if run.Ref == "" || run.Commit == "" {
		ref, commit := gitHead()
		run.Ref, run.Commit = or(run.Ref, ref), or(run.Commit, commit)
	}
	run.Stage = doc.Context.Stage
	run.Time, _ = time.Parse(time.RFC3339, doc.Context.Now)
	run.SecgateVersion = r.Version
	if r.Config != nil && r.Config.Path != "" {
		if raw, err := os.ReadFile(r.Config.Path); err == nil {
			sum := sha256.Sum256(raw)
			run.ConfigSHA256 = hex.EncodeToString(sum[:])
		}
	}
	w.run = &run
	var err error
	if w.store, err = history.Open(ctx, r.DSN); err != nil {
		return err
	}
	w.rec, err = w.store.Begin(ctx, w.run)
	return err
}

// finish completes the recording with the check's result and returns the
// trend of the run's project and stage, this run included, when asked.
// It never changes the verdict: an error is returned (exit 2) unless the
// history is optional, when it is a warning on stderr.
func (w *recording) finish(ctx context.Context, res *gate.Result, stderr io.Writer) (*history.Trend, error) {
	trend, err := w.commit(ctx, res)
	if w.store != nil {
		w.store.Close()
	}
	if err == nil {
		return trend, nil
	}
	if w.r.Optional {
		fmt.Fprintf(stderr, "secgate: warning: the run was not recorded (--history-optional): %s\n", textsafe.Clean(err.Error(), 0))
		return nil, nil
	}
	return nil, err
}

func (w *recording) commit(ctx context.Context, res *gate.Result) (*history.Trend, error) {
	<-w.done
	if w.err != nil {
		return nil, w.err
	}
	run, d := w.run, res.Decision
	run.Decision = d.Decision
	run.Summary = res.Document.Summary
	run.Policies = d.PolicySources
	for i := range res.Document.Findings {
		run.Findings[i].Status = string(res.Document.Findings[i].Status)
	}
	for _, x := range d.Exceptions {
		run.Exceptions = append(run.Exceptions, history.Exception{FindingID: x.FindingID, Waiver: x.Exception})
	}
	if _, err := w.rec.Commit(ctx); err != nil {
		return nil, err
	}
	if !w.r.Trend {
		return nil, nil
	}
	return w.store.Trend(ctx, history.Filter{Project: run.Project, Stage: run.Stage})
}

// abandon waits for the recording and rolls it back: the check it
// records ended in an error.
func (w *recording) abandon() {
	<-w.done
	if w.rec != nil {
		w.rec.Rollback()
	}
	if w.store != nil {
		w.store.Close()
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// defaultProject is the CI's repository, else the git remote's path
// (owner/name), else the working folder's name.
func defaultProject(ctx document.Context) string {
	if ctx.Repository != "" {
		return ctx.Repository
	}
	if remote := gitOutput("config", "--get", "remote.origin.url"); remote != "" {
		if p := remotePath(remote); p != "" {
			return p
		}
	}
	if wd, err := os.Getwd(); err == nil {
		return filepath.Base(wd)
	}
	return "default"
}

// remotePath is a git remote's repository path: owner/name of
// https://host/owner/name.git or git@host:owner/name.git.
func remotePath(remote string) string {
	r := strings.TrimSuffix(strings.TrimSpace(remote), ".git")
	if i := strings.Index(r, "://"); i >= 0 {
		r = r[i+3:]
		if j := strings.IndexByte(r, '/'); j >= 0 {
			r = r[j+1:]
		} else {
			return ""
		}
	} else if i := strings.IndexByte(r, ':'); i >= 0 {
		r = r[i+1:]
	}
	if at := strings.LastIndexByte(r, '@'); at >= 0 {
		r = r[at+1:]
	}
	return strings.Trim(r, "/")
}

// gitHead is the branch and commit of the working folder's checkout, or
// empty strings.
func gitHead() (ref, commit string) {
	return gitOutput("rev-parse", "--abbrev-ref", "HEAD"), gitOutput("rev-parse", "HEAD")
}

// gitOutput runs git with args in the working folder and returns its
// output's first line; "" when git is missing or fails.
func gitOutput(args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

// historyCommand is secgate history and its subcommands.
func historyCommand() *cli.Command {
	common := func(more ...cli.Flag) []cli.Flag {
		return append([]cli.Flag{
			&cli.StringFlag{Name: "history", Usage: "the history: a SQLite file or postgres://… (default: $" + historyEnv + ", else history: in secgate.yaml, else " + history.DefaultPath + ")"},
			&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "secgate.yaml (default: ./secgate.yaml when present)"},
		}, more...)
	}
	filters := []cli.Flag{
		&cli.StringFlag{Name: "project", Usage: "only this project's runs"},
		&cli.StringFlag{Name: "stage", Usage: "only this stage's runs"},
		&cli.StringFlag{Name: "ref", Usage: "only this branch's runs"},
		&cli.StringFlag{Name: "since", Usage: "only runs of the last period: 30d, 12w, 36h"},
	}
	output := &cli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "table", Usage: "table or json"}
	return &cli.Command{
		Name:  "history",
		Usage: "the runs check recorded (--history): list, show, trend, report, findings, export, replay, prune, migrate",
		Commands: []*cli.Command{
			{
				Name: "list", Usage: "the runs, latest first",
				Flags: common(append(filters, output, &cli.IntFlag{Name: "limit", Value: 50, Usage: "at most this many runs (0: all)"})...),
				Action: withHistory(func(ctx context.Context, c *cli.Command, s *history.Store) error {
					f, err := filterFrom(c)
					if err != nil {
						return err
					}
					f.Limit = int(c.Int("limit"))
					runs, err := s.Runs(ctx, f)
					if err != nil {
						return err
					}
					return tableOrJSON(c, runs, "RUN\tTIME\tPROJECT\tSTAGE\tREF\tDECISION\tOPEN (C/H/M/L)\tINTRODUCED\tFIXED", func(w io.Writer) {
						for _, r := range runs {
							o := r.Summary.OpenBySeverity
							fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%d/%d/%d/%d\t%d\t%d\n", r.ID, r.Time.Format(time.RFC3339),
								clean(r.Project), clean(r.Stage), clean(r.Ref), r.Decision, o["critical"], o["high"], o["medium"], o["low"], r.Introduced, r.Fixed)
						}
					})
				}),
			},
			{
				Name: "show", Usage: "one run with its findings, components and exceptions", ArgsUsage: "RUN",
				Flags: common(),
				Action: withHistory(func(ctx context.Context, c *cli.Command, s *history.Store) error {
					id, err := strconv.ParseInt(c.Args().First(), 10, 64)
					if err != nil || c.NArg() != 1 {
						return fmt.Errorf("show takes one run number, got %q", strings.Join(c.Args().Slice(), " "))
					}
					r, err := s.Run(ctx, id)
					if err != nil {
						return err
					}
					return writeJSON(c.Root().Writer, r)
				}),
			},
			{
				Name: "trend", Usage: "open findings by severity over time, introduced and fixed per run, mean time to fix, new dependencies per week, exceptions in force",
				Flags: common(append(filters, output)...),
				Action: withHistory(func(ctx context.Context, c *cli.Command, s *history.Store) error {
					f, err := filterFrom(c)
					if err != nil {
						return err
					}
					t, err := s.Trend(ctx, f)
					if err != nil {
						return err
					}
					if c.String("format") == "json" {
						return writeJSON(c.Root().Writer, t)
					}
					return writeTrend(c.Root().Writer, t)
				}),
			},
			{
				Name: "report", Usage: "a page of a project's trend: open findings by severity over time, introduced and fixed per run, mean time to fix",
				Flags: common(append(filters, &cli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "html", Usage: "html or html=FILE (one self-contained file)"})...),
				Action: withHistory(func(ctx context.Context, c *cli.Command, s *history.Store) error {
					f, err := filterFrom(c)
					if err != nil {
						return err
					}
					t, err := s.Trend(ctx, f)
					if err != nil {
						return err
					}
					title := "secgate history"
					if f.Project != "" {
						title += ": " + f.Project
					}
					var buf bytes.Buffer
					if err := report.WritePage(&buf, report.Page{Title: title, Trend: t}); err != nil {
						return err
					}
					_, path, _ := strings.Cut(c.String("format"), "=")
					if path == "" {
						_, err = c.Root().Writer.Write(buf.Bytes())
						return err
					}
					return writeOutputFile(path, buf.Bytes())
				}),
			},
			{
				Name: "findings", Usage: "the findings open in each project's stage, with when they were first seen",
				Flags: common(append(filters[:2:2], output, &cli.StringFlag{Name: "open-since", Value: "0h", Usage: "only those open for at least this long: 30d, 12w"})...),
				Action: withHistory(func(ctx context.Context, c *cli.Command, s *history.Store) error {
					f, err := filterFrom(c)
					if err != nil {
						return err
					}
					age, err := parseAgeFlag("open-since", c.String("open-since"))
					if err != nil {
						return err
					}
					open, err := s.OpenSince(ctx, f, time.Now().Add(-age))
					if err != nil {
						return err
					}
					return tableOrJSON(c, open, "FIRST SEEN\tPROJECT\tSTAGE\tSEVERITY\tKIND\tFINDING", func(w io.Writer) {
						for _, o := range open {
							fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", o.FirstSeen.Format("2006-01-02"), clean(o.Project), clean(o.Stage), o.Severity, o.Kind, clean(o.Lineage))
						}
					})
				}),
			},
			{
				Name: "export", Usage: "the runs as JSON lines, oldest first, with everything each held",
				Flags: common(filters...),
				Action: withHistory(func(ctx context.Context, c *cli.Command, s *history.Store) error {
					f, err := filterFrom(c)
					if err != nil {
						return err
					}
					_, err = s.Export(ctx, f, c.Root().Writer)
					return err
				}),
			},
			replayCommand(common()[0], filters, output),
			{
				Name: "prune", Usage: "remove what retention in secgate.yaml no longer keeps (reports 90d, decisions 365d, SBOMs forever by default); nothing prunes by itself",
				Flags: common(&cli.BoolFlag{Name: "dry-run", Usage: "say what would be removed, remove nothing"}),
				Action: withHistory(func(ctx context.Context, c *cli.Command, s *history.Store) error {
					cfg, err := loadConfig(c)
					if err != nil {
						return err
					}
					keep, err := retentionOf(cfg)
					if err != nil {
						return err
					}
					p, err := s.Prune(ctx, keep, time.Now(), c.Bool("dry-run"))
					if err != nil {
						return err
					}
					verb := "removed"
					if c.Bool("dry-run") {
						verb = "would remove"
					}
					fmt.Fprintf(c.Root().Writer, "%s %d runs, %d findings, %d components, %d exceptions, %d fixes (retention: reports %s, decisions %s, SBOMs %s)\n",
						verb, p.Runs, p.Findings, p.Components, p.Exceptions, p.Fixes, cfg.Retention.Reports, cfg.Retention.Decisions, cfg.Retention.SBOMs)
					return nil
				}),
			},
			{
				Name: "migrate", Usage: "bring the history's schema up to date (every command does on first use)",
				Flags: common(),
				Action: withHistory(func(ctx context.Context, c *cli.Command, s *history.Store) error {
					v, err := s.Version(ctx)
					if err != nil {
						return err
					}
					fmt.Fprintf(c.Root().Writer, "history schema version %d (%s)\n", v, s.Kind())
					return nil
				}),
			},
		},
	}
}

// withHistory opens the history a subcommand names, migrated, for action.
func withHistory(action func(context.Context, *cli.Command, *history.Store) error) cli.ActionFunc {
	return func(ctx context.Context, c *cli.Command) error {
		f := c.String("format")
		if c.Name == "report" {
			if f != "html" && !strings.HasPrefix(f, "html=") {
				return fmt.Errorf("-o: want html or html=FILE, got %q", f)
			}
		} else if f != "" && f != "table" && f != "json" {
			return fmt.Errorf("-o: want table or json, got %q", f)
		}
		cfg, err := loadConfig(c)
		if err != nil {
			return err
		}
		dsn := historyDSN(c.String("history"), cfg)
		if dsn == "" {
			dsn = history.DefaultPath
			if _, err := os.Stat(dsn); errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("no history: %s does not exist (record runs with check --history, or name one with --history)", dsn)
			}
		}
		s, err := history.Open(ctx, dsn)
		if err != nil {
			return err
		}
		defer s.Close()
		return action(ctx, c, s)
	}
}

func loadConfig(c *cli.Command) (*config.Config, error) {
	if path := c.String("config"); path != "" {
		return config.Load(path)
	}
	return config.Find()
}

func filterFrom(c *cli.Command) (history.Filter, error) {
	f := history.Filter{Project: c.String("project"), Stage: c.String("stage"), Ref: c.String("ref")}
	if since := c.String("since"); since != "" {
		age, err := parseAgeFlag("since", since)
		if err != nil {
			return f, err
		}
		f.Since = time.Now().Add(-age)
	}
	return f, nil
}

func parseAgeFlag(name, v string) (time.Duration, error) {
	if v == "0h" {
		return 0, nil
	}
	age, err := history.ParseAge(v)
	if err != nil || age == 0 {
		return 0, fmt.Errorf("--%s: want a period such as 30d, 12w or 36h, got %q", name, v)
	}
	return age, nil
}

// retentionOf reads the configuration's retention.
func retentionOf(cfg *config.Config) (history.Retention, error) {
	var keep history.Retention
	for _, k := range []struct {
		name, value string
		into        *time.Duration
	}{{"reports", cfg.Retention.Reports, &keep.Reports}, {"decisions", cfg.Retention.Decisions, &keep.Decisions}, {"sboms", cfg.Retention.SBOMs, &keep.Components}} {
		d, err := history.ParseAge(k.value)
		if err != nil {
			return keep, fmt.Errorf("%s: retention.%s: %w", gate.ConfigName(cfg), k.name, err)
		}
		*k.into = d
	}
	return keep, nil
}

func clean(s string) string { return textsafe.Clean(s, textsafe.MaxField) }

// tableOrJSON prints v as JSON with -o json, else a table: header, then
// the rows rows writes, in aligned columns.
func tableOrJSON(c *cli.Command, v any, header string, rows func(io.Writer)) error {
	if c.String("format") == "json" {
		return writeJSON(c.Root().Writer, v)
	}
	w := tabwriter.NewWriter(c.Root().Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, header)
	rows(w)
	return w.Flush()
}

// writeTrend prints a trend for a terminal.
func writeTrend(w io.Writer, t *history.Trend) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tPROJECT\tSTAGE\tDECISION\tCRITICAL\tHIGH\tMEDIUM\tLOW\tINTRODUCED\tFIXED\tEXCEPTIONS")
	for _, p := range t.Points {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", p.Time.Format("2006-01-02 15:04"), clean(p.Project), clean(p.Stage), p.Decision,
			p.Open["critical"], p.Open["high"], p.Open["medium"], p.Open["low"], p.Introduced, p.Fixed, p.Exceptions)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nMean time to fix:")
	for _, sev := range document.Severities {
		if f, ok := t.MeanTimeToFix[string(sev)]; ok {
			fmt.Fprintf(w, "  %-8s %.1f days (%d fixed)\n", sev, f.Days, f.Fixed)
		}
	}
	fmt.Fprintln(w, "New dependencies per week:")
	for _, wk := range t.NewDependencies {
		fmt.Fprintf(w, "  %s  %d\n", wk.Monday, wk.Added)
	}
	return nil
}
