// Package npmaudit ingests npm-audit reports.
package npmaudit

import (
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads npm-audit reports.
type Ingester struct{}

// New returns the npm-audit ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "npm-audit" }

// Detect implements ingest.Ingester.
func (*Ingester) Detect(f *sniff.File) (bool, error) { return false, nil }

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) { return &document.Report{}, nil }
