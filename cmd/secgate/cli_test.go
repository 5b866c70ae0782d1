package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// A command line secgate does not take is one line on stderr, exit 2: the
// flag as it was typed, and the nearest command or flag it does know.
func TestUsageErrors(t *testing.T) {
	report := "../../examples/reports/npm-audit.json"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"chek", report}, `unknown command "chek", did you mean check? (see --help)`},
		{[]string{"polices"}, `unknown command "polices", did you mean policies? (see --help)`},
		{[]string{"tickets", "snc"}, `unknown command "snc", did you mean sync? (see --help)`},
		{[]string{"bundle", "verfy", "b.tar.gz"}, `unknown command "verfy", did you mean verify? (see --help)`},
		{[]string{"check", "--baselin", "base.json", report}, "flag provided but not defined: --baselin, did you mean --baseline? (see --help)"},
		{[]string{"check", report, "--baselin=base.json"}, "flag provided but not defined: --baselin, did you mean --baseline? (see --help)"},
		{[]string{"check", "-baselin", "base.json", report}, "flag provided but not defined: -baselin, did you mean --baseline? (see --help)"},
		{[]string{"ingest", report, "--max-file-siz", "1KiB"}, "flag provided but not defined: --max-file-siz, did you mean --max-file-size? (see --help)"},
		{[]string{"tickets", "sync", "--webhok", "http://x", "t.json"}, "flag provided but not defined: --webhok, did you mean --webhook? (see --help)"},
		{[]string{"--verson"}, "flag provided but not defined: --verson, did you mean --version? (see --help)"},
		{[]string{"check", report, "--timeout", "soon"}, `invalid value "soon" for flag --timeout: time: invalid duration "soon" (see --help)`},
		{[]string{"check", report, "-o"}, "flag needs an argument: -o (see --help)"},
		// Flags after the reports are read as flags.
		{[]string{"ingest", report, "--max-file-size", "1KiB"}, "npm-audit.json: larger than --max-file-size 1KiB"},
		{[]string{"bundle", "build", "no-such-dir", "--signing-alg", "ES256"}, "--signing-alg, --key-id and --claims-file need a --signing-key"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"secgate"}, tt.args...), strings.NewReader(""), &stdout, &stderr)
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if code != exitError || len(lines) != 1 || !strings.HasPrefix(lines[0], "secgate: error: ") || !strings.Contains(lines[0], tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", code, stderr.String(), tt.want)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout %q", stdout.String())
			}
		})
	}
}

// A command that groups others shows its help alone or with "help", exit 0;
// "--" ends the flags.
func TestGroupHelp(t *testing.T) {
	for _, args := range [][]string{{}, {"help"}, {"tickets"}, {"tickets", "help"}, {"bundle"}, {"completion"}} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"secgate"}, args...), strings.NewReader(""), &stdout, &stderr)
		if code != 0 || !strings.Contains(stdout.String(), "USAGE:") || stderr.Len() > 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"secgate", "ingest", "--", "--now"}, strings.NewReader(""), &stdout, &stderr)
	if code != exitError || !strings.Contains(stderr.String(), "--now: open: no such file") {
		t.Errorf("after --, a report named --now: exit %d, stderr %q", code, stderr.String())
	}
}

// Each value of a list flag is trimmed, as urfave/cli v2 did: "-p ' builtin'"
// is the built-in policies.
func TestListFlagsTrimmed(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"secgate", "check", "--config", "../../examples/secgate.yaml", "-p", " builtin ", "-o", "json", "../../examples/reports/trivy-image.json"},
		strings.NewReader(""), &stdout, &stderr)
	if code == exitError || !strings.Contains(stdout.String(), `"secgate.thresholds"`) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
