package history

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRecord records a run of 100,000 findings (and 2,000
// components), into SQLite and, with SECGATE_TEST_POSTGRES, PostgreSQL.
func BenchmarkRecord(b *testing.B) {
	r := sampleRun("shop", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 100000)
	for i := range 2000 {
		r.Components = append(r.Components, Component{Name: fmt.Sprintf("pkg-%d", i), Version: "1.0.0", Purl: fmt.Sprintf("pkg:npm/pkg-%d@1.0.0", i), Licenses: []string{"MIT"}})
	}
	benchBackends(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		for i := 0; b.Loop(); i++ {
			r.Time = r.Time.Add(time.Hour)
			if _, err := s.Record(ctx, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTrend reads the trend of one project out of 50, each with 365
// daily runs.
func BenchmarkTrend(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for p := range 50 {
			for d := range 365 {
				open := map[string]string{}
				for k := range 20 {
					open[fmt.Sprintf("CVE-%d", (d/30)*7+k)] = []string{"critical", "high", "medium", "low"}[k%4]
				}
				r := lineageRun(fmt.Sprintf("project-%d", p), d, open)
				r.Time = start.AddDate(0, 0, d)
				if _, err := s.Record(ctx, &r); err != nil {
					b.Fatal(err)
				}
			}
		}
		for b.Loop() {
			t, err := s.Trend(ctx, Filter{Project: "project-7"})
			if err != nil || len(t.Points) != 365 {
				b.Fatal(err, len(t.Points))
			}
		}
	})
}

func benchBackends(b *testing.B, bench func(b *testing.B, s *Store)) {
	b.Run("sqlite", func(b *testing.B) {
		s, err := Open(context.Background(), b.TempDir()+"/h.db")
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		bench(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		dsn := postgresBenchDatabase(b)
		s, err := Open(context.Background(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		bench(b, s)
	})
}
