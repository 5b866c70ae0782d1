// Package netpolicy is the one network policy of secgate, shared by every
// fetch (policy sources, --epss, --kev, the GitHub sync, webhooks):
//
//   - plain http only to loopback hosts, unless allowed explicitly
//     (--allow-http): Check refuses an address before anything is dialled,
//     and Guard refuses every request a client makes, redirects included;
//   - every fetch bounded in time (--fetch-timeout, DefaultTimeout): a
//     server that trickles a byte a second is cut;
//   - every URL printed is redacted (Redact), and errors that quote a URL
//     are scrubbed (Error).
package netpolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds one fetch when Options leave it zero.
const DefaultTimeout = 2 * time.Minute

// maxRedirects bounds the redirects a client follows.
const maxRedirects = 10

// Options are the network settings of a fetch.
type Options struct {
	// AllowHTTP allows plain http to hosts other than loopback.
	AllowHTTP bool
	// Timeout bounds one fetch, from dialling to the last byte of the
	// body; 0 means DefaultTimeout.
	Timeout time.Duration
}

// WithDefaults fills the zero fields.
func (o Options) WithDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	return o
}

// ErrPlainHTTP is wrapped by the refusal of a plain http URL to a host
// other than loopback.
var ErrPlainHTTP = errors.New("plain http")

// ErrScheme is wrapped by the refusal of a URL that is neither http nor https.
var ErrScheme = errors.New("unsupported URL scheme")

// PlainHTTPError is the refusal of plain http to Host.
type PlainHTTPError struct {
	Host string
}

func (e *PlainHTTPError) Error() string {
	return fmt.Sprintf("plain http to %s (use https, or allow it explicitly with --allow-http)", e.Host)
}

func (e *PlainHTTPError) Is(target error) bool { return target == ErrPlainHTTP }

// IsLoopback says whether host is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Check refuses u unless it is https, or http to a loopback host (to any
// host with allowHTTP).
func Check(u *url.URL, allowHTTP bool) error {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if allowHTTP || IsLoopback(u.Hostname()) {
			return nil
		}
		return &PlainHTTPError{Host: u.Hostname()}
	}
	return fmt.Errorf("%w %q (want https)", ErrScheme, u.Scheme)
}

// CheckURL parses raw and checks it (see Check); the error never quotes
// raw, which may hold a secret.
func CheckURL(raw string, allowHTTP bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("not a URL: %s", Redact(raw))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("not an http(s) URL: %s", Redact(raw))
	}
	if err := Check(u, allowHTTP); err != nil {
		return nil, err
	}
	return u, nil
}

// Guard is a RoundTripper that checks every request with Check before
// handing it to Base: a refused URL is never dialled, whether the caller
// asked for it or a redirect led there.
type Guard struct {
	// Base makes the requests; nil means http.DefaultTransport.
	Base      http.RoundTripper
	AllowHTTP bool
}

// RoundTrip checks req's URL, then lets Base make the request.
func (g *Guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := Check(req.URL, g.AllowHTTP); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	base := g.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}

// NewTransport returns the transport of secgate's fetches: proxies from the
// environment, bounded dial, TLS handshake and response header times.
func NewTransport(o Options) *http.Transport {
	o = o.WithDefaults()
	dialer := &net.Dialer{Timeout: min(30*time.Second, o.Timeout), KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   min(15*time.Second, o.Timeout),
		ResponseHeaderTimeout: o.Timeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
}

// Client returns an http.Client bounded by o.Timeout (the whole request,
// body included) whose requests and redirects pass the Guard: the client
// of a Fetcher (see NewFetcher) whose requests base makes. A base of nil
// means NewTransport(o); tests pass their own.
func Client(o Options, base http.RoundTripper) *http.Client {
	return NewFetcher(o, &http.Client{Transport: base}).HTTP()
}

func checkRedirect(_ *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	return nil
}

// Error turns an error of a request to raw into one that quotes no secret:
// the *url.Error wrapper (which quotes the URL as given) is dropped, a
// timeout says which bound it hit, and any secret of raw left in the
// message is scrubbed. errors.Is and errors.As still see the cause.
func Error(err error, raw string, o Options) error {
	if err == nil {
		return nil
	}
	o = o.WithDefaults()
	_, secrets := RedactSecrets(raw)
	if IsTimeout(err) {
		return &scrubbedError{msg: fmt.Sprintf("no complete answer within the fetch timeout of %s (--fetch-timeout)", o.Timeout), err: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// The URL of a redirect may carry secrets of its own: keep the
		// cause only.
		err = ue.Err
	}
	return ScrubError(err, secrets)
}

// ScrubError keeps err's identity (for errors.Is and errors.As) with a
// one-line message from which every secret is scrubbed.
func ScrubError(err error, secrets []string) error {
	return &scrubbedError{msg: Scrub(oneLine(err.Error()), secrets), err: err}
}

// IsTimeout says whether err is a timeout: a client's, a context
// deadline's, or the network's.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// oneLine folds a multi-line message into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}
