package ticketsync

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/tickets"
)

// syncAndPrint builds the sink of o, syncs ts and returns the plan printed.
func syncAndPrint(t *testing.T, o Options, ts []tickets.Ticket) string {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := s.Sync(context.Background(), ts)
	if err != nil {
		t.Fatal(err)
	}
	if plan.DryRun != o.DryRun {
		t.Errorf("plan.DryRun = %v, want %v", plan.DryRun, o.DryRun)
	}
	var out bytes.Buffer
	plan.Print(&out)
	return out.String()
}

func TestNewChoosesTheSink(t *testing.T) {
	for _, name := range []string{"github", "webhook"} {
		if !strings.Contains(" "+strings.Join(Names(), " ")+" ", " "+name+" ") {
			t.Errorf("Names() = %v, want %s in it", Names(), name)
		}
	}
	_, err := New(Options{Sink: "jira"})
	if err == nil || !strings.Contains(err.Error(), `unknown sink "jira"`) || !strings.Contains(err.Error(), "github, ") {
		t.Errorf("unknown sink: err = %v", err)
	}
	if _, err := New(Options{Sink: "github", Target: "acme"}); err == nil || !strings.Contains(err.Error(), "OWNER/REPO") {
		t.Errorf("github without a repository: err = %v", err)
	}
	s, err := New(Options{Sink: "github", Target: "acme/shop"})
	if g, ok := s.(*GitHub); err != nil || !ok || g.Options.Owner != "acme" || g.Options.Repo != "shop" {
		t.Errorf("github: %T %v", s, err)
	}
	s, err = New(Options{Sink: "webhook", Target: "https://hooks.example/h", Secret: "k"})
	if w, ok := s.(*Webhook); err != nil || !ok || w.Options.URL != "https://hooks.example/h" || w.Options.Secret != "k" {
		t.Errorf("webhook: %T %v", s, err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering github twice did not panic")
		}
	}()
	Register("github", newGitHub)
}

// TestWebhookSinkPlans: the webhook sink's plan counts the tickets posted;
// its dry run sends nothing, says what it would post, and refuses what
// the real run would, before any request.
func TestWebhookSinkPlans(t *testing.T) {
	ts := makeTickets(t, day0, "critical", "low")
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		dry   bool
		want  string
		calls int
	}{
		{true, "dry run: would post 2 tickets to the webhook\n", 0},
		{false, "posted 2 tickets to the webhook\n", 1},
	} {
		calls = 0
		out := syncAndPrint(t, Options{Sink: "webhook", Target: srv.URL + "/hook", DryRun: tc.dry, HTTPClient: srv.Client()}, ts)
		if out != tc.want || calls != tc.calls {
			t.Errorf("dry run %v: printed %q after %d requests, want %q after %d", tc.dry, out, calls, tc.want, tc.calls)
		}
	}
	_, err := New(Options{Sink: "webhook", Target: "http://hooks.example.invalid/h?token=SECRET", DryRun: true, HTTPClient: noNetwork(t)})
	if !errors.Is(err, netpolicy.ErrPlainHTTP) || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("dry run to plain http: err = %v", err)
	}
}

// TestPlanPrint: the summary line, one line per action, the dry run's
// wording, and titles from the tracker shown cleaned.
func TestPlanPrint(t *testing.T) {
	p := &Plan{Created: 1, Closed: 1, Unchanged: 3, DryRun: true, Actions: []Action{
		{Kind: ActionCreate, Title: "Upgrade a"},
		{Kind: ActionDuplicate, Number: 9, Title: "dup\x1b[2J", Fingerprint: "0123456789abcdef"},
		{Kind: ActionClose, Number: 7, Title: "old"},
	}}
	var out bytes.Buffer
	p.Print(&out)
	want := "dry run, would have created 1, updated 0, reopened 0, closed 1, unchanged 3\n" +
		"would be created: Upgrade a\n" +
		"duplicate #9: dup\\x1b[2J (same fingerprint 0123456789ab as a lower-numbered issue; left alone)\n" +
		"would be closed #7: old\n"
	if out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
}
