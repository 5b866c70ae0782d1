package ingesttest

import (
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
)

// DetectCase is an inline report and whether the ingester claims it.
type DetectCase struct {
	Data string
	Want bool
}

// AssertDetect checks that in's Detect answers each case's Want, without
// an error.
func AssertDetect(t *testing.T, in Ingester, cases []DetectCase) {
	t.Helper()
	for _, tt := range cases {
		f, err := sniff.New("x", []byte(tt.Data))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := in.Detect(f); ok != tt.Want || err != nil {
			t.Errorf("%.60s: Detect = %v, %v; want %v", tt.Data, ok, err, tt.Want)
		}
	}
}

// AssertNotClaimed checks that in claims none of the reports in data (an
// error from Detect does not matter); one that does not sniff is passed
// over.
func AssertNotClaimed(t *testing.T, in Ingester, data ...string) {
	t.Helper()
	for _, s := range data {
		f, err := sniff.New("x", []byte(s))
		if err != nil {
			continue
		}
		if ok, _ := in.Detect(f); ok {
			t.Errorf("claimed %s", s)
		}
	}
}

// ErrorCase is a report that fails to ingest with an error containing
// Want.
type ErrorCase struct {
	Name, Data, Want string
}

// AssertErrors runs each case as a subtest: ingesting its Data with
// h.Bytes must fail with an error containing its Want.
func (h Harness) AssertErrors(t *testing.T, cases []ErrorCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			_, _, err := h.Bytes(t, []byte(tt.Data))
			if err == nil || !strings.Contains(err.Error(), tt.Want) {
				t.Errorf("err = %v, want %q", err, tt.Want)
			}
		})
	}
}

// Find returns the first finding of doc with the rule ID ruleID and, if
// pkg is not empty, the package named pkg; it fails the test if there is
// none.
func Find(t *testing.T, doc *document.Document, ruleID, pkg string) *document.Finding {
	t.Helper()
	for i := range doc.Findings {
		f := &doc.Findings[i]
		if f.RuleID == ruleID && (pkg == "" || f.Package != nil && f.Package.Name == pkg) {
			return f
		}
	}
	t.Fatalf("no finding %s %s", ruleID, pkg)
	return nil
}

// Check runs a subtest called name that ingests data with h.Bytes, which
// must succeed, and hands the document to want.
func (h Harness) Check(t *testing.T, name, data string, want func(t *testing.T, doc *document.Document)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		_, doc, err := h.Bytes(t, []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		want(t, doc)
	})
}
