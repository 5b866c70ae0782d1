package enrich

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/internal/testutil"
)

// TestPlainHTTPToOtherHostRefusedBeforeDialling: --epss and --kev refuse
// plain http to a host other than loopback before any request is made.
func TestPlainHTTPToOtherHostRefusedBeforeDialling(t *testing.T) {
	rec := &testutil.RecordingTransport{Base: testutil.NoNetwork(t)}
	for _, src := range []string{"http://example.invalid/epss.csv", "http://10.0.0.1/k.json", "HTTP://example.invalid/x"} {
		_, err := LoadEPSS(context.Background(), src, Options{Transport: rec})
		if !errors.Is(err, netpolicy.ErrPlainHTTP) || !strings.Contains(err.Error(), "--allow-http") {
			t.Errorf("epss %s: err = %v, want the plain http refusal", src, err)
		}
		_, err = LoadKEV(context.Background(), src, Options{Transport: rec})
		if !errors.Is(err, netpolicy.ErrPlainHTTP) {
			t.Errorf("kev %s: err = %v, want the plain http refusal", src, err)
		}
	}
	if urls := rec.URLs(); len(urls) > 0 {
		t.Errorf("requested %v", urls)
	}
	// --allow-http lets it through to the transport.
	allowed := &testutil.RecordingTransport{Base: noNetwork{}}
	_, err := LoadEPSS(context.Background(), "http://example.invalid/e.csv", Options{Net: netpolicy.Options{AllowHTTP: true}, Transport: allowed})
	if err == nil || len(allowed.URLs()) != 1 {
		t.Errorf("with AllowHTTP: err %v, requests %v", err, allowed.URLs())
	}
}

// TestKEVRedirectToPlainHTTPRefused: an https URL that redirects to plain
// http on another host is refused, and the http URL never requested.
func TestKEVRedirectToPlainHTTPRefused(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.invalid/kev.json", http.StatusFound)
	}))
	defer srv.Close()
	rec := &testutil.RecordingTransport{Base: srv.Client().Transport}
	_, err := LoadKEV(context.Background(), srv.URL+"/kev.json", Options{Transport: rec})
	if !errors.Is(err, netpolicy.ErrPlainHTTP) {
		t.Fatalf("err = %v, want the plain http refusal", err)
	}
	if urls := rec.URLs(); len(urls) != 1 || strings.Contains(urls[0], "example.invalid") {
		t.Errorf("requested %v, want only the https URL", urls)
	}
}

// TestExploitDataURLCredentialsRedacted: the user info and query values of
// an --epss or --kev URL never appear in an error.
func TestExploitDataURLCredentialsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, src := range []string{
		"http://u:SECRET-PW@" + host + "/e.csv?key=SECRET-KEY",    // 404
		"http://u:SECRET-PW@" + closed + "/e.csv?key=SECRET-KEY",  // refused connection
		"http://u:SECRET-PW@example.invalid/e.csv?key=SECRET-KEY", // plain http refused
		"https://SECRET-TOKEN@" + closed + "/e.csv",               // token as user name
	} {
		for name, load := range map[string]func() error{
			"epss": func() error { _, err := LoadEPSS(context.Background(), src, Options{}); return err },
			"kev":  func() error { _, err := LoadKEV(context.Background(), src, Options{}); return err },
		} {
			err := load()
			if err == nil {
				t.Fatalf("%s %s: no error", name, src)
			}
			if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "redacted") {
				t.Errorf("%s: error leaks or hides the URL: %v", name, err)
			}
		}
	}
}

// TestFetchTimeoutCutsTrickle: a server sending a byte now and then is cut
// by the fetch timeout.
func TestFetchTimeoutCutsTrickle(t *testing.T) {
	srv := httptest.NewServer(testutil.Trickle("cve,epss,percentile\n", 50*time.Millisecond))
	defer srv.Close()
	_, err := LoadEPSS(context.Background(), srv.URL+"/e.csv", Options{Net: netpolicy.Options{Timeout: 300 * time.Millisecond}})
	if err == nil || !strings.Contains(err.Error(), "fetch timeout") {
		t.Fatalf("err = %v, want the fetch timeout", err)
	}
}

// noNetwork fails every request.
type noNetwork struct{}

func (noNetwork) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in this test")
}
