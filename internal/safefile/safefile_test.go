package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// plant makes dir/outside/target holding "ORIGINAL" and returns its path.
func plant(t *testing.T, dir string) string {
	t.Helper()
	outside := filepath.Join(dir, "outside")
	if err := os.Mkdir(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(outside, "target")
	if err := os.WriteFile(target, []byte("ORIGINAL"), 0o644); err != nil {
		t.Fatal(err)
	}
	return target
}

func assertUntouched(t *testing.T, target string) {
	t.Helper()
	got, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "ORIGINAL" {
		t.Fatalf("the symlink's target was overwritten: %q", got)
	}
}

func TestWriteRefusesPlantedSymlink(t *testing.T) {
	dir := t.TempDir()
	target := plant(t, dir)
	link := filepath.Join(dir, "out.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	err := Write(link, []byte("NEW"), 0o644)
	if !errors.Is(err, ErrSymlink) {
		t.Fatalf("err = %v, want ErrSymlink", err)
	}
	assertUntouched(t, target)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp-*"))
	if len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestCommitReplacesLinkPlantedAfterCreate(t *testing.T) {
	dir := t.TempDir()
	target := plant(t, dir)
	name := filepath.Join(dir, "out.json")
	f, err := Create(name, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	f.Write([]byte("NEW"))
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); !errors.Is(err, ErrSymlink) {
		t.Fatalf("err = %v, want ErrSymlink", err)
	}
	assertUntouched(t, target)
}

func TestWriteReplacesFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.json")
	if err := os.WriteFile(name, []byte("OLD CONTENT, LONGER"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(name, []byte("NEW"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(name)
	fi, _ := os.Stat(name)
	if string(got) != "NEW" || fi.Mode().Perm() != 0o644 {
		t.Fatalf("got %q mode %v", got, fi.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("folder holds %d entries, want 1", len(entries))
	}
}

func TestDirRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	plant(t, dir)
	link := filepath.Join(dir, "tickets")
	if err := os.Symlink(filepath.Join(dir, "outside"), link); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{link, link + "/"} {
		if err := Dir(name); !errors.Is(err, ErrSymlink) {
			t.Errorf("Dir(%s) = %v, want ErrSymlink", name, err)
		}
	}
	if err := Dir(filepath.Join(dir, "a", "b")); err != nil {
		t.Fatal(err)
	}
}
