package bundles

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/secgate/secgate/internal/safefile"
)

// Save copies a fetched source into dir, as `secgate pull` does: a bundle
// archive or a single file is saved as it is (dir/NAME), a folder's
// content is copied into dir (its .git folder aside). Symlinks are
// refused, in the source (but for a local folder's links to files inside
// it, copied as files) and in dir: nothing is written through a symlink
// found in dir (every file is written beside its destination and renamed
// into place). It returns the path written: the file, or dir.
func Save(f *Fetched, dir string) (string, error) {
	if f.Kind == KindEmbedded {
		return "", fmt.Errorf("policy %s: embedded policies are not pulled", f.Address)
	}
	if err := safefile.Dir(dir); err != nil {
		return "", err
	}
	if f.Kind != KindFolder {
		dst := filepath.Join(dir, filepath.Base(f.Path))
		if err := copyFile(f.Path, dst); err != nil {
			return "", fmt.Errorf("policy %s: %w", f.Address, err)
		}
		return dst, nil
	}
	realRoot, err := filepath.EvalSymlinks(f.Path)
	if err != nil {
		return "", fmt.Errorf("policy %s: %w", f.Address, err)
	}
	err = filepath.WalkDir(f.Path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(f.Path, p)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && d.Name() == ".git":
			return filepath.SkipDir
		case d.Type()&fs.ModeSymlink != 0:
			// A local folder's link to a file inside it (Fetch refused
			// any other) is saved as a copy of that file.
			if !f.Remote {
				if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && linksInside(realRoot, p) {
					return copyFile(p, filepath.Join(dir, rel))
				}
				return fmt.Errorf("%w: %s is a symlink out of the folder, to a folder, or to nothing; pull copies files only", ErrUnsafeLink, filepath.ToSlash(rel))
			}
			return fmt.Errorf("%w: %s is a symlink", ErrUnsafeArchive, filepath.ToSlash(rel))
		case d.IsDir():
			return safefile.Dir(filepath.Join(dir, rel))
		case d.Type().IsRegular():
			return copyFile(p, filepath.Join(dir, rel))
		}
		return nil // sockets, devices: not policy
	})
	if err != nil {
		return "", fmt.Errorf("policy %s: %w", f.Address, err)
	}
	return dir, nil
}

// copyFile copies a regular file, replacing dst (unless it is a symlink).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return safefile.Copy(dst, in, 0o644)
}
