package netpolicy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/internal/limitread"
	"github.com/secgate/secgate/internal/testutil"
)

// TestFetcherRefusesBeforeDialling: Do refuses a plain http URL to another
// host, and a scheme other than http(s), without a request reaching the
// transport; the error quotes no secret of the URL.
func TestFetcherRefusesBeforeDialling(t *testing.T) {
	f := NewFetcher(Options{}, &http.Client{Transport: testutil.NoNetwork(t)})
	for _, tc := range []struct {
		url  string
		want error
	}{
		{"http://u:SECRET@example.invalid/x?token=SECRET2", ErrPlainHTTP},
		{"HTTP://10.0.0.1/x", ErrPlainHTTP},
		{"ftp://example.invalid/x", ErrScheme},
	} {
		_, err := f.Do(context.Background(), Request{URL: tc.url})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.url, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error leaks a secret: %v", tc.url, err)
		}
	}
	if _, err := f.Do(context.Background(), Request{URL: "not a url at all?key=SECRET"}); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("a malformed URL: err = %v", err)
	}
}

// TestFetcherRequest: what Do sends (method, headers with User-Agent:
// secgate, body) and what it makes of the answers: a bounded body, a
// *StatusError quoting the start of a refused body, the status the
// caller accepts.
func TestFetcherRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/echo":
			if r.Header.Get("User-Agent") != UserAgent || r.Header.Get("X-Kind") != "k" || r.Method != http.MethodPost {
				t.Errorf("request %s, User-Agent %q, X-Kind %q", r.Method, r.Header.Get("User-Agent"), r.Header.Get("X-Kind"))
			}
			w.Write(body)
		case "/created":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, "made")
		default:
			http.Error(w, "no such\nthing  here", http.StatusNotFound)
		}
	}))
	defer srv.Close()
	f := NewFetcher(Options{}, srv.Client())
	ctx := context.Background()

	resp, err := f.Do(ctx, Request{Method: http.MethodPost, URL: srv.URL + "/echo", Header: http.Header{"X-Kind": {"k"}}, Body: []byte("hello"), MaxBody: 5})
	if err != nil || string(resp.Body) != "hello" || resp.StatusCode != 200 {
		t.Fatalf("echo: %v, %+v", err, resp)
	}
	_, err = f.Do(ctx, Request{Method: http.MethodPost, URL: srv.URL + "/echo", Header: http.Header{"X-Kind": {"k"}}, Body: []byte("hello!"), MaxBody: 5})
	if !errors.Is(err, limitread.ErrTooLarge) || err.Error() != "more than 5 bytes" {
		t.Errorf("over MaxBody: err = %v", err)
	}
	_, err = f.Do(ctx, Request{URL: srv.URL + "/missing?token=SECRET"})
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || err.Error() != "HTTP 404 Not Found" || se.Snippet != "no such thing here" {
		t.Errorf("404: err = %v (%+v)", err, se)
	}
	if resp, err := f.Do(ctx, Request{URL: srv.URL + "/created", MaxBody: 10}); err != nil || string(resp.Body) != "made" {
		t.Errorf("201 with the default OK: %v", err)
	}
	only200 := func(s int) bool { return s == http.StatusOK }
	if _, err := f.Do(ctx, Request{URL: srv.URL + "/created", OK: only200}); !errors.As(err, &se) || se.StatusCode != 201 {
		t.Errorf("201 when only 200 is OK: err = %v", err)
	}
}

// TestFetcherTimeoutAndRedirect: the fetch timeout cuts a trickle, naming
// itself; a redirect to plain http elsewhere is refused, never requested;
// a layer sits under the guard.
func TestFetcherTimeoutAndRedirect(t *testing.T) {
	slow := httptest.NewServer(testutil.Trickle("x", 50*time.Millisecond))
	defer slow.Close()
	_, err := NewFetcher(Options{Timeout: 300 * time.Millisecond}, nil).Do(context.Background(), Request{URL: slow.URL, MaxBody: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "fetch timeout of 300ms") {
		t.Errorf("trickle: err = %v, want the fetch timeout", err)
	}

	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.invalid/stolen?key=SECRET", http.StatusFound)
	}))
	defer srv.Close()
	var layered []string
	rec := &testutil.RecordingTransport{Base: srv.Client().Transport}
	f := NewFetcher(Options{}, &http.Client{Transport: rec}, func(base http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			layered = append(layered, r.URL.Host)
			return base.RoundTrip(r)
		})
	})
	_, err = f.Do(context.Background(), Request{URL: srv.URL + "/x"})
	if !errors.Is(err, ErrPlainHTTP) || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("redirect: err = %v, want the plain http refusal", err)
	}
	if urls := rec.URLs(); len(urls) != 1 || len(layered) != 1 || strings.Contains(urls[0], "example.invalid") {
		t.Errorf("requested %v through the layer %v, want the https server once", urls, layered)
	}
}
