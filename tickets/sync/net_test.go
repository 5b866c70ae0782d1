package ticketsync

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/internal/testutil"
)

// noNetwork is a client that fails the test when it makes a request.
func noNetwork(t *testing.T) *http.Client {
	return &http.Client{Transport: testutil.NoNetwork(t)}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestGitHubURLPlainHTTPRefusedBeforeDialling: --github-url http://… to a
// host other than loopback would send the token in the clear; it is
// refused before any request.
func TestGitHubURLPlainHTTPRefusedBeforeDialling(t *testing.T) {
	ts := makeTickets(t, day0, "critical")
	_, err := SyncGitHub(context.Background(), ts, GitHubOptions{
		Owner: "o", Repo: "r", BaseURL: "http://ghe.example.invalid/api/v3/", Token: "ghp_SECRET",
		HTTPClient: noNetwork(t), Retries: -1,
	})
	if !errors.Is(err, netpolicy.ErrPlainHTTP) || !strings.Contains(err.Error(), "--allow-http") {
		t.Fatalf("err = %v, want the plain http refusal", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error leaks the token: %v", err)
	}
}

// TestWebhookPlainHTTPRefusedBeforeDialling: --webhook http://… to a host
// other than loopback is refused before any request, its secrets redacted.
func TestWebhookPlainHTTPRefusedBeforeDialling(t *testing.T) {
	err := SyncWebhook(context.Background(), nil, WebhookOptions{
		URL: "http://u:SECRET@hooks.example.invalid/h?token=SECRET2", HTTPClient: noNetwork(t), Retries: -1,
	})
	if !errors.Is(err, netpolicy.ErrPlainHTTP) {
		t.Fatalf("err = %v, want the plain http refusal", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error leaks a secret: %v", err)
	}
	// Allowed explicitly, the request is made.
	calls := 0
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls++
		return nil, errors.New("no network in this test")
	})}
	_ = SyncWebhook(context.Background(), nil, WebhookOptions{URL: "http://hooks.example.invalid/h", HTTPClient: hc, Retries: -1, Net: netpolicy.Options{AllowHTTP: true}})
	if calls != 1 {
		t.Errorf("with AllowHTTP: %d requests, want 1", calls)
	}
}

// TestWebhookRedirectToPlainHTTPRefused: an https webhook that redirects to
// plain http on another host is refused; the http URL is never requested.
func TestWebhookRedirectToPlainHTTPRefused(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://hooks.example.invalid/h", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	rec := &testutil.RecordingTransport{Base: srv.Client().Transport}
	err := SyncWebhook(context.Background(), nil, WebhookOptions{URL: srv.URL + "/h", HTTPClient: &http.Client{Transport: rec}, Retries: -1})
	if !errors.Is(err, netpolicy.ErrPlainHTTP) {
		t.Fatalf("err = %v, want the plain http refusal", err)
	}
	for _, u := range rec.URLs() {
		if strings.Contains(u, "example.invalid") {
			t.Errorf("requested %s", u)
		}
	}
}

// TestGitHubRedirectToPlainHTTPRefused: the API redirecting to plain http
// on another host (where the token would follow) is refused.
func TestGitHubRedirectToPlainHTTPRefused(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://ghe.example.invalid"+r.URL.Path, http.StatusFound)
	}))
	defer srv.Close()
	rec := &testutil.RecordingTransport{Base: srv.Client().Transport}
	_, err := SyncGitHub(context.Background(), makeTickets(t, day0, "critical"), GitHubOptions{
		Owner: "o", Repo: "r", BaseURL: srv.URL + "/api/v3/", Token: "ghp_SECRET",
		HTTPClient: &http.Client{Transport: rec}, Retries: -1, DryRun: true,
	})
	if !errors.Is(err, netpolicy.ErrPlainHTTP) {
		t.Fatalf("err = %v, want the plain http refusal", err)
	}
	for _, u := range rec.URLs() {
		if strings.Contains(u, "example.invalid") {
			t.Errorf("requested %s", u)
		}
	}
}

// TestWebhookFetchTimeoutCutsSilentServer and TestGitHubFetchTimeoutCutsTrickle:
// a server answering a byte at a time is cut by the fetch timeout.
func TestWebhookFetchTimeoutCutsSilentServer(t *testing.T) {
	// A webhook reads no more than the status: the server that never
	// answers is the slow one here.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer slow.Close()
	err := SyncWebhook(context.Background(), nil, WebhookOptions{URL: slow.URL + "/h", Retries: -1, Net: netpolicy.Options{Timeout: 300 * time.Millisecond}})
	if err == nil || !strings.Contains(err.Error(), "fetch timeout") {
		t.Fatalf("err = %v, want the fetch timeout", err)
	}
}

func TestGitHubFetchTimeoutCutsTrickle(t *testing.T) {
	srv := httptest.NewServer(testutil.Trickle("[", 50*time.Millisecond))
	defer srv.Close()
	_, err := SyncGitHub(context.Background(), makeTickets(t, day0, "critical"), GitHubOptions{
		Owner: "o", Repo: "r", BaseURL: srv.URL + "/api/v3/", DryRun: true, Retries: -1,
		Net: netpolicy.Options{Timeout: 300 * time.Millisecond},
	})
	if err == nil || !strings.Contains(err.Error(), "fetch timeout") {
		t.Fatalf("err = %v, want the fetch timeout", err)
	}
}
