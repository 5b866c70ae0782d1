package ingest_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/ingest"
)

// tree makes files (path: content) and links (path: target) under a
// temporary folder and returns it.
func tree(t *testing.T, files, links map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for p, target := range links {
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.FromSlash(target), p); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	return root
}

// relAll returns paths relative to root, with /.
func relAll(t *testing.T, root string, paths []string) []string {
	t.Helper()
	var out []string
	for _, p := range paths {
		r, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func TestFolderWalk(t *testing.T) {
	root := tree(t, map[string]string{
		"a.json":                 "{}",
		"sub/deeper/grype.json":  "{}",
		".grype.json":            "{}",
		".hidden/trivy.json":     "{}",
		".git/config.json":       "{}",
		".git/objects/x.json":    "{}",
		"README.md":              "# reports",
		".gitkeep":               "",
		"sub/.DS_Store":          "\x00\x00\x00\x01Bud1",
		"LICENSE":                "MIT",
		"notes/summary.TXT":      "text",
		"elsewhere/linked.json":  "{}",
		"elsewhere/more/x.sarif": "{}",
	}, map[string]string{
		"link.json":           "elsewhere/linked.json",
		"linkdir":             "elsewhere/more",
		"elsewhere/more/loop": ".",
		"elsewhere/more/up":   "../..",
	})
	exp, err := ingest.Expand([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".grype.json", ".hidden/trivy.json", "a.json",
		"elsewhere/linked.json", "elsewhere/more/x.sarif", "link.json",
		"sub/deeper/grype.json"}
	if got := relAll(t, root, exp.Reports); !slices.Equal(got, want) {
		t.Errorf("reports\n got %q\nwant %q", got, want)
	}
	var skipped []string
	for _, s := range exp.Skipped {
		skipped = append(skipped, s.String())
	}
	wantSkipped := []string{
		filepath.Join(root, ".gitkeep") + " (not a report by its name)",
		filepath.Join(root, "LICENSE") + " (not a report by its name)",
		filepath.Join(root, "README.md") + " (not a report by its extension)",
		filepath.Join(root, "notes", "summary.TXT") + " (not a report by its extension)",
		filepath.Join(root, "sub", ".DS_Store") + " (not a report by its name)",
	}
	if !slices.Equal(skipped, wantSkipped) {
		t.Errorf("skipped\n got %q\nwant %q", skipped, wantSkipped)
	}
}

// TestFolderReportInSubfolder: a report one folder down was left out.
func TestFolderReportInSubfolder(t *testing.T) {
	root := tree(t, map[string]string{"top.json": "{}", "image/grype.json": "{}"}, nil)
	exp, err := ingest.Expand([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := relAll(t, root, exp.Reports); !slices.Equal(got, []string{"image/grype.json", "top.json"}) {
		t.Errorf("reports %q", got)
	}
}

// TestFolderSymlinkLoop: a link to a folder above ends, each folder read once.
func TestFolderSymlinkLoop(t *testing.T) {
	root := tree(t, map[string]string{"a/r.json": "{}"}, map[string]string{"a/self": ".", "a/root": "..", "b": "a"})
	exp, err := ingest.Expand([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := relAll(t, root, exp.Reports); !slices.Equal(got, []string{"a/r.json"}) {
		t.Errorf("reports %q", got)
	}
}

func TestFolderExclude(t *testing.T) {
	files := map[string]string{
		"a.json":              "{}",
		"a.json.sig.json":     "{}",
		"old/b.json":          "{}",
		"old/deep/c.json":     "{}",
		"new/tmp-d.json":      "{}",
		"new/deep/tmp-e.json": "{}",
		"new/f.json":          "{}",
	}
	tests := []struct {
		exclude []string
		want    []string
	}{
		{nil, []string{"a.json", "a.json.sig.json", "new/deep/tmp-e.json", "new/f.json", "new/tmp-d.json", "old/b.json", "old/deep/c.json"}},
		{[]string{"old"}, []string{"a.json", "a.json.sig.json", "new/deep/tmp-e.json", "new/f.json", "new/tmp-d.json"}},
		{[]string{"old/**"}, []string{"a.json", "a.json.sig.json", "new/deep/tmp-e.json", "new/f.json", "new/tmp-d.json"}},
		{[]string{"old/*"}, []string{"a.json", "a.json.sig.json", "new/deep/tmp-e.json", "new/f.json", "new/tmp-d.json"}},
		{[]string{"**/tmp-*.json"}, []string{"a.json", "a.json.sig.json", "new/f.json", "old/b.json", "old/deep/c.json"}},
		{[]string{"new/tmp-*.json"}, []string{"a.json", "a.json.sig.json", "new/deep/tmp-e.json", "new/f.json", "old/b.json", "old/deep/c.json"}},
		{[]string{"tmp-*", "*.sig.json"}, []string{"a.json", "new/f.json", "old/b.json", "old/deep/c.json"}},
		{[]string{"./old/"}, []string{"a.json", "a.json.sig.json", "new/deep/tmp-e.json", "new/f.json", "new/tmp-d.json"}},
		{[]string{"**/deep/**"}, []string{"a.json", "a.json.sig.json", "new/f.json", "new/tmp-d.json", "old/b.json"}},
	}
	root := tree(t, files, nil)
	for _, tt := range tests {
		t.Run(strings.Join(tt.exclude, ","), func(t *testing.T) {
			exp, err := ingest.Expand([]string{root}, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			if got := relAll(t, root, exp.Reports); !slices.Equal(got, tt.want) {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFolderErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		links   map[string]string
		exclude []string
		want    string
	}{
		{"only documentation", map[string]string{"README.md": "x", "notes.txt": "x"}, nil, nil, "the folder holds no reports, only files skipped by their name: "},
		{"empty", nil, nil, nil, "the folder holds no reports"},
		{"everything excluded", map[string]string{"a.json": "{}"}, nil, []string{"*.json"}, "the folder holds no reports"},
		{"broken link", map[string]string{"a.json": "{}"}, map[string]string{"b.json": "gone.json"}, nil, "b.json: broken symbolic link"},
		{"bad glob", map[string]string{"a.json": "{}"}, nil, []string{"[a-"}, "bad --exclude pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tree(t, tt.files, tt.links)
			_, err := ingest.Expand([]string{root}, tt.exclude)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if tt.name == "bad glob" && !errors.Is(err, ingest.ErrBadExclude) {
				t.Errorf("err = %v, want ErrBadExclude", err)
			}
		})
	}
}

// TestFileArgumentsPassUnchanged: a file named on the command line is
// read whatever its extension; FORMAT:PATH, - and missing paths pass.
func TestFileArgumentsPassUnchanged(t *testing.T) {
	root := tree(t, map[string]string{"report.txt": "{}"}, nil)
	args := []string{filepath.Join(root, "report.txt"), "trivy:" + root, "-", filepath.Join(root, "missing.json")}
	exp, err := ingest.Expand(args, []string{"*.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(exp.Reports, args) || len(exp.Skipped) != 0 {
		t.Errorf("%+v", exp)
	}
}

// TestFolderDotFileReport: a report named .grype.json was left out.
func TestFolderDotFileReport(t *testing.T) {
	root := tree(t, map[string]string{"a.json": "{}", ".grype.json": "{}"}, nil)
	exp, err := ingest.Expand([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := relAll(t, root, exp.Reports); !slices.Equal(got, []string{".grype.json", "a.json"}) {
		t.Errorf("reports %q", got)
	}
}

// TestFolderSymlinkedReport: a link to a report elsewhere was left out.
func TestFolderSymlinkedReport(t *testing.T) {
	root := tree(t, map[string]string{"reports/a.json": "{}", "scans/grype.json": "{}"},
		map[string]string{"reports/grype.json": "../scans/grype.json"})
	exp, err := ingest.Expand([]string{filepath.Join(root, "reports")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := relAll(t, root, exp.Reports); !slices.Equal(got, []string{"reports/a.json", "reports/grype.json"}) {
		t.Errorf("reports %q", got)
	}
}

// TestFolderReadmeBesideReports: a README.md beside the reports was read
// as a report, an error for the whole gate; it is skipped and listed.
func TestFolderReadmeBesideReports(t *testing.T) {
	root := tree(t, map[string]string{"grype.json": "{}", "README.md": "# reports"}, nil)
	exp, err := ingest.Expand([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := relAll(t, root, exp.Reports); !slices.Equal(got, []string{"grype.json"}) {
		t.Errorf("reports %q", got)
	}
	want := []ingest.Skipped{{Path: filepath.Join(root, "README.md"), Reason: "not a report by its extension"}}
	if !slices.Equal(exp.Skipped, want) {
		t.Errorf("skipped %+v", exp.Skipped)
	}
}
