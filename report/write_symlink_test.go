package report_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/secgate/secgate/internal/safefile"
	"github.com/secgate/secgate/report"
)

// TestOutputPathPlantedSymlinkRefused: -o FMT=PATH with PATH a symlink made
// beforehand must not overwrite what it points to, in any format.
func TestOutputPathPlantedSymlinkRefused(t *testing.T) {
	r := result(t, corpus("gitleaks/gitleaks-v8-4-findings.json"))
	for _, format := range []string{"json", "sarif", "junit", "markdown", "table", "github"} {
		t.Run(format, func(t *testing.T) {
			root := t.TempDir()
			target := filepath.Join(root, "outside-target")
			if err := os.WriteFile(target, []byte("ORIGINAL"), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(root, "out", "report")
			if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, out); err != nil {
				t.Fatal(err)
			}
			outs, err := report.ParseOutputs([]string{format + "=" + out}, report.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := report.WriteAll(outs, r, nil); !errors.Is(err, safefile.ErrSymlink) {
				t.Fatalf("WriteAll = %v, want a refused symlink", err)
			}
			if got, _ := os.ReadFile(target); string(got) != "ORIGINAL" {
				t.Fatalf("the planted symlink's target was written: %.40q", got)
			}
		})
	}
}

// TestOutputFolderPlantedSymlinkRefused: -o json=out/r.json with out a
// symlink planted beforehand (in the checkout a pull request controls)
// must not write into the folder it points to.
func TestOutputFolderPlantedSymlinkRefused(t *testing.T) {
	r := result(t, corpus("gitleaks/gitleaks-v8-4-findings.json"))
	root := t.TempDir()
	outside := filepath.Join(root, "outside")
	if err := os.Mkdir(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(outside, "r.json")
	if err := os.WriteFile(target, []byte("ORIGINAL"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "out")); err != nil {
		t.Fatal(err)
	}
	outs, err := report.ParseOutputs([]string{"json=" + filepath.Join(root, "out", "r.json")}, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteAll(outs, r, nil); !errors.Is(err, safefile.ErrSymlink) {
		t.Fatalf("WriteAll = %v, want a refused symlink", err)
	}
	if got, _ := os.ReadFile(target); string(got) != "ORIGINAL" {
		t.Fatalf("the file in the planted folder was written: %.40q", got)
	}
}
