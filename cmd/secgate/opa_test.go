package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/secgate/secgate/bundles"
	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/opaclient"
)

// startOPA builds the built-in policies into a bundle with the decision
// entry point and serves it with secgate opa run (this test binary, as
// testscript puts secgate and secgate-opa on the PATH) on a free
// loopback port; it returns the server's URL once its health endpoint
// answers.
func startOPA(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	raw, err := bundles.Build(context.Background(), filepath.Join("..", "..", "policies"), bundles.BuildOptions{Entrypoint: true})
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "bundle.tar.gz")
	if err := os.WriteFile(bundle, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	var logs syncBuffer
	srv := startServer(t, &logs, "secgate", "opa", "run", "--server", "--addr", addr, "--bundle", bundle, "--log-level", "error")
	url := "http://" + addr
	if err := waitHealthy(url+"/health?bundles", srv); err != nil {
		t.Fatalf("secgate opa run did not become healthy: %v\n%s", err, logs.String())
	}
	return url
}

// serverTimeout bounds the life of a server a test starts: a test that
// forgets it, or a server that ignores a signal, cannot hang the suite.
const serverTimeout = 10 * time.Minute

// server is a process a test started.
type server struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has ended and its output is in
	err  error         // Wait's, once done is closed
}

// startServer starts the command line args with its output to out, to be
// killed when the test ends (the process started is the server: secgate
// opa run becomes secgate-opa), and at the latest after serverTimeout.
func startServer(t *testing.T, out io.Writer, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), serverTimeout)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	// A process holding the output pipe open cannot keep Wait waiting.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		defer cancel()
		_ = cmd.Process.Kill()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Errorf("%s: still running 30 s after it was killed", strings.Join(args, " "))
		}
	})
	return s
}

// waitHealthy waits until url answers 200, for at most a minute; it
// gives up at once when the server's process has ended.
func waitHealthy(url string, s *server) error {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-s.done:
			return fmt.Errorf("the server exited (%v): %v", s.err, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// syncBuffer is a bytes.Buffer a process's output may be copied into
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// freeAddr is a loopback address no one listens on (as far as the
// kernel knows when it is returned).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestOPAServerDecidesAsLocal: for every report of the corpus and of
// examples/reports, the decision of the OPA server running the built-in
// bundle (secgate opa run) is the local one: the same verdict,
// violations, warnings, exceptions, approvals and summary, in the same
// order; and so for the examples' configurations (exceptions, approvals,
// thresholds) over the example reports.
func TestOPAServerDecidesAsLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an OPA server")
	}
	url := startOPA(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type run struct {
		report string
		config string
	}
	var runs []run
	for _, root := range []string{filepath.Join("..", "..", "testdata", "corpus"), filepath.Join("..", "..", "examples", "reports")} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".tsv") {
				return err
			}
			runs = append(runs, run{report: path})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(runs) < 100 {
		t.Fatalf("%d reports: is the corpus there?", len(runs))
	}
	for _, cfg := range []string{"secgate.yaml", "secgate-with-exceptions.yaml", "secgate-premerge.yaml"} {
		runs = append(runs, run{report: filepath.Join("..", "..", "examples", "reports"), config: filepath.Join("..", "..", "examples", cfg)})
	}
	ctx := context.Background()
	decided := 0
	for _, r := range runs {
		name := filepath.ToSlash(r.report)
		if r.config != "" {
			name += " -c " + filepath.Base(r.config)
		}
		t.Run(name, func(t *testing.T) {
			opts := func() gate.Options {
				o := gate.Options{Reports: []string{r.report}, Now: now, Context: document.Context{Now: now.Format(time.RFC3339)}}
				if r.config != "" {
					cfg, err := config.Load(r.config)
					if err != nil {
						t.Fatal(err)
					}
					o.Policy.Config = cfg
				}
				return o
			}
			local, lerr := gate.Run(ctx, opts())
			o := opts()
			data, err := gate.PolicyData(o.Policy)
			if err != nil {
				t.Fatal(err)
			}
			client, err := opaclient.New(opaclient.Options{URL: url, Path: eval.DecisionPath})
			if err != nil {
				t.Fatal(err)
			}
			o.Remote = eval.NewRemote(client.Query, data["secgate"].(map[string]any)["config"], "opa")
			remote, rerr := gate.Run(ctx, o)
			if lerr != nil || rerr != nil {
				if fmt.Sprint(lerr) != fmt.Sprint(rerr) {
					t.Fatalf("local error %v, server error %v", lerr, rerr)
				}
				return
			}
			decided++
			l, s := local.Decision, remote.Decision
			if l.Decision != s.Decision {
				t.Errorf("verdict: local %s, server %s", l.Decision, s.Decision)
			}
			for _, c := range []struct {
				what        string
				local, srvr any
			}{
				{"violations", l.Violations, s.Violations},
				{"warnings", l.Warnings, s.Warnings},
				{"exceptions", l.Exceptions, s.Exceptions},
				{"approvals", l.Approvals, s.Approvals},
				{"policies", l.Policies, s.Policies},
				{"summary", l.Summary, s.Summary},
			} {
				if diff := cmp.Diff(c.local, c.srvr); diff != "" {
					t.Errorf("%s differ (-local +server):\n%s", c.what, diff)
				}
			}
		})
	}
	if decided < 100 {
		t.Errorf("only %d of %d runs decided: the comparison proves little", decided, len(runs))
	}
}

