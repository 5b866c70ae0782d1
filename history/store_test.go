package history

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create test databases

	"github.com/secgate/secgate/document"
)

// backends runs test against a fresh SQLite file and, when
// SECGATE_TEST_POSTGRES names a PostgreSQL server (tools/pgtest/start.sh
// starts one; .ci/run does), a fresh database there: the same suite for
// both. SECGATE_REQUIRE_POSTGRES=1 makes a missing server a failure, not
// a skip, as in CI.
func backends(t *testing.T, test func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, filepath.Join(t.TempDir(), "history.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, postgresDatabase(t))
	})
}

// postgresDatabase creates a database of its own for a test on the
// server SECGATE_TEST_POSTGRES names, dropped when the test ends.
func postgresDatabase(t *testing.T) string { return postgresDB(t) }

func postgresBenchDatabase(b *testing.B) string { return postgresDB(b) }

func postgresDB(t testing.TB) string {
	t.Helper()
	server := os.Getenv("SECGATE_TEST_POSTGRES")
	if server == "" {
		if os.Getenv("SECGATE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("SECGATE_TEST_POSTGRES is not set: start a server with tools/pgtest/start.sh")
		}
		t.Skip("no PostgreSQL server: set SECGATE_TEST_POSTGRES (tools/pgtest/start.sh starts one)")
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	host := u.Hostname()
	if host != "127.0.0.1" && host != "localhost" && host != "::1" {
		t.Fatalf("SECGATE_TEST_POSTGRES must be on loopback, not %s", host)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "secgate_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}

func openStore(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sampleRun is a run of a document with a finding of each kind.
func sampleRun(project string, at time.Time, n int) Run {
	doc := document.New()
	yes, no := true, false
	for i := range n {
		f := document.Finding{
			ID: "f" + strings.Repeat("0", 3) + string(rune('a'+i%26)) + time.Duration(i).String(), Kind: document.KindVulnerability,
			RuleID: "CVE-2024-" + time.Duration(1000+i).String(), Severity: document.Severities[i%len(document.Severities)],
			Status: document.StatusOpen, New: &no,
			Package: &document.Package{Name: "lodash", Version: "4.17.15", Purl: "pkg:npm/lodash@4.17.15"},
		}
		if i%3 == 0 {
			f.New = &yes
		}
		doc.Findings = append(doc.Findings, f)
	}
	doc.Findings = append(doc.Findings, document.Finding{ID: "code1", Kind: document.KindCode, RuleID: "go.sqli", Severity: document.SeverityHigh,
		Status: document.StatusAccepted, Location: &document.Location{Path: "main.go", StartLine: 3}})
	doc.Components = append(doc.Components, document.Component{Name: "lodash", Version: "4.17.15", Purl: "pkg:npm/lodash@4.17.15", Ecosystem: "npm", Licenses: []string{"MIT"}, Change: "upgraded"},
		document.Component{Name: "left-pad", Version: "1.3.0", Licenses: []string{}})
	doc.Sources = append(doc.Sources, document.Source{Path: "trivy.json", Format: "trivy", SHA256: "ab"})
	doc.Context.Baseline = true
	doc.Summary = document.Summarize(doc)
	r := FromDocument(doc)
	r.Project, r.Ref, r.Commit, r.Stage, r.Time = project, "main", "abc123", "pre-merge", at.UTC().Truncate(time.Second)
	r.Decision = "fail"
	r.Policies = []string{"secgate.thresholds"}
	r.Exceptions = []Exception{{FindingID: "code1", Waiver: map[string]any{"rule": "go.sqli", "reason": "test code", "expires": "2099-01-01"}}}
	r.ConfigSHA256, r.SecgateVersion = "cf", "test"
	return r
}

// TestRecordAndRead: a run recorded reads back whole.
func TestRecordAndRead(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := context.Background()
		want := sampleRun("shop", time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), 40)
		id, err := s.Record(ctx, &want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("read back differs:\n got %+v\nwant %+v", *got, want)
		}
		runs, err := s.Runs(ctx, Filter{Project: "shop"})
		if err != nil || len(runs) != 1 || runs[0].ID != id || runs[0].Findings != nil {
			t.Errorf("runs: %+v, %v", runs, err)
		}
		if _, err := s.Run(ctx, id+1); err == nil || !strings.Contains(err.Error(), "no such run") {
			t.Errorf("a missing run: %v", err)
		}
	})
}

// TestMigrateOnce: opening again applies nothing twice; a history newer
// than this secgate is refused.
func TestMigrateOnce(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openStore(t, dsn)
		s2 := openStore(t, dsn)
		if v, err := s2.Version(ctx); err != nil || v != SchemaVersion {
			t.Fatalf("version %d, %v", v, err)
		}
		if _, err := s.db.ExecContext(ctx, s.dialect.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`), SchemaVersion+1); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, dsn); err == nil || !strings.Contains(err.Error(), "newer than this secgate's") {
			t.Errorf("a newer schema: %v", err)
		}
	})
}

// TestConcurrentWriters: writers on their own connections, recording at
// once into one history, lose and duplicate nothing; the first use
// migrates once whoever comes first.
func TestConcurrentWriters(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		writers, each := 20, 3
		if !strings.HasPrefix(dsn, "postgres") {
			writers = 4
		}
		ctx := context.Background()
		errs := make(chan error, writers)
		for w := range writers {
			go func() {
				s, err := Open(ctx, dsn)
				if err != nil {
					errs <- err
					return
				}
				defer s.Close()
				for i := range each {
					r := sampleRun(fmt.Sprintf("project-%d", w), time.Unix(int64(1_700_000_000+i), 0), 200)
					if _, err := s.Record(ctx, &r); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range writers {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		s := openStore(t, dsn)
		runs, err := s.Runs(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != writers*each {
			t.Fatalf("%d runs, want %d", len(runs), writers*each)
		}
		var findings, migrations int
		s.db.QueryRow(`SELECT COUNT(*) FROM run_findings`).Scan(&findings)
		s.db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&migrations)
		if want := writers * each * 201; findings != want {
			t.Errorf("%d findings, want %d", findings, want)
		}
		if migrations != SchemaVersion {
			t.Errorf("%d migrations recorded, want %d", migrations, SchemaVersion)
		}
	})
}

// lineageRun is a run of project p's stage at day d with these open
// vulnerabilities (id → severity).
func lineageRun(p string, day int, open map[string]string) Run {
	return lineageRunAt(p, day, open)
}

func lineageRunAt(p string, day int, open map[string]string) Run {
	r := Run{Project: p, Stage: "weekly", Decision: "fail", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day)}
	for id, sev := range open {
		r.Findings = append(r.Findings, Finding{ID: id, Lineage: id, Kind: "vulnerability", Severity: sev, Status: "open"})
		r.Summary.OpenFindings++
	}
	r.Summary.OpenBySeverity = map[string]int{}
	for _, sev := range open {
		r.Summary.OpenBySeverity[sev]++
	}
	return r
}

// TestLineages: each run says what it introduced and fixed against the
// findings open in its project's stage; a fixed finding open again is
// introduced again; the mean time to fix is per severity.
func TestLineages(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := context.Background()
		for i, tc := range []struct {
			day               int
			open              map[string]string
			introduced, fixed int
		}{
			{0, map[string]string{"A": "high", "B": "critical"}, 2, 0},
			{7, map[string]string{"B": "critical", "C": "high"}, 1, 1}, // A fixed after 7 days
			{14, map[string]string{"A": "high"}, 1, 2},                 // B after 14, C after 7; A again
			{21, map[string]string{"A": "high"}, 0, 0},
		} {
			r := lineageRun("shop", tc.day, tc.open)
			if _, err := s.Record(ctx, &r); err != nil {
				t.Fatal(err)
			}
			if r.Introduced != tc.introduced || r.Fixed != tc.fixed {
				t.Errorf("run %d: introduced %d fixed %d, want %d and %d", i, r.Introduced, r.Fixed, tc.introduced, tc.fixed)
			}
		}
		// Another project's stage is another history.
		other := lineageRun("billing", 21, map[string]string{"A": "high"})
		if _, err := s.Record(ctx, &other); err != nil || other.Introduced != 1 {
			t.Fatalf("another project: %v, introduced %d", err, other.Introduced)
		}
		tr, err := s.Trend(ctx, Filter{Project: "shop"})
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Points) != 4 || tr.Points[1].Introduced != 1 || tr.Points[2].Fixed != 2 || tr.Points[0].Open["critical"] != 1 {
			t.Errorf("points: %+v", tr.Points)
		}
		want := map[string]Fix{"high": {Fixed: 2, Days: 7}, "critical": {Fixed: 1, Days: 14}}
		if !reflect.DeepEqual(tr.MeanTimeToFix, want) {
			t.Errorf("mean time to fix: %+v, want %+v", tr.MeanTimeToFix, want)
		}
		// A, open again since day 14, is open since before day 20; in
		// billing since day 21.
		open, err := s.OpenSince(ctx, Filter{}, time.Date(2026, 1, 21, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != 1 || open[0].Project != "shop" || open[0].Lineage != "A" || !open[0].FirstSeen.Equal(time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("open since: %+v", open)
		}
	})
}

// TestPrune: retention removes scan results after 90 days, decisions
// after 365 unless their SBOM is kept, never an SBOM by default; a dry
// run counts the same and removes nothing.
func TestPrune(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := context.Background()
		now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, age := range []int{10, 100, 400} {
			r := sampleRun("shop", now.AddDate(0, 0, -age), 5)
			if _, err := s.Record(ctx, &r); err != nil {
				t.Fatal(err)
			}
			// And one without an SBOM.
			r.Components = nil
			if _, err := s.Record(ctx, &r); err != nil {
				t.Fatal(err)
			}
		}
		// Per run: 6 findings, 2 components, 1 exception.
		want := Pruned{Findings: 4 * 6, Exceptions: 2, Runs: 1, Fixes: 0}
		for _, dry := range []bool{true, false} {
			got, err := s.Prune(ctx, DefaultRetention, now, dry)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("dry %v: pruned %+v, want %+v", dry, got, want)
			}
		}
		runs, _ := s.Runs(ctx, Filter{})
		if len(runs) != 5 {
			t.Errorf("%d runs left, want 5 (the old one with an SBOM stays)", len(runs))
		}
		old, err := s.Run(ctx, runs[len(runs)-1].ID)
		if err != nil || len(old.Components) != 2 || len(old.Findings) != 0 || len(old.Exceptions) != 0 {
			t.Errorf("the oldest run kept: %+v, %v", old, err)
		}
		if again, _ := s.Prune(ctx, DefaultRetention, now, false); again != (Pruned{}) {
			t.Errorf("a second prune removed %+v", again)
		}
	})
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * day, "12w": 84 * day, "36h": 36 * time.Hour, "forever": 0} {
		if got, err := ParseAge(in); err != nil || got != want {
			t.Errorf("%s: %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "d", "0d", "-1d", "90", "90y", "ninety days"} {
		if _, err := ParseAge(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestExport: every run on its own line, oldest first, whole.
func TestExport(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := context.Background()
		var want []Run
		for d := range 3 {
			r := sampleRun("shop", time.Date(2026, 3, 1+d, 0, 0, 0, 0, time.UTC), 4)
			if _, err := s.Record(ctx, &r); err != nil {
				t.Fatal(err)
			}
			want = append(want, r)
		}
		var b strings.Builder
		if n, err := s.Export(ctx, Filter{Project: "shop"}, &b); err != nil || n != 3 {
			t.Fatalf("%d, %v", n, err)
		}
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		for i, line := range lines {
			var got Run
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want[i]) {
				t.Errorf("line %d:\n got %+v\nwant %+v", i, got, want[i])
			}
		}
	})
}

// TestAddedComponents: each run counts the packages its SBOM adds to the
// previous SBOM of its project and stage (an upgrade adds nothing; a run
// without an SBOM neither counts nor becomes the reference).
func TestAddedComponents(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := context.Background()
		npm := func(names ...string) []Component {
			var cs []Component
			for _, n := range names {
				name, version, _ := strings.Cut(n, "@")
				cs = append(cs, Component{Name: name, Version: version, Purl: "pkg:npm/" + n, Licenses: []string{}})
			}
			return cs
		}
		for i, tc := range []struct {
			comps []Component
			want  int
		}{
			{npm("a@1.0.0", "b@1.0.0"), 2},
			{npm("a@2.0.0", "b@1.0.0", "c@1.0.0"), 1},
			{nil, 0},
			{npm("a@2.0.0", "c@1.0.0", "d@1.0.0"), 1},
		} {
			r := lineageRun("shop", i, nil)
			r.Components = tc.comps
			if _, err := s.Record(ctx, &r); err != nil {
				t.Fatal(err)
			}
			if r.AddedComponents != tc.want {
				t.Errorf("run %d: added %d, want %d", i, r.AddedComponents, tc.want)
			}
		}
		tr, err := s.Trend(ctx, Filter{Project: "shop"})
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, w := range tr.NewDependencies {
			total += w.Added
		}
		if total != 4 {
			t.Errorf("new dependencies per week: %+v", tr.NewDependencies)
		}
	})
}

// TestBeginCommit: a run written in two steps, its statuses, decision,
// summary and exceptions changed in between (as a check's exceptions
// change them while the run's findings are written), reads back as one
// recorded at once; the lineages follow the statuses committed. A run
// rolled back leaves nothing.
func TestBeginCommit(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := context.Background()
		want := sampleRun("shop", time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), 40)
		r := want
		r.Findings = append([]Finding(nil), want.Findings...)
		r.Decision, r.Summary, r.Policies, r.Exceptions = "", document.Summary{}, nil, nil
		r.Findings[0].Status = "open"
		want.Findings[0].Status = "accepted"
		rec, err := s.Begin(ctx, &r)
		if err != nil {
			t.Fatal(err)
		}
		r.Decision, r.Summary, r.Policies, r.Exceptions = want.Decision, want.Summary, want.Policies, want.Exceptions
		r.Findings[0].Status = "accepted"
		id, err := rec.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want.ID = id
		want.Introduced = r.Introduced
		want.AddedComponents = r.AddedComponents
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("read back differs:\n got %+v\nwant %+v", *got, want)
		}
		open, err := s.OpenSince(ctx, Filter{Project: "shop"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range open {
			if o.Lineage == want.Findings[0].Lineage && want.Findings[0].Lineage != want.Findings[1].Lineage {
				t.Errorf("the accepted finding opened a lineage: %+v", o)
			}
		}
		if r.Introduced != len(open) {
			t.Errorf("introduced %d, open lineages %d", r.Introduced, len(open))
		}

		gone := sampleRun("shop", time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), 5)
		rec, err = s.Begin(ctx, &gone)
		if err != nil {
			t.Fatal(err)
		}
		rec.Rollback()
		runs, err := s.Runs(ctx, Filter{Project: "shop"})
		if err != nil || len(runs) != 1 {
			t.Errorf("after a rollback: %d runs, %v", len(runs), err)
		}
	})
}

// TestReplayDocument: a run recorded and read back rebuilds the document
// its policies read, as far as the history keeps it: statuses as decided,
// what was new, how components changed, and the context.
func TestReplayDocument(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := context.Background()
		rec := sampleRun("shop", time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), 4)
		id, err := s.Record(ctx, &rec)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Pruned() != "" {
			t.Errorf("a whole run: pruned %q", r.Pruned())
		}
		doc := r.ReplayDocument()
		// Valid but for the tools that reported each finding, which
		// the history does not keep (and the sample's digest).
		if err := doc.Validate(); err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.HasSuffix(line, ": no origins") && !strings.Contains(line, `sha256 "ab"`) {
					t.Errorf("the rebuilt document: %s", line)
				}
			}
		}
		want := document.Context{Stage: "pre-merge", Now: "2026-11-01T10:00:00Z", Branch: "main", Commit: "abc123", Baseline: true}
		if doc.Context != want {
			t.Errorf("context %+v, want %+v", doc.Context, want)
		}
		if len(doc.Findings) != 5 || doc.Findings[0].New == nil || !*doc.Findings[0].New || doc.Findings[1].New == nil || *doc.Findings[1].New {
			t.Errorf("findings' new flags not kept: %+v", doc.Findings)
		}
		if f := doc.Findings[4]; f.Status != document.StatusAccepted || f.StatusReason == nil || f.StatusReason.By != "exception" ||
			f.StatusReason.Justification != "test code" || f.Location == nil || f.Location.Path != "main.go" {
			t.Errorf("the accepted code finding: %+v", f)
		}
		if c := doc.Components[0]; c.Change != "upgraded" || c.New == nil || *c.New {
			t.Errorf("an upgraded component: %+v", c)
		}
		if doc.Summary.OpenFindings != 4 || doc.Summary.NewFindings != 2 {
			t.Errorf("summary %+v", doc.Summary)
		}
		r.Findings = nil
		if r.Pruned() != "findings" {
			t.Errorf("findings gone: pruned %q, want findings", r.Pruned())
		}
	})
}
