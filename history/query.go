package history

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/secgate/secgate/document"
)

// Filter chooses runs. Empty fields choose every run.
type Filter struct {
	Project, Stage, Ref string
	// Since and Until bound the runs' times (Until excluded).
	Since, Until time.Time
	// Limit keeps the latest runs only; 0 keeps all.
	Limit int
}

// where is the filter as a WHERE clause with its arguments.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if f.Project != "" {
		add("project = ?", f.Project)
	}
	if f.Stage != "" {
		add("stage = ?", f.Stage)
	}
	if f.Ref != "" {
		add("ref = ?", f.Ref)
	}
	if !f.Since.IsZero() {
		add("recorded_at >= ?", f.Since.Unix())
	}
	if !f.Until.IsZero() {
		add("recorded_at < ?", f.Until.Unix())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

const runColumns = `id, project, ref, commit_sha, stage, recorded_at, decision, baseline, summary, policies, reports, config_sha256, secgate_version, introduced, fixed, added_components`

// Runs lists the runs f chooses, latest first, without what each held.
func (s *Store) Runs(ctx context.Context, f Filter) ([]Run, error) {
	where, args := f.where()
	query := `SELECT ` + runColumns + ` FROM runs` + where + ` ORDER BY recorded_at DESC, id DESC`
	if f.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.dialect.q(query), args...)
	if err != nil {
		return nil, s.errorf("%w", err)
	}
	defer rows.Close()
	runs := []Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, s.errorf("%w", err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("%w", err)
	}
	return runs, nil
}

