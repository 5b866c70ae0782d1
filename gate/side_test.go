package gate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secgate/secgate/diff"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/jsonout"
	"github.com/secgate/secgate/tickets"
)

// decisionFor returns what `secgate check -o json` writes for reports
// (report.JSON writes the decision with jsonout), evaluated by e.
func decisionFor(t *testing.T, e *eval.Engine, reports ...string) []byte {
	t.Helper()
	res, err := Run(context.Background(), Options{
		Reports:   reports,
		Engine:    Ready(e),
		Now:       time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Tickets:   &tickets.Options{},
		Inventory: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jsonout.Write(&buf, res.Decision); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeTemp writes data to a file of a temporary folder.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// side reads a side as LoadSide does, failing the test on an error.
func side(t *testing.T, paths ...string) *document.Document {
	t.Helper()
	doc, _, err := LoadSide(paths, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// marks are what MarkNew says of a document: which findings are new, and
// how each component changed.
type marks struct {
	NewFindings []string // ids
	Findings    int
	Components  []componentMark
	Removed     []componentMark
	Summary     document.Summary
}

type componentMark struct {
	Key, Change, PreviousVersion string
	PreviousLicenses             []string
	LicenseChanged, New          bool
	// Of removed components: what the inventory keeps of them.
	Name, Group, Version, Purl, Ecosystem, LicenseExpression, Type, Scope string
	Licenses                                                              []string
	Direct                                                                bool
}

// marked marks doc against base and returns the marks.
func marked(doc, base *document.Document) marks {
	MarkNew(doc, base)
	m := marks{Findings: len(doc.Findings), Summary: doc.Summary}
	for _, f := range doc.Findings {
		if *f.New {
			m.NewFindings = append(m.NewFindings, f.ID)
		}
	}
	for _, c := range doc.Components {
		m.Components = append(m.Components, componentMark{Key: document.ComponentKey(&c), Change: c.Change,
			PreviousVersion: c.PreviousVersion, PreviousLicenses: c.PreviousLicenses,
			LicenseChanged: c.LicenseChanged, New: *c.New})
	}
	for _, c := range doc.Removed {
		m.Removed = append(m.Removed, componentMark{Key: document.ComponentKey(&c), Change: c.Change,
			Name: c.Name, Group: c.Group, Version: c.Version, Purl: c.Purl, Ecosystem: c.Ecosystem,
			Licenses: c.Licenses, LicenseExpression: c.LicenseExpression, Type: c.Type, Direct: c.Direct, Scope: c.Scope})
	}
	return m
}

// corpusReports lists every report of the corpus, by folder.
func corpusReports(t *testing.T) map[string][]string {
	t.Helper()
	dirs, err := os.ReadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(corpus, d.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			out[d.Name()] = append(out[d.Name()], filepath.Join(corpus, d.Name(), f.Name()))
		}
	}
	return out
}

// The property a decision baseline rests on: for every report of the
// corpus with findings or components, and the pairs of versions in the
// repository, a baseline read from the decision `check -o json` wrote
// on the reports marks a new side exactly as the reports do: the same
// findings new, the same change of every component, the same
// components removed, and the same `secgate diff`. New sides: the report itself, its whole folder
// (other reports of its tool and format: new and old findings mixed),
// and the second versions.
func TestDecisionBaselineMarksAsReports(t *testing.T) {
	e, err := builtins()
	if err != nil {
		t.Fatal(err)
	}
	type pair struct {
		name string
		base []string
		news [][]string
	}
	var pairs []pair
	byFolder := corpusReports(t)
	for _, folder := range slices.Sorted(func(yield func(string) bool) {
		for k := range byFolder {
			if !yield(k) {
				return
			}
		}
	}) {
		var readable []string
		for _, r := range byFolder[folder] {
			doc, err := ingest.Load([]string{r}, ingest.Options{})
			if err == nil && len(doc.Findings)+len(doc.Components) > 0 {
				readable = append(readable, r)
			}
		}
		for _, r := range readable {
			rel := strings.TrimPrefix(r, corpus+"/")
			news := [][]string{{r}}
			if len(readable) > 1 {
				news = append(news, readable)
			}
			if folder == "sarif" || folder == "semgrep" {
				// Every line two further down.
				news = append(news, []string{edited(t, rel, shiftLines(2))})
			}
			if rel == addedAboveReport {
				news = append(news, []string{addedAbove(t)})
			}
			if rel == renamedReport {
				news = append(news, []string{renamed(t)})
			}
			pairs = append(pairs, pair{rel, []string{r}, news})
		}
	}
	const versions, moved = "../testdata/sbom-versions", "../testdata/moved"
	pairs = append(pairs,
		pair{"sbom-versions v1 to v2", []string{versions + "/v1.cdx.json"}, [][]string{{versions + "/v2.cdx.json"}}},
		pair{"sbom-versions v2 to v1", []string{versions + "/v2.cdx.json"}, [][]string{{versions + "/v1.cdx.json"}}},
		pair{"conftest v0.59.0 to v0.66.0", []string{versions + "/conftest-v0.59.0.cdx.json"}, [][]string{{versions + "/conftest-v0.66.0.cdx.json"}}},
		pair{"conftest v0.66.0 to v0.59.0", []string{versions + "/conftest-v0.66.0.cdx.json"}, [][]string{{versions + "/conftest-v0.59.0.cdx.json"}}},
		pair{"moved semgrep", []string{corpus + "/semgrep/semgrep-1.30-5-results.json"}, [][]string{{moved + "/semgrep-1.30-5-results.moved.json"}}},
		pair{"moved trivy", []string{corpus + "/trivy-json/trivy-image-alpine310-os-vulns.json"}, [][]string{{moved + "/trivy-image-alpine310.upgraded.json"}}},
		pair{"two reports to one", []string{corpus + "/trivy-json/trivy-image-alpine310-os-vulns.json", corpus + "/semgrep/semgrep-1.30-5-results.json"},
			[][]string{{moved + "/semgrep-1.30-5-results.moved.json", moved + "/trivy-image-alpine310.upgraded.json"}}},
	)
	if len(pairs) < 80 {
		t.Fatalf("only %d reports of the corpus have findings or components", len(pairs))
	}
	docs := map[string]*document.Document{}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			fromReports := side(t, p.base...)
			fromDecision := side(t, writeTemp(t, "base.json", decisionFor(t, e, p.base...)))
			if got, want := ids(fromDecision), ids(fromReports); !slices.Equal(got, want) {
				t.Fatalf("the decision has findings %v, the reports %v", got, want)
			}
			for i := range fromReports.Findings {
				if got, want := document.AdvisoryURL(&fromDecision.Findings[i]), document.AdvisoryURL(&fromReports.Findings[i]); got != want {
					t.Errorf("%s: advisory %q from the decision, %q from the reports", fromReports.Findings[i].RuleID, got, want)
				}
			}
			for _, news := range p.news {
				key := strings.Join(news, "\x00")
				doc := docs[key]
				if doc == nil {
					doc = side(t, news...)
					docs[key] = doc
				}
				want := marked(doc, fromReports)
				got := marked(doc, fromDecision)
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("new side %v: marks against the decision differ from those against the reports (-reports +decision):\n%s", news, d)
				}
				// secgate diff OLD NEW, OLD the decision or the reports.
				if d := cmp.Diff(diff.Compute(fromReports, doc), diff.Compute(fromDecision, doc)); d != "" {
					t.Errorf("new side %v: diff from the decision differs from diff from the reports (-reports +decision):\n%s", news, d)
				}
			}
		})
	}
}

