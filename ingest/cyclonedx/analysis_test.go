package cyclonedx

import (
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/secgate/secgate/document"
)

// TestAnalysisStates pins what each analysis state says, both as a VEX
// statement and on a finding it is attached to: the two read one table.
func TestAnalysisStates(t *testing.T) {
	tests := []struct {
		state         cdx.ImpactAnalysisState
		justification cdx.ImpactAnalysisJustification
		vex           string
		status        document.Status // "" leaves the finding open
		wantJust      string
	}{
		{cdx.IASNotAffected, cdx.IAJCodeNotReachable, document.VEXNotAffected, document.StatusNotAffected, "code_not_reachable"},
		{cdx.IASFalsePositive, "", document.VEXNotAffected, document.StatusNotAffected, "false_positive"},
		{cdx.IASResolved, "", document.VEXFixed, document.StatusFixed, ""},
		{cdx.IASResolvedWithPedigree, "", document.VEXFixed, document.StatusFixed, ""},
		{cdx.IASExploitable, "", document.VEXAffected, "", ""},
		{cdx.IASInTriage, "", document.VEXUnderInvestigation, "", ""},
		{"", "", document.VEXUnderInvestigation, "", ""},
		{"unheard_of", "", document.VEXUnderInvestigation, "", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			a := &cdx.VulnerabilityAnalysis{State: tt.state, Justification: tt.justification, Detail: " why "}
			v := &cdx.Vulnerability{ID: "CVE-2024-1", Analysis: a}
			st := (&builder{bom: &cdx.BOM{}}).statements(v, "")
			if len(st) != 1 || st[0].Status != tt.vex || st[0].Justification != tt.wantJust {
				t.Errorf("statement = %+v, want status %q justification %q", st, tt.vex, tt.wantJust)
			}
			f := document.Finding{Status: document.StatusOpen}
			applyAnalysis(&f, a)
			want := tt.status
			if want == "" {
				want = document.StatusOpen
			}
			if f.Status != want {
				t.Errorf("finding status = %q, want %q", f.Status, want)
			}
			if tt.status != "" && (f.StatusReason == nil || f.StatusReason.Justification != tt.wantJust || f.StatusReason.Statement != "why") {
				t.Errorf("status reason = %+v", f.StatusReason)
			}
			if tt.status == "" && f.StatusReason != nil {
				t.Errorf("open finding got a reason %+v", f.StatusReason)
			}
		})
	}
}
