package history

import (
	"context"
	"database/sql"
	"sort"
	"time"
)

// Trend is how a project (or every project) did over time.
type Trend struct {
	// Points are the runs, oldest first: open findings by severity,
	// what each run introduced and fixed, exceptions in force.
	Points []Point `json:"points"`
	// MeanTimeToFix is, per severity, the mean time from a finding's
	// first open run to the run that no longer had it, over the findings
	// fixed in the period, and how many those were.
	MeanTimeToFix map[string]Fix `json:"mean_time_to_fix"`
	// NewDependencies are the packages added to the SBOM since the
	// previous run of their project and stage, per week (Monday, UTC).
	NewDependencies []Week `json:"new_dependencies"`
}

// Point is one run in a trend.
type Point struct {
	Run        int64          `json:"run"`
	Project    string         `json:"project"`
	Stage      string         `json:"stage"`
	Time       time.Time      `json:"time"`
	Decision   string         `json:"decision"`
	Open       map[string]int `json:"open"`
	Introduced int            `json:"introduced"`
	Fixed      int            `json:"fixed"`
	Exceptions int            `json:"exceptions"`
}

// Fix is the mean time to fix of one severity.
type Fix struct {
	Fixed int     `json:"fixed"`
	Days  float64 `json:"mean_days"`
}

// Week counts the components added in the week starting Monday.
type Week struct {
	Monday string `json:"week"`
	Added  int    `json:"added"`
}

// Trend reads the trend of the runs f chooses (its Limit ignored).
func (s *Store) Trend(ctx context.Context, f Filter) (*Trend, error) {
	f.Limit = 0
	where, args := f.where()
	rows, err := s.db.QueryContext(ctx, s.dialect.q(`SELECT id, project, stage, recorded_at, decision,
		open_critical, open_high, open_medium, open_low, open_info, open_unknown, introduced, fixed, exceptions, added_components
		FROM runs`+where+` ORDER BY recorded_at, id`), args...)
	if err != nil {
		return nil, s.errorf("%w", err)
	}
	defer rows.Close()
	t := &Trend{Points: []Point{}, MeanTimeToFix: map[string]Fix{}, NewDependencies: []Week{}}
	weeks := map[string]int{}
	for rows.Next() {
		var p Point
		var at int64
		var c, h, m, l, i, u, added int
		if err := rows.Scan(&p.Run, &p.Project, &p.Stage, &at, &p.Decision, &c, &h, &m, &l, &i, &u, &p.Introduced, &p.Fixed, &p.Exceptions, &added); err != nil {
			return nil, s.errorf("%w", err)
		}
		p.Time = time.Unix(at, 0).UTC()
		p.Open = map[string]int{"critical": c, "high": h, "medium": m, "low": l, "info": i, "unknown": u}
		t.Points = append(t.Points, p)
		weeks[monday(p.Time)] += added
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("%w", err)
	}
	for w, n := range weeks {
		t.NewDependencies = append(t.NewDependencies, Week{Monday: w, Added: n})
	}
	sort.Slice(t.NewDependencies, func(i, j int) bool { return t.NewDependencies[i].Monday < t.NewDependencies[j].Monday })
	if err := s.meanTimeToFix(ctx, f, t.MeanTimeToFix); err != nil {
		return nil, s.errorf("%w", err)
	}
	return t, nil
}

// meanTimeToFix fills m from the fixes in the period of f.
func (s *Store) meanTimeToFix(ctx context.Context, f Filter, m map[string]Fix) error {
	conds := []string{"1 = 1"}
	var args []any
	if f.Project != "" {
		conds, args = append(conds, "project = ?"), append(args, f.Project)
	}
	if f.Stage != "" {
		conds, args = append(conds, "stage = ?"), append(args, f.Stage)
	}
	if !f.Since.IsZero() {
		conds, args = append(conds, "fixed_at >= ?"), append(args, f.Since.Unix())
	}
	if !f.Until.IsZero() {
		conds, args = append(conds, "fixed_at < ?"), append(args, f.Until.Unix())
	}
	query := `SELECT severity, COUNT(*), AVG(fixed_at - first_seen) FROM fixes WHERE `
	for i, c := range conds {
		if i > 0 {
			query += " AND "
		}
		query += c
	}
	rows, err := s.db.QueryContext(ctx, s.dialect.q(query+` GROUP BY severity`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sev string
		var n int
		var secs sql.NullFloat64
		if err := rows.Scan(&sev, &n, &secs); err != nil {
			return err
		}
		m[sev] = Fix{Fixed: n, Days: secs.Float64 / 86400}
	}
	return rows.Err()
}

// monday is the date of the Monday starting t's week.
func monday(t time.Time) string {
	d := (int(t.Weekday()) + 6) % 7
	return t.AddDate(0, 0, -d).Format("2006-01-02")
}

// OpenFinding is a finding open in a project's stage.
type OpenFinding struct {
	Project   string    `json:"project"`
	Stage     string    `json:"stage"`
	Lineage   string    `json:"lineage"`
	Kind      string    `json:"kind"`
	Severity  string    `json:"severity"`
	FirstSeen time.Time `json:"first_seen"`
}

// OpenSince lists the findings open since before t (still open in the
// latest run of their project and stage), oldest first.
func (s *Store) OpenSince(ctx context.Context, f Filter, t time.Time) ([]OpenFinding, error) {
	query := `SELECT project, stage, lineage, kind, severity, first_seen FROM lineages WHERE fixed_at IS NULL AND first_seen <= ?`
	args := []any{t.Unix()}
	if f.Project != "" {
		query, args = query+" AND project = ?", append(args, f.Project)
	}
	if f.Stage != "" {
		query, args = query+" AND stage = ?", append(args, f.Stage)
	}
	rows, err := s.db.QueryContext(ctx, s.dialect.q(query+` ORDER BY first_seen, project, stage, lineage`), args...)
	if err != nil {
		return nil, s.errorf("%w", err)
	}
	defer rows.Close()
	out := []OpenFinding{}
	for rows.Next() {
		var o OpenFinding
		var first int64
		if err := rows.Scan(&o.Project, &o.Stage, &o.Lineage, &o.Kind, &o.Severity, &first); err != nil {
			return nil, s.errorf("%w", err)
		}
		o.FirstSeen = time.Unix(first, 0).UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}
