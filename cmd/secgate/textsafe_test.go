package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
