package history

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/secgate/secgate/document"
)

// Run is one check as the history keeps it.
type Run struct {
	ID       int64            `json:"id"`
	Project  string           `json:"project"`
	Ref      string           `json:"ref"`
	Commit   string           `json:"commit"`
	Stage    string           `json:"stage"`
	Time     time.Time        `json:"time"`
	Decision string           `json:"decision"`
	Baseline bool             `json:"baseline"`
	Summary  document.Summary `json:"summary"`
	// Policies are the policy sources, each with its revision or digest,
	// as the decision lists them (policy_sources).
	Policies []string `json:"policies"`
	Reports  []Report `json:"reports"`
	// ConfigSHA256 is the digest of the configuration used, "" when none.
	ConfigSHA256   string `json:"config_sha256"`
	SecgateVersion string `json:"secgate_version"`
	// Introduced and Fixed count the lineages of open findings this run
	// opened and closed in its project and stage (Record sets them).
	Introduced int `json:"introduced"`
	Fixed      int `json:"fixed"`
	// AddedComponents counts the packages of the run's SBOM that the
	// previous run of its project and stage with an SBOM did not have
	// (document.CompareComponents; all of them for the first).
	AddedComponents int `json:"added_components"`

	Findings   []Finding   `json:"findings,omitempty"`
	Components []Component `json:"components,omitempty"`
	Exceptions []Exception `json:"exceptions,omitempty"`
}

// Report is one input of a run.
type Report struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	SHA256 string `json:"sha256"`
}

// Finding is what the history keeps of a finding.
type Finding struct {
	ID string `json:"id"`
	// Lineage is the finding across versions: the vulnerability's id in
	// its package whatever the version, or the location-free id of a
	// code, secret or misconfiguration finding. Trends follow it.
	Lineage  string `json:"lineage"`
	Kind     string `json:"kind"`
	RuleID   string `json:"rule_id"`
	VulnID   string `json:"vuln_id,omitempty"`
	Severity string `json:"severity"`
	Status   string `json:"status"`
	New      *bool  `json:"new,omitempty"`
	Package  string `json:"package,omitempty"`
	Version  string `json:"version,omitempty"`
	// Purl, Ecosystem and Aliases identify a vulnerability's package and
	// its other ids, ToolFingerprint a code finding as its tool tells it
	// apart: what makes a run a baseline (Run.Document).
	Purl            string   `json:"purl,omitempty"`
	Ecosystem       string   `json:"ecosystem,omitempty"`
	Aliases         []string `json:"aliases,omitempty"`
	Path            string   `json:"path,omitempty"`
	ToolFingerprint string   `json:"tool_fingerprint,omitempty"`
}

// Component is what the history keeps of a component: the SBOM.
type Component struct {
	Name              string   `json:"name"`
	Group             string   `json:"group,omitempty"`
	Version           string   `json:"version"`
	Purl              string   `json:"purl,omitempty"`
	Ecosystem         string   `json:"ecosystem,omitempty"`
	Licenses          []string `json:"licenses"`
	LicenseExpression string   `json:"license_expression,omitempty"`
	Change            string   `json:"change,omitempty"`
}

// Exception is an exception applied in a run: the finding it waived, and
// the waiver as configured.
type Exception struct {
	FindingID string         `json:"finding_id"`
	Waiver    map[string]any `json:"waiver"`
}

// FromDocument fills a run's findings, components, reports and summary
// from the document a check decided on.
func FromDocument(doc *document.Document) Run {
	r := FromLoaded(doc, Statuses(doc))
	r.Summary = doc.Summary
	return r
}

// Statuses are the statuses of doc's findings, in order.
func Statuses(doc *document.Document) []document.Status {
	s := make([]document.Status, len(doc.Findings))
	for i := range doc.Findings {
		s[i] = doc.Findings[i].Status
	}
	return s
}

