package report

import (
	"io"

	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/jsonout"
)

// JSON writes the decision as one JSON object (gate.Decision: the verdict,
// violations, warnings, waivers, summary, tickets, policies, sources,
// context); docs/decision.md describes its fields.
type JSON struct{}

// Name implements Format.
func (JSON) Name() string { return "json" }

// Write implements Format: the decision, indented, streamed one violation
// and one ticket at a time.
func (JSON) Write(w io.Writer, r *gate.Result) error {
	return jsonout.Write(w, r.Decision)
}
