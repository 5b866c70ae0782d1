package document

import (
	"io"

	"github.com/secgate/secgate/internal/jsonout"
)

// WriteJSON writes the document as indented JSON, exactly as
// json.Encoder with SetIndent("", "  ") and no HTML escaping would, but
// one finding and one component at a time: a 100,000-finding document
// never exists as one buffer of text.
func (d *Document) WriteJSON(w io.Writer) error {
	return jsonout.Write(w, d)
}
