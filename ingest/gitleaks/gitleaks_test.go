package gitleaks

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
)

const corpus = "../../testdata/corpus"

// ingestBytes detects (unless forced) and ingests data, then joins the
// report to a finished, valid document.
func ingestBytes(t testing.TB, data []byte, forced bool) (*document.Report, *document.Document, error) {
	t.Helper()
	f, err := sniff.New("x.json", data)
	if err != nil {
		return nil, nil, err
	}
	in := New()
	ok, err := in.Detect(f)
	if err != nil {
		return nil, nil, err
	}
	if !ok && !forced {
		return nil, nil, errors.New("not detected")
	}
	rep, err := in.Ingest(f)
	if err != nil {
		return nil, nil, err
	}
	doc := document.New()
	doc.Add(document.Source{Path: "x.json", Format: "gitleaks", SHA256: strings.Repeat("0", 64)}, rep)
	doc.Finish()
	if err := doc.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return rep, doc, nil
}

func readCorpus(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus, "gitleaks", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file     string
		detected bool
		leaks    int // as MANIFEST.tsv counts them
		findings int // the same secret at the same place in several commits is one
		byRule   map[string]int
	}{
		{"gitleaks-empty-array.json", false, 0, 0, nil},
		{"gitleaks-no-findings-null.json", true, 0, 0, nil},
		{"gitleaks-v7-redacted.json", true, 6, 6, map[string]int{"AWS Access Key": 6}},
		// 8 leaks: 4 places, each in two commits.
		{"gitleaks-v7.5-8-leaks.json", true, 8, 4, map[string]int{"AWS Access Key": 3, "Asymmetric Private Key": 1}},
		{"gitleaks-v8-4-findings.json", true, 4, 4, map[string]int{"aws-access-token": 2, "RSA-PK": 1, "generic-api-key": 1}},
		// 113 findings: 81 generic-api-key, 29 jwt, 3 private-key; 14 repeat
		// a place in another commit.
		{"gitleaks-v8-juice-shop-113-findings.json", true, 113, 99, map[string]int{"generic-api-key": 70, "jwt": 26, "private-key": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc, err := ingestBytes(t, readCorpus(t, tt.file), !tt.detected)
			if err != nil {
				t.Fatal(err)
			}
			f, _ := sniff.New("x", readCorpus(t, tt.file))
			if ok, _ := New().Detect(f); ok != tt.detected {
				t.Errorf("Detect = %v, want %v", ok, tt.detected)
			}
			if rep.Tool.Name != "gitleaks" || len(rep.Findings) != tt.leaks || len(doc.Findings) != tt.findings {
				t.Errorf("tool %+v, %d leaks, %d findings; want %d, %d", rep.Tool, len(rep.Findings), len(doc.Findings), tt.leaks, tt.findings)
			}
			byRule := map[string]int{}
			commits := 0
			for _, f := range doc.Findings {
				byRule[f.RuleID]++
				if f.Kind != document.KindSecret || f.Severity != document.SeverityHigh || f.Location == nil || f.Location.Path == "" ||
					f.Location.StartLine == 0 || f.Location.Snippet != "" || f.Title == "" {
					t.Errorf("finding %+v", f)
				}
				for _, tag := range f.Tags {
					if strings.HasPrefix(tag, "commit:") {
						commits++
					}
				}
			}
			for rule, n := range tt.byRule {
				if byRule[rule] != n {
					t.Errorf("%s: %d, want %d (%v)", rule, byRule[rule], n, byRule)
				}
			}
			// Every leak in these reports has a commit; merged leaks keep all.
			if want := countCommits(t, readCorpus(t, tt.file)); commits != want {
				t.Errorf("%d commit tags, want %d", commits, want)
			}
		})
	}
}

// countCommits counts the distinct (place, commit) pairs of a report.
func countCommits(t *testing.T, data []byte) int {
	t.Helper()
	var leaks []map[string]any
	if err := json.Unmarshal(data, &leaks); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range leaks {
		commit, _ := l["Commit"].(string)
		if c, ok := l["commit"].(string); ok {
			commit = c
		}
		if commit == "" {
			continue
		}
		key, _ := json.Marshal([]any{l["RuleID"], l["rule"], l["File"], l["file"], l["StartLine"], l["lineNumber"], l["StartColumn"], commit})
		seen[string(key)] = true
	}
	return len(seen)
}

