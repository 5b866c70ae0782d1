package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ticketsync "github.com/secgate/secgate/tickets/sync"
)

// TestErrorLineShowsControlCharactersEscaped names a report whose file name
// and content carry a workflow command, ESC and BEL: the one error line
// shows them escaped.
func TestErrorLineShowsControlCharactersEscaped(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "r\x1b[2J\a.json")
	if err := os.WriteFile(name, []byte("{\"bad\x1b]8;;https://evil\a\": \n::add-mask::x"), 0o644); err != nil {
		t.Skipf("this file system takes no such name: %v", err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"secgate", "check", name}, strings.NewReader(""), &stdout, &stderr)
	if code != exitError {
		t.Fatalf("exit %d, want %d; stderr: %q", code, exitError, stderr.String())
	}
	out := stderr.String()
	if strings.Count(out, "\n") != 1 || strings.ContainsAny(out, "\x1b\a\r") {
		t.Errorf("stderr is not one clean line: %q", out)
	}
	if !strings.Contains(out, `\x1b[2J\x07.json`) {
		t.Errorf("the file name is not shown escaped: %q", out)
	}
}

// TestSkippedFileNameShownEscaped plants a file whose name carries a
// workflow command and ESC in a folder of reports: the line that says it
// was skipped shows them escaped.
func TestSkippedFileNameShownEscaped(t *testing.T) {
	dir := t.TempDir()
	report, err := os.ReadFile(filepath.Join("..", "..", "testdata", "corpus", "trivy-json", "trivy-image-alpine-no-vulns.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "r.json"), report, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x\n::error::planted\x1b[2J.png"), nil, 0o644); err != nil {
		t.Skipf("this file system takes no such name: %v", err)
	}
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"secgate", "check", dir}, strings.NewReader(""), &stdout, &stderr)
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.HasPrefix(line, "::") || strings.ContainsAny(line, "\x1b\r") {
			t.Errorf("stderr line injected: %q", line)
		}
	}
	if !strings.Contains(stderr.String(), `x\n::error::planted\x1b[2J.png`) {
		t.Errorf("the skipped file is not shown escaped: %q", stderr.String())
	}
}

// TestTicketsPlanTitlesShownEscaped: an issue's title on the tracker (or a
// ticket's) with a workflow command and ESC is printed on one line, escaped.
func TestTicketsPlanTitlesShownEscaped(t *testing.T) {
	var out bytes.Buffer
	printPlan(&out, &ticketsync.Plan{Actions: []ticketsync.Action{
		{Kind: ticketsync.ActionDuplicate, Number: 3, Title: "dup\n::add-mask::x\x1b[2J", Fingerprint: "ab\x07cd"},
		{Kind: ticketsync.ActionCreate, Number: 4, Title: "new\r✓ PASS\u202e"},
	}})
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "::") || strings.ContainsAny(line, "\x1b\a\r\u202e") {
			t.Errorf("plan line injected: %q", line)
		}
	}
	if !strings.Contains(out.String(), `dup\n::add-mask::x\x1b[2J`) || !strings.Contains(out.String(), `new\r✓ PASS\u202e`) {
		t.Errorf("titles not shown escaped:\n%s", out.String())
	}
}
