package opaclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/internal/testutil"
)

// TestQuery: the input goes to POST /v1/data/PATH with strict builtin
// errors, wrapped as {"input": …}; the result comes back, and the
// decision id is kept.
func TestQuery(t *testing.T) {
	var got struct{ method, path, query, body string }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.method, got.path, got.query, got.body = r.Method, r.URL.Path, r.URL.RawQuery, string(b)
		io.WriteString(w, `{"decision_id":"d-1","result":{"a":1}}`)
	}))
	defer srv.Close()
	c, err := New(Options{URL: srv.URL + "/", Path: "secgate/decision"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Query(context.Background(), []byte(`{"document":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(res) != `{"a":1}` {
		t.Errorf("result %s", res)
	}
	if got.method != "POST" || got.path != "/v1/data/secgate/decision" || got.query != "strict-builtin-errors=true" || got.body != `{"input":{"document":{}}}` {
		t.Errorf("request %+v", got)
	}
	if ids := c.DecisionIDs(); len(ids) != 1 || ids[0] != "d-1" {
		t.Errorf("decision ids %v", ids)
	}
}

// TestQueryRefusesWhatIsNotADecision: a server that answers an error, no
// result, no JSON, or more than the bound is an error naming the
// endpoint, never a result.
func TestQueryRefusesWhatIsNotADecision(t *testing.T) {
	huge := strings.Repeat(" ", 2048) + `{"result":{}}`
	cases := map[string]struct {
		status int
		body   string
		want   string
	}{
		"no result (undefined path)": {200, `{}`, "no result"},
		"null result":                {200, `{"result":null}`, "no result"},
		"not JSON":                   {200, `<html>pass</html>`, "the answer is not JSON"},
		"truncated JSON":             {200, `{"result":{"collect":`, "the answer is not JSON"},
		"too large":                  {200, huge, "more than 1024 bytes"},
		"server error":               {500, `{"code":"internal_error","message":"eval_builtin_error: secgate.group_by: boom"}`, "HTTP 500 Internal Server Error: internal_error: eval_builtin_error: secgate.group_by: boom"},
		"not found":                  {404, `nothing`, "HTTP 404 Not Found: nothing"},
		"escape in message":          {500, "{\"code\":\"x\",\"message\":\"\x1b[2Jok\"}", `\x1b[2Jok`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c, err := New(Options{URL: srv.URL, Path: "secgate/decision", MaxAnswer: 1024})
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Query(context.Background(), []byte(`{}`))
			if err == nil {
				t.Fatalf("result %s, want an error", res)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, srv.URL+"/v1/data/secgate/decision") || strings.ContainsAny(msg, "\n\x1b") {
				t.Errorf("error %q, want one line naming the endpoint and %q", msg, tc.want)
			}
		})
	}
}

// TestNewRefuses: plain http to another host without AllowHTTP, other
// schemes, queries and bad paths are refused before anything is dialled,
// and a refusal quotes no credentials of the URL.
func TestNewRefuses(t *testing.T) {
	cases := map[string]struct {
		url, path string
		want      string
	}{
		"plain http to another host": {"http://user:SECRET@opa.example.com:8181", "secgate/decision", "plain http to opa.example.com"},
		"file scheme":                {"file:///etc/passwd", "secgate/decision", "not an http(s) URL"},
		"query":                      {"https://opa.example.com/?token=SECRET", "secgate/decision", "without query"},
		"path escapes":               {"https://opa.example.com", "../v1/policies", "--opa-path"},
		"empty path":                 {"https://opa.example.com", "", "--opa-path"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := New(Options{URL: tc.url, Path: tc.path, HTTP: &http.Client{Transport: testutil.NoNetwork(t)}})
			if err == nil {
				t.Fatalf("client for %s, want a refusal", c.Name())
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q, want %q and no secret", err, tc.want)
			}
		})
	}
	// With AllowHTTP, plain http to another host is the user's choice.
	if _, err := New(Options{URL: "http://opa.example.com:8181", Path: "secgate/decision", Net: netpolicy.Options{AllowHTTP: true}}); err != nil {
		t.Errorf("--allow-http: %v", err)
	}
}

// TestQueryScrubsCredentials: an error of a URL with a password names
// the endpoint without it.
func TestQueryScrubsCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://admin:SECRET@", 1)
	c, err := New(Options{URL: u, Path: "secgate/decision"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Query(context.Background(), []byte(`{}`))
	if err == nil || strings.Contains(err.Error(), "SECRET") || strings.Contains(c.Name(), "SECRET") {
		t.Errorf("error %v, name %s: want an error without the password", err, c.Name())
	}
	var se *netpolicy.StatusError
	if errors.As(err, &se) {
		t.Errorf("error %v wraps the status error; want one line of its own", err)
	}
}
