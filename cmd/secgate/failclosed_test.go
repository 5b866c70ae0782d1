package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestFailClosed runs every case of testdata/failclosed (see its README):
// each folder holds the inputs, an `args` file with secgate's arguments
// (run from inside the folder) and a `want` file with the exit code due.
// Beyond the exit code, no case may panic, and an error is one line.
func TestFailClosed(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "failclosed")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		dir, err := filepath.Abs(filepath.Join(root, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(e.Name(), func(t *testing.T) { runFailClosedCase(t, dir) })
	}
	if n < 30 {
		t.Errorf("testdata/failclosed holds %d cases, want at least 30", n)
	}
}

func runFailClosedCase(t *testing.T, dir string) {
	args := readCaseFile(t, dir, "args")
	if readCaseFile(t, dir, "why") == "" {
		t.Fatal("why: empty; say in one line why the case must not pass")
	}
	want, err := strconv.Atoi(readCaseFile(t, dir, "want"))
	if err != nil {
		t.Fatalf("want: %v", err)
	}
	t.Chdir(dir)
	t.Setenv("NO_COLOR", "1")
	var stdout, stderr bytes.Buffer
	argv := append([]string{"secgate"}, strings.Fields(args)...)
	got := run(context.Background(), argv, strings.NewReader(""), &stdout, &stderr)
	if got != want {
		t.Errorf("secgate %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, got, want, stdout.String(), stderr.String())
	}
	if strings.Contains(stderr.String(), "panic") || strings.Contains(stderr.String(), "goroutine ") {
		t.Errorf("secgate %s panicked:\n%s", args, stderr.String())
	}
	if got == 2 {
		lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
		if len(lines) != 1 {
			t.Errorf("secgate %s: error is %d lines, want 1:\n%s", args, len(lines), stderr.String())
		}
	}
	if pattern, err := os.ReadFile(filepath.Join(dir, "output")); err == nil {
		out := stdout.String() + stderr.String()
		for _, p := range strings.Split(strings.TrimSpace(string(pattern)), "\n") {
			if !regexp.MustCompile(p).MatchString(out) {
				t.Errorf("secgate %s: output does not match %q:\n%s", args, p, out)
			}
		}
	}
}

func readCaseFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
