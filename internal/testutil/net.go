package testutil

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// NoNetwork is a transport that fails the test when a request reaches it.
func NoNetwork(t testing.TB) http.RoundTripper { return noNetwork{t} }

type noNetwork struct{ t testing.TB }

func (n noNetwork) RoundTrip(req *http.Request) (*http.Response, error) {
	n.t.Errorf("request to %s reached the network", req.URL)
	return nil, errors.New("no network in this test")
}

// RecordingTransport passes requests to Base (nil: http.DefaultTransport)
// and records the URL of each, so that a test can assert that a refused
// URL was never requested, let alone dialled.
type RecordingTransport struct {
	Base http.RoundTripper
	mu   sync.Mutex
	urls []string
}

// RoundTrip records req's URL and lets Base make the request.
func (t *RecordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.urls = append(t.urls, req.URL.String())
	t.mu.Unlock()
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}

// URLs returns the URLs requested so far.
func (t *RecordingTransport) URLs() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.urls...)
}

// Trickle is a handler that answers 200, sends start, and then one space
// every interval until the client goes away: a server that never finishes
// (start "[" keeps a JSON client reading).
func Trickle(start string, interval time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		fl, _ := w.(http.Flusher)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		chunk := []byte(start)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
			chunk = []byte(" ")
		}
	}
}
