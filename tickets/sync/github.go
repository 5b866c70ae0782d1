package ticketsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v74/github"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/tickets"
)

// Defaults of GitHubOptions.
const (
	DefaultMaxWait = 2 * time.Minute
	DefaultRetries = 3
)

// maxPages bounds the listing: 1000 pages of 100 issues.
const maxPages = 1000

// GitHubOptions say where and how to sync.
type GitHubOptions struct {
	Owner, Repo string
	// BaseURL is the API root of a GitHub Enterprise Server, such as
	// https://ghe.example/api/v3/ ("/api/v3/" is added when missing);
	// "" means api.github.com.
	BaseURL string
	// Token authenticates; "" sends no credentials (public repositories,
	// dry runs).
	Token string
	// Label marks secgate's issues (default tickets.DefaultLabel); each
	// issue gets it besides the ticket's own labels.
	Label string
	// DryRun lists issues and computes the plan, and changes nothing.
	DryRun bool
	// HTTPClient is the client to use; its Transport is wrapped. Nil means
	// a client bounded by Net.Timeout.
	HTTPClient *http.Client
	// Net is the network policy: BaseURL, and every request and redirect,
	// may be plain http only to loopback unless Net.AllowHTTP (the token
	// would travel in the clear); Net.Timeout bounds each request.
	Net netpolicy.Options
	// MaxWait bounds one wait for a rate limit (default DefaultMaxWait);
	// a longer one fails with *RateLimitError.
	MaxWait time.Duration
	// Retries bounds the retries of a request that failed with a server
	// error or a network error (default DefaultRetries; negative: none).
	Retries int
	// Log receives one line per rate limit wait and retry; nil: silence.
	Log io.Writer
	// Now is the time named in the comment that closes a resolved issue;
	// zero means the clock.
	Now time.Time
}

func init() { Register("github", newGitHub) }

// GitHub is the sink of GitHub Issues (and GitHub Enterprise Server): its
// Sync is SyncGitHub's. Options.Target is OWNER/REPO, Options.Secret the
// token, Options.BaseURL the API root of an Enterprise Server.
//
// The issues made earlier are found by listing the repository's issues
// that carry the label, in every state, page after page, and reading the
// fingerprint marker in their bodies (tickets.FingerprintOf); the search
// API is never used, since its index lags and would let a second run open
// duplicates. Running it twice with the same tickets changes nothing the
// second time; a dry run lists and plans, and changes nothing.
//
// Rate limits and server errors are handled by an http.RoundTripper under
// go-github (see GitHubOptions.MaxWait and Retries), so that every call
// gets the same policy; go-github's own pre-emptive rate limit check is
// turned off, since it would fail a call without asking the server.
type GitHub struct {
	Options GitHubOptions
}

func newGitHub(o Options) (Sink, error) {
	owner, repo, ok := strings.Cut(o.Target, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("github: want OWNER/REPO, got %q", o.Target)
	}
	return &GitHub{Options: GitHubOptions{
		Owner: owner, Repo: repo, BaseURL: o.BaseURL, Token: o.Secret, Label: o.Label,
		DryRun: o.DryRun, HTTPClient: o.HTTPClient, Net: o.Net, MaxWait: o.MaxWait,
		Retries: o.Retries, Log: o.Log, Now: o.Now,
	}}, nil
}

// Sync makes the repository's issues match the tickets (see SyncGitHub).
func (g *GitHub) Sync(ctx context.Context, ts []tickets.Ticket) (*Plan, error) {
	return SyncGitHub(ctx, ts, g.Options)
}

