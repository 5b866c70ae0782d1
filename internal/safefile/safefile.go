// Package safefile writes files so that nothing is written through a
// symlink planted beforehand: every file secgate writes goes to a new
// temporary file in the destination's folder and is renamed into place, and
// a destination (file or folder) that is a symlink is refused.
//
// A rename replaces a name, never what a symlink at that name points to, so
// even a symlink planted between the check and the rename is replaced, not
// followed. The check exists to say so in one line instead of silently
// removing a link someone made on purpose.
//
// A destination that is a device or a named pipe (/dev/null, a FIFO a
// pipeline reads) is written in place: renaming over it would replace the
// device with a plain file, for every process on the machine.
package safefile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrSymlink says a destination is a symlink; secgate does not write
// through or replace one.
var ErrSymlink = errors.New("is a symlink; secgate does not write through or replace one (remove it, or name another path)")

// errReplaced says a device or pipe destination was replaced between its
// check and its opening.
var errReplaced = errors.New("was replaced while secgate opened it; nothing was written")

// Error names the destination that was refused.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return e.Path + " " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// File is a file being written; its content appears at its name only when
// Commit succeeds.
type File struct {
	f    *os.File
	name string
	perm fs.FileMode
	done bool
	// inPlace: name is a device or a named pipe, written directly.
	inPlace bool
}

// special are the kinds of file written in place rather than replaced.
const special = fs.ModeDevice | fs.ModeCharDevice | fs.ModeNamedPipe | fs.ModeSocket

// Create starts writing name: it refuses a name that is a symlink, and
// opens a new temporary file beside it. The folder must exist (see Dir).
// A name that is a device or a named pipe is opened for writing instead.
func Create(name string, perm fs.FileMode) (*File, error) {
	if err := notSymlink(name); err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(filepath.Clean(name)); err == nil && fi.Mode()&special != 0 {
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		// A symlink planted since the Lstat leads elsewhere: refused.
		if opened, err := f.Stat(); err != nil || !os.SameFile(fi, opened) {
			f.Close()
			return nil, &Error{Path: name, Err: errReplaced}
		}
		return &File{f: f, name: name, inPlace: true}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &File{f: f, name: name, perm: perm}, nil
}

// Write writes to the temporary file.
func (w *File) Write(p []byte) (int, error) { return w.f.Write(p) }

// Commit closes the temporary file and renames it to the name given to
// Create, refusing once more if that name has become a symlink.
func (w *File) Commit() error {
	if w.done {
		return errors.New("safefile: already committed or aborted")
	}
	w.done = true
	if w.inPlace {
		return w.f.Close()
	}
	tmp := w.f.Name()
	err := w.f.Close()
	if err == nil {
		err = os.Chmod(tmp, w.perm)
	}
	if err == nil {
		err = notSymlink(w.name)
	}
	if err == nil {
		err = os.Rename(tmp, w.name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Abort drops the temporary file; the destination is left as it was. It
// does nothing after Commit, so it can be deferred.
func (w *File) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	if !w.inPlace {
		os.Remove(w.f.Name())
	}
}

// Write writes data to name (through a temporary file renamed into place),
// refusing a name that is a symlink.
func Write(name string, data []byte, perm fs.FileMode) error {
	f, err := Create(name, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// Copy writes what r reads to name, as Write does.
func Copy(name string, r io.Reader, perm fs.FileMode) error {
	f, err := Create(name, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := io.Copy(f, r); err != nil {
		return err
	}
	return f.Commit()
}

// Dir makes the folder dir (and its parents) if needed, and refuses it if
// dir itself is a symlink: a folder secgate fills (tickets, a pulled
// policy tree) must be the folder named, not one a link leads to.
func Dir(dir string) error {
	if err := notSymlink(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// MkdirAll succeeds on an existing symlink to a folder made since.
	return notSymlink(dir)
}

// notSymlink refuses a path that is a symlink; a missing path is fine.
func notSymlink(name string) error {
	// Cleaned: Lstat("link/") would follow the link.
	fi, err := os.Lstat(filepath.Clean(name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return &Error{Path: name, Err: ErrSymlink}
	}
	return nil
}
