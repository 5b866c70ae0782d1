package report_test

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/secgate/secgate/report"
)

// TestBadges: the verdict and the open critical and high findings, in the
// verdict's colour, as an SVG any browser draws and as a shields.io
// endpoint.
func TestBadges(t *testing.T) {
	for _, tc := range []struct {
		report, message, color, hex string
	}{
		// A high npm advisory fails the gate.
		{"npm-audit/npm7-v2-15-vulns.json", "fail: 1 high", "red", "#e05d44"},
		// Medium vulnerabilities warn.
		{"trivy-json/trivy-image-alpine310-os-vulns.json", "warn", "yellow", "#dfb317"},
		{"semgrep/semgrep-empty.json", "pass", "brightgreen", "#4c1"},
	} {
		r := result(t, corpus(tc.report))
		var shields map[string]any
		if err := json.Unmarshal(render(t, report.Shields{}, r), &shields); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"schemaVersion": 1.0, "label": "secgate", "message": tc.message, "color": tc.color}
		for k, v := range want {
			if shields[k] != v {
				t.Errorf("%s: shields %s = %v, want %v", tc.report, k, shields[k], v)
			}
		}
		svg := string(render(t, report.Badge{}, r))
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("%s: the badge is not XML: %v", tc.report, err)
		}
		for _, s := range []string{">" + tc.message + "</text>", `fill="` + tc.hex + `"`, `aria-label="secgate: ` + tc.message + `"`} {
			if !strings.Contains(svg, s) {
				t.Errorf("%s: the badge lacks %q:\n%s", tc.report, s, svg)
			}
		}
	}
}
