package ticketsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/tickets"
)

func init() { retryBackoff = 5 * time.Millisecond }

var day0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// makeTickets builds real tickets: one upgrade per package, each package
// with one vulnerability of the given severity.
func makeTickets(t *testing.T, now time.Time, severities ...string) []tickets.Ticket {
	t.Helper()
	doc := document.New()
	var vs []eval.Message
	for i, sev := range severities {
		name := fmt.Sprintf("pkg%d", i)
		f := document.Finding{
			Kind: document.KindVulnerability, RuleID: fmt.Sprintf("CVE-2026-%04d", i), Severity: document.Severity(sev),
			Status: document.StatusOpen, FixedVersions: []string{"1.0.1"}, Aliases: []string{},
			Package: &document.Package{Name: name, Version: "1.0.0", Purl: "pkg:npm/" + name + "@1.0.0", Ecosystem: "npm"},
		}
		f.ID = document.Fingerprint(&f)
		doc.Findings = append(doc.Findings, f)
		vs = append(vs, eval.Message{Policy: "secgate.thresholds", Rule: "deny", Msg: sev + " " + f.RuleID, Severity: sev, FindingIDs: []string{f.ID}})
	}
	ts := tickets.Build(doc, vs, tickets.Options{Now: now})
	if len(ts) != len(severities) {
		t.Fatalf("built %d tickets, want %d", len(ts), len(severities))
	}
	return ts
}

func opts(f *fakeGitHub) GitHubOptions {
	return GitHubOptions{
		Owner: f.owner, Repo: f.repo, BaseURL: f.srv.URL + f.prefix + "/", Token: f.token,
		HTTPClient: f.srv.Client(), Now: day0, MaxWait: 5 * time.Second,
	}
}

func mustSync(t *testing.T, ts []tickets.Ticket, o GitHubOptions) *Plan {
	t.Helper()
	p, err := SyncGitHub(context.Background(), ts, o)
	if err != nil {
		t.Fatalf("SyncGitHub: %v", err)
	}
	return p
}

func counts(p *Plan) string {
	return fmt.Sprintf("created %d, updated %d, reopened %d, closed %d, unchanged %d",
		p.Created, p.Updated, p.Reopened, p.Closed, p.Unchanged)
}

