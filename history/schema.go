package history

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// dialect is what differs between SQLite and PostgreSQL: the words of a
// few types, placeholders, and how concurrent migrations are kept apart.
type dialect struct {
	name string
	// serial is the type of an id the database assigns.
	serial string
	// numbered placeholders ($1) instead of ?.
	numbered bool
	// lock serializes migrations inside their transaction.
	lock string
}

var (
	sqlite   = dialect{name: SQLite, serial: "INTEGER PRIMARY KEY AUTOINCREMENT"}
	postgres = dialect{name: Postgres, serial: "BIGSERIAL PRIMARY KEY", numbered: true,
		lock: "SELECT pg_advisory_xact_lock(7340032971)"}
)

// q rewrites a query written with ? placeholders for the dialect.
func (d dialect) q(query string) string {
	if !d.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// migrations are the schema's versions, in order: migration i brings the
// schema to version i+1. A released migration is never edited; a change
// is a new one. {serial} is the dialect's id type.
var migrations = []string{
	// 1: runs, and what each held; the lineages of findings: when each was
	// first seen open in a project's stage, and fixed; and
	// every fix (a finding fixed, open again, and fixed again is two).
	`CREATE TABLE runs (
		id {serial},
		project TEXT NOT NULL,
		ref TEXT NOT NULL,
		commit_sha TEXT NOT NULL,
		stage TEXT NOT NULL,
		recorded_at BIGINT NOT NULL,
		decision TEXT NOT NULL,
		baseline INTEGER NOT NULL,
		findings INTEGER NOT NULL,
		open_findings INTEGER NOT NULL,
		new_findings INTEGER NOT NULL,
		open_critical INTEGER NOT NULL,
		open_high INTEGER NOT NULL,
		open_medium INTEGER NOT NULL,
		open_low INTEGER NOT NULL,
		open_info INTEGER NOT NULL,
		open_unknown INTEGER NOT NULL,
		introduced INTEGER NOT NULL,
		fixed INTEGER NOT NULL,
		exceptions INTEGER NOT NULL,
		components INTEGER NOT NULL,
		new_components INTEGER NOT NULL,
		added_components INTEGER NOT NULL,
		summary TEXT NOT NULL,
		policies TEXT NOT NULL,
		reports TEXT NOT NULL,
		config_sha256 TEXT NOT NULL,
		secgate_version TEXT NOT NULL
	);
	CREATE INDEX runs_project_time ON runs (project, recorded_at);
	CREATE INDEX runs_time ON runs (recorded_at);
	CREATE TABLE run_findings (
		run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
		finding_id TEXT NOT NULL,
		lineage TEXT NOT NULL,
		kind TEXT NOT NULL,
		rule_id TEXT NOT NULL,
		vuln_id TEXT NOT NULL,
		severity TEXT NOT NULL,
		status TEXT NOT NULL,
		is_new INTEGER,
		package TEXT NOT NULL,
		version TEXT NOT NULL,
		purl TEXT NOT NULL,
		ecosystem TEXT NOT NULL,
		aliases TEXT NOT NULL,
		path TEXT NOT NULL,
		tool_fingerprint TEXT NOT NULL
	);
	CREATE INDEX run_findings_run ON run_findings (run_id);
	CREATE TABLE run_components (
		run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		grp TEXT NOT NULL,
		version TEXT NOT NULL,
		purl TEXT NOT NULL,
		ecosystem TEXT NOT NULL,
		licenses TEXT NOT NULL,
		license_expression TEXT NOT NULL,
		change TEXT NOT NULL
	);
	CREATE INDEX run_components_run ON run_components (run_id);
	CREATE TABLE run_exceptions (
		run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
		finding_id TEXT NOT NULL,
		waiver TEXT NOT NULL
	);
	CREATE INDEX run_exceptions_run ON run_exceptions (run_id);
	CREATE TABLE lineages (
		project TEXT NOT NULL,
		stage TEXT NOT NULL,
		lineage TEXT NOT NULL,
		kind TEXT NOT NULL,
		severity TEXT NOT NULL,
		first_seen BIGINT NOT NULL,
		fixed_at BIGINT,
		PRIMARY KEY (project, stage, lineage)
	);
	CREATE INDEX lineages_open ON lineages (project, stage, fixed_at);
	CREATE TABLE fixes (
		project TEXT NOT NULL,
		stage TEXT NOT NULL,
		lineage TEXT NOT NULL,
		severity TEXT NOT NULL,
		first_seen BIGINT NOT NULL,
		fixed_at BIGINT NOT NULL,
		run_id BIGINT NOT NULL
	);
	CREATE INDEX fixes_project_time ON fixes (project, fixed_at)`,
}

// SchemaVersion is the version Migrate brings a history to.
var SchemaVersion = len(migrations)

// Migrate brings the schema up to date, each migration in its own
// transaction with its version recorded; processes migrating at once wait
// for one another. A history newer than this secgate is an error: it
// would write what the newer one does not expect.
func (s *Store) Migrate(ctx context.Context) error {
	for {
		done, err := s.migrateOne(ctx)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// migrateOne applies the next migration, if any; done says there was none.
func (s *Store) migrateOne(ctx context.Context) (done bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, s.errorf("%w", err)
	}
	defer tx.Rollback()
	if s.dialect.lock != "" {
		if _, err := tx.ExecContext(ctx, s.dialect.lock); err != nil {
			return false, s.errorf("%w", err)
		}
	}
	// Under the lock: two processes creating it at once would collide.
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return false, s.errorf("%w", err)
	}
	var version sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil {
		return false, s.errorf("%w", err)
	}
	v := int(version.Int64)
	switch {
	case v > SchemaVersion:
		return false, s.errorf("its schema is version %d, newer than this secgate's (%d): upgrade secgate", v, SchemaVersion)
	case v == SchemaVersion:
		return true, nil
	}
	ddl := strings.ReplaceAll(migrations[v], "{serial}", s.dialect.serial)
	for _, stmt := range strings.Split(ddl, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, s.errorf("migration %d: %w", v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.dialect.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), v+1, nowUnix()); err != nil {
		return false, s.errorf("migration %d: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, s.errorf("migration %d: %w", v+1, err)
	}
	return false, nil
}

// Version is the schema version the history is at.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, s.errorf("%w", err)
	}
	return int(v.Int64), nil
}

func pgxConfig(dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL: keep only what it says of it.
		return nil, fmt.Errorf("not a PostgreSQL URL pgx reads")
	}
	return cfg, nil
}