// SyncGitHub makes the repository's issues match the tickets: a new
// ticket is created as an issue (labels: the ticket's and opts.Label); an
// open issue whose title, body or labels differ is updated (its due date
// is kept while the ticket's severity is unchanged, so a run a day later
// edits nothing); a closed issue whose ticket comes back is reopened and
// updated; an open issue whose ticket is no longer produced gets a comment
// and is closed. A reopened issue gets the ticket's due date: the problem
// came back, and the SLA starts again. When several issues carry one fingerprint, the lowest
// number is the ticket's and the others are reported as duplicates and
// left alone. Issues are matched by the fingerprint marker in their body;
// pull requests are ignored.
func SyncGitHub(ctx context.Context, ts []tickets.Ticket, opts GitHubOptions) (*Plan, error) {
	s, err := newSyncer(opts)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(ts))
	for _, t := range ts {
		if t.Fingerprint == "" {
			return nil, fmt.Errorf("github: ticket %q has no fingerprint", t.Title)
		}
		if want[t.Fingerprint] {
			return nil, fmt.Errorf("github: two tickets have the fingerprint %s", t.Fingerprint)
		}
		want[t.Fingerprint] = true
	}
	existing, err := s.list(ctx)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Actions: []Action{}, DryRun: opts.DryRun}

	// Duplicates: the lowest number holds the fingerprint.
	var dups []Action
	for fp, issues := range existing {
		for _, is := range issues[1:] {
			dups = append(dups, Action{Kind: ActionDuplicate, Fingerprint: fp, Number: is.GetNumber(), Title: is.GetTitle()})
		}
	}
	sort.Slice(dups, func(i, j int) bool { return dups[i].Number < dups[j].Number })

	for _, t := range ts {
		var is *github.Issue
		if issues := existing[t.Fingerprint]; len(issues) > 0 {
			is = issues[0]
		}
		act, err := s.apply(ctx, t, is)
		if err != nil {
			return plan, err
		}
		switch act.Kind {
		case ActionCreate:
			plan.Created++
		case ActionUpdate:
			plan.Updated++
		case ActionReopen:
			plan.Reopened++
		case "":
			plan.Unchanged++
			continue
		}
		plan.Actions = append(plan.Actions, act)
	}
	plan.Actions = append(plan.Actions, dups...)

	var stale []*github.Issue
	for fp, issues := range existing {
		if !want[fp] && issues[0].GetState() == "open" {
			stale = append(stale, issues[0])
		}
	}
	sort.Slice(stale, func(i, j int) bool { return stale[i].GetNumber() < stale[j].GetNumber() })
	for _, is := range stale {
		fp, _ := tickets.FingerprintOf(is.GetBody())
		if err := s.close(ctx, is); err != nil {
			return plan, err
		}
		plan.Closed++
		plan.Actions = append(plan.Actions, Action{Kind: ActionClose, Fingerprint: fp, Number: is.GetNumber(), Title: is.GetTitle()})
	}
	return plan, nil
}

type syncer struct {
	gh    *github.Client
	api   *GitHubClient
	opts  GitHubOptions
	label string
	now   time.Time
}

