// Package opaserver is OPA's own server runtime (opa run) with secgate's
// builtins registered, the program cmd/secgate-opa is. It is the one
// importer of OPA's command line (github.com/open-policy-agent/opa/cmd):
// that runtime and everything it links stay out of secgate's own binary,
// whose start-up every command pays; secgate opa run finds secgate-opa
// and runs it.
package opaserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	opacmd "github.com/open-policy-agent/opa/cmd"
	"github.com/spf13/cobra"

	"github.com/secgate/secgate/eval/builtins"
	"github.com/secgate/secgate/internal/opaclient"
	"github.com/secgate/secgate/internal/textsafe"
)

// Main is the program secgate-opa: Run with args, then the exit code,
// 0 when the server stopped (on a signal) or the command (--help) ended,
// 2 with one line on stderr when it failed.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if err := Run(ctx, args, stdout, stderr); err != nil {
		msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
		fmt.Fprintf(stderr, "secgate-opa: error: %s\n", textsafe.Clean(msg, 0))
		return 2
	}
	return 0
}

// Run runs OPA's run command with args (its flags and files, without
// "run"), with secgate's builtins registered the way OPA documents for
// extending its server: globally, before the runtime compiles anything.
// Unlike opa run, it listens on opaclient.DefaultServerAddr unless --addr
// (or OPA_ADDR) says otherwise, and does not ask GitHub for OPA's latest
// version unless --skip-version-check=false.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	builtins.Register()
	// OPA's commands under "secgate opa", so that its help names the
	// command as a user types it: "secgate opa run" (cobra names a
	// command by the first word of its Use).
	top := &cobra.Command{Use: "secgate", SilenceErrors: true, SilenceUsage: true}
	root := opacmd.Command(&cobra.Command{Use: "opa", SilenceErrors: true, SilenceUsage: true}, "OPA")
	top.AddCommand(root)
	run, _, err := root.Find([]string{"run"})
	if err != nil || run == nil || run.Name() != "run" {
		return errors.New("internal error: OPA has no run command")
	}
	run.Long = strings.ReplaceAll(run.Long, "$ opa run", "$ secgate opa run")
	if f := run.Flags().Lookup("addr"); f != nil {
		f.DefValue = "[" + opaclient.DefaultServerAddr + "]"
	}
	if f := run.Flags().Lookup("skip-version-check"); f != nil {
		f.DefValue = "true"
	}
	pre := run.PreRunE
	run.PreRunE = func(cmd *cobra.Command, a []string) error {
		if pre != nil {
			if err := pre(cmd, a); err != nil {
				return err
			}
		}
		// After OPA's environment variables (OPA_ADDR …) set theirs: what
		// neither the command line nor the environment set.
		if !cmd.Flags().Changed("addr") {
			if err := cmd.Flags().Set("addr", opaclient.DefaultServerAddr); err != nil {
				return err
			}
		}
		if !cmd.Flags().Changed("skip-version-check") {
			if err := cmd.Flags().Set("skip-version-check", "true"); err != nil {
				return err
			}
		}
		return nil
	}
	top.SetArgs(append([]string{"opa", "run"}, args...))
	top.SetOut(stdout)
	top.SetErr(stderr)
	if err := top.ExecuteContext(ctx); err != nil {
		return fmt.Errorf("opa run: %w", err)
	}
	return nil
}
