package report

import (
	"encoding/json"
	"io"

	"github.com/secgate/secgate/gate"
)

// JSON writes the decision of SPEC §5.
type JSON struct{}

// Name implements Format.
func (JSON) Name() string { return "json" }

// Write implements Format.
func (JSON) Write(w io.Writer, r *gate.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r.Decision)
}
