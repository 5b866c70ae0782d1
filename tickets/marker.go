package tickets

import (
	"regexp"
	"strconv"
)

// This file is the format of the two lines of a ticket's body that are
// read back: the fingerprint marker, by which a sink finds the issue of a
// ticket (ticketsync's GitHub sink), and the due line, whose date a sync
// keeps while the severity is unchanged. Both are written and parsed here
// only.

// The fingerprint marker: <!-- secgate:fingerprint=FP -->, hidden when the
// Markdown is rendered, on a line of its own at the end of the body.
// Only such a line is read back: a report's text can reach a body inside
// a code span, where '<' is not escaped, but never as a line of its own.
const (
	markerOpen  = "<!-- secgate:fingerprint="
	markerClose = " -->"
)

// markerRE finds the marker lines of a body (GitHub may end lines with
// CRLF, an editor leave blanks).
var markerRE = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(markerOpen) + `([0-9a-f]{16,64})` + regexp.QuoteMeta(markerClose) + `[ \t\r]*$`)

// Marker is the hidden line that identifies a ticket's issue:
// <!-- secgate:fingerprint=FP -->.
func Marker(fingerprint string) string {
	return markerOpen + fingerprint + markerClose
}

// FingerprintOf returns the fingerprint of a body's marker, if it has
// one: the last line that is a marker.
func FingerprintOf(body string) (string, bool) {
	ms := markerRE.FindAllStringSubmatch(body, -1)
	if len(ms) == 0 {
		return "", false
	}
	return ms[len(ms)-1][1], true
}

// The due line: "**Due:** 2026-03-18 · severity critical · priority P1 ·
// SLA 7 days".
const (
	dueOpen     = "**Due:** "
	dueSeverity = " · severity "
)

// dueRE matches the due line of a body.
var dueRE = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(dueOpen) + `(\d{4}-\d{2}-\d{2})` + regexp.QuoteMeta(dueSeverity) + `([a-z]+)`)

func dueLine(due, severity, priority string, days int) string {
	return dueOpen + due + dueSeverity + severity + " · priority " + priority + " · SLA " + strconv.Itoa(days) + " days"
}

// DueOf returns the due date (YYYY-MM-DD) and severity that a ticket body
// states on its due line.
func DueOf(body string) (due, severity string, ok bool) {
	m := dueRE.FindStringSubmatch(body)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// WithDue returns body with the date of its due line replaced by due (a
// body without a due line is returned as it is). Sync uses it to keep an
// issue's due date while its severity is unchanged.
func WithDue(body, due string) string {
	loc := dueRE.FindStringSubmatchIndex(body)
	if loc == nil {
		return body
	}
	return body[:loc[2]] + due + body[loc[3]:]
}