func TestSyncTwiceCreatesOnce(t *testing.T) {
	f := newFake(t, "/api/v3")
	// Issues that are not secgate's: unlabelled, labelled without a
	// marker, and a pull request with a marker.
	f.add(fakeIssue{Title: "bug", Body: "x", Labels: []string{"bug"}})
	f.add(fakeIssue{Title: "by hand", Body: "no marker", Labels: []string{"secgate"}})
	ts := makeTickets(t, day0, "critical", "high", "high", "medium", "low")
	f.add(fakeIssue{Title: "PR", Body: tickets.Marker(ts[0].Fingerprint), Labels: []string{"secgate"}, PR: true})

	p := mustSync(t, ts, opts(f))
	if got := counts(p); got != "created 5, updated 0, reopened 0, closed 0, unchanged 0" {
		t.Errorf("first run: %s", got)
	}
	for _, tk := range ts {
		is := f.withFingerprint(tk.Fingerprint)
		var real []*fakeIssue
		for _, i := range is {
			if !i.PR {
				real = append(real, i)
			}
		}
		if len(real) != 1 {
			t.Fatalf("%s: %d issues", tk.Title, len(real))
		}
		if real[0].Title != tk.Title || real[0].Body != tk.Body || !slices.Contains(real[0].Labels, "secgate") ||
			!slices.Contains(real[0].Labels, "severity:"+tk.Severity) {
			t.Errorf("issue %+v does not match ticket %q", real[0], tk.Title)
		}
	}
	for _, l := range f.log {
		if strings.HasPrefix(l, "GET ") && (!strings.Contains(l, "labels=secgate") || !strings.Contains(l, "state=all") || !strings.Contains(l, "per_page=100")) {
			t.Errorf("listing request %s lacks labels, state or per_page", l)
		}
		if strings.Contains(l, "/search/") {
			t.Errorf("the search API was used: %s", l)
		}
	}

	// Second run, and a run a day later: nothing changes, although the
	// tickets' due dates moved by a day.
	writes := len(f.writes())
	for _, now := range []time.Time{day0, day0.Add(24 * time.Hour)} {
		gets := f.count("GET ")
		p = mustSync(t, makeTickets(t, now, "critical", "high", "high", "medium", "low"), opts(f))
		if got := counts(p); got != "created 0, updated 0, reopened 0, closed 0, unchanged 5" || len(p.Actions) != 0 {
			t.Errorf("run at %s: %s, actions %v", now, got, p.Actions)
		}
		// 7 labelled issues (5 tickets, one by hand, a pull request), 2 a page.
		if n := f.count("GET ") - gets; n != 4 {
			t.Errorf("run at %s listed %d pages, want 4", now, n)
		}
	}
	if w := f.writes(); len(w) != writes {
		t.Errorf("re-runs wrote: %v", w[writes:])
	}

	// A severity that changes gives a new due date and labels.
	later := makeTickets(t, day0.Add(24*time.Hour), "critical", "high", "high", "medium", "low")
	var changed tickets.Ticket
	for _, tk := range makeTickets(t, day0.Add(24*time.Hour), "critical", "high", "high", "critical", "low") {
		if tk.Severity == "critical" && !slices.ContainsFunc(later, func(x tickets.Ticket) bool { return x.Fingerprint == tk.Fingerprint && x.Severity == "critical" }) {
			changed = tk
		}
	}
	p = mustSync(t, makeTickets(t, day0.Add(24*time.Hour), "critical", "high", "high", "critical", "low"), opts(f))
	if got := counts(p); got != "created 0, updated 1, reopened 0, closed 0, unchanged 4" {
		t.Errorf("severity change: %s", got)
	}
	is := f.withFingerprint(changed.Fingerprint)[0]
	if due, sev, _ := tickets.DueOf(is.Body); due != "2026-03-18" || sev != "critical" || slices.Contains(is.Labels, "severity:medium") ||
		!slices.Contains(is.Labels, "severity:critical") {
		t.Errorf("after a severity change: due %s %s, labels %v", due, sev, is.Labels)
	}
}

func TestSyncClosesWhatIsGoneAndReopensWhatComesBack(t *testing.T) {
	f := newFake(t, "/api/v3")
	ts := makeTickets(t, day0, "critical", "high", "medium")
	mustSync(t, ts, opts(f))

	gone := ts[1]
	p := mustSync(t, []tickets.Ticket{ts[0], ts[2]}, opts(f))
	if got := counts(p); got != "created 0, updated 0, reopened 0, closed 1, unchanged 2" {
		t.Errorf("drop one: %s", got)
	}
	if len(p.Actions) != 1 || p.Actions[0].Kind != ActionClose || p.Actions[0].Fingerprint != gone.Fingerprint {
		t.Errorf("actions %+v", p.Actions)
	}
	for _, tk := range ts {
		is := f.withFingerprint(tk.Fingerprint)[0]
		if tk.Fingerprint == gone.Fingerprint {
			if is.State != "closed" || is.StateReason != "completed" || len(is.Comments) != 1 ||
				is.Comments[0] != "Resolved: secgate no longer reports this problem (run at 2026-03-10T12:00:00Z)" {
				t.Errorf("dropped ticket's issue: %+v", is)
			}
		} else if is.State != "open" || len(is.Comments) != 0 {
			t.Errorf("kept ticket's issue was touched: %+v", is)
		}
	}
	// Closed issues stay closed on the next run.
	p = mustSync(t, []tickets.Ticket{ts[0], ts[2]}, opts(f))
	if got := counts(p); got != "created 0, updated 0, reopened 0, closed 0, unchanged 2" {
		t.Errorf("again: %s", got)
	}

	// It comes back: the same issue is reopened.
	p = mustSync(t, ts, opts(f))
	if got := counts(p); got != "created 0, updated 0, reopened 1, closed 0, unchanged 2" {
		t.Errorf("comes back: %s", got)
	}
	if is := f.withFingerprint(gone.Fingerprint); len(is) != 1 || is[0].State != "open" || is[0].StateReason != "reopened" {
		t.Errorf("reopened issue: %+v", is)
	}
}

