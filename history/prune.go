package history

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Retention says how long each kind of record is kept; zero is forever.
type Retention struct {
	// Reports are the findings of each run: what the scan reports said.
	Reports time.Duration
	// Decisions are the runs themselves and the exceptions they applied.
	// A run whose SBOM is still kept stays, without its exceptions.
	Decisions time.Duration
	// Components are the SBOM of each run.
	Components time.Duration
}

// DefaultRetention keeps scan reports 90 days, decisions 365 days and
// SBOMs forever.
var DefaultRetention = Retention{Reports: 90 * day, Decisions: 365 * day}

const day = 24 * time.Hour

// ParseAge reads a retention: "90d", "12w", "36h", or "forever" (0).
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "forever" {
		return 0, nil
	}
	if len(s) < 2 {
		return 0, fmt.Errorf("want a number of days (90d), weeks (12w) or hours (36h), or forever; got %q", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive number of days (90d), weeks (12w) or hours (36h), or forever; got %q", s)
	}
	switch s[len(s)-1] {
	case 'd':
		return time.Duration(n) * day, nil
	case 'w':
		return time.Duration(n) * 7 * day, nil
	case 'h':
		return time.Duration(n) * time.Hour, nil
	}
	return 0, fmt.Errorf("want a number of days (90d), weeks (12w) or hours (36h), or forever; got %q", s)
}

// Pruned counts what Prune removed.
type Pruned struct {
	Runs       int64 `json:"runs"`
	Findings   int64 `json:"findings"`
	Components int64 `json:"components"`
	Exceptions int64 `json:"exceptions"`
	Fixes      int64 `json:"fixes"`
}

// Prune removes what retention no longer keeps at now, in one
// transaction; with dryRun it only counts. Nothing else prunes.
func (s *Store) Prune(ctx context.Context, keep Retention, now time.Time, dryRun bool) (Pruned, error) {
	var p Pruned
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return p, s.errorf("%w", err)
	}
	defer tx.Rollback()
	before := func(d time.Duration) int64 { return now.Add(-d).Unix() }
	type step struct {
		count *int64
		query string
		arg   time.Duration
	}
	var steps []step
	if keep.Reports > 0 {
		steps = append(steps, step{&p.Findings, `run_findings WHERE run_id IN (SELECT id FROM runs WHERE recorded_at < ?)`, keep.Reports})
	}
	if keep.Components > 0 {
		steps = append(steps, step{&p.Components, `run_components WHERE run_id IN (SELECT id FROM runs WHERE recorded_at < ?)`, keep.Components})
	}
	if keep.Decisions > 0 {
		steps = append(steps,
			step{&p.Exceptions, `run_exceptions WHERE run_id IN (SELECT id FROM runs WHERE recorded_at < ?)`, keep.Decisions},
			step{&p.Fixes, `fixes WHERE fixed_at < ?`, keep.Decisions},
			// A run goes when its decision has expired and nothing of it is
			// kept: no SBOM (none, or pruned above) and no findings.
			step{&p.Runs, `runs WHERE recorded_at < ? AND NOT EXISTS (SELECT 1 FROM run_components c WHERE c.run_id = runs.id)
				AND NOT EXISTS (SELECT 1 FROM run_findings f WHERE f.run_id = runs.id)`, keep.Decisions})
	}
	for _, st := range steps {
		res, err := tx.ExecContext(ctx, s.dialect.q(`DELETE FROM `+st.query), before(st.arg))
		if err != nil {
			return p, s.errorf("prune: %w", err)
		}
		if *st.count, err = res.RowsAffected(); err != nil {
			return p, s.errorf("prune: %w", err)
		}
	}
	if dryRun {
		// Counted by doing it, then undone.
		return p, nil
	}
	if err := tx.Commit(); err != nil {
		return p, s.errorf("prune: %w", err)
	}
	return p, nil
}
