package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/document"
)

// checkJSON runs secgate check with -o json and returns the exit code and
// the decision.
func checkJSON(t *testing.T, args ...string) (int, map[string]any) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	argv := append([]string{"secgate", "check", "-o", "json"}, args...)
	code := run(context.Background(), argv, strings.NewReader(""), &stdout, &stderr)
	var d map[string]any
	if code != 2 {
		if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
			t.Fatalf("exit %d, decision: %v\n%s\n%s", code, err, stdout.String(), stderr.String())
		}
	} else {
		t.Logf("stderr: %s", stderr.String())
	}
	return code, d
}

func examplesDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func policiesOf(d map[string]any) []string {
	var out []string
	for _, p := range d["policies"].([]any) {
		out = append(out, p.(string))
	}
	return out
}

// Reproducible builds set SOURCE_DATE_EPOCH to the commit time or to 1980;
// judged by it, a waiver that expired long ago applied again.
func TestSourceDateEpochDoesNotReviveExpiredWaiver(t *testing.T) {
	ex := examplesDir(t)
	cfg := filepath.Join(t.TempDir(), "secgate.yaml")
	if err := os.WriteFile(cfg, []byte(`exceptions:
  - id: npm:1227
    reason: charts only render server-generated data
    expires: 2020-06-30
  - id: npm:1518
    reason: htmlPrefilter is never given user input
    expires: 2020-06-30
  - id: CVE-2019-11358
    reason: jQuery.extend is never called with user input
    expires: 2020-06-30
`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "315532800") // 1980-01-01, as reproducible builds of old trees set it
	code, d := checkJSON(t, "-c", cfg, "-p", "builtin", "-p", filepath.Join(ex, "policy"), filepath.Join(ex, "reports"))
	if code != 1 || len(d["exceptions"].([]any)) != 0 {
		t.Errorf("exit %d, %d exceptions applied: waivers that expired in 2020 must not apply whatever SOURCE_DATE_EPOCH says", code, len(d["exceptions"].([]any)))
	}
	ctx := d["context"].(map[string]any)
	if ctx["now_source"] != document.NowClock || strings.HasPrefix(ctx["now"].(string), "1980") {
		t.Errorf("context %v: want the clock's time, now_source clock", ctx)
	}
}

// The decision records the time used and where it came from.
func TestDecisionRecordsNowAndItsSource(t *testing.T) {
	ex := examplesDir(t)
	reports := filepath.Join(ex, "reports")
	_, d := checkJSON(t, "--now", "2026-03-04T05:06:07+01:00", reports)
	ctx := d["context"].(map[string]any)
	if ctx["now"] != "2026-03-04T04:06:07Z" || ctx["now_source"] != document.NowFlag {
		t.Errorf("--now: context %v, want now 2026-03-04T04:06:07Z from the flag", ctx)
	}
	_, d = checkJSON(t, reports)
	ctx = d["context"].(map[string]any)
	now, err := time.Parse(time.RFC3339, ctx["now"].(string))
	if err != nil || ctx["now_source"] != document.NowClock || time.Since(now) > time.Hour || time.Since(now) < -time.Minute {
		t.Errorf("no --now: context %v, want the clock's time, now_source clock", ctx)
	}
}

func TestRunTime(t *testing.T) {
	clock := func() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 500, time.FixedZone("x", 3600)) }
	if now, src, err := runTime("", clock); err != nil || src != document.NowClock || !now.Equal(time.Date(2026, 5, 6, 6, 8, 9, 0, time.UTC)) || now.Location() != time.UTC {
		t.Errorf("clock: %v %q %v", now, src, err)
	}
	if now, src, err := runTime("2027-01-31T12:00:00Z", clock); err != nil || src != document.NowFlag || now.Year() != 2027 {
		t.Errorf("flag: %v %q %v", now, src, err)
	}
	if _, _, err := runTime("315532800", clock); err == nil || !strings.Contains(err.Error(), "--now: want an RFC 3339 time") {
		t.Errorf("epoch seconds as --now: err = %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
