package ticketsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/secgate/secgate/internal/netpolicy"
)

// RateLimitError is returned when the API asks to wait longer than the
// caller allows (GitHubOptions.MaxWait).
type RateLimitError struct {
	// Status is the HTTP status of the refusal (403 or 429).
	Status int
	// Wait is how long the API asked to wait; Until is when that ends.
	Wait  time.Duration
	Until time.Time
	// MaxWait is the bound that Wait exceeds.
	MaxWait time.Duration
	// Reason says which header asked for the wait.
	Reason string
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited (HTTP %d, %s): the API asks to wait %s, until %s, more than the %s allowed",
		e.Status, e.Reason, e.Wait.Round(time.Second), e.Until.UTC().Format(time.RFC3339), e.MaxWait)
}

// ErrDryRun is returned by a request that would change something during
// a dry run; it never happens unless sync has a bug, and keeps a dry run
// from writing even then.
var ErrDryRun = errors.New("dry run: refusing a request that changes something")

// retryBackoff is the first wait before retrying a server error; it
// doubles with each retry, up to maxBackoff. Tests shorten it.
var retryBackoff = 500 * time.Millisecond

const maxBackoff = 10 * time.Second

// backoffDelay is the wait before retry n+1 (n counts from 0):
// retryBackoff doubled n times, at most maxBackoff.
func backoffDelay(n int) time.Duration {
	d := retryBackoff << n
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	return d
}

// secondaryWait is how long GitHub asks a client to wait after a rate
// limit response that names no time ("at least one minute").
const secondaryWait = time.Minute

// maxRateLimitRetries bounds how many times one request is retried after
// waiting out rate limits.
const maxRateLimitRetries = 10

// transport handles rate limits and server errors below go-github, so that
// every API call the sync makes gets the same policy: a 403 or 429 that
// asks to wait (Retry-After, or X-RateLimit-Remaining: 0 with
// X-RateLimit-Reset) is waited out when the wait fits in maxWait, else it
// fails with *RateLimitError; a 5xx of an idempotent request is retried
// with exponential backoff up to retries times. POST is not retried here:
// creating an issue that failed with a 5xx may have created it, so the
// sync looks before it creates again.
type transport struct {
	base    http.RoundTripper
	maxWait time.Duration
	retries int
	log     io.Writer
	dryRun  bool
	now     func() time.Time
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.dryRun && req.Method != http.MethodGet && req.Method != http.MethodHead {
		return nil, fmt.Errorf("%w: %s %s", ErrDryRun, req.Method, req.URL.Path)
	}
	idempotent := req.Method != http.MethodPost
	serverRetries, limitRetries := 0, 0
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			var err error
			if r, err = rewind(req); err != nil {
				return nil, err
			}
		}
		resp, err := t.base.RoundTrip(r)
		if err != nil {
			if idempotent && serverRetries < t.retries && req.Context().Err() == nil {
				serverRetries++
				if werr := t.backoff(req, serverRetries, err.Error()); werr != nil {
					return nil, werr
				}
				continue
			}
			return nil, err
		}
		if wait, reason, limited := t.rateLimitWait(resp); limited {
			if wait > t.maxWait || limitRetries >= maxRateLimitRetries {
				netpolicy.Drain(resp)
				return nil, &RateLimitError{Status: resp.StatusCode, Wait: wait, Until: t.now().Add(wait), MaxWait: t.maxWait, Reason: reason}
			}
			limitRetries++
			netpolicy.Drain(resp)
			t.logf("github: rate limited (HTTP %d, %s): waiting %s before retrying %s %s\n",
				resp.StatusCode, reason, wait.Round(time.Millisecond), req.Method, req.URL.Path)
			if err := sleep(req.Context(), wait); err != nil {
				return nil, err
			}
			continue
		}
		if resp.StatusCode >= 500 && idempotent && serverRetries < t.retries {
			serverRetries++
			netpolicy.Drain(resp)
			if err := t.backoff(req, serverRetries, resp.Status); err != nil {
				return nil, err
			}
			continue
		}
		return resp, nil
	}
}

func (t *transport) backoff(req *http.Request, n int, why string) error {
	d := backoffDelay(n - 1)
	t.logf("github: %s %s failed (%s): retry %d of %d in %s\n", req.Method, req.URL.Path, why, n, t.retries, d)
	return sleep(req.Context(), d)
}

func (t *transport) logf(format string, args ...any) {
	if t.log != nil {
		fmt.Fprintf(t.log, format, args...)
	}
}

// rateLimitWait says whether resp refuses for a rate limit and for how long
// to wait, as GitHub documents it: Retry-After first; else, with
// X-RateLimit-Remaining: 0, until X-RateLimit-Reset; else, for a 429 or a
// 403 whose message speaks of a rate limit, one minute.
func (t *transport) rateLimitWait(resp *http.Response) (time.Duration, string, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, "", false
	}
	h := resp.Header
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, "Retry-After", true
		}
		if when, err := http.ParseTime(ra); err == nil {
			return max(when.Sub(t.now()), 0), "Retry-After", true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			// One second more: the reset is whole seconds, clocks differ.
			wait := time.Unix(reset, 0).Sub(t.now()) + time.Second
			return max(wait, time.Second), "X-RateLimit-Reset", true
		}
		return secondaryWait, "X-RateLimit-Remaining: 0", true
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return secondaryWait, "429 without Retry-After", true
	}
	// A secondary rate limit may come as a bare 403 whose message says so.
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
	if err == nil && strings.Contains(strings.ToLower(string(body)), "rate limit") {
		return secondaryWait, "secondary rate limit", true
	}
	return 0, "", false
}

// rewind clones req with a fresh body for another attempt.
func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return nil, fmt.Errorf("%s %s: cannot retry a request whose body cannot be read again", req.Method, req.URL.Path)
		}
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return r, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
