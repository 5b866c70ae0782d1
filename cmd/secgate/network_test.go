package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/secgate/secgate/internal/testutil"
)

// TestNetworkScripts runs the scripts in testdata/netscript against a
// loopback server ($SERVER) that serves exploit data (/epss.csv,
// /kev.json), a trickle (/slow…), a redirect to plain http on another host
// (/redirect) and a webhook (/hook). The same server is the HTTP proxy of
// the secgate processes (HTTP_PROXY), so a plain-http request to any other
// host would reach it too: `received REGEXP` asserts that a request
// (host and path, or CONNECT host) matching REGEXP arrived, `! received`
// that none did.
func TestNetworkScripts(t *testing.T) {
	corpus, err := filepath.Abs(filepath.Join("..", "..", "testdata", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	epss, err := os.ReadFile(filepath.Join("..", "..", "testdata", "enrich", "epss_scores-sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	kev, err := os.ReadFile(filepath.Join("..", "..", "testdata", "enrich", "known_exploited_vulnerabilities-sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "netscript"),
		Setup: func(env *testscript.Env) error {
			s := &netServer{epss: epss, kev: kev}
			srv := httptest.NewServer(s)
			env.Defer(srv.Close)
			env.Values["server"] = s
			env.Setenv("CORPUS", corpus)
			env.Setenv("SERVER", srv.URL)
			env.Setenv("HOSTPORT", strings.TrimPrefix(srv.URL, "http://"))
			env.Setenv("HTTP_PROXY", srv.URL)
			env.Setenv("HTTPS_PROXY", srv.URL)
			env.Setenv("NO_PROXY", "")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"received": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: received REGEXP")
				}
				re, err := regexp.Compile(args[0])
				ts.Check(err)
				got := ts.Value("server").(*netServer).received()
				found := false
				for _, r := range got {
					found = found || re.MatchString(r)
				}
				switch {
				case found && neg:
					ts.Fatalf("a request matching %s arrived: %q", args[0], got)
				case !found && !neg:
					ts.Fatalf("no request matching %s arrived: %q", args[0], got)
				}
			},
		},
	})
}

// netServer is the loopback server (and proxy) of the network scripts.
type netServer struct {
	epss, kev []byte
	mu        sync.Mutex
	requests  []string
}

func (s *netServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *netServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.Host+r.URL.Path)
	s.mu.Unlock()
	switch {
	case r.Method == http.MethodConnect:
		http.Error(w, "no tunnels here", http.StatusForbidden)
	case strings.HasSuffix(r.URL.Path, "/epss.csv"):
		w.Write(s.epss)
	case strings.HasSuffix(r.URL.Path, "/kev.json"):
		w.Write(s.kev)
	case strings.HasPrefix(r.URL.Path, "/slow"):
		testutil.Trickle("", 50*time.Millisecond)(w, r)
	case r.URL.Path == "/redirect":
		http.Redirect(w, r, "http://example.invalid/kev.json", http.StatusFound)
	case r.URL.Path == "/hook" && r.Method == http.MethodPost:
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}
