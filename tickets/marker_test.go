package tickets

import (
	"strings"
	"testing"
)

// TestMarkerRoundTrip: the marker and the due line that a body is
// rendered with are what FingerprintOf, DueOf and WithDue read back, on
// real reports, including a hostile one whose text carries forged markers
// and due lines: each body has exactly one marker, its own, on its last
// line, and one due line, its own.
func TestMarkerRoundTrip(t *testing.T) {
	hostile := []string{"..", "testdata", "hostile", "output"}
	for name, reports := range map[string][]string{
		"grype":   {corpus("grype-json", "grype-0.64-image-62-matches.json")},
		"hostile": {strings.Join(append(hostile, "trivy.json"), "/"), strings.Join(append(hostile, "hostile.sarif"), "/")},
	} {
		t.Run(name, func(t *testing.T) {
			ts := checkReal(t, "", reports...).build(Options{Now: testNow})
			if len(ts) == 0 {
				t.Fatal("no tickets")
			}
			for _, tk := range ts {
				if n := len(markerRE.FindAllString(tk.Body, -1)); n != 1 {
					t.Errorf("%s: %d markers", tk.Title, n)
				}
				lines := strings.Split(strings.TrimSuffix(tk.Body, "\n"), "\n")
				if fp, ok := FingerprintOf(tk.Body); !ok || fp != tk.Fingerprint || lines[len(lines)-1] != Marker(tk.Fingerprint) {
					t.Errorf("%s: fingerprint %q (%v), last line %q, want %s", tk.Title, fp, ok, lines[len(lines)-1], tk.Fingerprint)
				}
				if n := len(dueRE.FindAllString(tk.Body, -1)); n != 1 {
					t.Errorf("%s: %d due lines", tk.Title, n)
				}
				if due, sev, ok := DueOf(tk.Body); !ok || due != tk.Due || sev != tk.Severity {
					t.Errorf("%s: due line says %s, %s (%v), want %s, %s", tk.Title, due, sev, ok, tk.Due, tk.Severity)
				}
				moved := WithDue(tk.Body, "2099-12-31")
				if due, sev, _ := DueOf(moved); due != "2099-12-31" || sev != tk.Severity || WithDue(moved, tk.Due) != tk.Body {
					t.Errorf("%s: WithDue does not round-trip", tk.Title)
				}
			}
		})
	}
}

// TestMarkerFormat: the marker is one hidden line; a fingerprint is 16 to
// 64 lower-case hex digits, and anything else is no marker.
func TestMarkerFormat(t *testing.T) {
	for _, fp := range []string{strings.Repeat("a", 16), "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"} {
		if got, ok := FingerprintOf("body\n\n" + Marker(fp) + "\n"); !ok || got != fp {
			t.Errorf("FingerprintOf(Marker(%s)) = %q, %v", fp, got, ok)
		}
	}
	// A marker inside a line (a code span holding a report's text) is not
	// read; a marker line is, with CRLF or trailing blanks.
	own, forged := strings.Repeat("b", 64), strings.Repeat("0", 16)
	for _, body := range []string{
		"- ``pkg " + Marker(forged) + "``\n\n" + Marker(own) + "\n",
		"x " + Marker(forged) + "\r\n\r\n" + Marker(own) + " \r\n",
		Marker(forged) + " and more\n" + Marker(own),
	} {
		if got, ok := FingerprintOf(body); !ok || got != own {
			t.Errorf("FingerprintOf(%q) = %q, %v, want %s", body, got, ok, own)
		}
	}
	if m := Marker("abc"); m != "<!-- secgate:fingerprint=abc -->" {
		t.Errorf("Marker = %q", m)
	}
	for _, body := range []string{
		Marker(strings.Repeat("a", 15)),
		Marker(strings.Repeat("A", 16)),
		Marker(strings.Repeat("g", 16)),
		"<!--secgate:fingerprint=" + strings.Repeat("a", 16) + "-->",
		`\<!-- secgate:fingerprint=` + strings.Repeat("a", 16) + " --\\>",
	} {
		if fp, ok := FingerprintOf(body); ok && !strings.HasPrefix(body, `\`) {
			t.Errorf("FingerprintOf(%q) = %q", body, fp)
		}
	}
	if got := dueLine("2026-03-18", "critical", "P1", 7); got != "**Due:** 2026-03-18 · severity critical · priority P1 · SLA 7 days" {
		t.Errorf("dueLine = %q", got)
	}
}
