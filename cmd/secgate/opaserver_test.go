package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOPARunWithoutServer: with no secgate-opa beside secgate nor on the
// PATH, secgate opa run exits 2 with one line that says how to get it,
// naming this module's command.
func TestOPARunWithoutServer(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"secgate", "opa", "run", "--server"}, strings.NewReader(""), &stdout, &stderr)
	if code != exitError {
		t.Fatalf("exit %d, want 2", code)
	}
	msg := stderr.String()
	if want := "secgate: error: " + errNoOPAServer.Error() + "\n"; msg != want || stdout.Len() != 0 {
		t.Errorf("stderr %q stdout %q, want %q", msg, stdout.String(), want)
	}
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	module := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(string(mod), "\n", 2)[0], "module"))
	for _, want := range []string{"make build", "go install " + module + "/cmd/secgate-opa@VERSION"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not say %q", msg, want)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "secgate-opa", "main.go")); err != nil {
		t.Errorf("the message names cmd/secgate-opa: %v", err)
	}
}

// secgateAlone is a copy of the secgate command (the test binary as
// testscript puts it on the PATH) in a folder of its own: no secgate-opa
// beside it.
func secgateAlone(t *testing.T) string {
	t.Helper()
	src, err := exec.LookPath("secgate")
	if err != nil {
		t.Fatal(err)
	}
	name := "secgate"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	dst := filepath.Join(t.TempDir(), name)
	if err := os.Link(src, dst); err != nil {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// fakeServer writes an executable secgate-opa into dir that prints what
// and its process id, its arguments one a line and the first line of its
// standard input, and exits 7.
func fakeServer(t *testing.T, dir, what string) {
	t.Helper()
	script := "#!/bin/sh\necho \"" + what + " $$\"\nfor a in \"$@\"; do echo \"arg $a\"; done\nread line; echo \"stdin $line\"\nexit 7\n"
	if err := os.WriteFile(filepath.Join(dir, "secgate-opa"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// runSecgate runs the secgate at path with args, PATH set to path, and
// "hello" on standard input; it returns the process, its output and its
// exit code.
func runSecgate(t *testing.T, bin, path string, args ...string) (*exec.Cmd, string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "PATH="+path)
	cmd.Stdin = strings.NewReader("hello\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return cmd, stdout.String(), stderr.String(), code
}

// TestOPARunWithoutServerProcess: the same as a user meets it, secgate
// on its own with an empty PATH.
func TestOPARunWithoutServerProcess(t *testing.T) {
	_, stdout, stderr, code := runSecgate(t, secgateAlone(t), t.TempDir(), "opa", "run", "--server")
	if want := "secgate: error: " + errNoOPAServer.Error() + "\n"; code != exitError || stderr != want || stdout != "" {
		t.Errorf("exit %d stderr %q stdout %q, want 2 and %q", code, stderr, stdout, want)
	}
}

// TestOPARunBecomesTheServer: secgate opa run replaces itself with
// secgate-opa (the same process id), which gets the arguments as given,
// the standard streams, and whose exit code is secgate's.
func TestOPARunBecomesTheServer(t *testing.T) {
	if !canReplaceProcess {
		t.Skip("no execve on " + runtime.GOOS)
	}
	dir := t.TempDir()
	fakeServer(t, dir, "server")
	cmd, stdout, stderr, code := runSecgate(t, secgateAlone(t), dir, "opa", "run", "--addr", "127.0.0.1:1 two words", "--", "-x")
	want := "server " + strconv.Itoa(cmd.Process.Pid) + "\narg --addr\narg 127.0.0.1:1 two words\narg --\narg -x\nstdin hello\n"
	if code != 7 || stdout != want || stderr != "" {
		t.Errorf("exit %d stdout %q stderr %q, want 7 and %q", code, stdout, stderr, want)
	}
}

// TestOPARunFindsItsOwnServer: the secgate-opa beside secgate, found
// through the resolved path of secgate, comes before the PATH's; one
// beside a symbolic link to secgate (a folder anyone may write to) is
// never run, and neither is one in the working folder when the PATH
// names it relatively ("." or an empty entry).
func TestOPARunFindsItsOwnServer(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell scripts as servers")
	}
	bin := secgateAlone(t)
	fakeServer(t, filepath.Dir(bin), "beside")
	onPath := t.TempDir()
	fakeServer(t, onPath, "path")
	linked := t.TempDir()
	fakeServer(t, linked, "link")
	link := filepath.Join(linked, "secgate")
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	first := func(out string) string { w, _, _ := strings.Cut(out, " "); return w }

	if _, out, _, code := runSecgate(t, link, onPath, "opa", "run"); code != 7 || first(out) != "beside" {
		t.Errorf("through a link: exit %d, ran %q, want the server beside the linked binary", code, out)
	}
	if err := os.Remove(filepath.Join(filepath.Dir(bin), "secgate-opa")); err != nil {
		t.Fatal(err)
	}
	if _, out, _, code := runSecgate(t, link, onPath, "opa", "run"); code != 7 || first(out) != "path" {
		t.Errorf("through a link, nothing beside: exit %d, ran %q, want the PATH's", code, out)
	}

	// A relative PATH entry: the working folder's secgate-opa is not run.
	work := t.TempDir()
	marker := filepath.Join(work, "ran")
	script := "#!/bin/sh\n: > " + marker + "\nexit 0\n" // no PATH needed
	if err := os.WriteFile(filepath.Join(work, "secgate-opa"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	for _, path := range []string{".", "", ":" + t.TempDir(), "./"} {
		t.Setenv("PATH", path)
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"secgate", "opa", "run"}, strings.NewReader(""), &stdout, &stderr)
		if code != exitError || !strings.Contains(stderr.String(), "needs secgate-opa") {
			t.Errorf("PATH=%q: exit %d stderr %q, want 2: not found", path, code, stderr.String())
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("PATH=%q: the working folder's secgate-opa ran", path)
		}
	}
}

// TestOPARunChild: when secgate's streams are not the process's own (a
// program calling run, as here), the server runs as a child with them
// connected, and its exit code is secgate's.
func TestOPARunChild(t *testing.T) {
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"secgate", "opa", "run", "--help"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("--help: exit %d, stderr %q", code, stderr.String())
	}
	// The help names the command as it is typed, not OPA's "opa run".
	if !strings.Contains(stdout.String(), "secgate opa run [flags] [files]") || !strings.Contains(stdout.String(), "$ secgate opa run") ||
		!strings.Contains(stdout.String(), "--addr") {
		t.Errorf("--help printed\n%s", stdout.String())
	}

	stdout.Reset()
	stderr.Reset()
	code := run(ctx, []string{"secgate", "opa", "run", "--no-such-flag"}, strings.NewReader(""), &stdout, &stderr)
	if want := "secgate-opa: error: opa run: unknown flag: --no-such-flag\n"; code != exitError || stderr.String() != want {
		t.Errorf("exit %d stderr %q, want 2 and %q", code, stderr.String(), want)
	}

	if runtime.GOOS == "windows" {
		return
	}
	dir := t.TempDir()
	fakeServer(t, dir, "child")
	t.Setenv("PATH", dir)
	stdout.Reset()
	stderr.Reset()
	code = run(ctx, []string{"secgate", "opa", "run", "a b"}, strings.NewReader("hi\n"), &stdout, &stderr)
	if code != 7 || !strings.HasPrefix(stdout.String(), "child ") || !strings.HasSuffix(stdout.String(), "\narg a b\nstdin hi\n") || stderr.Len() != 0 {
		t.Errorf("exit %d stdout %q stderr %q, want 7 and the child's output", code, stdout.String(), stderr.String())
	}
	if strings.Contains(stdout.String(), "child "+strconv.Itoa(os.Getpid())+"\n") {
		t.Error("the test process was replaced")
	}
}

// TestOPARunKilledLeavesNoServer: the process secgate opa run started is
// the server; killing it (SIGKILL, which nothing can pass on) stops the
// server, with no child left listening.
func TestOPARunKilledLeavesNoServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an OPA server")
	}
	addr := freeAddr(t)
	var logs syncBuffer
	srv := startServer(t, &logs, "secgate", "opa", "run", "--server", "--addr", addr, "--log-level", "error")
	if err := waitHealthy("http://"+addr+"/health", srv); err != nil {
		t.Fatalf("not healthy: %v\n%s", err, logs.String())
	}
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.done:
	case <-time.After(30 * time.Second):
		t.Fatal("still running 30 s after it was killed")
	}
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		conn.Close()
		t.Fatalf("%s still answers after the process secgate opa run started was killed", addr)
	}
}
