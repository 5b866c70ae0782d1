package netpolicy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		url   string
		allow bool
		ok    bool
	}{
		{"https://example.com/x", false, true},
		{"http://127.0.0.1:8080/x", false, true},
		{"http://[::1]/x", false, true},
		{"http://localhost/x", false, true},
		{"http://LOCALHOST/x", false, true},
		{"http://example.com/x", false, false},
		{"http://10.0.0.1/x", false, false},
		{"http://127.0.0.1.example.com/x", false, false},
		{"http://localhost.example.com/x", false, false},
		{"http://example.com/x", true, true},
		{"ftp://example.com/x", true, false},
		{"file:///etc/passwd", true, false},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		err = Check(u, tc.allow)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%s, allow=%v) = %v, want ok=%v", tc.url, tc.allow, err, tc.ok)
		}
		if err != nil && u.Scheme == "http" && !errors.Is(err, ErrPlainHTTP) {
			t.Errorf("Check(%s): %v is not ErrPlainHTTP", tc.url, err)
		}
	}
}

// dialRecorder is a base transport that records every request that
// reaches it (which a real transport would dial) and answers 200.
type dialRecorder struct {
	mu   sync.Mutex
	urls []string
}

func (d *dialRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	d.mu.Lock()
	d.urls = append(d.urls, req.URL.String())
	d.mu.Unlock()
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("ok")), Request: req}, nil
}

// TestGuardRefusesPlainHTTPBeforeDialling: the guarded client never hands a
// plain-http request to another host to the transport below it.
func TestGuardRefusesPlainHTTPBeforeDialling(t *testing.T) {
	rec := &dialRecorder{}
	c := Client(Options{}, rec)
	resp, err := c.Get("http://u:SECRET@example.invalid/x?token=T")
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, ErrPlainHTTP) {
		t.Fatalf("err = %v, want ErrPlainHTTP", err)
	}
	if len(rec.urls) != 0 {
		t.Errorf("dialled %v", rec.urls)
	}
	if msg := Error(err, "http://u:SECRET@example.invalid/x?token=T", Options{}).Error(); strings.Contains(msg, "SECRET") || strings.Contains(msg, "token=T") {
		t.Errorf("error leaks a secret: %s", msg)
	}
}

// TestGuardRefusesRedirectToPlainHTTP: an https URL that redirects to plain
// http on another host is refused, and the second URL never dialled.
func TestGuardRefusesRedirectToPlainHTTP(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.invalid/stolen", http.StatusFound)
	}))
	defer srv.Close()
	var dialled []string
	base := srv.Client().Transport
	c := Client(Options{}, roundTripFunc(func(req *http.Request) (*http.Response, error) {
		dialled = append(dialled, req.URL.Host)
		return base.RoundTrip(req)
	}))
	_, err := c.Get(srv.URL + "/kev.json")
	if !errors.Is(err, ErrPlainHTTP) {
		t.Fatalf("err = %v, want ErrPlainHTTP", err)
	}
	if len(dialled) != 1 || strings.Contains(dialled[0], "example.invalid") {
		t.Errorf("dialled %v, want the https server only", dialled)
	}
	// A redirect to loopback http stays allowed (a local mirror).
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv2.Close()
	resp, err := Client(Options{}, nil).Get(srv2.URL)
	if err != nil {
		t.Fatalf("loopback http: %v", err)
	}
	resp.Body.Close()
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestFetchTimeoutCutsTrickle: a body sent a byte at a time is cut by the
// client's timeout, and the error names it.
func TestFetchTimeoutCutsTrickle(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}))
	defer srv.Close()
	o := Options{Timeout: 300 * time.Millisecond}
	resp, err := Client(o, nil).Get(srv.URL)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("the trickle was read to its end")
	}
	if msg := Error(err, srv.URL, o).Error(); !strings.Contains(msg, "fetch timeout of 300ms") {
		t.Errorf("error = %q, want the fetch timeout named", msg)
	}
	if !IsTimeout(context.DeadlineExceeded) {
		t.Error("a context deadline is a timeout")
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:SECRET@host/e.csv?key=K&ref=v1": "https://u:redacted@host/e.csv?key=redacted&ref=v1",
		"https://TOKEN@host/x":                     "https://redacted@host/x",
		"https://git@host/x":                       "https://git@host/x",
		"https://host/e.csv":                       "https://host/e.csv",
		"local/file.csv":                           "local/file.csv",
		"local/file.csv?sig=S":                     "local/file.csv?sig=redacted",
		"git::https://u:p@host/r.git//d?ref=v1":    "git::https://u:redacted@host/r.git//d?ref=v1",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Scrub(`Get "https://u:SECRET@h/?key=KEYVAL": refused`, []string{"SECRET", "KEYVAL"}); strings.Contains(got, "SECRET") || strings.Contains(got, "KEYVAL") {
		t.Errorf("Scrub left a secret: %s", got)
	}
}
