package tickets

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/secgate/secgate/internal/safefile"
)

// plantTarget makes a file outside the tickets folder and returns it.
func plantTarget(t *testing.T, root string) string {
	t.Helper()
	target := filepath.Join(root, "outside-target")
	if err := os.WriteFile(target, []byte("ORIGINAL"), 0o644); err != nil {
		t.Fatal(err)
	}
	return target
}

func assertOriginal(t *testing.T, target string) {
	t.Helper()
	if got, err := os.ReadFile(target); err != nil || string(got) != "ORIGINAL" {
		t.Fatalf("the planted symlink's target was written: %q, %v", got, err)
	}
}

// TestTicketsJSONPlantedSymlinkRefused: --tickets DIR with DIR/tickets.json
// a symlink made beforehand must not overwrite what it points to.
func TestTicketsJSONPlantedSymlinkRefused(t *testing.T) {
	root := t.TempDir()
	target := plantTarget(t, root)
	dir := filepath.Join(root, "tickets")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, JSONFile)); err != nil {
		t.Fatal(err)
	}
	err := WriteDir(dir, fixture().build(Options{Now: testNow}))
	if !errors.Is(err, safefile.ErrSymlink) {
		t.Fatalf("WriteDir = %v, want a refused symlink", err)
	}
	assertOriginal(t, target)
}

// TestTicketMarkdownPlantedSymlinkRefused: a ticket's Markdown file planted
// as a symlink is refused too.
func TestTicketMarkdownPlantedSymlinkRefused(t *testing.T) {
	root := t.TempDir()
	target := plantTarget(t, root)
	dir := filepath.Join(root, "tickets")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ts := fixture().build(Options{Now: testNow})
	if len(ts) == 0 {
		t.Fatal("the fixture has no tickets")
	}
	if err := os.Symlink(target, filepath.Join(dir, FileName(ts[len(ts)-1]))); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(dir, ts); !errors.Is(err, safefile.ErrSymlink) {
		t.Fatalf("WriteDir = %v, want a refused symlink", err)
	}
	assertOriginal(t, target)
}

// TestTicketsDirSymlinkRefused: DIR itself a symlink to another folder is
// refused; nothing is written there.
func TestTicketsDirSymlinkRefused(t *testing.T) {
	root := t.TempDir()
	elsewhere := filepath.Join(root, "elsewhere")
	if err := os.Mkdir(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "tickets")
	if err := os.Symlink(elsewhere, dir); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(dir, fixture().build(Options{Now: testNow})); !errors.Is(err, safefile.ErrSymlink) {
		t.Fatalf("WriteDir = %v, want a refused symlink", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Fatalf("written through the linked folder: %v", entries)
	}
}