func newSyncer(opts GitHubOptions) (*syncer, error) {
	if opts.Owner == "" || opts.Repo == "" || strings.Contains(opts.Owner, "/") || strings.Contains(opts.Repo, "/") {
		return nil, fmt.Errorf("github: want an owner and a repository, got %q and %q", opts.Owner, opts.Repo)
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.Retries == 0 {
		opts.Retries = DefaultRetries
	} else if opts.Retries < 0 {
		opts.Retries = 0
	}
	label := strings.TrimSpace(opts.Label)
	if label == "" {
		label = tickets.DefaultLabel
	}
	api, err := NewGitHubClient(opts)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	return &syncer{gh: api.Client, api: api, opts: opts, label: label, now: now}, nil
}

// GitHubClient is a go-github client of the GitHub API (or an Enterprise
// Server's) whose every request goes through a netpolicy.Fetcher, with
// the sync's handling of rate limits and server errors below it (see
// GitHubOptions.MaxWait and Retries): the one GitHub client of secgate,
// which the issue sync and the pull-request comment share.
type GitHubClient struct {
	*github.Client
	fetch   *netpolicy.Fetcher
	baseURL string
}

// NewGitHubClient builds the client opts describe; of opts it reads
// BaseURL, Token, DryRun, HTTPClient, Net, MaxWait, Retries and Log. A
// BaseURL that the network policy refuses (plain http to a host other
// than loopback, without Net.AllowHTTP) is refused here, before any
// request: the token would travel in the clear.
func NewGitHubClient(opts GitHubOptions) (*GitHubClient, error) {
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.Retries == 0 {
		opts.Retries = DefaultRetries
	} else if opts.Retries < 0 {
		opts.Retries = 0
	}
	opts.Net = opts.Net.WithDefaults()
	// The guard is outermost: a refused URL (a redirect to plain http) is
	// neither retried nor dialled.
	f := netpolicy.NewFetcher(opts.Net, opts.HTTPClient, func(base http.RoundTripper) http.RoundTripper {
		return &transport{base: base, maxWait: opts.MaxWait, retries: opts.Retries, log: opts.Log, dryRun: opts.DryRun, now: time.Now}
	})
	shown := netpolicy.Redact(opts.BaseURL)
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("github: base URL %s: want an http(s) URL such as https://ghe.example/api/v3/", shown)
		}
		// Refused before any request: the token would travel in the clear.
		if err := f.Allow(u); err != nil {
			return nil, fmt.Errorf("github: base URL %s: %w", shown, err)
		}
	}
	gh := github.NewClient(f.HTTP())
	if opts.BaseURL != "" {
		var err error
		if gh, err = gh.WithEnterpriseURLs(opts.BaseURL, opts.BaseURL); err != nil {
			return nil, fmt.Errorf("github: base URL %s: %w", shown, f.Error(err, opts.BaseURL))
		}
	}
	if opts.Token != "" {
		gh = gh.WithAuthToken(opts.Token)
	}
	// The transport waits out rate limits the server reports; go-github's
	// own check would fail calls without asking the server.
	gh.DisableRateLimitCheck = true
	return &GitHubClient{Client: gh, fetch: f, baseURL: opts.BaseURL}, nil
}

// list reads every issue with the label, in every state, from every page,
// and returns those with a fingerprint marker by fingerprint, lowest
// number first. Pull requests are skipped.
func (s *syncer) list(ctx context.Context) (map[string][]*github.Issue, error) {
	out := map[string][]*github.Issue{}
	lo := &github.IssueListByRepoOptions{
		State:       "all",
		Labels:      []string{s.label},
		Sort:        "created",
		Direction:   "asc",
		ListOptions: github.ListOptions{PerPage: 100, Page: 1},
	}
	for pages := 0; ; pages++ {
		if pages == maxPages {
			return nil, fmt.Errorf("github %s/%s: more than %d pages of issues labelled %s", s.opts.Owner, s.opts.Repo, maxPages, s.label)
		}
		issues, resp, err := s.gh.Issues.ListByRepo(ctx, s.opts.Owner, s.opts.Repo, lo)
		if err != nil {
			return nil, s.apiError("list issues", err)
		}
		for _, is := range issues {
			if is.IsPullRequest() {
				continue
			}
			fp, ok := tickets.FingerprintOf(is.GetBody())
			if !ok {
				continue
			}
			out[fp] = append(out[fp], is)
		}
		if resp.NextPage == 0 {
			break
		}
		if resp.NextPage <= lo.ListOptions.Page {
			return nil, fmt.Errorf("github %s/%s: list issues: the next page (%d) is not after page %d", s.opts.Owner, s.opts.Repo, resp.NextPage, lo.ListOptions.Page)
		}
		lo.ListOptions.Page = resp.NextPage
	}
	for _, issues := range out {
		slices.SortFunc(issues, func(a, b *github.Issue) int { return a.GetNumber() - b.GetNumber() })
	}
	return out, nil
}

