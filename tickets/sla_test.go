package tickets

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
)

// TestDefaultSLADaysFromSchema: the days to fix when secgate.yaml says
// nothing are tickets.sla_days' defaults in config's schema, one for every
// severity a finding can have.
func TestDefaultSLADaysFromSchema(t *testing.T) {
	if diff := cmp.Diff(config.DefaultSLADays(), DefaultSLADays()); diff != "" {
		t.Errorf("DefaultSLADays (-schema +tickets):\n%s", diff)
	}
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	fromConfig, err := SLAFromConfig(cfg.Sections)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(DefaultSLADays(), fromConfig); diff != "" {
		t.Errorf("SLAFromConfig(defaults) (-want +got):\n%s", diff)
	}
	for _, s := range document.Severities {
		if _, ok := DefaultSLADays()[string(s)]; !ok {
			t.Errorf("severity %s: no default SLA", s)
		}
	}
}
