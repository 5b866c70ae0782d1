// Package history keeps every decision secgate makes: the runs of each
// project, with their findings, components and exceptions, in a SQLite
// file (embedded, nothing to install) or in PostgreSQL (many pipelines
// writing to one place). Both hold the same schema, versioned and
// migrated on first use; the same queries read them.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// DefaultPath is the SQLite file a history is kept in when none is named.
const DefaultPath = ".secgate/history.db"

// The kinds of store.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Store is an open history.
type Store struct {
	db      *sql.DB
	dialect dialect
	// where names the store in errors, without credentials.
	where string
}

// busyTimeout is how long a SQLite writer waits for another to finish.
const busyTimeout = 30 * time.Second

// Open opens the history at dsn and brings its schema up to date:
//
//   - postgres://… or postgresql://…: a PostgreSQL database (pgx; the
//     usual libpq parameters and PG* environment variables apply);
//   - sqlite:PATH, file:PATH or a plain PATH: a SQLite file, made with its
//     folder when missing; "" is DefaultPath.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s, err := open(dsn)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func open(dsn string) (*Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		where := redact(dsn)
		cfg, err := pgxConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("history %s: %w", where, err)
		}
		db := stdlib.OpenDB(*cfg)
		return &Store{db: db, dialect: postgres, where: where}, nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if path == "" {
		path = DefaultPath
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("history %s: a SQLite path takes no parameters", path)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("history %s: %w", path, err)
		}
	}
	// Writers take the lock when they begin (immediate), wait for one
	// another (busy timeout), and readers do not block them (WAL).
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	// One connection: a run is one transaction anyway. Its pragmas run as
	// it opens, and switching a new file to WAL while another process
	// does is refused at once (SQLITE_BUSY) rather than waited for: the
	// opening is tried again until the busy timeout.
	db.SetMaxOpenConns(1)
	deadline := time.Now().Add(busyTimeout)
	for {
		err = db.Ping()
		if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	return &Store{db: db, dialect: sqlite, where: path}, nil
}

// Kind is SQLite or Postgres.
func (s *Store) Kind() string { return s.dialect.name }

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// errorf names the store in an error.
func (s *Store) errorf(format string, args ...any) error {
	return fmt.Errorf("history %s: "+format, append([]any{s.where}, args...)...)
}

// redact is a PostgreSQL URL without its password, for errors.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// ErrNoRun is returned for a run the history does not hold.
var ErrNoRun = errors.New("no such run")

func nowUnix() int64 { return time.Now().Unix() }