// FromLoaded is FromDocument for a document still being decided on: it
// reads neither the findings' statuses, taking statuses (Statuses, in
// the findings' order) instead, nor the summary, which exceptions change
// while policies evaluate. It may run meanwhile, on another goroutine.
func FromLoaded(doc *document.Document, statuses []document.Status) Run {
	r := Run{Baseline: doc.Context.Baseline}
	for _, s := range doc.Sources {
		r.Reports = append(r.Reports, Report{Path: s.Path, Format: s.Format, SHA256: s.SHA256})
	}
	ids := make(document.Identities)
	r.Findings = make([]Finding, len(doc.Findings))
	for i := range doc.Findings {
		f := &doc.Findings[i]
		h := Finding{ID: f.ID, Lineage: f.ID, Kind: string(f.Kind), RuleID: f.RuleID, Severity: string(f.Severity), Status: string(statuses[i]), New: f.New}
		if f.Kind == document.KindVulnerability {
			h.VulnID = document.PrimaryVulnID(f.RuleID, f.Aliases)
			if pkg := ids.Of(f.Package); pkg != "" {
				h.Lineage = strings.ToUpper(h.VulnID) + " " + identityText(pkg)
			}
		}
		if p := f.Package; p != nil {
			h.Package, h.Version, h.Purl, h.Ecosystem = p.Name, p.Version, p.Purl, p.Ecosystem
		}
		if len(f.Aliases) > 0 {
			h.Aliases = f.Aliases
		}
		if l := f.Location; l != nil {
			h.Path = l.Path
		}
		h.ToolFingerprint = f.ToolFingerprint
		r.Findings[i] = h
	}
	r.Components = make([]Component, len(doc.Components))
	for i := range doc.Components {
		c := &doc.Components[i]
		r.Components[i] = Component{Name: c.Name, Group: c.Group, Version: c.Version, Purl: c.Purl, Ecosystem: c.Ecosystem,
			Licenses: c.Licenses, LicenseExpression: c.LicenseExpression, Change: c.Change}
	}
	return r
}

// identityText is a package identity (ecosystem, namespace, name) as
// text: npm/jquery, maven/org.x/core.
func identityText(id string) string {
	var parts []string
	for _, p := range strings.Split(id, "\x00") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}

// Record writes a run and everything it held, in one transaction: a run
// is recorded whole or not at all. It returns the run's id.
func (s *Store) Record(ctx context.Context, r *Run) (int64, error) {
	rec, err := s.Begin(ctx, r)
	if err != nil {
		return 0, err
	}
	return rec.Commit(ctx)
}

// Recording is a run being recorded, in a transaction Begin opened and
// Commit (or Rollback) ends. Between the two, the caller may change the
// run's decision, policies, exceptions, summary and findings' statuses,
// which are what a check's policies decide: the bulk of the run, its
// findings and components, is written while they evaluate.
type Recording struct {
	s    *Store
	r    *Run
	conn *sql.Conn
	tx   *sql.Tx
	id   int64
	// written are the findings' statuses as Begin wrote them.
	written []string
	// wasOpen are the lineages of the project and stage open before.
	wasOpen map[string]bool
}

