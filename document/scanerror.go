package document

import (
	"strings"
	"unicode/utf8"
)

// maxErrorText bounds a scan error's message and an incomplete scan's
// reason: a tool may quote a whole file in one.
const maxErrorText = 300

// NewScanError makes a scan error of the tool's words: level is "error"
// for an error (any case) and "warning" for anything else; the message is
// cut to its first non-blank line and maxErrorText bytes; a path is
// written with forward slashes; a negative line is none.
func NewScanError(level, message, path string, line int, typ string) ScanError {
	lv := ScanErrorLevelWarning
	if strings.EqualFold(strings.TrimSpace(level), ScanErrorLevelError) {
		lv = ScanErrorLevelError
	}
	return ScanError{
		Level:   lv,
		Message: OneLine(message),
		Path:    strings.ReplaceAll(strings.TrimSpace(path), `\`, "/"),
		Line:    max(line, 0),
		Type:    OneLine(typ),
	}
}

// OneLine is the first non-blank line of s, trimmed and cut to a few
// hundred bytes (marked "…"): what a one-line message can quote.
func OneLine(s string) string {
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			s = line
			break
		}
	}
	s = strings.TrimSpace(s)
	if len(s) > maxErrorText {
		cut := maxErrorText
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimSpace(s[:cut]) + "…"
	}
	return s
}