// TestOPAScripts runs the scripts in testdata/opascript, which start
// secgate opa run in the background on $OPAADDR (a free loopback port)
// and wait for it with `healthy URL`; $POLICIES is the built-in
// policies' folder.
func TestOPAScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts OPA servers")
	}
	abs := func(p ...string) string {
		a, err := filepath.Abs(filepath.Join(p...))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "opascript"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("POLICIES", abs("..", "..", "policies"))
			env.Setenv("EXAMPLES", abs("..", "..", "examples"))
			env.Setenv("OPAADDR", freeAddr(t))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"healthy": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: healthy URL")
				}
				client := &http.Client{Timeout: 5 * time.Second}
				deadline := time.Now().Add(60 * time.Second)
				for {
					resp, err := client.Get(args[0])
					if err == nil {
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							return
						}
					}
					if time.Now().After(deadline) {
						ts.Fatalf("%s did not answer 200: %v", args[0], err)
					}
					time.Sleep(100 * time.Millisecond)
				}
			},
		},
	})
}

// TestCheckOPAURLRefusesBadAnswers: check --opa-url against a server
// that says pass without the decision's keys, answers no JSON, more than
// the bound, or an error, exits 2 with one line naming the server, and
// never passes.
func TestCheckOPAURLRefusesBadAnswers(t *testing.T) {
	huge := `{"result":{"namespaces":["x"],"pad":"` + strings.Repeat("a", opaclient.DefaultMaxAnswer) + `"}}`
	cases := map[string]struct {
		status int
		body   string
		want   string
	}{
		"pass without keys": {200, `{"result":{"decision":"pass","violations":[]}}`, `not a secgate decision: the result has no "namespaces"`},
		"malformed JSON":    {200, `{"result":{"namespaces":`, "the answer is not JSON"},
		"huge body":         {200, huge, fmt.Sprintf("more than %d bytes", opaclient.DefaultMaxAnswer)},
		"empty answer":      {200, `{}`, "no result"},
		"server error":      {500, `{"code":"internal_error","message":"boom"}`, "HTTP 500 Internal Server Error: internal_error: boom"},
	}
	report := filepath.Join("..", "..", "examples", "reports", "npm-audit.json")
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"secgate", "check", report, "--opa-url", srv.URL}, strings.NewReader(""), &stdout, &stderr)
			if code != exitError {
				t.Fatalf("exit %d, want 2; stdout %s", code, stdout.String())
			}
			msg := stderr.String()
			if !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") != 1 || stdout.Len() != 0 {
				t.Errorf("stderr %q stdout %q: want one line with %q", msg, stdout.String(), tc.want)
			}
		})
	}
}

// TestOPARunListensOnLoopback: without --addr, secgate opa run listens on
// 127.0.0.1:8181 — even with --v0-compatible, with which opa run would
// listen on every interface — and does not ask GitHub for OPA's version.
func TestOPARunListensOnLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an OPA server")
	}
	// The context ends the server, and with it the log, should it never
	// say where it listens.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "secgate", "opa", "run", "--server", "--v0-compatible", "--log-level", "debug", "--log-format", "json")
	cmd.WaitDelay = 5 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		var line struct {
			Msg   string   `json:"msg"`
			Addrs []string `json:"addrs"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		if strings.Contains(strings.ToLower(line.Msg), "version check") || strings.Contains(sc.Text(), "api.github.com") {
			t.Errorf("version check: %s", sc.Text())
		}
		if line.Msg == "Initializing server." {
			if len(line.Addrs) != 1 || line.Addrs[0] != "127.0.0.1:8181" {
				t.Errorf("listens on %v, want [127.0.0.1:8181]", line.Addrs)
			}
			return
		}
	}
	t.Fatal("the server logged no address")
}