const renamedReport = "grype-json/grype-0.64-image-62-matches.json"

// renamed writes a copy of renamedReport in which every GHSA advisory
// goes by its CVE alone, as a tool that knows only CVE ids would report
// it: the baseline's aliases alone tell it is the same vulnerability.
func renamed(t *testing.T) string {
	t.Helper()
	n := 0
	path := edited(t, renamedReport, func(v any) {
		for _, m := range v.(map[string]any)["matches"].([]any) {
			m := m.(map[string]any)
			vuln := m["vulnerability"].(map[string]any)
			related, _ := m["relatedVulnerabilities"].([]any)
			if id, _ := vuln["id"].(string); strings.HasPrefix(id, "GHSA-") && len(related) > 0 {
				vuln["id"] = related[0].(map[string]any)["id"]
				m["relatedVulnerabilities"] = []any{}
				n++
			}
		}
	})
	if n == 0 {
		t.Fatalf("no GHSA match with a related CVE in %s", renamedReport)
	}
	return path
}

func ids(doc *document.Document) []string {
	var out []string
	for _, f := range doc.Findings {
		out = append(out, f.ID)
	}
	return out
}

// The pairs in the repository are no trivial cases: some findings and
// components are new, some not, some components upgraded or removed.
func TestDecisionBaselineOfVersions(t *testing.T) {
	e, err := builtins()
	if err != nil {
		t.Fatal(err)
	}
	base := side(t, writeTemp(t, "v1.json", decisionFor(t, e, "../testdata/sbom-versions/v1.cdx.json")))
	m := marked(side(t, "../testdata/sbom-versions/v2.cdx.json"), base)
	changes := map[string]int{}
	for _, c := range m.Components {
		changes[c.Change]++
	}
	if changes[document.ChangeAdded] == 0 || changes[document.ChangeUpgraded] == 0 || changes[document.ChangeUnchanged] == 0 {
		t.Errorf("changes of v2 against v1's decision: %v, want some added, upgraded and unchanged", changes)
	}
	base = side(t, writeTemp(t, "trivy.json", decisionFor(t, e, corpus+"/trivy-json/trivy-image-alpine310-os-vulns.json")))
	m = marked(side(t, "../testdata/moved/trivy-image-alpine310.upgraded.json"), base)
	if len(m.NewFindings) != 1 || m.Findings < 2 {
		t.Errorf("%d of %d findings new against the decision, want 1 (CVE-2020-1967)", len(m.NewFindings), m.Findings)
	}
}

