package ticketsync

// This file is a fourth sink written as a new tracker is, and its test:
// everything the tracker needs is in this one file (registered from init,
// built by New, reached through the network policy's fetcher), and no
// other file of the package names it.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/tickets"
)

func init() { Register("tracker", newTracker) }

// tracker posts each ticket to Target/issues, one request per ticket.
type tracker struct {
	opts  Options
	fetch *netpolicy.Fetcher
}

func newTracker(o Options) (Sink, error) {
	f := netpolicy.NewFetcher(o.Net, o.HTTPClient)
	if _, err := f.CheckURL(o.Target); err != nil {
		return nil, fmt.Errorf("tracker %s: %w", netpolicy.Redact(o.Target), err)
	}
	return &tracker{opts: o, fetch: f}, nil
}

func (s *tracker) Sync(ctx context.Context, ts []tickets.Ticket) (*Plan, error) {
	plan := &Plan{Actions: []Action{}, DryRun: s.opts.DryRun}
	for _, t := range ts {
		if !s.opts.DryRun {
			body, err := json.Marshal(map[string]string{"title": t.Title, "body": t.Body})
			if err != nil {
				return plan, err
			}
			resp, err := s.fetch.Do(ctx, netpolicy.Request{Method: http.MethodPost, URL: s.opts.Target + "/issues", Body: body, MaxBody: 1 << 10})
			if err != nil {
				return plan, fmt.Errorf("tracker %s: %w", netpolicy.Redact(s.opts.Target), err)
			}
			fp, _ := tickets.FingerprintOf(string(resp.Body))
			if fp != t.Fingerprint {
				return plan, fmt.Errorf("tracker: the issue made carries %q, not %q", fp, t.Fingerprint)
			}
		}
		plan.Created++
		plan.Actions = append(plan.Actions, Action{Kind: ActionCreate, Fingerprint: t.Fingerprint, Title: t.Title})
	}
	return plan, nil
}

// TestANewTrackerIsOneFile: the tracker above is built by New from its
// name, syncs through the Sink interface, and its plan prints as every
// sink's does.
func TestANewTrackerIsOneFile(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var is struct{ Title, Body string }
		if err := json.NewDecoder(r.Body).Decode(&is); err != nil || r.URL.Path != "/issues" || r.Header.Get("User-Agent") != netpolicy.UserAgent {
			t.Errorf("request %s %s: %v", r.Method, r.URL.Path, err)
		}
		mu.Lock()
		got = append(got, is.Title)
		mu.Unlock()
		fp, _ := tickets.FingerprintOf(is.Body)
		io.WriteString(w, tickets.Marker(fp))
	}))
	defer srv.Close()
	ts := makeTickets(t, day0, "critical", "low")

	out := syncAndPrint(t, Options{Sink: "tracker", Target: srv.URL, HTTPClient: srv.Client()}, ts)
	want := fmt.Sprintf("created 2, updated 0, reopened 0, closed 0, unchanged 0\ncreated: %s\ncreated: %s\n", ts[0].Title, ts[1].Title)
	if out != want || len(got) != 2 {
		t.Errorf("printed:\n%s\nwant:\n%s\n(%d requests)", out, want, len(got))
	}
	if !strings.Contains(strings.Join(Names(), " "), "tracker") {
		t.Errorf("Names() = %v", Names())
	}
}
