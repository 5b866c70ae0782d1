package gate

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/history"
	"github.com/secgate/secgate/ingest"
)

// keys are the marks a history baseline must give as the reports do:
// which findings are new, how each component changed, which are removed.
// (A history keeps less of a removed component than its SBOM did.)
func keys(m marks) marks {
	k := marks{NewFindings: m.NewFindings, Findings: m.Findings, Components: m.Components}
	for _, c := range m.Removed {
		k.Removed = append(k.Removed, componentMark{Key: c.Key, Change: c.Change})
	}
	return k
}

// TestHistoryBaselineMarksAsReports: a baseline taken from the history
// (history:stage=…) marks a new side as the reports recorded in that run
// do, for every report of the corpus and the pairs of versions.
func TestHistoryBaselineMarksAsReports(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "h.db")
	s, err := history.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type pair struct{ base, next []string }
	var pairs []pair
	for _, files := range corpusReports(t) {
		for _, f := range files {
			pairs = append(pairs, pair{[]string{f}, files})
		}
	}
	pairs = append(pairs,
		pair{[]string{"../testdata/sbom-versions/v1.cdx.json"}, []string{"../testdata/sbom-versions/v2.cdx.json"}},
		pair{[]string{"../testdata/sbom-versions/conftest-v0.59.0.cdx.json"}, []string{"../testdata/sbom-versions/conftest-v0.66.0.cdx.json"}},
		pair{[]string{corpus + "/trivy-json/trivy-image-alpine310-os-vulns.json"}, []string{"../testdata/moved/trivy-image-alpine310.upgraded.json"}},
		pair{[]string{corpus + "/semgrep/semgrep-1.30-5-results.json"}, []string{"../testdata/moved/semgrep-1.30-5-results.moved.json"}},
	)
	compared := 0
	for i, p := range pairs {
		base, _, err := LoadSide(p.base, ingest.Options{})
		if err != nil {
			continue // a report that is no baseline (a VEX document alone …)
		}
		if len(base.Findings) == 0 && len(base.Components) == 0 {
			continue
		}
		run := history.FromDocument(base)
		run.Project, run.Stage, run.Decision = "p", "stage-"+strings.Repeat("x", i%3), "fail"
		run.Time = time.Unix(int64(1_700_000_000+i), 0)
		if _, err := s.Record(ctx, &run); err != nil {
			t.Fatal(err)
		}
		fromHistory, err := LoadHistorySide(ctx, "history:stage="+run.Stage, HistoryOptions{DSN: dsn, Project: "p"})
		if err != nil {
			t.Fatal(err)
		}
		next1, _, err := LoadSide(p.next, ingest.Options{})
		if err != nil {
			continue // a folder with a report that is no new side
		}
		next2, _, _ := LoadSide(p.next, ingest.Options{})
		want := keys(marked(next1, base))
		got := keys(marked(next2, fromHistory))
		if !reflect.DeepEqual(got.NewFindings, want.NewFindings) {
			t.Errorf("%v → %v: new findings from the history %v, from the reports %v", p.base, p.next, got.NewFindings, want.NewFindings)
		}
		for j := range want.Components {
			if j < len(got.Components) && !reflect.DeepEqual(got.Components[j], want.Components[j]) {
				t.Errorf("%v → %v: component from the history %+v, from the reports %+v", p.base, p.next, got.Components[j], want.Components[j])
				break
			}
		}
		if !reflect.DeepEqual(got.Removed, want.Removed) {
			t.Errorf("%v → %v: removed from the history %v, from the reports %v", p.base, p.next, got.Removed, want.Removed)
		}
		compared++
	}
	if compared < 40 {
		t.Errorf("only %d pairs compared", compared)
	}
}

// TestHistoryBaselineErrors: a run the history does not hold, a
// malformed choice, or no project, is a one-line error.
func TestHistoryBaselineErrors(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "h.db")
	for spec, want := range map[string]string{
		"history:":                 `history:: no run of project "p" recorded`,
		"history:stage=release":    `history:stage=release: no run of project "p" recorded with stage release`,
		"history:stage":            `want key=value pairs`,
		"history:branch=main":      `unknown key "branch"`,
		"history:project=,stage=x": `want key=value pairs`,
	} {
		_, err := LoadHistorySide(ctx, spec, HistoryOptions{DSN: dsn, Project: "p"})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line saying %q", spec, err, want)
		}
	}
	if _, err := LoadHistorySide(ctx, "history:", HistoryOptions{DSN: dsn}); err == nil || !strings.Contains(err.Error(), "no project") {
		t.Errorf("no project: %v", err)
	}
}
