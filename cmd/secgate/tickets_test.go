package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/secgate/secgate/tickets"
)

// runTickets runs one command line through the app, with the tickets
// command registered if app.go does not register it yet.
func runTickets(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errw bytes.Buffer
	app := newApp(strings.NewReader(""), &out, &errw)
	if app.Command("tickets") == nil {
		app.Commands = append(app.Commands, ticketsCommand())
	}
	err = app.Run(context.Background(), append([]string{"secgate"}, args...))
	return out.String(), errw.String(), err
}

func writeTickets(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ts := []tickets.Ticket{
		{Fingerprint: strings.Repeat("a", 64), Title: "Upgrade a 1 to 2 (CVE-1, high)", Kind: "vulnerability", Severity: "high",
			Labels: []string{"secgate", "severity:high"}, Body: "body a\n\n" + tickets.Marker(strings.Repeat("a", 64)) + "\n"},
		{Fingerprint: strings.Repeat("b", 64), Title: "Revoke the secret x in y", Kind: "secret", Severity: "critical",
			Labels: []string{"secgate"}, Body: "body b\n\n" + tickets.Marker(strings.Repeat("b", 64)) + "\n"},
	}
	if err := tickets.WriteDir(dir, ts); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, tickets.JSONFile)
}

func TestTicketsSyncWebhook(t *testing.T) {
	path := writeTickets(t)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte("topsecret"))
		mac.Write(body)
		if r.Header.Get("X-Secgate-Signature-256") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			t.Errorf("bad signature")
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	t.Setenv("SG_HOOK_SECRET", "topsecret")
	out, _, err := runTickets(t, "tickets", "sync", "--webhook", srv.URL, "--secret-env", "SG_HOOK_SECRET", path)
	if err != nil || out != "posted 2 tickets to the webhook\n" || calls.Load() != 1 {
		t.Errorf("out %q, err %v, calls %d", out, err, calls.Load())
	}
}

func TestTicketsSyncGitHubDryRun(t *testing.T) {
	path := writeTickets(t)
	var writes atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/v3/repos/acme/shop/issues" {
			writes.Add(1)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		body := `[{"number": 7, "title": "old", "state": "open", "labels": [{"name": "secgate"}], "body": "` +
			tickets.Marker(strings.Repeat("c", 64)) + `"}]`
		io.WriteString(w, body)
	}))
	defer srv.Close()
	t.Setenv("GITHUB_TOKEN", "")
	out, _, err := runTickets(t, "tickets", "sync", "--github", "acme/shop", "--github-url", srv.URL+"/api/v3/", "--dry-run", path)
	want := "dry run, would have created 2, updated 0, reopened 0, closed 1, unchanged 0\n" +
		"would be created: Upgrade a 1 to 2 (CVE-1, high)\n" +
		"would be created: Revoke the secret x in y\n" +
		"would be closed #7: old\n"
	if err != nil || out != want || writes.Load() != 0 {
		t.Errorf("err %v, %d writes, out:\n%s\nwant:\n%s", err, writes.Load(), out, want)
	}
}

func TestTicketsSyncFlagErrors(t *testing.T) {
	path := writeTickets(t)
	t.Setenv("GITHUB_TOKEN", "")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--github", "acme/shop", path}, "GITHUB_TOKEN is not set"},
		{[]string{"--github", "acme", "--dry-run", path}, "--github: want OWNER/REPO"},
		{[]string{"--github", "a/b", "--webhook", "http://x", path}, "exclude each other"},
		{[]string{path}, "--github OWNER/REPO or --webhook URL"},
		{[]string{"--webhook", "http://127.0.0.1:1/x", "--secret-env", "SG_UNSET_SECRET_VAR", path}, "SG_UNSET_SECRET_VAR is not set"},
		{[]string{"--webhook", "http://x"}, "name the tickets file"},
		{[]string{"--webhook", "http://x", "--dry-run", filepath.Join(t.TempDir(), "none.json")}, "none.json: no such file"},
		{[]string{"--nope", path}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, _, err := runTickets(t, append([]string{"tickets", "sync"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
