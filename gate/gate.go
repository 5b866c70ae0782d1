// Package gate runs the whole check: ingest the reports (and the
// baseline), evaluate the policies, and decide pass, warn or fail, with
// the remediation tickets of the violations. It is the library the
// secgate command is a shell over: Run does what `secgate check` does,
// Load what `secgate ingest` does, and Policy, LoadPolicies, PolicyData
// and NewEngine source, configure and build the policies.
package gate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/enrich"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/tickets"
)

// The verdicts.
const (
	Pass = "pass"
	Warn = "warn"
	Fail = "fail"
)

// Options are everything a check needs. Only Reports is required: left
// zero, the other fields mean the built-in policies with their default
// configuration, no baseline, no exploit data, no tickets, and the clock.
type Options struct {
	// Reports are report files and folders; FORMAT:PATH forces a format,
	// and - reads standard input.
	Reports []string
	// Baseline are the reports of the base, or the decision a check
	// wrote on them (LoadSide), or one "history:…" argument naming a run
	// of the history (LoadHistorySide, with History): findings and
	// components are then marked new or not.
	Baseline []string
	// History names the history a "history:" baseline is read from.
	History HistoryOptions
	// Ingest bounds the files read and excludes paths from folders.
	Ingest ingest.Options
	// Context is what policies see as input.context.
	Context document.Context
	// Now is the time policies see as now (time.now_ns), by which they
	// judge exceptions and approvals, and from which tickets are due;
	// zero means the clock.
	Now time.Time
	// EPSS and KEV name exploit data (FIRST EPSS scores, CISA's Known
	// Exploited Vulnerabilities catalogue) to add to the findings: files,
	// or http(s) URLs fetched under Net. Empty: none.
	EPSS, KEV string
	// Net is the network policy of EPSS and KEV URLs.
	Net netpolicy.Options
	// Policy chooses the policies and their configuration. Its Config
	// also says which severity ratings win (config.Config.SeveritySource)
	// and how many days tickets give (tickets.sla_days).
	Policy Policy
	// Engine, when set, returns the engine to evaluate with instead of
	// one built from Policy. Run calls it once the reports are read, so a
	// caller may build the engine meanwhile (Background).
	Engine func() (*eval.Engine, error)
	// Tickets, when set, has the decision carry remediation tickets,
	// built with these options; SLADays unset are the configuration's.
	Tickets *tickets.Options
	// Loaded, when set, is called with the document once the reports
	// are read, before the policies evaluate it, so that a caller may
	// work on it meanwhile on another goroutine (history records it).
	// Evaluating changes the findings' statuses (exceptions) and the
	// summary: the caller must not read those until Run returns.
	Loaded func(*document.Document)
	// Remote, when set, decides instead of local policies: an OPA server
	// running the policies (eval.Remote). Policy then only says which
	// configuration it is sent; Engine is not used.
	Remote Evaluator
	// Inventory has the decision carry its inventory (NewInventory),
	// which a later check reads the decision as a baseline by; without
	// it, Decision.Inventory is nil.
	Inventory bool
	// Shadow, when set, are candidate policies evaluated beside those in
	// force, on an independent copy of the same document (what one
	// evaluation changes, the other does not see): the decision reports
	// what they would decide (Decision.Shadow) and is otherwise the same.
	// A candidate that cannot be loaded or evaluated is an error. Nil
	// costs nothing.
	Shadow *Policy
}

// Evaluator decides on a document: an *eval.Engine, or an *eval.Remote.
type Evaluator interface {
	Evaluate(ctx context.Context, doc *document.Document, now time.Time) (*eval.Result, error)
	// Origins say where the policies came from.
	Origins() []string
}

