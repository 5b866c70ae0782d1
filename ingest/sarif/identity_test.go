package sarif

import (
	"testing"

	"github.com/secgate/secgate/document"
)

func corpusDocument(t *testing.T, files ...string) *document.Document {
	t.Helper()
	d := document.New()
	for _, file := range files {
		rep, err := ingestBytes(t, h.Corpus(t, file))
		if err != nil {
			t.Fatal(err)
		}
		d.Add(document.Source{Path: file, Format: "sarif"}, rep)
	}
	d.Finish()
	return d
}

// TestTwoTaintFlowsFromOneSourceLineAreTwoFindings: ShiftLeft reports two
// flows from one parameter (views.py:592) to two sinks, at the source's
// line; their partial fingerprints differ, and so do the findings.
func TestTwoTaintFlowsFromOneSourceLineAreTwoFindings(t *testing.T) {
	d := corpusDocument(t, "shiftleft-scan-python-taint.sarif")
	var ids []string
	for _, f := range d.Findings {
		if f.RuleID == "taint-idor" && f.Location.Path == "dojo/cred/views.py" && f.Location.StartLine == 592 {
			ids = append(ids, f.ID)
		}
	}
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Errorf("taint-idor at views.py:592: findings %v, want two", ids)
	}
	// Ingested twice, the same flows are still two findings.
	if d2 := corpusDocument(t, "shiftleft-scan-python-taint.sarif", "shiftleft-scan-python-taint.sarif"); len(d2.Findings) != len(d.Findings) {
		t.Errorf("the same log twice: %d findings, want %d", len(d2.Findings), len(d.Findings))
	}
}

// TestSARIFPathsRelativeToScannedRoot: a URI under the run's working
// directory or an absolute uriBaseId loses that prefix; a relative
// uriBaseId adds its own (SRCROOT is "src/" under PROJECTROOT).
func TestSARIFPathsRelativeToScannedRoot(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"shiftleft-scan-python-taint.sarif", "dojo/cred/views.py"},
		{"sarif-spec-appendix-k-suppression-codeflow.sarif", "src/collections/list.h"},
	} {
		d := corpusDocument(t, c.file)
		found := false
		for _, f := range d.Findings {
			found = found || f.Location != nil && f.Location.Path == c.want
		}
		if !found {
			var got []string
			for _, f := range d.Findings {
				if f.Location != nil {
					got = append(got, f.Location.Path)
				}
			}
			t.Errorf("%s: no finding at %s; paths %v", c.file, c.want, got)
		}
	}
}

// TestGitleaksCommitFingerprintsDoNotSplitASecret: partial fingerprints
// that name a commit say where the secret was seen, not which it is.
func TestGitleaksCommitFingerprintsDoNotSplitASecret(t *testing.T) {
	a := &result{PartialFingerprints: map[string]any{"commitSha": "a1", "author": "x"}}
	b := &result{PartialFingerprints: map[string]any{"commitSha": "b2", "author": "y"}}
	if toolFingerprint(a) != toolFingerprint(b) {
		t.Error("commit metadata told two sightings of one secret apart")
	}
	c := &result{Fingerprints: map[string]any{"matchBasedId/v1": "1"}}
	e := &result{Fingerprints: map[string]any{"matchBasedId/v1": "2"}}
	if toolFingerprint(c) == toolFingerprint(e) {
		t.Error("different fingerprints gave one")
	}
}
