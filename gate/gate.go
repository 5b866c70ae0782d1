// Package gate runs the whole check: ingest the reports (and the
// baseline), evaluate the policies, and decide pass, warn or fail.
package gate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/ingest"
)

// The verdicts.
const (
	Pass = "pass"
	Warn = "warn"
	Fail = "fail"
)

// Options are everything a check needs.
type Options struct {
	Reports  []string
	Baseline []string
	Ingest   ingest.Options
	Context  document.Context
	Now      time.Time
	// Engine returns the engine to evaluate with. Run calls it once the
	// reports are read, so a caller may build the engine meanwhile
	// (Background).
	Engine func() (*eval.Engine, error)
	// Enrich, when set, adds data to the document before evaluation
	// (exploit data: EPSS, KEV).
	Enrich func(*document.Document)
	// SeveritySource orders the rating sources preferred over the highest
	// stated severity (see document.PreferSeverity).
	SeveritySource []string
}

// Decision is the answer of a check, as `-o json` prints it (SPEC §5).
type Decision struct {
	Decision   string            `json:"decision"`
	Violations []eval.Message    `json:"violations"`
	Warnings   []eval.Message    `json:"warnings"`
	Exceptions []eval.Waiver     `json:"exceptions"`
	Summary    document.Summary  `json:"summary"`
	Tickets    []any             `json:"tickets"`
	Policies   []string          `json:"policies"`
	Sources    []document.Source `json:"sources"`
	Context    document.Context  `json:"context"`
	// Skipped are the files of folder arguments (reports and baseline)
	// not read for their name or extension.
	Skipped []ingest.Skipped `json:"skipped"`
}

// Result is a decision with the document it was made on; output formats
// read both and change neither.
type Result struct {
	Decision *Decision
	Document *document.Document
}

// Run ingests, marks what is new against the baseline, evaluates and decides.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Engine == nil {
		return nil, errors.New("no policy engine: nothing would decide")
	}
	doc, skipped, err := load(opts)
	// A broken policy is reported before broken reports, as when the
	// engine was built first.
	engine, perr := opts.Engine()
	if perr == nil && engine == nil {
		perr = errors.New("no policy engine: nothing would decide")
	}
	if perr != nil {
		return nil, perr
	}
	if err != nil {
		return nil, err
	}
	res, err := engine.Evaluate(ctx, doc, opts.Now)
	if err != nil {
		return nil, err
	}
	worstFirst(doc, res)
	d := &Decision{
		Decision:   Pass,
		Violations: res.Denies,
		Warnings:   res.Warnings,
		Exceptions: res.Waivers,
		Summary:    doc.Summary,
		Tickets:    []any{},
		Policies:   res.Namespaces,
		Sources:    doc.Sources,
		Context:    doc.Context,
		Skipped:    skipped,
	}
	switch {
	case len(d.Violations) > 0:
		d.Decision = Fail
	case len(d.Warnings) > 0:
		d.Decision = Warn
	}
	return &Result{Decision: d, Document: doc}, nil
}

// load reads the reports and the baseline into one document, enriched,
// marked and summarised, and lists the folders' files it skipped.
func load(opts Options) (*document.Document, []ingest.Skipped, error) {
	reports, err := ingest.Expand(opts.Reports, opts.Ingest.Exclude)
	if err != nil {
		return nil, nil, err
	}
	if len(reports.Reports) == 0 {
		return nil, nil, fmt.Errorf("no reports given: a gate with nothing to check does not pass")
	}
	doc, err := ingest.Load(reports.Reports, opts.Ingest)
	if err != nil {
		return nil, nil, err
	}
	skipped := append([]ingest.Skipped{}, reports.Skipped...)
	if opts.Enrich != nil {
		opts.Enrich(doc)
	}
	doc.PreferSeverity(opts.SeveritySource)
	doc.Context = opts.Context
	if len(opts.Baseline) > 0 {
		base, err := ingest.Expand(opts.Baseline, opts.Ingest.Exclude)
		if err != nil {
			return nil, nil, fmt.Errorf("baseline: %w", err)
		}
		if len(base.Reports) == 0 {
			return nil, nil, fmt.Errorf("baseline %v: no reports found", opts.Baseline)
		}
		bdoc, err := ingest.Load(base.Reports, opts.Ingest)
		if err != nil {
			return nil, nil, fmt.Errorf("baseline: %w", err)
		}
		MarkNew(doc, bdoc)
		skipped = append(skipped, base.Skipped...)
	}
	doc.Summary = document.Summarize(doc)
	return doc, skipped, nil
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

// MarkNew sets new on every finding and component of doc: true when base
// has no finding of the same id, or no component of the same identity.
func MarkNew(doc, base *document.Document) {
	ids := make(map[string]bool, len(base.Findings))
	for i := range base.Findings {
		ids[base.Findings[i].ID] = true
	}
	comps := make(map[string]bool, len(base.Components))
	for i := range base.Components {
		comps[document.ComponentKey(&base.Components[i])] = true
	}
	for i := range doc.Findings {
		n := !ids[doc.Findings[i].ID]
		doc.Findings[i].New = &n
	}
	for i := range doc.Components {
		n := !comps[document.ComponentKey(&doc.Components[i])]
		doc.Components[i].New = &n
	}
	doc.Context.Baseline = true
	doc.Summary = document.Summarize(doc)
}

// Failed reports whether the decision fails the gate: on fail, and on
// warn when failOn is "warn".
func (d *Decision) Failed(failOn string) bool {
	return d.Decision == Fail || (failOn == Warn && d.Decision == Warn)
}