// Decision is the answer of a check, as `-o json` prints it.
type Decision struct {
	Decision   string         `json:"decision"`
	Violations []eval.Message `json:"violations"`
	Warnings   []eval.Message `json:"warnings"`
	Exceptions []eval.Waiver  `json:"exceptions"`
	// Excepted are the deny, violation and warn results that their
	// packages' own exception rules set aside (conftest's exceptions).
	Excepted []eval.Excepted `json:"excepted"`
	// Approvals are the dependency approvals that let components
	// through, each with the components it approved.
	Approvals []eval.Approval  `json:"approvals"`
	Summary   document.Summary `json:"summary"`
	// Ratchet shows the baseline's and the current counts side by side
	// when thresholds.ratchet is on; nil (absent) otherwise.
	Ratchet *Ratchet `json:"ratchet,omitempty"`
	// Tickets are the remediation tickets of the violations, worst
	// first, when Options.Tickets asked for them; empty otherwise.
	Tickets  []tickets.Ticket `json:"tickets"`
	Policies []string         `json:"policies"`
	// PolicySources say where the policies came from, each with its
	// revision or digest: "builtin sha256:…", "org.tar.gz sha256:…".
	PolicySources []string          `json:"policy_sources"`
	Sources       []document.Source `json:"sources"`
	Context       document.Context  `json:"context"`
	// Skipped are the files of folder arguments (reports and baseline)
	// not read for their name or extension.
	Skipped []ingest.Skipped `json:"skipped"`
	// Shadow is what the candidate policies of Options.Shadow would have
	// decided; nil, and left out of the JSON, without them.
	Shadow *Shadow `json:"shadow,omitempty"`
	// Inventory lists the document's findings and components, with what
	// identifies them across versions, when Options.Inventory asked for
	// it: a later check reads the decision as its baseline (LoadSide).
	// Written last, field by field, as it is the largest part.
	Inventory *Inventory `json:"inventory" jsonout:"fields"`
}

// Result is a decision with the document it was made on; output formats
// read both and change neither.
type Result struct {
	Decision *Decision
	Document *document.Document
}

// Run ingests, marks what is new against the baseline, evaluates and
// decides: what `secgate check` does. The policies compile while the
// reports are read. A broken policy is reported before broken reports.
func Run(ctx context.Context, opts Options) (*Result, error) {
	var shadow func() (*eval.Engine, error)
	if opts.Shadow != nil {
		// Both evaluate at once: one log takes their lines in turn.
		if log := opts.Policy.Log; log != nil {
			lw := &lockedWriter{w: log}
			if sameWriter(opts.Shadow.Log, log) {
				opts.Shadow.Log = lw
			}
			opts.Policy.Log = lw
		}
		sp := *opts.Shadow
		shadow = Background(func() (*eval.Engine, error) { return shadowEngine(ctx, sp) })
	}
	engine := opts.Engine
	if engine == nil && opts.Remote == nil {
		engine = Background(func() (*eval.Engine, error) { return NewEngine(ctx, opts.Policy) })
	}
	ratchet := ratchetOn(opts.Policy.Config)
	if ratchet && opts.Remote != nil {
		return nil, fmt.Errorf("%s: thresholds.ratchet counts the baseline with local policies: it does not run with an OPA server (--opa-url)", ConfigName(opts.Policy.Config))
	}
	doc, base, skipped, err := loadWithBase(ctx, opts)
	if err == nil && opts.Loaded != nil && !ratchet {
		opts.Loaded(doc)
	}
	var e Evaluator = opts.Remote
	var local *eval.Engine
	if e == nil {
		le, perr := engine()
		if perr == nil && le == nil {
			perr = errors.New("no policy engine: nothing would decide")
		}
		if perr != nil {
			return nil, perr
		}
		e, local = le, le
	}
	var se *eval.Engine
	if shadow != nil {
		var serr error
		if se, serr = shadow(); serr != nil {
			return nil, serr
		}
	}
	if err != nil {
		return nil, err
	}
	if ratchet {
		// The baseline's counts (by the policies in force) join the
		// document before anyone else reads it, the shadow too.
		if err := prepareRatchet(ctx, local, doc, base, opts); err != nil {
			return nil, err
		}
		if opts.Loaded != nil {
			opts.Loaded(doc)
		}
	}
	var sr *shadowRun
	if se != nil {
		sr = startShadow(ctx, se, doc, opts.Now)
	}
	res, err := e.Evaluate(ctx, doc, opts.Now)
	if err != nil {
		if sr != nil {
			sr.wait()
		}
		return nil, err
	}
	worstFirst(doc, res)
	d := &Decision{
		Decision:      Pass,
		Violations:    res.Denies,
		Warnings:      res.Warnings,
		Exceptions:    res.Waivers,
		Excepted:      res.Excepted,
		Approvals:     res.Approvals,
		Summary:       doc.Summary,
		Tickets:       []tickets.Ticket{},
		Policies:      res.Namespaces,
		PolicySources: e.Origins(),
		Sources:       doc.Sources,
		Context:       doc.Context,
		Skipped:       skipped,
	}
	if ratchet {
		// Read in the evaluation that decided, unless the engine was
		// made elsewhere without asking for them.
		v, ok := res.Values[RatchetCounts]
		current, err := countsOf(v, ok)
		if !ok {
			current, err = ratchetCounts(ctx, local, doc, opts.Now)
		}
		if err != nil {
			return nil, err
		}
		d.Ratchet = newRatchet(doc.Baseline.RatchetCounts, current)
	}
	if opts.Inventory {
		inv := NewInventory(doc)
		d.Inventory = &inv
	}
	d.Decision = Verdict(d.Violations, d.Warnings)
	if sr != nil {
		sres, err := sr.wait()
		if err != nil {
			return nil, err
		}
		d.Shadow = newShadow(d, sres, sr.origins)
	}
	if err := d.addTickets(doc, opts); err != nil {
		return nil, err
	}
	return &Result{Decision: d, Document: doc}, nil
}

