package report

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/secgate/secgate/gate"
)

// Badge is a status badge for a README or a documentation site: an SVG in
// the flat style shields.io draws, "secgate | fail: 2 critical, 5 high",
// red on fail, yellow on warn, green on pass. It holds no report text.
type Badge struct{}

// Name implements Format.
func (Badge) Name() string { return "badge" }

// Shields is the same status as a shields.io endpoint
// (https://shields.io/badges/endpoint-badge): JSON shields.io draws a
// badge from, for a site that serves the file.
type Shields struct{}

// Name implements Format.
func (Shields) Name() string { return "shields" }

// The badge's colours, as shields.io names and draws them.
var badgeColors = map[string]struct{ name, hex string }{
	gate.Pass: {"brightgreen", "#4c1"},
	gate.Warn: {"yellow", "#dfb317"},
	gate.Fail: {"red", "#e05d44"},
}

// status is the badge's message: the verdict and the open critical and
// high findings.
func status(r *gate.Result) string {
	open := r.Decision.Summary.OpenBySeverity
	var counts []string
	for _, sev := range []string{"critical", "high"} {
		if n := open[sev]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	if len(counts) == 0 {
		return r.Decision.Decision
	}
	return r.Decision.Decision + ": " + strings.Join(counts, ", ")
}

// Write implements Format.
func (Shields) Write(w io.Writer, r *gate.Result) error {
	return writeIndented(w, map[string]any{
		"schemaVersion": 1,
		"label":         "secgate",
		"message":       status(r),
		"color":         badgeColors[r.Decision.Decision].name,
	})
}

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Write implements Format.
func (Badge) Write(w io.Writer, r *gate.Result) error {
	label, message := "secgate", status(r)
	color := badgeColors[r.Decision.Decision].hex
	lw, mw := textWidth(label)+10, textWidth(message)+10
	width := lw + mw
	title := html.EscapeString(label + ": " + message)
	_, err := fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s">`+
		`<title>%s</title>`+
		`<linearGradient id="s" x2="0" y2="100%%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`+
		`<clipPath id="r"><rect width="%d" height="20" rx="3" fill="#fff"/></clipPath>`+
		`<g clip-path="url(#r)"><rect width="%d" height="20" fill="#555"/><rect x="%d" width="%d" height="20" fill="%s"/><rect width="%d" height="20" fill="url(#s)"/></g>`+
		`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`+
		`<text x="%d" y="15" fill="#010101" fill-opacity=".3">%s</text><text x="%d" y="14">%s</text>`+
		`<text x="%d" y="15" fill="#010101" fill-opacity=".3">%s</text><text x="%d" y="14">%s</text>`+
		`</g></svg>`+"\n",
		width, title, title, width, lw, lw, mw, color, width,
		lw/2, html.EscapeString(label), lw/2, html.EscapeString(label),
		lw+mw/2, html.EscapeString(message), lw+mw/2, html.EscapeString(message))
	return err
}

// textWidth estimates the width in pixels of s in 11px Verdana, as
// badges are drawn: wide letters, digits and narrow punctuation apart.
func textWidth(s string) int {
	w := 0.0
	for _, r := range s {
		switch {
		case strings.ContainsRune("il:,.;!|' ", r):
			w += 3.9
		case strings.ContainsRune("mw", r):
			w += 10.7
		case r >= 'A' && r <= 'Z':
			w += 8.0
		default:
			w += 7.0
		}
	}
	return int(w + 0.5)
}
