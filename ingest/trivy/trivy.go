// Package trivy ingests trivy reports.
package trivy

import (
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads trivy reports.
type Ingester struct{}

// New returns the trivy ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "trivy" }

// Detect implements ingest.Ingester.
func (*Ingester) Detect(f *sniff.File) (bool, error) { return false, nil }

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) { return &document.Report{}, nil }