// addTickets builds the tickets when opts ask for them. The
// configuration's tickets.sla_days is checked either way.
func (d *Decision) addTickets(doc *document.Document, opts Options) error {
	var sla map[string]int
	if cfg := opts.Policy.Config; cfg != nil {
		var err error
		if sla, err = tickets.SLAFromConfig(cfg.Sections); err != nil {
			return fmt.Errorf("%s: %w", ConfigName(cfg), err)
		}
	}
	if opts.Tickets == nil {
		return nil
	}
	to := *opts.Tickets
	if to.SLADays == nil {
		to.SLADays = sla
	}
	if to.Now.IsZero() {
		to.Now = opts.Now
	}
	// The exceptions policy's warnings that name findings: waivers that
	// lapsed, for the tickets of the findings they waived.
	for _, w := range d.Warnings {
		if w.Policy == eval.ExceptionsPackage && len(w.FindingIDs) > 0 {
			to.Lapsed = append(to.Lapsed, w)
		}
	}
	d.Tickets = tickets.Build(doc, d.Violations, to)
	return nil
}

// Load reads the reports and the baseline into one document, with the
// exploit data added, the preferred severity ratings applied, what is new
// marked and the summary counted, and lists the folders' files it
// skipped: the document `secgate ingest` prints and policies see as input.
func Load(ctx context.Context, opts Options) (*document.Document, []ingest.Skipped, error) {
	doc, _, skipped, err := loadWithBase(ctx, opts)
	return doc, skipped, err
}

