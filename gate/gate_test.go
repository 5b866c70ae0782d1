package gate

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/policies"
)

func builtins() (*eval.Engine, error) {
	pols, err := eval.LoadFS("builtin", policies.FS, eval.Filter{})
	if err != nil {
		return nil, err
	}
	cfg, err := config.Defaults()
	if err != nil {
		return nil, err
	}
	return eval.New(context.Background(), eval.Options{Policies: pols, Data: cfg.Data()})
}

// The engine built while the reports are read decides as one built first.
func TestRunWithEngineBuiltInBackground(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	reports := []string{"../examples/reports"}
	ready, err := builtins()
	if err != nil {
		t.Fatal(err)
	}
	want, err := Run(context.Background(), Options{Reports: reports, Now: now, Engine: Ready(ready)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Run(context.Background(), Options{Reports: reports, Now: now, Engine: Background(builtins)})
	if err != nil {
		t.Fatal(err)
	}
	if want.Decision.Decision != Fail || len(want.Decision.Violations) == 0 {
		t.Fatalf("the example reports give %s with %d violations, want a failure", want.Decision.Decision, len(want.Decision.Violations))
	}
	if got.Decision.Decision != want.Decision.Decision || !reflect.DeepEqual(got.Decision.Violations, want.Decision.Violations) ||
		!reflect.DeepEqual(got.Decision.Warnings, want.Decision.Warnings) {
		t.Errorf("background engine: %s with %+v, want %s with %+v",
			got.Decision.Decision, got.Decision.Violations, want.Decision.Decision, want.Decision.Violations)
	}
}

// A broken policy is the error reported, even when the reports are
// broken too, and a gate with no engine never passes.
func TestRunReportsPolicyErrorFirst(t *testing.T) {
	broken := errors.New("policy: p.rego:3: rego_parse_error")
	failing := func() (*eval.Engine, error) { return nil, broken }
	for name, reports := range map[string][]string{
		"missing report": {"no-such-report.json"},
		"no reports":     nil,
		"good report":    {"../examples/reports/trivy-image.json"},
	} {
		_, err := Run(context.Background(), Options{Reports: reports, Engine: Background(failing)})
		if !errors.Is(err, broken) {
			t.Errorf("%s: error %v, want the policy's", name, err)
		}
	}
	// Without a policy error, the report's own error stands.
	_, err := Run(context.Background(), Options{Reports: []string{"no-such-report.json"}, Engine: Background(builtins)})
	if err == nil || !strings.Contains(err.Error(), "no-such-report.json") {
		t.Errorf("missing report with good policies: %v", err)
	}
}

// No engine: the policies of Options.Policy decide, the built-ins by
// default. A build that gives none is an error, not a pass.
func TestRunWithoutEngine(t *testing.T) {
	reports := []string{"../examples/reports/trivy-image.json"}
	res, err := Run(context.Background(), Options{Reports: reports})
	if err != nil || !slices.Contains(res.Decision.Policies, "secgate.thresholds") || res.Decision.Decision != Warn {
		t.Errorf("no engine: %v, want the built-ins' warning (%+v)", err, res)
	}
	none := func() (*eval.Engine, error) { return nil, nil }
	if _, err := Run(context.Background(), Options{Reports: reports, Engine: none}); err == nil {
		t.Error("an engine build that gives none: want an error")
	}
}

func TestBackgroundTurnsPanicIntoError(t *testing.T) {
	wait := Background(func() (*eval.Engine, error) { panic("compiler bug") })
	e, err := wait()
	if e != nil || err == nil || !strings.Contains(err.Error(), "internal error: compiler bug") {
		t.Fatalf("got %v, %v", e, err)
	}
	// Waiting again gives the same answer.
	if _, again := wait(); again == nil || again.Error() != err.Error() {
		t.Errorf("second wait: %v", again)
	}
}
