// Command secgate is a policy-as-code security gate: it reads the reports
// of security scanners and SBOM tools, turns them into one document,
// evaluates Rego policies over it, and answers pass, warn or fail.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/secgate/secgate/internal/textsafe"
)

func main() {
	deferGC(startingHeap)
	os.Exit(run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes, the same for every command (docs/decision.md): 0 pass or
// warn, 1 the gate or the policy tests failed, 2 nothing was decided.
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
			fmt.Fprintf(stderr, "secgate: error: internal error: %s\n", oneLine(fmt.Sprint(r)))
			code = exitError
		}
	}()
	app := newApp(stdin, stdout, stderr)
	err := app.Run(ctx, args)
	var status exitCode
	switch {
	case err == nil:
		return exitPass
	case errors.Is(err, errPolicy):
		return exitPolicy
	case errors.As(err, &status):
		return int(status)
	}
	fmt.Fprintf(stderr, "secgate: error: %s\n", oneLine(err.Error()))
	return exitError
}

// oneLine folds a multi-line error (errors.Join) into one line, with
// control characters a report or a file name put in it shown escaped
// (textsafe.Clean).
func oneLine(s string) string {
	s = strings.ReplaceAll(s, ":\n", ": ")
	return textsafe.Clean(strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " "), 0)
}

// startingHeap is the heap a run may reach before the first collection.
const startingHeap = 64 << 20

// gcPercent is the collector's pacing once the heap has passed
// startingHeap: half Go's default. A large report's findings and their
// Rego values stay live until the end, so the heap a collection lets
// grow on top of them is most of the peak; at 50 the peak on 100,000
// findings is about 12% lower and the run no slower, the collection
// taking the second CPU.
const gcPercent = 50

// deferGC holds the garbage collector off until the heap reaches limit,
// then paces it at gcPercent, as the Go compiler does for its own short
// runs (cmd/compile's AdjustStartingHeap). A gate over a small report
// finishes before then and spends no time collecting. GOGC or GOMEMLIMIT
// in the environment leave the collector as they set it.
func deferGC(limit int64) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(limit)
	// The first collection frees this object and runs its finalizer.
	// Not a tiny allocation: those share a block and may never be freed.
	sentinel := new([64]byte)
	runtime.SetFinalizer(sentinel, func(*[64]byte) {
		debug.SetGCPercent(gcPercent)
		debug.SetMemoryLimit(math.MaxInt64)
	})
}