// Begin opens the transaction that records r and writes r with its
// findings and components, and what follows from them alone: the
// packages added since the stage's previous run.
func (s *Store) Begin(ctx context.Context, r *Run) (rec *Recording, err error) {
	// One connection: PostgreSQL's COPY goes through the connection the
	// transaction is on.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, s.errorf("%w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, s.errorf("%w", err)
	}
	rec = &Recording{s: s, r: r, conn: conn, tx: tx}
	defer func() {
		if err != nil {
			rec.Rollback()
		}
	}()
	if s.dialect.name == Postgres {
		// Runs of one project and stage recorded at once take turns.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, r.Project+"\x01"+r.Stage); err != nil {
			return nil, s.errorf("recording the run: %w", err)
		}
	}
	err = tx.QueryRowContext(ctx, s.dialect.q(`INSERT INTO runs (project, ref, commit_sha, stage, recorded_at, decision, baseline,
		findings, open_findings, new_findings, open_critical, open_high, open_medium, open_low, open_info, open_unknown,
		introduced, fixed, exceptions, components, new_components, added_components, summary, policies, reports, config_sha256, secgate_version)
		VALUES (?, ?, ?, ?, ?, '', ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}', '[]', ?, ?, ?) RETURNING id`),
		r.Project, r.Ref, r.Commit, r.Stage, r.Time.Unix(), boolInt(r.Baseline),
		jsonText(nonNil(r.Reports)), r.ConfigSHA256, r.SecgateVersion).Scan(&rec.id)
	if err != nil {
		return nil, s.errorf("recording the run: %w", err)
	}
	rec.written = make([]string, len(r.Findings))
	for i := range r.Findings {
		rec.written[i] = r.Findings[i].Status
	}
	// Rows are made as they are written, not all at once: a run of
	// 100,000 findings would otherwise hold 1.6 million values at once.
	findings := table{len(r.Findings), func(i int) []any {
		f := &r.Findings[i]
		var isNew any
		if f.New != nil {
			isNew = boolInt(*f.New)
		}
		return []any{rec.id, f.ID, f.Lineage, f.Kind, f.RuleID, f.VulnID, f.Severity, f.Status, isNew, f.Package, f.Version,
			f.Purl, f.Ecosystem, strings.Join(f.Aliases, "\n"), f.Path, hex.EncodeToString([]byte(f.ToolFingerprint))}
	}}
	comps := table{len(r.Components), func(i int) []any {
		c := &r.Components[i]
		return []any{rec.id, c.Name, c.Group, c.Version, c.Purl, c.Ecosystem, strings.Join(c.Licenses, "\n"), c.LicenseExpression, c.Change}
	}}
	if err := rec.insert(ctx, "run_findings", []string{"run_id", "finding_id", "lineage", "kind", "rule_id", "vuln_id", "severity", "status", "is_new",
		"package", "version", "purl", "ecosystem", "aliases", "path", "tool_fingerprint"}, findings); err != nil {
		return nil, err
	}
	if err := rec.insert(ctx, "run_components", []string{"run_id", "name", "grp", "version", "purl", "ecosystem", "licenses", "license_expression", "change"}, comps); err != nil {
		return nil, err
	}
	if rec.wasOpen, err = s.openLineages(ctx, tx, r); err != nil {
		return nil, s.errorf("recording the run's lineages: %w", err)
	}
	if r.AddedComponents, err = s.added(ctx, tx, rec.id, r); err != nil {
		return nil, s.errorf("recording the run's components: %w", err)
	}
	return rec, nil
}

