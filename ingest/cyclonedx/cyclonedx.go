// Package cyclonedx ingests cyclonedx reports.
package cyclonedx

import (
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads cyclonedx reports.
type Ingester struct{}

// New returns the cyclonedx ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "cyclonedx" }

// Detect implements ingest.Ingester.
func (*Ingester) Detect(f *sniff.File) (bool, error) { return false, nil }

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) { return &document.Report{}, nil }
