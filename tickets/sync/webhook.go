package ticketsync

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/tickets"
)

// Headers of a webhook request.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body
	// keyed with the secret, as GitHub's webhooks do.
	SignatureHeader = "X-Secgate-Signature-256"
	// EventHeader names what the body is: "tickets".
	EventHeader = "X-Secgate-Event"
)

// WebhookOptions say where to post the tickets.
type WebhookOptions struct {
	URL string
	// Secret keys the HMAC signature; "" sends no signature.
	Secret string
	// HTTPClient posts; nil means a client bounded by Net.Timeout.
	// Whatever it is, every request and redirect passes netpolicy's guard.
	HTTPClient *http.Client
	// Net is the network policy: plain http only to loopback unless
	// Net.AllowHTTP; Net.Timeout bounds each attempt.
	Net netpolicy.Options
	// Retries bounds the retries after a server or network error (default
	// DefaultRetries; negative: none).
	Retries int
}

// WebhookError is a response outside 2xx.
type WebhookError struct {
	URL    string
	Status int
	// Body is the start of the response body.
	Body string
}

func (e *WebhookError) Error() string {
	msg := fmt.Sprintf("webhook %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Sign returns the signature header value of body: "sha256=" and the hex
// HMAC-SHA256 of body keyed with secret. A receiver recomputes it and
// compares with hmac.Equal.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func init() { Register("webhook", newWebhook) }

// Webhook is the sink of an HTTP endpoint: its Sync is SyncWebhook's.
// Options.Target is the URL, Options.Secret the signing secret. Its dry
// run, which posts nothing, is DryRun's.
type Webhook struct {
	Options WebhookOptions
}

// webhookEndpoint is how a plan names the webhook.
const webhookEndpoint = "the webhook"

func newWebhook(o Options) (Sink, error) {
	// A dry run refuses what the real run would.
	if _, err := netpolicy.NewFetcher(o.Net, o.HTTPClient).CheckURL(o.Target); err != nil {
		return nil, fmt.Errorf("webhook %s: %w", netpolicy.Redact(o.Target), err)
	}
	if o.DryRun {
		return DryRun{Endpoint: webhookEndpoint}, nil
	}
	return &Webhook{Options: WebhookOptions{URL: o.Target, Secret: o.Secret, HTTPClient: o.HTTPClient, Net: o.Net, Retries: o.Retries}}, nil
}

// Sync posts the tickets (see SyncWebhook); the plan counts them.
func (h *Webhook) Sync(ctx context.Context, ts []tickets.Ticket) (*Plan, error) {
	if err := SyncWebhook(ctx, ts, h.Options); err != nil {
		return nil, err
	}
	return &Plan{Actions: []Action{}, Posted: len(ts), Endpoint: webhookEndpoint}, nil
}

// SyncWebhook posts the tickets as a JSON array (the content of
// tickets.json) with Content-Type application/json, X-Secgate-Event:
// tickets and, when a secret is set, X-Secgate-Signature-256. A 5xx or a
// network error is retried with backoff; any other status outside 2xx is
// a *WebhookError.
func SyncWebhook(ctx context.Context, ts []tickets.Ticket, opts WebhookOptions) error {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("webhook: want an http(s) URL, got %s", netpolicy.Redact(opts.URL))
	}
	shown := netpolicy.Redact(opts.URL)
	f := netpolicy.NewFetcher(opts.Net, opts.HTTPClient)
	// Refused before any request is made.
	if err := f.Allow(u); err != nil {
		return fmt.Errorf("webhook %s: %w", shown, err)
	}
	if ts == nil {
		ts = []tickets.Ticket{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ts); err != nil {
		return fmt.Errorf("webhook %s: %w", shown, err)
	}
	body := buf.Bytes()
	retries := opts.Retries
	if retries == 0 {
		retries = DefaultRetries
	} else if retries < 0 {
		retries = 0
	}
	header := http.Header{"Content-Type": {"application/json"}, EventHeader: {"tickets"}}
	if opts.Secret != "" {
		header.Set(SignatureHeader, Sign(opts.Secret, body))
	}
	for attempt := 0; ; attempt++ {
		_, err := f.Do(ctx, netpolicy.Request{Method: http.MethodPost, URL: opts.URL, Header: header, Body: body})
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		failure := fmt.Errorf("webhook %s: %w", shown, err)
		var se *netpolicy.StatusError
		if errors.As(err, &se) {
			failure = &WebhookError{URL: shown, Status: se.StatusCode, Body: se.Snippet}
			if se.StatusCode < 500 {
				return failure
			}
		}
		if attempt >= retries {
			return failure
		}
		if err := sleep(ctx, backoffDelay(attempt)); err != nil {
			return err
		}
	}
}