// Identity ignores status: a decision whose inventory says its findings
// were accepted, fixed or not affected makes no more of the new side's
// findings old than one saying they are open. Nor does a decision that
// failed or passed.
func TestDecisionBaselineStatusChangesNothing(t *testing.T) {
	e, err := builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ base, now string }{
		{corpus + "/trivy-json/trivy-image-alpine310-os-vulns.json", "../testdata/moved/trivy-image-alpine310.upgraded.json"},
		{corpus + "/semgrep/semgrep-1.30-5-results.json", corpus + "/sarif/semgrep-oss-1.69.sarif"},
		{corpus + "/sarif/codeql-2.5.4-java-codeflows.sarif", corpus + "/sarif/codeql-2.5.4-java-codeflows.sarif"},
	} {
		t.Run(filepath.Base(c.base), func(t *testing.T) {
			raw := decisionFor(t, e, c.base)
			doc := side(t, c.now)
			want := marked(doc, side(t, writeTemp(t, "open.json", raw)))
			for _, status := range []string{`"accepted"`, `"fixed"`, `"not_affected"`} {
				// The inventory's records, one a line, compact.
				forged := bytes.ReplaceAll(raw, []byte(`"status":"open"`),
					[]byte(`"status":`+status+`,"status_reason":{"by":"exception"}`))
				forged = bytes.Replace(forged, []byte(`"decision": "fail"`), []byte(`"decision": "pass"`), 1)
				if bytes.Equal(forged, raw) {
					t.Fatal("no open finding to change")
				}
				got := marked(doc, side(t, writeTemp(t, "forged.json", forged)))
				if d := cmp.Diff(want.NewFindings, got.NewFindings); d != "" {
					t.Errorf("findings %s in the decision change what is new (-open +%s):\n%s", status, status, d)
				}
			}
		})
	}
}

