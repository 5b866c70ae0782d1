package gate

import (
	"fmt"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest"
)

// LoadSide reads one side of a comparison, a baseline or a version
// `secgate diff` compares: report files and folders as Load reads them.
// It adds no exploit data and applies no configuration: only what makes
// findings and components the same across versions matters here.
func LoadSide(paths []string, opts ingest.Options) (*document.Document, []ingest.Skipped, error) {
	found, err := ingest.Expand(paths, opts.Exclude)
	if err != nil {
		return nil, nil, err
	}
	if len(found.Reports) == 0 {
		return nil, nil, fmt.Errorf("%s: no reports found", strings.Join(paths, ", "))
	}
	doc, err := ingest.Load(found.Reports, opts)
	if err != nil {
		return nil, nil, err
	}
	return doc, found.Skipped, nil
}
