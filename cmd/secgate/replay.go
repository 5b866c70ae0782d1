package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/history"
	"github.com/secgate/secgate/internal/textsafe"
)

// replayCommand is secgate history replay: candidate policies over the
// recorded runs.
func replayCommand(historyFlag cli.Flag, filters []cli.Flag, output cli.Flag) *cli.Command {
	flags := []cli.Flag{historyFlag}
	for _, f := range policyFlags() {
		// The explanation is check's, of one document.
		if n := f.Names()[0]; n != "explain" && n != "trace" {
			flags = append(flags, f)
		}
	}
	flags = append(flags, &cli.StringSliceFlag{Config: trimSpace, Name: "current-policy", Usage: "the policies in force to compare with, as --policy takes (repeatable; default: the policies of secgate.yaml, else the built-in policies)"})
	flags = append(flags, filters...)
	flags = append(flags, output)
	return &cli.Command{
		Name:  "replay",
		Usage: "evaluate candidate policies (--policy) over the recorded runs: which runs they would have failed, and which decisions they change",
		Description: "Each run's document is rebuilt from what the history keeps: findings (id, kind, rule, severity, status as decided,\n" +
			"new or not, package, path), components (name, version, purl, licences, change) and the stage, branch, commit and time.\n" +
			"Scores, exploit data, fixed versions, titles, lines, tools, the dependency graph and the run's configuration are not kept:\n" +
			"the configuration used is today's (-c, or ./secgate.yaml). The policies in force (--current-policy) are replayed too:\n" +
			"a run they do not decide as recorded is marked not reproduced. Runs whose findings or SBOM retention pruned are skipped.\n" +
			"Exit codes: 0 replayed (whatever the candidate decides), 2 error.",
		Flags: flags,
		Action: withHistory(func(ctx context.Context, c *cli.Command, s *history.Store) error {
			if c.NArg() > 0 {
				return fmt.Errorf("replay takes no arguments, got %q (the candidate is --policy)", c.Args().First())
			}
			if stringList(c, "policy") == nil {
				return errors.New("replay: --policy names the candidate policies to replay")
			}
			f, err := filterFrom(c)
			if err != nil {
				return err
			}
			cand, err := policyOptionsFrom(c)
			if err != nil {
				return err
			}
			// Replayed runs print nothing: one run's print() lines would
			// be hundreds.
			cand.Log = nil
			cur := cand
			cur.Sources = stringList(c, "current-policy")
			if cur.Sources == nil {
				cur.Sources = cur.Config.Policies
			}
			rp, err := gate.RunReplay(ctx, s, gate.ReplayOptions{Filter: f, Candidate: cand, Current: cur})
			if err != nil {
				return err
			}
			if c.String("format") == "json" {
				return writeJSON(c.Root().Writer, rp)
			}
			return writeReplay(c.Root().Writer, rp)
		}),
	}
}

// writeReplay prints a replay for a terminal: the count, then each run
// whose decision would change, with the violations that would appear and
// vanish.
func writeReplay(w io.Writer, rp *gate.Replay) error {
	fmt.Fprintf(w, "candidate: %s\n", textsafe.Clean(strings.Join(rp.PolicySources, ", "), textsafe.MaxMessage))
	fmt.Fprintf(w, "in force:  %s\n", textsafe.Clean(strings.Join(rp.CurrentPolicySources, ", "), textsafe.MaxMessage))
	fmt.Fprintf(w, "the candidate would have failed %d of %d runs of %s (%d failed as recorded); it changes the decision of %d\n",
		rp.Failed, rp.Runs, plural(rp.Projects, "project"), rp.RecordedFailed, rp.Changed)
	if rp.NotReproduced > 0 {
		fmt.Fprintf(w, "%d run(s) marked * are not decided as recorded by the policies in force either: the history does not keep all they read, or they or the configuration changed since\n", rp.NotReproduced)
	}
	for _, sk := range rp.Skipped {
		fmt.Fprintf(w, "skipped run %d (%s, %s): %s\n", sk.ID, clean(sk.Project), sk.Time.Format(time.RFC3339), sk.Reason)
	}
	if len(rp.Flips) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tTIME\tPROJECT\tSTAGE\tRECORDED → CANDIDATE\tVIOLATIONS +/-")
	for _, r := range rp.Flips {
		mark := ""
		if !r.Reproduced {
			mark = "*"
		}
		fmt.Fprintf(tw, "%d%s\t%s\t%s\t%s\t%s → %s\t+%d/-%d\n", r.ID, mark, r.Time.Format(time.RFC3339), clean(r.Project), clean(r.Stage),
			r.Recorded, r.Candidate, len(r.Violations.Appeared), len(r.Violations.Vanished))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rp.Flips {
		if len(r.Violations.Appeared)+len(r.Violations.Vanished) == 0 {
			continue
		}
		fmt.Fprintf(w, "\nrun %d:\n", r.ID)
		for _, l := range []struct {
			mark string
			ms   []eval.Message
		}{{"+", r.Violations.Appeared}, {"-", r.Violations.Vanished}} {
			for i, m := range l.ms {
				if i == 10 {
					fmt.Fprintf(w, "  %s … and %d more (-o json)\n", l.mark, len(l.ms)-10)
					break
				}
				sev := ""
				if m.Severity != "" {
					sev = "[" + clean(m.Severity) + "] "
				}
				fmt.Fprintf(w, "  %s %s%s: %s\n", l.mark, sev, clean(m.Policy), textsafe.Clean(m.Msg, textsafe.MaxMessage))
			}
		}
	}
	return nil
}

// plural is "1 project", "2 projects".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