// apply brings one ticket's issue up to date; the returned action's Kind
// is "" when nothing changes.
func (s *syncer) apply(ctx context.Context, t tickets.Ticket, is *github.Issue) (Action, error) {
	act := Action{Fingerprint: t.Fingerprint, Title: t.Title}
	if is == nil {
		act.Kind = ActionCreate
		labels := s.labels(t, nil)
		if s.opts.DryRun {
			return act, nil
		}
		created, err := s.create(ctx, t, labels)
		if err != nil {
			return act, err
		}
		act.Number = created.GetNumber()
		return act, nil
	}
	act.Number = is.GetNumber()
	closed := is.GetState() == "closed"
	// A problem that comes back gets a fresh due date; an open one keeps its own.
	body := t.Body
	if !closed {
		body = keepDue(t.Body, is.GetBody())
	}
	labels := s.labels(t, is.Labels)
	req := &github.IssueRequest{}
	if is.GetTitle() != t.Title {
		req.Title = github.Ptr(t.Title)
	}
	if normalise(is.GetBody()) != normalise(body) {
		req.Body = github.Ptr(body)
	}
	if !sameSet(labelNames(is.Labels), labels) {
		req.Labels = &labels
	}
	switch {
	case closed:
		act.Kind = ActionReopen
		req.State = github.Ptr("open")
		req.StateReason = github.Ptr("reopened")
	case req.Title != nil || req.Body != nil || req.Labels != nil:
		act.Kind = ActionUpdate
	default:
		return Action{}, nil
	}
	if s.opts.DryRun {
		return act, nil
	}
	if _, _, err := s.gh.Issues.Edit(ctx, s.opts.Owner, s.opts.Repo, is.GetNumber(), req); err != nil {
		return act, s.apiError(fmt.Sprintf("%s issue #%d", act.Kind, is.GetNumber()), err)
	}
	return act, nil
}

// create opens an issue. A server or network error may come after GitHub
// created it, so before trying again the issues are listed again, and an
// issue that carries the fingerprint by then is the one created.
func (s *syncer) create(ctx context.Context, t tickets.Ticket, labels []string) (*github.Issue, error) {
	req := &github.IssueRequest{Title: github.Ptr(t.Title), Body: github.Ptr(t.Body), Labels: &labels}
	for attempt := 0; ; attempt++ {
		is, _, err := s.gh.Issues.Create(ctx, s.opts.Owner, s.opts.Repo, req)
		if err == nil {
			return is, nil
		}
		if !retryable(ctx, err) || attempt >= s.opts.Retries {
			return nil, s.apiError("create issue", err)
		}
		found, lerr := s.list(ctx)
		if lerr != nil {
			return nil, s.apiError("create issue", err)
		}
		if issues := found[t.Fingerprint]; len(issues) > 0 {
			return issues[0], nil
		}
		d := backoffDelay(attempt)
		if s.opts.Log != nil {
			fmt.Fprintf(s.opts.Log, "github: create issue failed (%v): retry %d of %d in %s\n", err, attempt+1, s.opts.Retries, d)
		}
		if err := sleep(ctx, d); err != nil {
			return nil, err
		}
	}
}

// closeComment is the comment on an issue that secgate closes.
func closeComment(now time.Time) string {
	return fmt.Sprintf("Resolved: secgate no longer reports this problem (run at %s)", now.UTC().Format(time.RFC3339))
}

// close comments on an open issue whose ticket is gone and closes it as
// completed. In a dry run it changes nothing.
func (s *syncer) close(ctx context.Context, is *github.Issue) error {
	if s.opts.DryRun {
		return nil
	}
	comment := &github.IssueComment{Body: github.Ptr(closeComment(s.now))}
	var err error
	for attempt := 0; ; attempt++ {
		// A comment posted twice after a lost response is harmless.
		if _, _, err = s.gh.Issues.CreateComment(ctx, s.opts.Owner, s.opts.Repo, is.GetNumber(), comment); err == nil ||
			!retryable(ctx, err) || attempt >= s.opts.Retries {
			break
		}
		if err := sleep(ctx, retryBackoff<<attempt); err != nil {
			return err
		}
	}
	if err != nil {
		return s.apiError(fmt.Sprintf("comment on issue #%d", is.GetNumber()), err)
	}
	req := &github.IssueRequest{State: github.Ptr("closed"), StateReason: github.Ptr("completed")}
	if _, _, err := s.gh.Issues.Edit(ctx, s.opts.Owner, s.opts.Repo, is.GetNumber(), req); err != nil {
		return s.apiError(fmt.Sprintf("close issue #%d", is.GetNumber()), err)
	}
	return nil
}

