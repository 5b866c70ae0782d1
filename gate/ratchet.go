package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
)

// RatchetCounts is the rule of the thresholds policy that counts the open
// findings the ratchet holds to the baseline's, by severity: evaluated on
// the baseline's document for input.baseline, and on the current one for
// the decision's side-by-side counts.
const RatchetCounts = "data.secgate.thresholds.ratchet_counts"

// ErrRatchetNoBaseline is returned by Run when the configuration turns
// the ratchet on and no baseline is given: the counts have nothing to be
// held to, and a gate that cannot hold them does not pass.
var ErrRatchetNoBaseline = errors.New("thresholds.ratchet needs a baseline: give --baseline (the base's reports, the decision JSON check -o json wrote on them, or history:)")

// errNoRatchetCounts: the policies loaded do not count for the ratchet.
var errNoRatchetCounts = errors.New("thresholds.ratchet: the policies do not define " + RatchetCounts + " (the built-in thresholds policy does): the ratchet cannot count")

// Ratchet is what the decision shows of the ratchet: the baseline's and
// the current counts side by side, per severity, worst first.
type Ratchet struct {
	Counts []RatchetCount `json:"counts"`
}

// RatchetCount is one severity's counts: the baseline's, the current
// one, and the change (current minus baseline; above 0 fails).
type RatchetCount struct {
	Severity string `json:"severity"`
	Baseline int    `json:"baseline"`
	Current  int    `json:"current"`
	Delta    int    `json:"delta"`
}

// Rose reports whether any severity's count rose above the baseline's.
func (r *Ratchet) Rose() bool {
	for _, c := range r.Counts {
		if c.Delta > 0 {
			return true
		}
	}
	return false
}

// ratchetOn says whether the configuration turns the ratchet on.
func ratchetOn(cfg *config.Config) bool {
	return cfg != nil && cfg.Ratchet()
}

// prepareRatchet counts the baseline's findings as the ratchet counts
// them and sets them as doc.Baseline, for the thresholds policy to hold
// the current counts to. The baseline's findings that an exception
// accepted when it was recorded are open again first: today's exceptions
// decide for both sides alike, so an exception that has expired since
// neither lowers the baseline's count nor the current one.
func prepareRatchet(ctx context.Context, e *eval.Engine, doc, base *document.Document, opts Options) error {
	cfg := opts.Policy.Config
	if base == nil {
		return fmt.Errorf("%s: %w", ConfigName(cfg), ErrRatchetNoBaseline)
	}
	if IsHistorySide(opts.Baseline) {
		if key := historyBlindKey(cfg); key != "" {
			return fmt.Errorf("%s: thresholds.ratchet with thresholds.%s cannot count a history: baseline alike: the history keeps no %s of its findings; give the base's reports or its decision JSON as --baseline",
				ConfigName(cfg), key, map[string]string{"ignore_unfixed": "fixed versions or fix states", "by_tool": "tools"}[key])
		}
	}
	for i := range base.Findings {
		f := &base.Findings[i]
		if f.Status == document.StatusAccepted && f.StatusReason != nil && f.StatusReason.By == "exception" {
			f.Status, f.StatusReason = document.StatusOpen, nil
		}
	}
	counts, err := ratchetCounts(ctx, e, base, opts.Now)
	if errors.Is(err, errNoRatchetCounts) {
		return fmt.Errorf("%s: %w", ConfigName(cfg), err)
	}
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	doc.Baseline = &document.Baseline{RatchetCounts: counts}
	return nil
}

// historyBlindKey names the thresholds key the ratchet would count by
// that a history run does not record, or "".
func historyBlindKey(cfg *config.Config) string {
	sec, _ := cfg.Sections["thresholds"].(map[string]any)
	if sec["ignore_unfixed"] == true {
		return "ignore_unfixed"
	}
	if t, ok := sec["by_tool"].(map[string]any); ok && len(t) > 0 {
		return "by_tool"
	}
	return ""
}

// ratchetCounts evaluates RatchetCounts on doc, with the exceptions in
// force applied.
func ratchetCounts(ctx context.Context, e *eval.Engine, doc *document.Document, now time.Time) (map[string]int, error) {
	v, ok, err := e.Value(ctx, doc, now, RatchetCounts)
	if err != nil {
		return nil, err
	}
	return countsOf(v, ok)
}

// countsOf reads RatchetCounts' value (ok: it was defined): a count for
// each severity.
func countsOf(v any, ok bool) (map[string]int, error) {
	if !ok {
		return nil, errNoRatchetCounts
	}
	m, _ := v.(map[string]any)
	counts := make(map[string]int, len(document.Severities))
	for _, sev := range document.Severities {
		n, ok := count(m[string(sev)])
		if !ok {
			return nil, fmt.Errorf("thresholds.ratchet: %s gave no count for %s: the ratchet cannot count", RatchetCounts, sev)
		}
		counts[string(sev)] = n
	}
	return counts, nil
}

// count reads a count from an evaluated value.
func count(v any) (int, bool) {
	var f float64
	switch x := v.(type) {
	case json.Number:
		var err error
		if f, err = x.Float64(); err != nil {
			return 0, false
		}
	case float64:
		f = x
	case int:
		f = float64(x)
	default:
		return 0, false
	}
	if f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// newRatchet lays the baseline's counts beside the current ones.
func newRatchet(base, current map[string]int) *Ratchet {
	r := &Ratchet{Counts: make([]RatchetCount, 0, len(document.Severities))}
	for _, sev := range document.Severities {
		b, c := base[string(sev)], current[string(sev)]
		r.Counts = append(r.Counts, RatchetCount{Severity: string(sev), Baseline: b, Current: c, Delta: c - b})
	}
	return r
}
