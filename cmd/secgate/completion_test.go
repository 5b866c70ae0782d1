package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// secgate completion SHELL prints a script for the shell that asks secgate
// for the completions (testdata/script/completion.txtar runs them). An
// unknown shell is an error with the nearest known one.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"secgate", "completion", shell}, strings.NewReader(""), &stdout, &stderr)
			if code != 0 || stderr.Len() > 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			script := stdout.String()
			if !strings.Contains(script, "--generate-shell-completion") {
				t.Errorf("the %s script does not ask secgate for completions:\n%s", shell, script)
			}
			if !strings.Contains(script, "secgate") || !strings.Contains(script, shell) {
				t.Errorf("the %s script does not name secgate:\n%s", shell, script)
			}
		})
	}

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"secgate", "completion", "fsh"}, strings.NewReader(""), &stdout, &stderr)
	if want := "secgate: error: unknown command \"fsh\", did you mean fish? (see --help)\n"; code != 2 || stderr.String() != want {
		t.Errorf("exit %d, stderr %q, want 2 and %q", code, stderr.String(), want)
	}
}