// labels are the labels an issue of t should carry: the ticket's, the
// sync's label, and whatever else people put on the issue, except the
// severity: and kind: labels of an earlier severity or kind.
func (s *syncer) labels(t tickets.Ticket, current []*github.Label) []string {
	out := []string{}
	seen := map[string]bool{}
	add := func(l string) {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	for _, l := range t.Labels {
		add(l)
	}
	add(s.label)
	var others []string
	for _, name := range labelNames(current) {
		if !seen[name] && !strings.HasPrefix(name, "severity:") && !strings.HasPrefix(name, "kind:") {
			others = append(others, name)
		}
	}
	sort.Strings(others)
	for _, l := range others {
		add(l)
	}
	return out
}

func labelNames(ls []*github.Label) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.GetName())
	}
	return out
}

func sameSet(a, b []string) bool {
	as, bs := slices.Clone(a), slices.Clone(b)
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(slices.Compact(as), slices.Compact(bs))
}

// keepDue returns the body to give an existing issue: the ticket's, with
// the issue's due date kept when the severity on both due lines is the same.
func keepDue(body, existing string) string {
	oldDue, oldSev, ok := tickets.DueOf(existing)
	if !ok {
		return body
	}
	if _, sev, ok := tickets.DueOf(body); ok && sev == oldSev {
		return tickets.WithDue(body, oldDue)
	}
	return body
}

// normalise undoes what GitHub and editors do to a body: CRLF line ends
// and trailing blanks.
func normalise(body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// retryable reports whether a failed call may have failed by chance: a
// server error or a network error, not a refusal, a rate limit beyond the
// bound, or the end of ctx.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var rl *RateLimitError
	if errors.As(err, &rl) || errors.Is(err, ErrDryRun) {
		return false
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		return er.Response != nil && er.Response.StatusCode >= 500
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

// issueHints are the likely causes of the sync's refusals, by status.
var issueHints = map[int]string{
	http.StatusUnauthorized: "is GITHUB_TOKEN set and valid?",
	http.StatusForbidden:    "does the token have issues: write permission on the repository?",
	http.StatusNotFound:     "does the repository exist, and can the token see it?",
	http.StatusGone:         "are issues disabled on the repository?",
}

// apiError says what failed, with the API's own message and a hint for
// the usual causes.
func (s *syncer) apiError(what string, err error) error {
	return s.api.Error(s.opts.Owner+"/"+s.opts.Repo, what, err, issueHints)
}

// Error says what failed on repo (OWNER/REPO): an answer of the API is an
// *APIError with the API's own message and, after it, hints[status] (the
// usual cause); any other error is scrubbed of the base URL's secrets.
// Neither quotes the token.
func (c *GitHubClient) Error(repo, what string, err error, hints map[int]string) error {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return fmt.Errorf("github %s: %s: %w", repo, what, c.fetch.Error(err, c.baseURL))
	}
	msg := er.Message
	for _, e := range er.Errors {
		if e.Message != "" {
			msg += "; " + e.Message
		} else if e.Field != "" {
			msg += fmt.Sprintf("; %s %s", e.Field, e.Code)
		}
	}
	if hint := hints[er.Response.StatusCode]; hint != "" {
		msg += " (" + hint + ")"
	}
	return &APIError{Op: what, Repo: repo, Status: er.Response.StatusCode, Message: msg, Err: err}
}

// APIError is a request the GitHub API refused.
type APIError struct {
	Op, Repo string
	Status   int
	// Message is the API's message, with a hint for the usual causes.
	Message string
	Err     error
}

func (e *APIError) Error() string {
	return fmt.Sprintf("github %s: %s: HTTP %d: %s", e.Repo, e.Op, e.Status, e.Message)
}

func (e *APIError) Unwrap() error { return e.Err }
