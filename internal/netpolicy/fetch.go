package netpolicy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/secgate/secgate/internal/limitread"
)

// UserAgent is the User-Agent of every request secgate makes.
const UserAgent = "secgate"

// maxSnippet bounds what a StatusError quotes of a refused response.
const maxSnippet = 512

// Fetcher is the one way secgate reaches the network: every fetch (a
// policy download, --epss, --kev, the GitHub sync, a webhook) makes one
// and goes through it, so that the policy of this package is applied in
// one place:
//
//   - the URL is checked (Check) before anything is dialled;
//   - requests and redirects pass the Guard, under the fetch timeout;
//   - a request carries User-Agent: secgate;
//   - a status the caller does not accept is a *StatusError;
//   - a body is read bounded;
//   - errors quote no secret of the URL (Error).
//
// Libraries that make their own requests (go-github, go-getter) take the
// guarded client from HTTP and report their errors through Error.
type Fetcher struct {
	opts Options
	hc   *http.Client
}

// NewFetcher returns the fetcher of the policy o. The requests are made by
// base's transport (nil, or a nil transport: NewTransport(o)), bounded by
// base's timeout when it has one, else o.Timeout; tests pass a loopback
// server's client, or testutil.NoNetwork. Each layer, innermost first,
// wraps the transport below the Guard (the GitHub sync waits out rate
// limits there): the Guard stays outermost, so a refused URL is neither
// retried nor dialled.
func NewFetcher(o Options, base *http.Client, layers ...func(http.RoundTripper) http.RoundTripper) *Fetcher {
	o = o.WithDefaults()
	hc := &http.Client{}
	if base != nil {
		c := *base
		hc = &c
	}
	rt := hc.Transport
	if g, ok := rt.(*Guard); ok {
		rt = g.Base
	}
	if rt == nil {
		rt = NewTransport(o)
	}
	for _, layer := range layers {
		rt = layer(rt)
	}
	hc.Transport = &Guard{Base: rt, AllowHTTP: o.AllowHTTP}
	if hc.Timeout <= 0 {
		hc.Timeout = o.Timeout
	}
	if hc.CheckRedirect == nil {
		hc.CheckRedirect = checkRedirect
	}
	return &Fetcher{opts: o, hc: hc}
}

// HTTP is the guarded client, for a library that makes its own requests.
func (f *Fetcher) HTTP() *http.Client { return f.hc }

// Allow refuses u unless the policy allows it (see Check).
func (f *Fetcher) Allow(u *url.URL) error { return Check(u, f.opts.AllowHTTP) }

// CheckURL parses raw and refuses it unless the policy allows it (see
// CheckURL); the error never quotes raw.
func (f *Fetcher) CheckURL(raw string) (*url.URL, error) { return CheckURL(raw, f.opts.AllowHTTP) }

// Error scrubs an error of a request to raw (see Error).
func (f *Fetcher) Error(err error, raw string) error { return Error(err, raw, f.opts) }

// Request is one request of a Fetcher.
type Request struct {
	// Method is the HTTP method; "" means GET.
	Method string
	URL    string
	// Header is sent besides User-Agent.
	Header http.Header
	Body   []byte
	// OK says which statuses are answers; nil means any 2xx.
	OK func(status int) bool
	// MaxBody bounds the body read of an answer: a longer one is refused
	// ("more than N bytes", errors.Is limitread.ErrTooLarge). 0 reads none.
	MaxBody int64
}

// Response is an accepted answer.
type Response struct {
	StatusCode int
	// Status is the status line, such as "200 OK".
	Status string
	// Body is the body, read up to Request.MaxBody.
	Body []byte
}

// StatusError is an answer with a status the request did not accept.
type StatusError struct {
	StatusCode int
	// Status is the status line, such as "404 Not Found".
	Status string
	// Snippet is the start of the body, on one line.
	Snippet string
}

func (e *StatusError) Error() string { return "HTTP " + e.Status }

// Do checks req.URL, then makes the request through the guarded client
// within the fetch timeout, with User-Agent: secgate. An answer whose
// status req.OK refuses is a *StatusError; an accepted one has its body
// read up to req.MaxBody. Errors never quote the URL: a refusal is the
// policy's (errors.Is ErrPlainHTTP, ErrScheme), the failure of a request
// is scrubbed by Error, and the caller names the URL, redacted.
func (f *Fetcher) Do(ctx context.Context, req Request) (*Response, error) {
	if _, err := f.CheckURL(req.URL); err != nil {
		return nil, err
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, req.URL, body)
	if err != nil {
		return nil, f.Error(err, req.URL)
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	hr.Header.Set("User-Agent", UserAgent)
	resp, err := f.hc.Do(hr)
	if err != nil {
		return nil, f.Error(err, req.URL)
	}
	defer Drain(resp)
	ok := req.OK
	if ok == nil {
		ok = func(s int) bool { return s >= 200 && s < 300 }
	}
	if !ok(resp.StatusCode) {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxSnippet))
		return nil, &StatusError{StatusCode: resp.StatusCode, Status: resp.Status, Snippet: strings.Join(strings.Fields(string(snippet)), " ")}
	}
	out := &Response{StatusCode: resp.StatusCode, Status: resp.Status, Body: []byte{}}
	if req.MaxBody > 0 {
		hint := int64(0)
		if resp.ContentLength > 0 && resp.ContentLength <= req.MaxBody {
			hint = resp.ContentLength
		}
		out.Body, err = limitread.Read(resp.Body, req.MaxBody, hint)
		if errors.Is(err, limitread.ErrTooLarge) {
			return nil, &scrubbedError{msg: fmt.Sprintf("more than %d bytes", req.MaxBody), err: err}
		}
		if err != nil {
			return nil, f.Error(err, req.URL)
		}
	}
	return out, nil
}

// Drain reads a little of what is left of resp's body and closes it, so
// that the connection can be reused.
func Drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}
