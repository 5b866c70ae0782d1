package gate

import (
	"slices"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
)

// TestOrderWorstFirst: a message's findings, the messages of one severity
// and the exceptions are listed worst first (document.WorstFirst), not in
// the order of their ids, which are hashes.
func TestOrderWorstFirst(t *testing.T) {
	doc := document.New()
	var fs []document.Finding
	for i, score := range []float64{7.0, 8.9, 7.5} {
		fs = append(fs, document.Finding{Kind: document.KindVulnerability, RuleID: "CVE-2024-" + string(rune('1'+i)),
			Severity: document.SeverityHigh, CVSS: &document.CVSS{Version: "3.1", Score: score},
			Package: &document.Package{Name: "p" + string(rune('a'+i)), Version: "1"}})
	}
	doc.Add(document.Source{Path: "r.json"}, &document.Report{Findings: fs})
	doc.Finish()
	worst, mid, least := doc.Findings[0].ID, doc.Findings[1].ID, doc.Findings[2].ID
	if doc.Findings[0].CVSS.Score != 8.9 || doc.Findings[2].CVSS.Score != 7.0 {
		t.Fatalf("document order %v, %v, %v", doc.Findings[0].CVSS, doc.Findings[1].CVSS, doc.Findings[2].CVSS)
	}
	ids := []string{least, worst, mid}
	slices.Sort(ids)
	res := &eval.Result{
		Denies: []eval.Message{
			{Policy: "a", Severity: "high", Msg: "a", FindingIDs: []string{least}},
			{Policy: "b", Severity: "high", Msg: "b", FindingIDs: ids},
		},
		Waivers: []eval.Waiver{{FindingID: least}, {FindingID: worst}},
	}
	worstFirst(doc, res)
	if got := res.Denies[0].FindingIDs; !slices.Equal(got, []string{worst, mid, least}) {
		t.Errorf("finding ids %v, want %v", got, []string{worst, mid, least})
	}
	if res.Denies[0].Policy != "b" {
		t.Errorf("the message about the worst finding is not first: %v", res.Denies)
	}
	if res.Waivers[0].FindingID != worst {
		t.Errorf("exceptions %v, want the worst finding's first", res.Waivers)
	}
}