// Commit writes what the run's policies decided (its decision, summary,
// policies and exceptions, and the statuses exceptions changed), brings
// the lineages up to date, and commits. It returns the run's id.
func (rec *Recording) Commit(ctx context.Context) (id int64, err error) {
	defer func() {
		if err != nil {
			rec.Rollback()
		}
	}()
	s, r, tx := rec.s, rec.r, rec.tx
	// Exceptions change few statuses: only those are written again.
	changed := map[string][]any{}
	for i, f := range r.Findings {
		if f.Status != rec.written[i] {
			changed[f.Status] = append(changed[f.Status], storable(f.ID))
		}
	}
	for status, ids := range changed {
		for len(ids) > 0 {
			n := min(len(ids), 10000)
			args := append([]any{status, rec.id}, ids[:n]...)
			if _, err := tx.ExecContext(ctx, s.dialect.q(`UPDATE run_findings SET status = ? WHERE run_id = ? AND finding_id IN `+placeholders(n)), args...); err != nil {
				return 0, s.errorf("recording the run's findings: %w", err)
			}
			ids = ids[n:]
		}
	}
	exceptions := table{len(r.Exceptions), func(i int) []any {
		return []any{rec.id, r.Exceptions[i].FindingID, jsonText(r.Exceptions[i].Waiver)}
	}}
	if err := rec.insert(ctx, "run_exceptions", []string{"run_id", "finding_id", "waiver"}, exceptions); err != nil {
		return 0, err
	}
	if r.Introduced, r.Fixed, err = s.follow(ctx, tx, rec.id, r, rec.wasOpen); err != nil {
		return 0, s.errorf("recording the run's lineages: %w", err)
	}
	open := r.Summary.OpenBySeverity
	_, err = tx.ExecContext(ctx, s.dialect.q(`UPDATE runs SET decision = ?,
		findings = ?, open_findings = ?, new_findings = ?, open_critical = ?, open_high = ?, open_medium = ?, open_low = ?, open_info = ?, open_unknown = ?,
		introduced = ?, fixed = ?, exceptions = ?, components = ?, new_components = ?, added_components = ?, summary = ?, policies = ? WHERE id = ?`),
		r.Decision, r.Summary.Findings, r.Summary.OpenFindings, r.Summary.NewFindings,
		open["critical"], open["high"], open["medium"], open["low"], open["info"], open["unknown"],
		r.Introduced, r.Fixed, len(r.Exceptions), r.Summary.Components, r.Summary.NewComponents, r.AddedComponents,
		jsonText(r.Summary), jsonText(nonNil(r.Policies)), rec.id)
	if err != nil {
		return 0, s.errorf("recording the run: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, s.errorf("recording the run: %w", err)
	}
	rec.conn.Close()
	r.ID = rec.id
	return rec.id, nil
}

// Rollback abandons the recording: nothing of the run is kept.
func (rec *Recording) Rollback() {
	rec.tx.Rollback()
	rec.conn.Close()
}

// insert writes rows into table, in the recording's transaction.
func (rec *Recording) insert(ctx context.Context, table string, columns []string, rows table) error {
	if err := rec.s.insertAll(ctx, rec.conn, rec.tx, table, columns, rows); err != nil {
		return rec.s.errorf("recording the run's %s: %w", strings.TrimPrefix(table, "run_"), err)
	}
	return nil
}

// storable is text as PostgreSQL's text keeps it: a NUL becomes U+FFFD.
func storable(text string) string {
	if strings.IndexByte(text, 0) < 0 {
		return text
	}
	return strings.ReplaceAll(text, "\x00", "\uFFFD")
}

// jsonText is v as JSON text; the values recorded always encode.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// placeholders is a list of n placeholders in parentheses: (?, ?, ?).
func placeholders(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// openLineages are the lineages open in r's project and stage.
func (s *Store) openLineages(ctx context.Context, tx *sql.Tx, r *Run) (map[string]bool, error) {
	wasOpen := map[string]bool{}
	rows, err := tx.QueryContext(ctx, s.dialect.q(`SELECT lineage FROM lineages WHERE project = ? AND stage = ? AND fixed_at IS NULL`), r.Project, r.Stage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		wasOpen[l] = true
	}
	return wasOpen, rows.Err()
}

// follow brings the lineages of the run's project and stage up to date
// with its open findings: one open now and not before (wasOpen) is
// introduced (first seen now); one open before and not now is fixed now.
// It returns how many it introduced and fixed. Only what changed is
// written: a finding carried over costs nothing.
func (s *Store) follow(ctx context.Context, tx *sql.Tx, id int64, r *Run, wasOpen map[string]bool) (introduced, fixed int, err error) {
	at := r.Time.Unix()
	open := map[string]bool{}
	var opened [][]any
	for _, f := range r.Findings {
		if f.Status != "open" || open[f.Lineage] {
			continue
		}
		open[f.Lineage] = true
		if !wasOpen[f.Lineage] {
			opened = append(opened, []any{r.Project, r.Stage, f.Lineage, f.Kind, f.Severity, at})
		}
	}
	// A lineage fixed before and open again is first seen again now.
	conflict := ` ON CONFLICT (project, stage, lineage) DO UPDATE SET
		first_seen = excluded.first_seen, severity = excluded.severity, kind = excluded.kind, fixed_at = NULL`
	if err := s.insertValues(ctx, tx, "lineages", []string{"project", "stage", "lineage", "kind", "severity", "first_seen"}, rowsOf(opened), conflict); err != nil {
		return 0, 0, err
	}
	var gone []any
	for l := range wasOpen {
		if !open[l] {
			gone = append(gone, l)
		}
	}
	for len(gone) > 0 {
		n := min(len(gone), 10000)
		in := placeholders(n)
		args := append([]any{at, id, r.Project, r.Stage}, gone[:n]...)
		if _, err := tx.ExecContext(ctx, s.dialect.q(`INSERT INTO fixes (project, stage, lineage, severity, first_seen, fixed_at, run_id)
			SELECT project, stage, lineage, severity, first_seen, ?, ? FROM lineages
			WHERE project = ? AND stage = ? AND fixed_at IS NULL AND lineage IN `+in), args...); err != nil {
			return 0, 0, err
		}
		args = append([]any{at, r.Project, r.Stage}, gone[:n]...)
		if _, err := tx.ExecContext(ctx, s.dialect.q(`UPDATE lineages SET fixed_at = ? WHERE project = ? AND stage = ? AND fixed_at IS NULL AND lineage IN `+in), args...); err != nil {
			return 0, 0, err
		}
		fixed += n
		gone = gone[n:]
	}
	return len(opened), fixed, nil
}

// added counts the run's packages the previous run of its project and
// stage with components did not have.
func (s *Store) added(ctx context.Context, tx *sql.Tx, id int64, r *Run) (int, error) {
	if len(r.Components) == 0 {
		return 0, nil
	}
	var prev sql.NullInt64
	err := tx.QueryRowContext(ctx, s.dialect.q(`SELECT MAX(run_id) FROM run_components c JOIN runs ON runs.id = c.run_id
		WHERE runs.project = ? AND runs.stage = ? AND runs.id <> ? AND runs.recorded_at <= ?`), r.Project, r.Stage, id, r.Time.Unix()).Scan(&prev)
	if err != nil {
		return 0, err
	}
	var base []document.Component
	if prev.Valid {
		rows, err := tx.QueryContext(ctx, s.dialect.q(`SELECT name, grp, version, purl, ecosystem FROM run_components WHERE run_id = ?`), prev.Int64)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var c document.Component
			if err := rows.Scan(&c.Name, &c.Group, &c.Version, &c.Purl, &c.Ecosystem); err != nil {
				rows.Close()
				return 0, err
			}
			base = append(base, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	known := make(map[string]bool, len(base))
	for i := range base {
		known[document.ComponentIdentity(&base[i])] = true
	}
	n := 0
	seen := map[string]bool{}
	for _, c := range r.Components {
		id := document.ComponentIdentity(&document.Component{Name: c.Name, Group: c.Group, Purl: c.Purl, Ecosystem: c.Ecosystem})
		if !known[id] && !seen[id] {
			n++
		}
		seen[id] = true
	}
	return n, nil
}

// table is rows to write: n of them, the i-th made by row(i).
type table struct {
	n   int
	row func(i int) []any
}

// rowsOf is the rows of a list.
func rowsOf(rows [][]any) table {
	return table{len(rows), func(i int) []any { return rows[i] }}
}

// storableRow is row with every text storable.
func storableRow(row []any) []any {
	for i, v := range row {
		if t, ok := v.(string); ok {
			row[i] = storable(t)
		}
	}
	return row
}

// insertAll writes rows into table: by COPY in PostgreSQL, by statements
// of many rows each in SQLite. A NUL in a report's text (which
// PostgreSQL's text refuses) is kept as U+FFFD, so that no report can
// keep its run out of the history.
func (s *Store) insertAll(ctx context.Context, conn *sql.Conn, tx *sql.Tx, name string, columns []string, rows table) error {
	if rows.n == 0 {
		return nil
	}
	if s.dialect.name == Postgres {
		return copyRows(ctx, conn, name, columns, rows)
	}
	return s.insertValues(ctx, tx, name, columns, rows, "")
}

// insertValues writes rows with INSERT statements of many rows each,
// then suffix (an ON CONFLICT clause). The statement of a full chunk is
// prepared once: parsing a statement of thousands of rows costs as much
// as running it.
func (s *Store) insertValues(ctx context.Context, tx *sql.Tx, name string, columns []string, rows table, suffix string) error {
	if rows.n == 0 {
		return nil
	}
	per := min(insertChunk, 32766/len(columns)) // SQLite binds at most 32,766 values
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	query := func(n int) string {
		return s.dialect.q(fmt.Sprintf("INSERT INTO %s (%s) VALUES %s%s", name, strings.Join(columns, ", "),
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", "), suffix))
	}
	args := make([]any, 0, per*len(columns))
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for next := 0; next < rows.n; {
		n := min(per, rows.n-next)
		args = args[:0]
		for i := next; i < next+n; i++ {
			args = append(args, storableRow(rows.row(i))...)
		}
		var err error
		if n == per {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, query(n)); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, query(n), args...)
		}
		if err != nil {
			return err
		}
		next += n
	}
	return nil
}

// insertChunk is the most rows one INSERT statement writes.
const insertChunk = 500

// copyRows writes rows with PostgreSQL's COPY, on conn, inside the
// transaction open on it.
func copyRows(ctx context.Context, conn *sql.Conn, name string, columns []string, rows table) error {
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection")
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{name}, columns, pgx.CopyFromSlice(rows.n, func(i int) ([]any, error) {
			return storableRow(rows.row(i)), nil
		}))
		return err
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nonNil is s, or an empty list for nil: JSON lists are never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
