package gitleaks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New(), Dir: "gitleaks"}

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
			rep, doc, err := h.Run(t, h.Corpus(t, tt.file), !tt.detected)
			if err != nil {
				t.Fatal(err)
			}
			f, _ := sniff.New("x", h.Corpus(t, tt.file))
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
			if want := countCommits(t, h.Corpus(t, tt.file)); commits != want {
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
	_, doc, err := h.Bytes(t, h.Corpus(t, "gitleaks-v8-4-findings.json"))
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

	_, doc, err = h.Bytes(t, h.Corpus(t, "gitleaks-v7-redacted.json"))
	if err != nil {
		t.Fatal(err)
	}
	f = &doc.Findings[0]
	if !slices.Contains(f.Tags, "AWS") || !slices.Contains(f.Tags, "key") || f.Title != "AWS Access Key" {
		t.Errorf("v7 finding %+v", f)
	}
}

// TestRedacted checks that no secret, matched line or commit message of a
// corpus report reaches the document.
func TestRedacted(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(ingesttest.CorpusDir, "gitleaks", "gitleaks-v*.json"))
	if len(files) != 4 {
		t.Fatalf("%d report files", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, doc, err := h.Bytes(t, data)
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
			_, doc, err := h.Bytes(t, h.Corpus(t, name))
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
			_, doc, err := h.Run(t, []byte(tt.data), tt.forced)
			if err != nil {
				t.Fatal(err)
			}
			tt.want(t, doc)
		})
	}
}

func TestErrors(t *testing.T) {
	_, _, err := h.Bytes(t, []byte("[{\"RuleID\": \"x\",\n\"StartLine\": \"1\"}]"))
	if err == nil || !strings.Contains(err.Error(), "line 2, column") {
		t.Errorf("err = %v", err)
	}
}

// TestDetect checks that only Gitleaks' corpus files are claimed, and not
// its empty array.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaims(t, in, ingesttest.Claims{Folders: []string{"gitleaks"}, Except: []string{"gitleaks-empty-array.json"}})
	ingesttest.AssertNotClaimed(t, in, "nullx", "'null'", "[null]", `{"null": 1}`)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 32<<10, "gitleaks")
	f.Add([]byte(`[{"rule": "", "lineNumber": 1, "tags": 5}, {"RuleID": "r", "tags": "a,,b"}]`))
	// Ingest is also called on forced input, detected or not.
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{Forced: true})
}
