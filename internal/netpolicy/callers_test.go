package netpolicy_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/secgate/secgate/bundles"
	"github.com/secgate/secgate/enrich"
	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/internal/testutil"
	"github.com/secgate/secgate/tickets/sync"
)

// refused is a plain http URL to a host other than loopback, with secrets.
const refused = "http://u:SECRET-PW@example.invalid/x.tar.gz?token=SECRET-TOKEN"

// TestEveryCallerRefusesThroughTheFetcher: each fetch of secgate (a policy
// download, --epss, --kev, the GitHub sync, a webhook and its dry run)
// refuses plain http to another host with the policy's refusal, before a
// request reaches the transport, and quotes none of the URL's secrets.
func TestEveryCallerRefusesThroughTheFetcher(t *testing.T) {
	ctx := context.Background()
	noNet := func(t *testing.T) *http.Client { return &http.Client{Transport: testutil.NoNetwork(t)} }
	callers := map[string]func(t *testing.T) error{
		"policy download": func(*testing.T) error {
			// Refused while the address is parsed: no client is made.
			_, err := bundles.Fetch(ctx, refused, bundles.FetchOptions{CacheDir: t.TempDir()})
			return err
		},
		"epss": func(t *testing.T) error {
			_, err := enrich.LoadEPSS(ctx, refused, enrich.Options{Transport: testutil.NoNetwork(t)})
			return err
		},
		"kev": func(t *testing.T) error {
			_, err := enrich.LoadKEV(ctx, refused, enrich.Options{Transport: testutil.NoNetwork(t)})
			return err
		},
		"github": func(t *testing.T) error {
			s, err := ticketsync.New(ticketsync.Options{Sink: "github", Target: "o/r", BaseURL: refused, Secret: "SECRET-GH", HTTPClient: noNet(t), Retries: -1})
			if err != nil {
				return err
			}
			_, err = s.Sync(ctx, nil)
			return err
		},
		"webhook": func(t *testing.T) error {
			err := ticketsync.SyncWebhook(ctx, nil, ticketsync.WebhookOptions{URL: refused, HTTPClient: noNet(t), Retries: -1})
			return err
		},
		"webhook sink": func(t *testing.T) error {
			_, err := ticketsync.New(ticketsync.Options{Sink: "webhook", Target: refused, HTTPClient: noNet(t), Retries: -1})
			return err
		},
		"webhook dry run": func(t *testing.T) error {
			_, err := ticketsync.New(ticketsync.Options{Sink: "webhook", Target: refused, DryRun: true, HTTPClient: noNet(t)})
			return err
		},
	}
	want := (&netpolicy.PlainHTTPError{Host: "example.invalid"}).Error()
	for name, call := range callers {
		t.Run(name, func(t *testing.T) {
			err := call(t)
			if !errors.Is(err, netpolicy.ErrPlainHTTP) || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want the refusal %q", err, want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

// TestOnePreamble: outside internal/netpolicy (and internal/testutil,
// whose transports serve tests), no Go file of secgate (tests
// aside) builds a request, a transport or a client of its own, or checks a
// URL against the policy by itself: every fetch goes through a
// netpolicy.Fetcher, so the policy holds for a caller added later too.
// An http.Client literal is allowed as the base of NewFetcher.
func TestOnePreamble(t *testing.T) {
	root := filepath.Join("..", "..")
	banned := map[string]map[string]bool{
		"http": {
			"NewRequest": true, "NewRequestWithContext": true, "Get": true, "Head": true, "Post": true,
			"PostForm": true, "DefaultClient": true, "DefaultTransport": true, "Transport": true,
		},
		"netpolicy": {
			"Check": true, "CheckURL": true, "Client": true, "NewTransport": true, "Guard": true, "Error": true,
		},
	}
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, ".") || name == "vendor") {
				return filepath.SkipDir
			}
			// The policy itself, and the transports tests use.
			if p := filepath.ToSlash(path); p == "../../internal/netpolicy" || p == "../../internal/testutil" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		imports := map[string]string{} // local name → import path
		for _, is := range f.Imports {
			p, _ := strconv.Unquote(is.Path.Value)
			name := p[strings.LastIndex(p, "/")+1:]
			if is.Name != nil {
				name = is.Name.Name
			}
			imports[name] = p
		}
		pkgOf := func(x ast.Expr) string {
			id, ok := x.(*ast.Ident)
			if !ok {
				return ""
			}
			switch imports[id.Name] {
			case "net/http":
				return "http"
			case "github.com/secgate/secgate/internal/netpolicy":
				return "netpolicy"
			}
			return ""
		}
		allowed := map[ast.Expr]bool{} // http.Client literals given to NewFetcher
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && pkgOf(sel.X) == "netpolicy" && sel.Sel.Name == "NewFetcher" && len(n.Args) > 1 {
					arg := n.Args[1]
					if u, ok := arg.(*ast.UnaryExpr); ok {
						arg = u.X
					}
					allowed[arg] = true
				}
			case *ast.CompositeLit:
				if sel, ok := n.Type.(*ast.SelectorExpr); ok && pkgOf(sel.X) == "http" && sel.Sel.Name == "Client" && !allowed[n] {
					t.Errorf("%s: an http.Client of its own; make it the base of netpolicy.NewFetcher", fset.Position(n.Pos()))
				}
			case *ast.SelectorExpr:
				if pkg := pkgOf(n.X); pkg != "" && banned[pkg][n.Sel.Name] {
					t.Errorf("%s: %s.%s outside internal/netpolicy; go through a netpolicy.Fetcher", fset.Position(n.Pos()), pkg, n.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked %d files: is the module root %s?", checked, root)
	}
}