// A decision that cannot be read as a baseline is an error naming the
// file and the problem in one line: never an empty baseline (everything
// new) nor a pass.
func TestDecisionBaselineErrors(t *testing.T) {
	e, err := builtins()
	if err != nil {
		t.Fatal(err)
	}
	good := decisionFor(t, e, corpus+"/trivy-json/trivy-image-alpine310-os-vulns.json")
	replace := func(old, new string) []byte {
		t.Helper()
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("the decision has no %s", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	cut := bytes.Index(good, []byte(`,
  "inventory"`))
	older := append(append([]byte{}, good[:cut]...), "\n}\n"...)
	for _, c := range []struct {
		name string
		data []byte
		want string
		is   error
	}{
		{"older secgate", older, "no inventory: written by an older secgate", ErrNoInventory},
		{"null inventory", replace(`"inventory": {`, `"inventory": null, "x": {`), "no inventory", ErrNoInventory},
		{"next version", replace(`"version": 1`, `"version": 2`), "inventory version unknown to this secgate: 2 (it reads version 1", ErrInventoryVersion},
		{"no version", replace(`"version": 1,`, ``), "inventory version unknown to this secgate: missing", ErrInventoryVersion},
		{"version as text", replace(`"version": 1`, `"version": "1"`), `inventory version unknown to this secgate: "1"`, ErrInventoryVersion},
		{"truncated", good[:len(good)/2], "unexpected end of JSON input", nil},
		{"truncated in the inventory", good[:len(good)-20], "unexpected end of JSON input", nil},
		{"not JSON after it", append(append([]byte{}, good...), "x"...), "unexpected data after the top-level value", nil},
		{"inventory not an object", replace(`"inventory": {`, `"inventory": "x", "y": {`), "inventory: not a JSON object", nil},
		{"findings of the wrong type", replace(`"findings": [`, `"findings": 7, "x": [`), "inventory.findings: got JSON number, want", nil},
		{"findings null", replace(`"findings": [`, `"findings": null, "x": [`), "must be lists", nil},
		{"unknown verdict", replace(`"decision": "`, `"decision": "maybe `), `decision "maybe `, nil},
		{"source out of range", replace(`"sources":[0]`, `"sources":[7]`), "source 7 out of range", nil},
		{"no sources", replace(`"sources":[0]`, `"sources":[]`), "no sources", nil},
		{"unknown kind", replace(`"kind":"vulnerability"`, `"kind":"rumour"`), `kind "rumour"`, nil},
		{"a bomb of empty findings", replace(`"findings": [`, `"findings": [`+strings.Repeat(`{},`, 100000)), "inventory: 100004 findings in ", nil},
		{"a bomb of empty components", replace(`"components": []
  }`, `"components": [`+strings.Repeat(`{},`, 100000)+`{}]
  }`), "inventory: 100001 components in ", nil},
		{"duplicate id", replace(`"id":"f192812d9120f0fe10f4"`, `"id":"`+firstID(t, good)+`"`), "duplicate id", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeTemp(t, "base.json", c.data)
			doc, _, err := LoadSide([]string{path}, ingest.Options{})
			if err == nil {
				t.Fatalf("read as a baseline of %d findings, want an error", len(doc.Findings))
			}
			if doc != nil {
				t.Error("a document with the error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": ") || !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line naming %s and saying %q", msg, path, c.want)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %q is not %v", msg, c.is)
			}
		})
	}
}

func firstID(t *testing.T, decision []byte) string {
	t.Helper()
	doc, err := ReadDecision(decision)
	if err != nil || len(doc.Findings) < 2 {
		t.Fatalf("%v, %d findings", err, len(doc.Findings))
	}
	return doc.Findings[0].ID
}

// A decision is bounded like any report, by --max-file-size, and nested
// beyond what is read it is an error, not a crash.
func TestDecisionBaselineBounded(t *testing.T) {
	e, err := builtins()
	if err != nil {
		t.Fatal(err)
	}
	good := decisionFor(t, e, corpus+"/trivy-json/trivy-image-alpine310-os-vulns.json")
	path := writeTemp(t, "base.json", good)
	_, _, err = LoadSide([]string{path}, ingest.Options{MaxFileSize: int64(len(good) - 1)})
	if !errors.Is(err, ingest.ErrTooLarge) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("a decision over --max-file-size: %v, want %v naming the file", err, ingest.ErrTooLarge)
	}
	deep := strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20)
	nested := bytes.Replace(good, []byte(`"aliases":[]`), []byte(`"aliases":`+deep), 1)
	_, _, err = LoadSide([]string{writeTemp(t, "deep.json", nested)}, ingest.Options{})
	if err == nil || !strings.Contains(err.Error(), "secgate decision: ") {
		t.Errorf("a decision nested a million deep: %v, want an error", err)
	}
}

