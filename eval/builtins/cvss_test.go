package builtins

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCVSSScore(t *testing.T) {
	tests := []struct {
		vector string
		want   string
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `{"version": "3.1", "score": 9.8, "severity": "critical"}`},
		{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", `{"version": "3.1", "score": 7.8, "severity": "high"}`},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", `{"version": "3.1", "score": 6.1, "severity": "medium"}`},
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", `{"version": "3.1", "score": 3.1, "severity": "low"}`},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", `{"version": "3.1", "score": 0, "severity": "info"}`},
		// Metrics in another order, and temporal metrics, change nothing.
		{"CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H/E:P", `{"version": "3.1", "score": 9.8, "severity": "critical"}`},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", `{"version": "3.0", "score": 5.4, "severity": "medium"}`},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", `{"version": "3.0", "score": 10, "severity": "critical"}`},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", `{"version": "4.0", "score": 9.3, "severity": "critical"}`},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", `{"version": "4.0", "score": 8.5, "severity": "high"}`},
		// v2: bare, wrapped, prefixed; white space around is ignored.
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P", `{"version": "2.0", "score": 7.5, "severity": "high"}`},
		{"(AV:N/AC:L/Au:N/C:P/I:P/A:P)", `{"version": "2.0", "score": 7.5, "severity": "high"}`},
		{"CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C", `{"version": "2.0", "score": 10, "severity": "critical"}`},
		{"AV:N/AC:M/Au:N/C:N/I:P/A:N", `{"version": "2.0", "score": 4.3, "severity": "medium"}`},
		{"  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n", `{"version": "3.1", "score": 9.8, "severity": "critical"}`},
	}
	for _, tt := range tests {
		t.Run(tt.vector, func(t *testing.T) {
			got := mustCall(t, "secgate.cvss_score", tt.vector)
			if diff := cmp.Diff(fromJSON(t, tt.want), got); diff != "" {
				t.Errorf("cvss_score(%q) (-want +got):\n%s", tt.vector, diff)
			}
		})
	}
}

func TestCVSSScoreErrors(t *testing.T) {
	tests := []struct {
		name   string
		vector any
		want   string
	}{
		{"empty", "", `invalid CVSS vector ""`},
		{"words", "not a vector", `invalid CVSS vector "not a vector"`},
		{"bad metric value", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid CVSS vector"},
		{"missing metric", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "invalid CVSS vector"},
		{"duplicate metric", "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid CVSS vector"},
		{"unknown version", "CVSS:5.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid CVSS vector"},
		{"v3 metrics under v4", "CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid CVSS vector"},
		{"score instead of vector", "9.8", "invalid CVSS vector"},
		{"number", 9.8, "operand 1 must be string but got number"},
		{"null", nil, "operand 1 must be string but got null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := call(t, "secgate.cvss_score", tt.vector)
			wantBuiltinErr(t, err, "secgate.cvss_score: ", tt.want)
		})
	}
}