func TestFields(t *testing.T) {
	_, doc, err := ingestBytes(t, readCorpus(t, "gitleaks-v8-4-findings.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	var f *document.Finding
	for i := range doc.Findings {
		if doc.Findings[i].RuleID == "generic-api-key" {
			f = &doc.Findings[i]
		}
	}
	if f == nil {
		t.Fatal("no generic-api-key finding")
	}
	if l := f.Location; l.Path != "tests/api.py" || l.StartLine != 21 || l.EndLine != 0 || l.StartColumn != 10 || l.EndColumn != 46 {
		t.Errorf("location %+v", l)
	}
	if f.Title != "Generic API Key" || strings.Join(f.Tags, ",") != "commit:69235ea9ea4d59e18e2cc3c295526de46aa1365c1f0c7a95a22ff1537acdf517" {
		t.Errorf("title %q tags %v", f.Title, f.Tags)
	}
	for _, f := range doc.Findings {
		if f.RuleID == "RSA-PK" && strings.Join(f.Tags, ",") != "tag1,tag2" {
			t.Errorf("RSA-PK tags %v", f.Tags)
		}
	}

	_, doc, err = ingestBytes(t, readCorpus(t, "gitleaks-v7-redacted.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	f = &doc.Findings[0]
	if !contains(f.Tags, "AWS") || !contains(f.Tags, "key") || f.Title != "AWS Access Key" {
		t.Errorf("v7 finding %+v", f)
	}
}

// TestRedacted checks that no secret, matched line or commit message of a
// corpus report reaches the document.
func TestRedacted(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus, "gitleaks", "gitleaks-v*.json"))
	if len(files) != 4 {
		t.Fatalf("%d report files", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, doc, err := ingestBytes(t, data, false)
			if err != nil {
				t.Fatal(err)
			}
			out, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			// encoding/json escapes <, > and & in strings: compare with
			// the values escaped the same way.
			var leaks []map[string]any
			if err := json.Unmarshal(data, &leaks); err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, l := range leaks {
				for _, key := range []string{"Secret", "Match", "Message", "offender", "line", "commitMessage"} {
					v, _ := l[key].(string)
					if v = strings.TrimSpace(v); len(v) < 8 || v == "REDACTED" {
						continue
					}
					enc, _ := json.Marshal(v)
					needle := strings.Trim(string(enc), `"`)
					if strings.Contains(string(out), needle) {
						t.Errorf("%s %q is in the document", key, v)
					}
					checked++
				}
			}
			if checked == 0 {
				t.Error("nothing checked")
			}
		})
	}
	// The values the brief names explicitly.
	for _, secret := range []string{"secretAWSsecret", "dfjksdjfs3294dfjlsdaf213", "AKIAIOSFODNN7EXAMPLE", "BEGIN OPENSSH PRIVATE KEY"} {
		for _, name := range []string{"gitleaks-v8-4-findings.json", "gitleaks-v7.5-8-leaks.json"} {
			_, doc, err := ingestBytes(t, readCorpus(t, name), false)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(doc)
			if strings.Contains(string(out), secret) {
				t.Errorf("%s: %q is in the document", name, secret)
			}
		}
	}
}

func TestEdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		forced bool
		want   func(t *testing.T, doc *document.Document)
	}{
		{"null with space", " null \n", false, func(t *testing.T, doc *document.Document) {
			if len(doc.Findings) != 0 {
				t.Errorf("%d findings", len(doc.Findings))
			}
		}},
		{"forced empty array", "[]", true, func(t *testing.T, doc *document.Document) {
			if len(doc.Findings) != 0 {
				t.Errorf("%d findings", len(doc.Findings))
			}
		}},
		{"no rule, multi-line, link", `[{"RuleID": "", "File": "a\\b.txt", "StartLine": 3, "EndLine": 5, "Secret": "zzzzzzzzzzzz",
			"Link": "https://github.com/o/r/blob/abc/a/b.txt#L3-L5", "Tags": null}, null]`, false,
			func(t *testing.T, doc *document.Document) {
				f := doc.Findings[0]
				if len(doc.Findings) != 1 || f.RuleID != fallbackRule || f.Location.Path != "a/b.txt" || f.Location.EndLine != 5 ||
					len(f.References) != 1 || len(f.Tags) != 0 {
					t.Errorf("finding %+v", f)
				}
			}},
		{"v7 with array tags", `[{"rule": "Slack", "offender": "xoxb-1234567890", "lineNumber": -1, "file": "s.env", "tags": ["slack"], "leakURL": "https://x/y"}]`, false,
			func(t *testing.T, doc *document.Document) {
				f := doc.Findings[0]
				if f.RuleID != "Slack" || f.Location.StartLine != 0 || strings.Join(f.Tags, ",") != "slack" || f.References[0] != "https://x/y" {
					t.Errorf("finding %+v", f)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc, err := ingestBytes(t, []byte(tt.data), tt.forced)
			if err != nil {
				t.Fatal(err)
			}
			tt.want(t, doc)
		})
	}
}

func TestErrors(t *testing.T) {
	_, _, err := ingestBytes(t, []byte("[{\"RuleID\": \"x\",\n\"StartLine\": \"1\"}]"), false)
	if err == nil || !strings.Contains(err.Error(), "line 2, column") {
		t.Errorf("err = %v", err)
	}
}

// TestDetect checks that only Gitleaks' corpus files are claimed, and not
// its empty array.
func TestDetect(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpus, "*", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v", err)
	}
	in := New()
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := sniff.New(path, data)
		if err != nil {
			continue
		}
		ok, err := in.Detect(f)
		mine := filepath.Base(filepath.Dir(path)) == "gitleaks" && filepath.Base(path) != "gitleaks-empty-array.json"
		if ok != mine || err != nil {
			t.Errorf("%s: Detect = %v, %v; want %v", path, ok, err, mine)
		}
	}
	for _, s := range []string{"nullx", "'null'", "[null]", `{"null": 1}`} {
		f, err := sniff.New("x", []byte(s))
		if err != nil {
			continue
		}
		if ok, _ := in.Detect(f); ok {
			t.Errorf("claimed %q", s)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func FuzzIngest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpus, "gitleaks", "*"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 32<<10 {
			data = data[:32<<10]
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte(`[{"rule": "", "lineNumber": 1, "tags": 5}, {"RuleID": "r", "tags": "a,,b"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := sniff.New("x", data)
		if err != nil {
			return
		}
		in := New()
		if _, err := in.Detect(sf); err != nil {
			return
		}
		// Ingest is also called on forced input, detected or not.
		rep, err := in.Ingest(sf)
		if err != nil {
			if rep != nil {
				t.Fatal("a report with an error")
			}
			return
		}
		doc := document.New()
		doc.Add(document.Source{Path: "x", Format: "gitleaks", SHA256: strings.Repeat("0", 64)}, rep)
		doc.Finish()
		if err := doc.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
	})
}
