package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"time"
)

// opaServer is the binary of OPA's server with secgate's builtins
// (cmd/secgate-opa), which secgate opa run runs: OPA's runtime is not
// linked into secgate, whose start-up every command pays.
const opaServer = "secgate-opa"

// errNoOPAServer says how to get secgate-opa when it is nowhere to be found.
var errNoOPAServer = errors.New("secgate opa run needs " + opaServer + " (OPA's server with secgate's builtins) beside secgate or on the PATH: " +
	"make build builds both; or go install github.com/secgate/secgate/cmd/" + opaServer + "@VERSION, the version secgate version prints")

// exitCode is the exit status of a program secgate ran in its stead: run
// makes it secgate's own and prints nothing (the program has said what
// it had to).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// runOPA runs secgate-opa with args. When stdin, stdout and stderr are
// the process's own (a user's secgate opa run) and the system can,
// secgate becomes the server (execve): its signals, streams and exit
// code are the server's, with no process between. Otherwise (Windows, or
// a caller's streams) the server runs as a child with the streams
// connected; an interrupt is passed on, ctx's end kills it, and its exit
// code is returned as an exitCode.
func runOPA(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	path, err := findOPAServer(executable())
	if err != nil {
		return err
	}
	if canReplaceProcess && stdin == io.Reader(os.Stdin) && stdout == io.Writer(os.Stdout) && stderr == io.Writer(os.Stderr) {
		// Returns only when the system refused.
		if err := replaceProcess(path, append([]string{path}, args...)); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return runChild(ctx, path, args, stdin, stdout, stderr)
}

// executable is the path of the running secgate with symbolic links
// resolved (the folder it was installed in, not a link to it), or "".
func executable() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return ""
	}
	return exe
}

// findOPAServer returns the path of secgate-opa: the one beside exe (the
// resolved path of secgate) first, so that a build runs its own server,
// then the one on the PATH. A PATH entry that is relative (".", or
// empty) is not followed (exec.LookPath's ErrDot): a secgate-opa in the
// folder secgate runs in, which may be a checkout of anything, is never
// run.
func findOPAServer(exe string) (string, error) {
	name := opaServer
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if exe != "" {
		p := filepath.Join(filepath.Dir(exe), name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && (runtime.GOOS == "windows" || st.Mode()&0o111 != 0) {
			return p, nil
		}
	}
	p, err := exec.LookPath(opaServer)
	if err != nil || !filepath.IsAbs(p) {
		return "", errNoOPAServer
	}
	return p, nil
}

// runChild runs the server at path as a child process and waits for it.
func runChild(ctx context.Context, path string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	// A grandchild holding the streams open must not keep secgate waiting.
	cmd.WaitDelay = 5 * time.Second
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ctxDone := ctx.Done()
	for {
		select {
		case err := <-done:
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.ExitCode() >= 0 {
				return exitCode(exit.ExitCode())
			}
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			return nil
		case <-interrupts:
			// Where the system cannot send it (Windows), the console
			// has sent the interrupt to the server too.
			_ = cmd.Process.Signal(os.Interrupt)
		case <-ctxDone:
			_ = cmd.Process.Kill()
			ctxDone = nil
		}
	}
}