// A decision is a side's only input: with reports, or two of them, it
// is an error naming it. Alone in a folder it is read.
func TestDecisionBaselineAlone(t *testing.T) {
	e, err := builtins()
	if err != nil {
		t.Fatal(err)
	}
	const report = corpus + "/trivy-json/trivy-image-alpine310-os-vulns.json"
	dec := writeTemp(t, "base.json", decisionFor(t, e, report))
	for _, paths := range [][]string{{dec, report}, {report, dec}, {dec, dec}} {
		_, _, err := LoadSide(paths, ingest.Options{})
		if err == nil || !strings.Contains(err.Error(), dec+": a secgate decision must be given alone, not with other reports") {
			t.Errorf("%v: %v, want the decision named as not alone", paths, err)
		}
	}
	doc := side(t, filepath.Dir(dec))
	if len(doc.Findings) != len(side(t, report).Findings) {
		t.Errorf("a folder of one decision: %d findings, want the report's", len(doc.Findings))
	}
}

// Given to check as a report, a decision is not read as findings: the
// error says where it belongs.
func TestDecisionIsNoReport(t *testing.T) {
	e, err := builtins()
	if err != nil {
		t.Fatal(err)
	}
	dec := writeTemp(t, "base.json", decisionFor(t, e, corpus+"/trivy-json/trivy-image-alpine310-os-vulns.json"))
	_, err = Run(context.Background(), Options{Reports: []string{dec}, Engine: Ready(e)})
	if !errors.Is(err, ingest.ErrDecision) || !strings.Contains(err.Error(), dec+": ") || !strings.Contains(err.Error(), "--baseline") {
		t.Errorf("a decision as a report: %v, want %v naming it", err, ingest.ErrDecision)
	}
}

// FuzzReadDecision: no input panics ReadDecision; on error it returns no
// document and a one-line error; on success the document validates and
// MarkNew can use it.
func FuzzReadDecision(f *testing.F) {
	for _, r := range []string{
		corpus + "/trivy-json/trivy-image-alpine310-os-vulns.json",
		corpus + "/semgrep/semgrep-1.30-5-results.json",
		corpus + "/sarif/codeql-2.5.4-java-codeflows.sarif",
		"../testdata/sbom-versions/v1.cdx.json",
	} {
		doc, err := ingest.Load([]string{r}, ingest.Options{})
		if err != nil {
			f.Fatal(err)
		}
		d := &Decision{Decision: Pass, Violations: []eval.Message{}, Warnings: []eval.Message{}, Exceptions: []eval.Waiver{},
			Summary: doc.Summary, Tickets: []tickets.Ticket{}, Policies: []string{}, Sources: doc.Sources,
			Context: doc.Context, Skipped: []ingest.Skipped{}}
		inv := NewInventory(doc)
		d.Inventory = &inv
		var buf bytes.Buffer
		if err := jsonout.Write(&buf, d); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"decision":"pass","violations":[],"policies":[],"summary":{},"sources":[],"inventory":{"version":1,"findings":[],"components":[]}}`))
	f.Add([]byte(`{"inventory":{"version":1e400}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, rerr := ReadResult(data)
		switch {
		case rerr != nil && res != nil:
			t.Error("a result with an error")
		case rerr != nil && strings.Contains(rerr.Error(), "\n"):
			t.Errorf("error of more than one line: %q", rerr)
		case rerr == nil && (res.Decision.Violations == nil || res.Decision.Warnings == nil || res.Document == nil):
			t.Errorf("result without lists or document: %+v", res)
		}
		doc, err := ReadDecision(data)
		if err != nil && rerr == nil {
			t.Errorf("ReadResult read what ReadDecision refuses: %v", err)
		}
		if err != nil {
			if doc != nil {
				t.Error("a document with an error")
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		if err := doc.Validate(); err != nil {
			t.Errorf("the document read does not validate: %v", err)
		}
		MarkNew(document.New(), doc)
	})
}
