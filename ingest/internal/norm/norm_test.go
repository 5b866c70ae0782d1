package norm

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/secgate/secgate/document"
)

func TestCWE(t *testing.T) {
	for _, tt := range []struct{ in, cwe, nonZero, exceptZero string }{
		{"79", "CWE-79", "CWE-79", "CWE-79"},
		{" cwe-079 ", "CWE-079", "CWE-079", "CWE-079"},
		{"CWE-", "", "", ""},
		{"", "", "", ""},
		{"CWE-79: XSS", "", "", ""},
		{"79a", "", "", ""},
		{"0", "CWE-0", "", ""},
		{"CWE-000", "CWE-000", "", "CWE-000"},
	} {
		if got := CWE(tt.in); got != tt.cwe {
			t.Errorf("CWE(%q) = %q, want %q", tt.in, got, tt.cwe)
		}
		if got := CWENonZero(tt.in); got != tt.nonZero {
			t.Errorf("CWENonZero(%q) = %q, want %q", tt.in, got, tt.nonZero)
		}
		if got := CWEExceptZero(tt.in); got != tt.exceptZero {
			t.Errorf("CWEExceptZero(%q) = %q, want %q", tt.in, got, tt.exceptZero)
		}
	}
	if got := CWEs([]string{"x", ""}); got != nil {
		t.Errorf("CWEs = %#v, want nil", got)
	}
	if got := CWEs([]string{"1", "x", "CWE-2"}); !slices.Equal(got, []string{"CWE-1", "CWE-2"}) {
		t.Errorf("CWEs = %v", got)
	}
}

func TestText(t *testing.T) {
	if FirstLine("\n  a b \n c") != "a b" || JoinText(" a ", "", "b") != "a\n\nb" || Prefixed("p: ", " ") != "" || NonNegative(-3) != 0 {
		t.Error("text helpers")
	}
	if got := NonBlank([]string{" a", " ", "b "}); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("NonBlank = %v", got)
	}
	for raw, want := range map[string][]string{
		`" a "`: {"a"}, `79`: {"79"}, `["a", 1, " ", null, {}]`: {"a", "1"}, `{}`: nil, `null`: nil, `[]`: nil,
	} {
		if got := Strings(json.RawMessage(raw)); !slices.Equal(got, want) || (want == nil) != (got == nil) {
			t.Errorf("Strings(%s) = %#v, want %#v", raw, got, want)
		}
	}
	if Text(json.RawMessage(`" a "`)) != " a " || TrimmedText(json.RawMessage(`" a "`)) != "a" || Text(json.RawMessage(`true`)) != "" {
		t.Error("Text")
	}
}

func TestID(t *testing.T) {
	var v struct{ A, B, C ID }
	v.C = "kept"
	if err := json.Unmarshal([]byte(`{"A": "x", "B": 12, "C": null}`), &v); err != nil || v.A != "x" || v.B != "12" || v.C != "kept" {
		t.Errorf("%+v, %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"A": true}`), &v); err == nil {
		t.Error("a boolean id")
	}
}

func TestSeverity(t *testing.T) {
	best := &document.CVSS{Score: 9.8}
	if Severity("Negligible", best) != document.SeverityInfo || Severity("unknown", best) != document.SeverityCritical ||
		Severity("", nil) != document.SeverityUnknown || Severity("bogus", &document.CVSS{Score: 5}) != document.SeverityMedium {
		t.Error("Severity")
	}
}
