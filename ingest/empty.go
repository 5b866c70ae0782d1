package ingest

import (
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
)

// emptyIngester takes a report that is an empty JSON array: ESLint,
// Gitleaks, pip-audit 1.x and Snyk all write `[]` when they find nothing,
// and no content can tell which. It is a report of nothing, never an error
// and never a guess at a tool; FORMAT:PATH names the tool when it matters.
type emptyIngester struct{}

func (emptyIngester) Format() string { return "empty" }

func (emptyIngester) Detect(f *sniff.File) (bool, error) {
	return f.Shape == sniff.JSONArray && len(f.ElemKeys) == 0 && isEmptyArray(f.Data), nil
}

func (emptyIngester) Ingest(*sniff.File) (*document.Report, error) {
	return &document.Report{}, nil
}

func isEmptyArray(data []byte) bool {
	n := 0
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
		case '[', ']':
			n++
		default:
			return false
		}
	}
	return n == 2
}
