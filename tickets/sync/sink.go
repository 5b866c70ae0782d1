// Package ticketsync pushes remediation tickets (package tickets) to where
// they are worked on, behind one interface, Sink: GitHub Issues (and GitHub
// Enterprise) idempotently, any HTTP endpoint (a webhook), or nowhere (the
// dry run of a sink that keeps no state, DryRun). New builds the sink that
// Options name; every request a sink makes goes through the network
// policy's fetcher (internal/netpolicy).
//
// A new tracker is one new file in this package: a type with a Sync
// method, registered under its name from the file's init function (the
// one place the package registers that way, so that adding a tracker
// touches no other file). A sketch, for a tracker with one endpoint per
// ticket:
//
//	package ticketsync
//
//	func init() { Register("tracker", newTracker) }
//
//	type tracker struct {
//		opts  Options
//		fetch *netpolicy.Fetcher
//	}
//
//	func newTracker(o Options) (Sink, error) {
//		f := netpolicy.NewFetcher(o.Net, o.HTTPClient)
//		if _, err := f.CheckURL(o.Target); err != nil {
//			return nil, fmt.Errorf("tracker %s: %w", netpolicy.Redact(o.Target), err)
//		}
//		return &tracker{opts: o, fetch: f}, nil
//	}
//
//	func (s *tracker) Sync(ctx context.Context, ts []tickets.Ticket) (*Plan, error) {
//		plan := &Plan{Actions: []Action{}, DryRun: s.opts.DryRun}
//		for _, t := range ts {
//			// One s.fetch.Do per request: checked, guarded, bounded, scrubbed.
//			…
//			plan.Created++
//			plan.Actions = append(plan.Actions, Action{Kind: ActionCreate, Fingerprint: t.Fingerprint, Title: t.Title})
//		}
//		return plan, nil
//	}
//
// tickets.FingerprintOf finds the ticket of an existing issue from the
// marker every body carries. The command line names the sink with a flag
// of its own (cmd/secgate/tickets.go maps flags to Options).
package ticketsync

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/tickets"
)

// Sink is where tickets go.
type Sink interface {
	// Sync makes the sink match the tickets, or in a dry run says what it
	// would do, and returns the plan. On an error the plan says what was
	// done before it, or is nil when nothing was.
	Sync(ctx context.Context, ts []tickets.Ticket) (*Plan, error)
}

// Options say which sink to build and how; each sink reads the fields it
// needs and ignores the others.
type Options struct {
	// Sink is the name the sink is registered under: "github",
	// "webhook", or another (see Names).
	Sink string
	// Target is where the tickets go: OWNER/REPO for github, the URL for
	// webhook.
	Target string
	// BaseURL is the API root of a self-hosted tracker (a GitHub
	// Enterprise Server); "" means the public service.
	BaseURL string
	// Label marks secgate's issues (default tickets.DefaultLabel).
	Label string
	// Secret is the sink's credential: the GitHub token, the webhook's
	// signing secret; "" sends none.
	Secret string
	// DryRun changes nothing and says what would change.
	DryRun bool
	// Net is the network policy of every request (plain http, timeout).
	Net netpolicy.Options
	// HTTPClient makes the requests under the policy's guard; nil means
	// the policy's own transport.
	HTTPClient *http.Client
	// MaxWait bounds one wait for a rate limit (default DefaultMaxWait).
	MaxWait time.Duration
	// Retries bounds the retries after a server or network error
	// (default DefaultRetries; negative: none).
	Retries int
	// Log receives one line per rate limit wait and retry; nil: silence.
	Log io.Writer
	// Now is the time a sink states (the comment that closes an issue);
	// zero means the clock.
	Now time.Time
}

// Factory builds a sink from options, refusing options it cannot use
// before anything is sent.
type Factory func(Options) (Sink, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Register makes a sink available to New under name. Registering a name
// twice is a programming error, and panics.
func Register(name string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup || name == "" || f == nil {
		panic(fmt.Sprintf("ticketsync: Register(%q): empty, nil or registered twice", name))
	}
	registry[name] = f
}

// Names lists the registered sinks, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for name := range registry {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// New builds the sink opts.Sink names; an unknown name is an error that
// lists the registered ones.
func New(opts Options) (Sink, error) {
	registryMu.RLock()
	f, ok := registry[opts.Sink]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("tickets: unknown sink %q (want one of %s)", opts.Sink, strings.Join(Names(), ", "))
	}
	return f(opts)
}

// DryRun is the dry run of a sink that keeps no state to compare, such as
// a webhook: it sends nothing, and its plan says how many tickets would
// be posted to Endpoint. (A sink that reads its tracker, such as GitHub,
// plans its own dry run.)
type DryRun struct {
	// Endpoint names where the tickets would go, as a phrase ("the webhook").
	Endpoint string
}

// Sync sends nothing and returns the plan of posting ts.
func (d DryRun) Sync(_ context.Context, ts []tickets.Ticket) (*Plan, error) {
	return &Plan{Actions: []Action{}, DryRun: true, Posted: len(ts), Endpoint: d.Endpoint}, nil
}