// Run reads one run with everything it held.
func (s *Store) Run(ctx context.Context, id int64) (*Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, s.dialect.q(`SELECT `+runColumns+` FROM runs WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.errorf("run %d: %w", id, ErrNoRun)
	}
	if err != nil {
		return nil, s.errorf("%w", err)
	}
	if err := s.fill(ctx, &r); err != nil {
		return nil, s.errorf("run %d: %w", id, err)
	}
	return &r, nil
}

// fill reads a run's findings, components and exceptions.
func (s *Store) fill(ctx context.Context, r *Run) error {
	rows, err := s.db.QueryContext(ctx, s.dialect.q(`SELECT finding_id, lineage, kind, rule_id, vuln_id, severity, status, is_new, package, version,
		purl, ecosystem, aliases, path, tool_fingerprint FROM run_findings WHERE run_id = ?`), r.ID)
	if err != nil {
		return err
	}
	r.Findings = []Finding{}
	for rows.Next() {
		var f Finding
		var isNew sql.NullInt64
		var aliases string
		if err := rows.Scan(&f.ID, &f.Lineage, &f.Kind, &f.RuleID, &f.VulnID, &f.Severity, &f.Status, &isNew, &f.Package, &f.Version,
			&f.Purl, &f.Ecosystem, &aliases, &f.Path, &f.ToolFingerprint); err != nil {
			rows.Close()
			return err
		}
		if aliases != "" {
			f.Aliases = strings.Split(aliases, "\n")
		}
		if fp, err := hex.DecodeString(f.ToolFingerprint); err == nil {
			f.ToolFingerprint = string(fp)
		}
		if isNew.Valid {
			n := isNew.Int64 == 1
			f.New = &n
		}
		r.Findings = append(r.Findings, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.db.QueryContext(ctx, s.dialect.q(`SELECT name, grp, version, purl, ecosystem, licenses, license_expression, change FROM run_components WHERE run_id = ?`), r.ID)
	if err != nil {
		return err
	}
	r.Components = []Component{}
	for rows.Next() {
		var c Component
		var licences string
		if err := rows.Scan(&c.Name, &c.Group, &c.Version, &c.Purl, &c.Ecosystem, &licences, &c.LicenseExpression, &c.Change); err != nil {
			rows.Close()
			return err
		}
		c.Licenses = []string{}
		if licences != "" {
			c.Licenses = strings.Split(licences, "\n")
		}
		r.Components = append(r.Components, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.db.QueryContext(ctx, s.dialect.q(`SELECT finding_id, waiver FROM run_exceptions WHERE run_id = ?`), r.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	r.Exceptions = []Exception{}
	for rows.Next() {
		var x Exception
		var waiver string
		if err := rows.Scan(&x.FindingID, &waiver); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(waiver), &x.Waiver); err != nil {
			return err
		}
		r.Exceptions = append(r.Exceptions, x)
	}
	return rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanRun(row scanner) (Run, error) {
	var r Run
	var at int64
	var baseline int
	var summary, policies, reports string
	if err := row.Scan(&r.ID, &r.Project, &r.Ref, &r.Commit, &r.Stage, &at, &r.Decision, &baseline, &summary, &policies, &reports, &r.ConfigSHA256, &r.SecgateVersion, &r.Introduced, &r.Fixed, &r.AddedComponents); err != nil {
		return r, err
	}
	r.Time = time.Unix(at, 0).UTC()
	r.Baseline = baseline == 1
	for _, j := range []struct {
		text string
		into any
	}{{summary, &r.Summary}, {policies, &r.Policies}, {reports, &r.Reports}} {
		if err := json.Unmarshal([]byte(j.text), j.into); err != nil {
			return r, err
		}
	}
	return r, nil
}

// Export writes the runs f chooses, oldest first, as JSON lines: one run
// a line, with everything it held.
func (s *Store) Export(ctx context.Context, f Filter, w io.Writer) (int, error) {
	runs, err := s.Runs(ctx, f)
	if err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		if err := s.fill(ctx, &r); err != nil {
			return 0, s.errorf("run %d: %w", r.ID, err)
		}
		if err := enc.Encode(&r); err != nil {
			return 0, err
		}
	}
	return len(runs), nil
}

// Latest reads the latest run f chooses, with everything it held.
func (s *Store) Latest(ctx context.Context, f Filter) (*Run, error) {
	f.Limit = 1
	runs, err := s.Runs(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, s.errorf("%w", ErrNoRun)
	}
	return s.Run(ctx, runs[0].ID)
}

// Document is the run as a document: its findings and components as
// identity across versions needs them, for a baseline. Findings pruned
// by retention are gone from it; its SBOM stays.
func (r *Run) Document() *document.Document {
	doc := document.New()
	for _, f := range r.Findings {
		df := document.Finding{ID: f.ID, Kind: document.Kind(f.Kind), RuleID: f.RuleID, Aliases: f.Aliases,
			Severity: document.Severity(f.Severity), Status: document.Status(f.Status), ToolFingerprint: f.ToolFingerprint}
		if df.Aliases == nil {
			df.Aliases = []string{}
		}
		if f.Package != "" || f.Purl != "" {
			df.Package = &document.Package{Name: f.Package, Version: f.Version, Purl: f.Purl, Ecosystem: f.Ecosystem, Paths: []string{}}
		}
		if f.Path != "" {
			df.Location = &document.Location{Path: f.Path}
		}
		doc.Findings = append(doc.Findings, df)
	}
	for _, c := range r.Components {
		doc.Components = append(doc.Components, document.Component{Name: c.Name, Group: c.Group, Version: c.Version, Purl: c.Purl,
			Ecosystem: c.Ecosystem, Licenses: c.Licenses, LicenseExpression: c.LicenseExpression, DependsOn: []string{}, Sources: []int{}})
	}
	for _, rep := range r.Reports {
		doc.Sources = append(doc.Sources, document.Source{Path: rep.Path, Format: rep.Format, SHA256: rep.SHA256, Complete: true, Errors: []document.ScanError{}})
	}
	doc.Summary = document.Summarize(doc)
	return doc
}

// ReplayDocument is the run as the document its policies decided on, as
// far as the history keeps it (Document, and besides): which findings
// were new and how each component changed since the baseline, when the
// run had one; the findings' statuses as decided, those an exception or
// a VEX statement set included; and the context's stage, branch, commit
// and time (now). What the history does not keep is absent: scores,
// exploit data, fixed versions, titles and descriptions, lines, the tools
// that reported each finding (origins is empty), the dependency graph and
// scopes, removed components, VEX statements and CI facts; a status other
// than open says it was set by "exception" (the run's) or "history".
func (r *Run) ReplayDocument() *document.Document {
	doc := r.Document()
	waived := make(map[string]map[string]any, len(r.Exceptions))
	for _, x := range r.Exceptions {
		waived[x.FindingID] = x.Waiver
	}
	for i := range r.Findings {
		f := &doc.Findings[i]
		f.New = r.Findings[i].New
		// Lists the history does not keep are empty, not null: a policy
		// counting them must not stop on a type error.
		f.CWE, f.References, f.Tags, f.FixedVersions = []string{}, []string{}, []string{}, []string{}
		f.Scores, f.Origins, f.Locations = []document.CVSS{}, []document.Origin{}, []document.Location{}
		if f.Location != nil {
			f.Locations = []document.Location{*f.Location}
		}
		if f.Status == document.StatusOpen {
			continue
		}
		// What set a status other than open: the run's exception, or
		// what the history does not say (a VEX statement, the report).
		if w, ok := waived[f.ID]; ok {
			reason, _ := w["reason"].(string)
			f.StatusReason = &document.StatusNote{By: "exception", Justification: reason}
		} else {
			f.StatusReason = &document.StatusNote{By: "history", Statement: "as recorded"}
		}
	}
	for i := range r.Components {
		c := r.Components[i].Change
		doc.Components[i].Change = c
		if r.Baseline && c != "" {
			n := c == document.ChangeAdded
			doc.Components[i].New = &n
		}
	}
	doc.Context = document.Context{Stage: r.Stage, Now: r.Time.UTC().Format(time.RFC3339), Branch: r.Ref, Commit: r.Commit, Baseline: r.Baseline}
	doc.Summary = document.Summarize(doc)
	return doc
}

// Pruned says what retention removed of the run that its policies read,
// "" when nothing: its findings (retention.reports) or its SBOM
// (retention.sboms).
func (r *Run) Pruned() string {
	switch {
	case r.Summary.Findings > 0 && len(r.Findings) == 0:
		return "findings"
	case r.Summary.Components > 0 && len(r.Components) == 0:
		return "components"
	}
	return ""
}
