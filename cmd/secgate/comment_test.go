package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secgate/secgate/internal/ghfake"
	"github.com/secgate/secgate/report"
)

// runCLI runs one command line and returns its exit code and output.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errw bytes.Buffer
	code = run(context.Background(), append([]string{"secgate"}, args...), strings.NewReader(""), &out, &errw)
	return code, out.String(), errw.String()
}

// decisionOf writes the decision of check on the example reports.
func decisionOf(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "decision.json")
	if code, _, stderr := runCLI("check", "-o", "json="+path, filepath.Join("..", "..", "examples", "reports")); code != 1 {
		t.Fatalf("check: exit %d: %s", code, stderr)
	}
	return path
}

func TestCommentCommand(t *testing.T) {
	const token = "ghp_CLI-SECRET-TOKEN-7"
	t.Setenv("GITHUB_TOKEN", token)
	gh := &ghfake.Server{Token: token, User: "secgate-bot"}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	decision := decisionOf(t)
	planted := gh.Plant(7, "mallory", report.CommentMarker+"\nplanted")
	args := []string{"comment", "--github", "o/r", "--github-url", srv.URL + "/api/v3/", "--pr", "7", decision}

	code, stdout, stderr := runCLI(args...)
	if code != 0 || !strings.Contains(stdout, "created") {
		t.Fatalf("first run: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(args...)
	if code != 0 || !strings.Contains(stdout, "edited") {
		t.Fatalf("second run: exit %d, stdout %q", code, stdout)
	}
	cs := gh.Comments()
	if len(cs) != 2 || cs[0].ID != planted || cs[0].Edits != 0 || cs[1].User != "secgate-bot" || cs[1].Edits != 1 {
		t.Fatalf("comments %+v", cs)
	}
	if !strings.HasPrefix(cs[1].Body, report.CommentMarker+"\n## ❌ secgate: FAIL") {
		t.Errorf("body %q", cs[1].Body[:80])
	}

	// The pull request of an event file.
	event := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(event, []byte(`{"pull_request": {"number": 9}}`), 0o644)
	if code, _, stderr := runCLI("comment", "--github", "o/r", "--github-url", srv.URL, "--event", event, decision); code != 0 {
		t.Fatalf("--event: exit %d: %s", code, stderr)
	}
	if cs := gh.Comments(); len(cs) != 3 || cs[2].Issue != 9 {
		t.Errorf("comments %+v, want one on #9", cs)
	}

	// Refusals and bad input: exit 2, one line, no token.
	gh.Fail = map[string]int{"PATCH ": 403}
	push := filepath.Join(t.TempDir(), "push.json")
	os.WriteFile(push, []byte(`{"ref": "refs/heads/main"}`), 0o644)
	for name, args := range map[string][]string{
		"refused":     args,
		"no decision": {"comment", "--github", "o/r", "--github-url", srv.URL, "--pr", "7", filepath.Join("..", "..", "examples", "reports", "npm-audit.json")},
		"no pr":       {"comment", "--github", "o/r", "--github-url", srv.URL, decision},
		"push event":  {"comment", "--github", "o/r", "--github-url", srv.URL, "--event", push, decision},
		"bad repo":    {"comment", "--github", "o", "--pr", "7", decision},
		"plain http":  {"comment", "--github", "o/r", "--github-url", "http://example.invalid/api/v3/", "--pr", "7", decision},
	} {
		code, stdout, stderr := runCLI(args...)
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") > 1 || !strings.HasPrefix(stderr, "secgate: error: ") {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr)
		}
		if strings.Contains(stdout+stderr, token) {
			t.Errorf("%s: the token is printed", name)
		}
	}
	t.Setenv("GITHUB_TOKEN", "")
	if code, _, stderr := runCLI(args...); code != 2 || !strings.Contains(stderr, "GITHUB_TOKEN is not set") {
		t.Errorf("no token: exit %d, %q", code, stderr)
	}
}

func TestUploadSARIFCommand(t *testing.T) {
	const token = "ghp_CLI-SECRET-TOKEN-8"
	t.Setenv("GITHUB_TOKEN", token)
	gh := &ghfake.Server{Token: token, User: "u"}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	sarif := filepath.Join(t.TempDir(), "s.sarif")
	if code, _, stderr := runCLI("check", "-o", "sarif="+sarif, filepath.Join("..", "..", "examples", "reports")); code != 1 {
		t.Fatalf("check: %d %s", code, stderr)
	}
	sha := strings.Repeat("0123456789", 4)
	code, stdout, stderr := runCLI("upload-sarif", "--github", "o/r", "--github-url", srv.URL, "--commit", sha, "--ref", "refs/heads/main", sarif)
	if code != 0 || !strings.Contains(stdout, "upload-1") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	want, _ := os.ReadFile(sarif)
	if ups := gh.Uploads(); len(ups) != 1 || !bytes.Equal(ups[0].SARIF, want) || ups[0].CommitSHA != sha {
		t.Errorf("uploads %+v", ups)
	}
	gh.Fail = map[string]int{"POST ": 403}
	code, stdout, stderr = runCLI("upload-sarif", "--github", "o/r", "--github-url", srv.URL, "--commit", sha, "--ref", "refs/heads/main", sarif)
	if code != 2 || !strings.Contains(stderr, "security-events: write") || strings.Contains(stdout+stderr, token) {
		t.Errorf("refused: exit %d, stderr %q", code, stderr)
	}
}
