package ticketsync

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/secgate/secgate/tickets"
)

func TestWebhookSignsAndPosts(t *testing.T) {
	ts := makeTickets(t, day0, "critical", "low")
	var got []tickets.Ticket
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte("s3cret"))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Secgate-Event") != "tickets" {
			t.Errorf("request %s %q %q", r.Method, r.Header.Get("Content-Type"), r.Header.Get("X-Secgate-Event"))
		}
		if !hmac.Equal([]byte(r.Header.Get("X-Secgate-Signature-256")), []byte(want)) {
			t.Errorf("signature %q, want %q", r.Header.Get("X-Secgate-Signature-256"), want)
		}
		if calls.Load() == 1 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("body: %v", err)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	err := SyncWebhook(context.Background(), ts, WebhookOptions{URL: srv.URL + "/hook", Secret: "s3cret", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || len(got) != 2 || got[0].Fingerprint != ts[0].Fingerprint || got[1].Body != ts[1].Body {
		t.Errorf("%d calls; received %d tickets", calls.Load(), len(got))
	}
}

func TestWebhookErrors(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("X-Secgate-Signature-256") != "" {
			t.Errorf("signed without a secret")
		}
		switch r.URL.Path {
		case "/bad":
			http.Error(w, "no such hook", http.StatusNotFound)
		default:
			http.Error(w, "down", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()

	err := SyncWebhook(context.Background(), nil, WebhookOptions{URL: srv.URL + "/bad?token=abc", HTTPClient: srv.Client()})
	var we *WebhookError
	if !errors.As(err, &we) || we.Status != 404 || !strings.Contains(err.Error(), "HTTP 404") || strings.Contains(err.Error(), "abc") || calls.Load() != 1 {
		t.Errorf("404: err = %v after %d calls", err, calls.Load())
	}

	calls.Store(0)
	err = SyncWebhook(context.Background(), nil, WebhookOptions{URL: srv.URL + "/down", HTTPClient: srv.Client(), Retries: 2})
	if !errors.As(err, &we) || we.Status != 500 || calls.Load() != 3 {
		t.Errorf("500: err = %v after %d calls, want 3", err, calls.Load())
	}

	if err := SyncWebhook(context.Background(), nil, WebhookOptions{URL: "file:///etc/passwd"}); err == nil {
		t.Error("a file URL was accepted")
	}
}

func TestSign(t *testing.T) {
	// The example of GitHub's webhook documentation.
	if got := Sign("It's a Secret to Everybody", []byte("Hello, World!")); got != "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" {
		t.Errorf("Sign = %s", got)
	}
}
