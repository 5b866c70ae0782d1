// Package opaclient asks an OPA server's Data API for a decision: one
// POST /v1/data/PATH with {"input": …} through the network policy of
// secgate (netpolicy), its answer bounded in size and checked. It is the
// transport of eval.Remote (check --opa-url).
package opaclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/internal/textsafe"
)

// DefaultServerAddr is where secgate's OPA server (secgate opa run, the
// secgate-opa binary) listens unless --addr says otherwise: loopback,
// never every interface.
const DefaultServerAddr = "127.0.0.1:8181"

// DefaultMaxAnswer bounds the body of an answer: the messages of a
// decision on 100,000 findings fit many times over.
const DefaultMaxAnswer = 64 << 20

// maxDetail bounds what an error quotes of a server's refusal.
const maxDetail = 300

// Options configure a Client.
type Options struct {
	// URL is the server: http(s)://host:port, with a path prefix if the
	// server sits behind one.
	URL string
	// Path is the data path of the decision, such as "secgate/decision".
	Path string
	// Net is the network policy (plain http only to loopback unless
	// AllowHTTP; the timeout of each request).
	Net netpolicy.Options
	// MaxAnswer bounds an answer's body; 0 means DefaultMaxAnswer.
	MaxAnswer int64
	// HTTP is the base client of the fetcher (tests); nil for the default.
	HTTP *http.Client
}

// Client asks one server for decisions.
type Client struct {
	fetcher *netpolicy.Fetcher
	// endpoint is where queries go: the path, with strict builtin
	// errors as secgate evaluates (a builtin's error is an error, not
	// an undefined value that a deny rule would skip).
	endpoint string
	name     string
	max      int64
	// ids are the decision ids the server gave, in order.
	ids []string
}

// pathRE is a data path: segments of letters, digits, _ and -.
var pathRE = regexp.MustCompile(`^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$`)

// New checks o (the URL against the network policy) and returns its
// client. Errors name the URL without its secrets.
func New(o Options) (*Client, error) {
	f := netpolicy.NewFetcher(o.Net, o.HTTP)
	u, err := f.CheckURL(o.URL)
	name := netpolicy.Redact(o.URL)
	if err != nil {
		return nil, fmt.Errorf("--opa-url %s: %w", name, err)
	}
	if u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("--opa-url %s: want http(s)://HOST[:PORT][/PREFIX], without query or fragment", name)
	}
	path := strings.Trim(o.Path, "/")
	if !pathRE.MatchString(path) {
		return nil, fmt.Errorf("--opa-path %s: want a data path such as secgate/decision", textsafe.Quote(o.Path))
	}
	c := &Client{fetcher: f, max: o.MaxAnswer}
	if c.max <= 0 {
		c.max = DefaultMaxAnswer
	}
	base := strings.TrimRight(o.URL, "/") + "/v1/data/" + path
	c.endpoint = base + "?strict-builtin-errors=true"
	c.name = netpolicy.Redact(base)
	return c, nil
}

// Name is the endpoint, redacted: POST goes there.
func (c *Client) Name() string { return c.name }

// DecisionIDs are the decision ids the server gave (with decision
// logging on), one per query.
func (c *Client) DecisionIDs() []string { return append([]string{}, c.ids...) }

// ErrNoResult is wrapped by the refusal of an answer without a result:
// the server has no rule at the path (no bundle, or one without the
// entry point).
var ErrNoResult = errors.New("no result")

// Query posts input (a JSON value) as the input of the decision and
// returns the result, as JSON. An answer other than 200 with a result
// is an error naming the endpoint.
func (c *Client) Query(ctx context.Context, input []byte) ([]byte, error) {
	body := make([]byte, 0, len(input)+16)
	body = append(body, `{"input":`...)
	body = append(body, input...)
	body = append(body, '}')
	resp, err := c.fetcher.Do(ctx, netpolicy.Request{
		Method:  http.MethodPost,
		URL:     c.endpoint,
		Header:  http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		Body:    body,
		OK:      func(s int) bool { return s == http.StatusOK },
		MaxBody: c.max,
	})
	if err != nil {
		var se *netpolicy.StatusError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("OPA server %s: HTTP %s%s", c.name, se.Status, detail(se.Snippet))
		}
		return nil, fmt.Errorf("OPA server %s: %w", c.name, err)
	}
	var ans struct {
		Result     json.RawMessage `json:"result"`
		DecisionID string          `json:"decision_id"`
	}
	if err := json.Unmarshal(resp.Body, &ans); err != nil {
		return nil, fmt.Errorf("OPA server %s: the answer is not JSON: %s", c.name, textsafe.Clean(err.Error(), maxDetail))
	}
	if len(ans.Result) == 0 || string(ans.Result) == "null" {
		return nil, fmt.Errorf("OPA server %s: %w: is the bundle built with secgate bundle build --opa-entrypoint loaded, and --opa-path right?", c.name, ErrNoResult)
	}
	if ans.DecisionID != "" {
		c.ids = append(c.ids, textsafe.Clean(ans.DecisionID, 100))
	}
	return ans.Result, nil
}

// detail is what an error quotes of a refusal's body: OPA's message
// when it is OPA's error object, else the start of the body; on one line.
func detail(snippet string) string {
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal([]byte(snippet), &e) == nil && e.Message != "" {
		snippet = e.Code + ": " + e.Message
	}
	if snippet = strings.TrimSpace(snippet); snippet == "" {
		return ""
	}
	return ": " + textsafe.Clean(snippet, maxDetail)
}