// loadWithBase is Load, returning the baseline's document too (nil without one).
func loadWithBase(ctx context.Context, opts Options) (*document.Document, *document.Document, []ingest.Skipped, error) {
	epss, kev, err := exploitData(ctx, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	reports, err := ingest.Expand(opts.Reports, opts.Ingest.Exclude)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(reports.Reports) == 0 {
		return nil, nil, nil, fmt.Errorf("no reports given: a gate with nothing to check does not pass")
	}
	doc, err := ingest.Load(reports.Reports, opts.Ingest)
	if err != nil {
		return nil, nil, nil, err
	}
	skipped := append([]ingest.Skipped{}, reports.Skipped...)
	enrich.Apply(doc, epss, kev)
	if cfg := opts.Policy.Config; cfg != nil {
		doc.PreferSeverity(cfg.SeveritySource)
	}
	doc.Context = opts.Context
	var bdoc *document.Document
	if len(opts.Baseline) > 0 {
		var bskipped []ingest.Skipped
		if IsHistorySide(opts.Baseline) {
			bdoc, err = LoadHistorySide(ctx, opts.Baseline[0], opts.History)
		} else {
			bdoc, bskipped, err = LoadSide(opts.Baseline, opts.Ingest)
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("baseline: %w", err)
		}
		MarkNew(doc, bdoc)
		skipped = append(skipped, bskipped...)
	}
	doc.Summary = document.Summarize(doc)
	return doc, bdoc, skipped, nil
}

// exploitData loads the EPSS and KEV data, if named.
func exploitData(ctx context.Context, opts Options) (enrich.EPSS, enrich.KEV, error) {
	var epss enrich.EPSS
	var kev enrich.KEV
	var err error
	if opts.EPSS != "" {
		if epss, err = enrich.LoadEPSS(ctx, opts.EPSS, enrich.Options{Net: opts.Net}); err != nil {
			return nil, nil, err
		}
	}
	if opts.KEV != "" {
		if kev, err = enrich.LoadKEV(ctx, opts.KEV, enrich.Options{Net: opts.Net}); err != nil {
			return nil, nil, err
		}
	}
	return epss, kev, nil
}

// worstFirst lists everything the policies said worst first: the findings
// of each message in the document's order (document.WorstFirst), the
// messages of one severity by their worst finding, and the exceptions
// applied by the findings they waive. Policies build their lists as sets,
// which Rego orders by value (a hash, for finding ids).
func worstFirst(doc *document.Document, res *eval.Result) {
	at := doc.Positions()
	pos := func(id string) int {
		if i, ok := at[id]; ok {
			return i
		}
		return len(at)
	}
	first := func(m *eval.Message) int {
		if len(m.FindingIDs) == 0 {
			return len(at)
		}
		return pos(m.FindingIDs[0])
	}
	for _, ms := range [][]eval.Message{res.Denies, res.Warnings} {
		for i := range ms {
			document.SortIDs(ms[i].FindingIDs, at)
		}
		sort.SliceStable(ms, func(i, j int) bool {
			ri, rj := document.Severity(ms[i].Severity).Rank(), document.Severity(ms[j].Severity).Rank()
			if ri != rj {
				return ri > rj
			}
			return first(&ms[i]) < first(&ms[j])
		})
	}
	sort.SliceStable(res.Waivers, func(i, j int) bool {
		return pos(res.Waivers[i].FindingID) < pos(res.Waivers[j].FindingID)
	})
}

// Ready returns an engine already built, for Options.Engine.
func Ready(e *eval.Engine) func() (*eval.Engine, error) {
	return func() (*eval.Engine, error) { return e, nil }
}

// Background starts build on another goroutine and returns what waits
// for it, for Options.Engine: compiling the policies then overlaps
// reading the reports.
func Background(build func() (*eval.Engine, error)) func() (*eval.Engine, error) {
	var (
		e    *eval.Engine
		err  error
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		// Nothing recovers a panic on this goroutine but this.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("internal error: %v", r)
			}
		}()
		e, err = build()
	}()
	return func() (*eval.Engine, error) {
		<-done
		return e, err
	}
}

// MarkNew sets new on every finding and component of doc: a finding is
// new when base has none that is the same problem (document.Known: a
// vulnerability in the same package whatever its version, a code finding
// by rule and file whatever its line); a component is new when base has
// no package of its name, and says how it changed
// (document.CompareComponents). Base's components doc no longer has
// become doc.Removed.
func MarkNew(doc, base *document.Document) {
	known := document.NewKnown(base.Findings)
	for i := range doc.Findings {
		n := !known.Has(&doc.Findings[i])
		doc.Findings[i].New = &n
	}
	doc.Removed = document.CompareComponents(doc.Components, base.Components)
	if doc.Removed == nil {
		doc.Removed = []document.Component{}
	}
	doc.Context.Baseline = true
	doc.Summary = document.Summarize(doc)
}

// Failed reports whether the decision fails the gate: on fail, and on
// warn when failOn is "warn".
func (d *Decision) Failed(failOn string) bool {
	return d.Decision == Fail || (failOn == Warn && d.Decision == Warn)
}
