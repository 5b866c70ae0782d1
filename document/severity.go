package document

import (
	"strconv"
	"strings"
)

// Severity is a finding's severity on secgate's one scale.
type Severity string

// The severities, from worst to least.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
	SeverityUnknown  Severity = "unknown"
)

// Severities lists every Severity from worst to least.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo, SeverityUnknown}

// Rank orders severities: critical is 5, unknown is 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityCritical:
		return 5
	case SeverityHigh:
		return 4
	case SeverityMedium:
		return 3
	case SeverityLow:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// Valid reports whether s is one of Severities.
func (s Severity) Valid() bool {
	for _, v := range Severities {
		if s == v {
			return true
		}
	}
	return false
}

// MaxSeverity returns the worse of a and b.
func MaxSeverity(a, b Severity) Severity {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// SeverityFromScore maps a CVSS base score to its band: 9.0–10 critical,
// 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low, 0 info. Out of range is unknown.
func SeverityFromScore(score float64) Severity {
	switch {
	case score > 10 || score < 0 || score != score:
		return SeverityUnknown
	case score >= 9.0:
		return SeverityCritical
	case score >= 7.0:
		return SeverityHigh
	case score >= 4.0:
		return SeverityMedium
	case score >= 0.1:
		return SeverityLow
	}
	return SeverityInfo
}

// ParseSeverity maps the words scanners use (CRITICAL, High, moderate,
// Negligible, error, …) and numeric strings ("7.5") to a Severity. It
// returns SeverityUnknown and false for a word it does not know.
func ParseSeverity(word string) (Severity, bool) {
	w := strings.ToLower(strings.TrimSpace(word))
	switch w {
	case "critical", "crit", "blocker", "very high", "very_high":
		return SeverityCritical, true
	case "high", "error", "severe", "major", "important":
		return SeverityHigh, true
	case "medium", "moderate", "warning", "med", "warn":
		return SeverityMedium, true
	case "low", "minor", "note":
		return SeverityLow, true
	case "info", "informational", "information", "negligible", "none", "trivial":
		return SeverityInfo, true
	case "unknown", "", "unspecified", "untriaged":
		return SeverityUnknown, w != ""
	}
	if f, err := strconv.ParseFloat(w, 64); err == nil {
		if s := SeverityFromScore(f); s != SeverityUnknown {
			return s, true
		}
	}
	return SeverityUnknown, false
}
