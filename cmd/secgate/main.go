// Command secgate is a policy-as-code security gate: it reads the reports
// of security scanners and SBOM tools, turns them into one document,
// evaluates Rego policies over it, and answers pass, warn or fail.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes, the same for every command (SPEC §2).
const (
	exitPass   = 0
	exitPolicy = 1
	exitError  = 2
)

// errPolicy is returned by a command whose gate or tests failed: exit 1.
var errPolicy = errors.New("policy failure")

// run executes one command line and returns the exit code. Nothing below
// it exits or panics at the user: a panic becomes an internal error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "secgate: error: internal error: %v\n", r)
			code = exitError
		}
	}()
	app := newApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, args)
	switch {
	case err == nil:
		return exitPass
	case errors.Is(err, errPolicy):
		return exitPolicy
	}
	fmt.Fprintf(stderr, "secgate: error: %s\n", oneLine(err.Error()))
	return exitError
}

// oneLine folds a multi-line error (errors.Join) into one line.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, ":\n", ": ")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}