func TestSyncKeepsUserLabelsAndLeavesDuplicates(t *testing.T) {
	f := newFake(t, "/api/v3")
	ts := makeTickets(t, day0, "high")
	a := f.add(fakeIssue{Title: "old title", Body: ts[0].Body, Labels: []string{"secgate", "team:payments", "severity:low"}})
	b := f.add(fakeIssue{Title: "copy", Body: ts[0].Body, Labels: []string{"secgate"}})
	p := mustSync(t, ts, opts(f))
	if got := counts(p); got != "created 0, updated 1, reopened 0, closed 0, unchanged 0" {
		t.Errorf("%s", got)
	}
	want := []Action{
		{Kind: ActionUpdate, Fingerprint: ts[0].Fingerprint, Number: a.Number, Title: ts[0].Title},
		{Kind: ActionDuplicate, Fingerprint: ts[0].Fingerprint, Number: b.Number, Title: "copy"},
	}
	if !slices.Equal(p.Actions, want) {
		t.Errorf("actions %+v, want %+v", p.Actions, want)
	}
	if a.Title != ts[0].Title || !slices.Contains(a.Labels, "team:payments") || slices.Contains(a.Labels, "severity:low") {
		t.Errorf("kept issue: %+v", a)
	}
	if b.Title != "copy" || len(b.Labels) != 1 || b.State != "open" {
		t.Errorf("duplicate was touched: %+v", b)
	}
	// Without the ticket, only the kept issue is closed.
	p = mustSync(t, nil, opts(f))
	if p.Closed != 1 || a.State != "closed" || b.State != "open" {
		t.Errorf("closing: %s; kept %s, duplicate %s", counts(p), a.State, b.State)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	f := newFake(t, "/api/v3")
	ts := makeTickets(t, day0, "critical", "high", "medium")
	mustSync(t, ts[:2], opts(f))
	f.withFingerprint(ts[0].Fingerprint)[0].Title = "edited"
	before := len(f.writes())

	o := opts(f)
	o.DryRun = true
	o.Token = ""
	f.token = "" // a public repository lists without a token
	p := mustSync(t, ts[1:], o)
	if got := counts(p); got != "created 1, updated 0, reopened 0, closed 1, unchanged 1" || !p.DryRun {
		t.Errorf("dry run plan: %s", got)
	}
	for _, a := range p.Actions {
		if a.Kind == ActionCreate && a.Number != 0 {
			t.Errorf("dry run numbered a new issue: %+v", a)
		}
	}
	if w := f.writes(); len(w) != before {
		t.Errorf("dry run wrote: %v", w[before:])
	}
}

func TestEnterpriseBaseURL(t *testing.T) {
	for _, tc := range []struct{ prefix, base string }{
		{"/ghe/api/v3", "/ghe/api/v3/"}, // as given
		{"/ghe/api/v3", "/ghe"},         // /api/v3/ added
	} {
		t.Run(tc.base, func(t *testing.T) {
			f := newFake(t, tc.prefix)
			o := opts(f)
			o.BaseURL = f.srv.URL + tc.base
			ts := makeTickets(t, day0, "high", "low")
			if p := mustSync(t, ts, o); p.Created != 2 {
				t.Errorf("%s", counts(p))
			}
			for _, l := range f.log {
				if !strings.Contains(l, " /ghe/api/v3/repos/acme/shop/issues") {
					t.Errorf("request outside the enterprise prefix: %s", l)
				}
			}
		})
	}
}

func TestRateLimitsAreWaitedOut(t *testing.T) {
	secondary := `{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
	tests := []struct {
		name string
		in   injection
	}{
		{"403 Retry-After on list", injection{method: "GET", pathSuffix: "/issues", status: 403, header: map[string]string{"Retry-After": "1"}, body: secondary, times: 1}},
		{"429 Retry-After on create", injection{method: "POST", pathSuffix: "/issues", status: 429, header: map[string]string{"Retry-After": "1"}, body: `{"message": "Too Many Requests"}`, times: 1}},
		{"403 primary limit on list", injection{method: "GET", pathSuffix: "/issues", status: 403,
			header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Limit": "5000", "X-RateLimit-Reset": fmt.Sprint(time.Now().Unix())},
			body:   `{"message": "API rate limit exceeded for user ID 1."}`, times: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "/api/v3")
			in := tt.in
			f.inject = []*injection{&in}
			var log bytes.Buffer
			o := opts(f)
			o.Log = &log
			p := mustSync(t, makeTickets(t, day0, "high"), o)
			if p.Created != 1 || in.times != 0 {
				t.Errorf("%s; injection left %d", counts(p), in.times)
			}
			if !strings.Contains(log.String(), "rate limited (HTTP") || !strings.Contains(log.String(), "waiting") {
				t.Errorf("log: %q", log.String())
			}
			if n := len(f.withFingerprint(makeTickets(t, day0, "high")[0].Fingerprint)); n != 1 {
				t.Errorf("%d issues after a rate limited create", n)
			}
		})
	}

	t.Run("beyond MaxWait", func(t *testing.T) {
		f := newFake(t, "/api/v3")
		f.inject = []*injection{{method: "GET", pathSuffix: "/issues", status: 403, header: map[string]string{"Retry-After": "3600"}, body: secondary, times: 1}}
		o := opts(f)
		o.MaxWait = time.Second
		start := time.Now()
		_, err := SyncGitHub(context.Background(), makeTickets(t, day0, "high"), o)
		var rl *RateLimitError
		if !errors.As(err, &rl) || rl.Wait != time.Hour || rl.Status != 403 {
			t.Fatalf("err = %v, want a *RateLimitError of an hour", err)
		}
		if !strings.Contains(err.Error(), "more than the 1s allowed") || time.Since(start) > 30*time.Second {
			t.Errorf("err = %v", err)
		}
	})
}

func TestServerErrorsAreRetried(t *testing.T) {
	tests := []struct {
		name string
		in   injection
	}{
		{"500 on list", injection{method: "GET", pathSuffix: "/issues", status: 500, body: `{"message": "Server Error"}`, times: 2}},
		{"502 on create, not created", injection{method: "POST", pathSuffix: "/issues", status: 502, body: `{"message": "Bad Gateway"}`, times: 1}},
		{"502 on create, created anyway", injection{method: "POST", pathSuffix: "/issues", status: 502, body: `{"message": "Bad Gateway"}`, times: 1, thenServe: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "/api/v3")
			in := tt.in
			f.inject = []*injection{&in}
			ts := makeTickets(t, day0, "high")
			p := mustSync(t, ts, opts(f))
			if p.Created != 1 || in.times != 0 {
				t.Errorf("%s; injection left %d", counts(p), in.times)
			}
			if n := len(f.withFingerprint(ts[0].Fingerprint)); n != 1 {
				t.Errorf("%d issues for one ticket", n)
			}
		})
	}

	t.Run("500 on update", func(t *testing.T) {
		f := newFake(t, "/api/v3")
		ts := makeTickets(t, day0, "high")
		mustSync(t, ts, opts(f))
		f.withFingerprint(ts[0].Fingerprint)[0].Title = "edited by hand"
		in := &injection{method: "PATCH", pathSuffix: "/issues/1", status: 500, body: `{"message": "Server Error"}`, times: 1}
		f.inject = []*injection{in}
		if p := mustSync(t, ts, opts(f)); p.Updated != 1 || in.times != 0 || f.withFingerprint(ts[0].Fingerprint)[0].Title != ts[0].Title {
			t.Errorf("%s", counts(p))
		}
	})

	t.Run("bounded", func(t *testing.T) {
		f := newFake(t, "/api/v3")
		f.inject = []*injection{{method: "GET", pathSuffix: "/issues", status: 503, body: `{"message": "Unavailable"}`, times: 100}}
		o := opts(f)
		o.Retries = 2
		_, err := SyncGitHub(context.Background(), nil, o)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != 503 || f.count("GET ") != 3 {
			t.Errorf("err = %v after %d requests; want HTTP 503 after 3", err, f.count("GET "))
		}
	})
}

func TestClientErrorsFailWithTheAPIMessage(t *testing.T) {
	f := newFake(t, "/api/v3")
	o := opts(f)
	o.Repo = "missing"
	_, err := SyncGitHub(context.Background(), makeTickets(t, day0, "high"), o)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || !strings.Contains(err.Error(), "Not Found") ||
		!strings.Contains(err.Error(), "acme/missing") || f.count("GET ") != 1 {
		t.Errorf("err = %v", err)
	}

	o = opts(f)
	o.Token = "wrong"
	_, err = SyncGitHub(context.Background(), nil, o)
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "Bad credentials") || !strings.Contains(err.Error(), "GITHUB_TOKEN") {
		t.Errorf("err = %v", err)
	}

	for _, bad := range []GitHubOptions{{Owner: "a"}, {Owner: "a/b", Repo: "c"}, {Owner: "a", Repo: "b", BaseURL: "ftp://x"}} {
		if _, err := SyncGitHub(context.Background(), nil, bad); err == nil {
			t.Errorf("SyncGitHub(%+v): no error", bad)
		}
	}
	ts := makeTickets(t, day0, "high")
	if _, err := SyncGitHub(context.Background(), append(ts, ts[0]), opts(f)); err == nil || !strings.Contains(err.Error(), "two tickets") {
		t.Errorf("duplicate fingerprints: %v", err)
	}
}

func TestReopenedIssueGetsAFreshDueDate(t *testing.T) {
	f := newFake(t, "/api/v3")
	ts := makeTickets(t, day0, "high")
	mustSync(t, ts, opts(f))
	mustSync(t, nil, opts(f))
	later := makeTickets(t, day0.Add(100*24*time.Hour), "high")
	p := mustSync(t, later, opts(f))
	is := f.withFingerprint(later[0].Fingerprint)[0]
	if due, _, _ := tickets.DueOf(is.Body); p.Reopened != 1 || due != later[0].Due || due == ts[0].Due {
		t.Errorf("%s; reopened issue due %s, ticket due %s", counts(p), due, later[0].Due)
	}
}

func TestBodyEditedByGitHubIsUnchanged(t *testing.T) {
	f := newFake(t, "/api/v3")
	ts := makeTickets(t, day0, "high")
	mustSync(t, ts, opts(f))
	is := f.withFingerprint(ts[0].Fingerprint)[0]
	is.Body = strings.ReplaceAll(strings.TrimRight(is.Body, "\n"), "\n", "\r\n")
	if p := mustSync(t, ts, opts(f)); p.Unchanged != 1 {
		t.Errorf("CRLF line ends made an update: %s", counts(p))
	}
}

func TestDryRunTransportRefusesWrites(t *testing.T) {
	tr := &transport{base: http.DefaultTransport, dryRun: true, now: time.Now}
	req, _ := http.NewRequest(http.MethodPatch, "http://127.0.0.1:1/repos/a/b/issues/1", strings.NewReader("{}"))
	if _, err := tr.RoundTrip(req); !errors.Is(err, ErrDryRun) {
		t.Errorf("err = %v, want ErrDryRun", err)
	}
}

// TestMarkerInsideALineIsNotAFingerprint: an issue whose body holds a
// ticket's marker inside a line (as a report's text can, in a code span)
// is not that ticket's issue: the sync creates the ticket's own and
// leaves the other alone.
func TestMarkerInsideALineIsNotAFingerprint(t *testing.T) {
	f := newFake(t, "/api/v3")
	ts := makeTickets(t, day0, "high")
	other := f.add(fakeIssue{Title: "someone's", Body: "``pkg " + tickets.Marker(ts[0].Fingerprint) + "``", Labels: []string{"secgate"}})
	p := mustSync(t, ts, opts(f))
	if got := counts(p); got != "created 1, updated 0, reopened 0, closed 0, unchanged 0" {
		t.Errorf("%s", got)
	}
	if other.Title != "someone's" || other.State != "open" || len(p.Actions) != 1 || p.Actions[0].Number == other.Number {
		t.Errorf("the other issue was taken for the ticket's: %+v", other)
	}
}
