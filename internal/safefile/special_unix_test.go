//go:build unix

package safefile

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A named pipe (as /dev/null, a device) is written in place: a rename over
// it would leave a plain file where every other process expects the pipe.
func TestWriteKeepsNamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "out.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	// The reader opens first (without blocking), so the writer's open
	// finds it; the report fits in the pipe's buffer.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := Write(fifo, []byte(`{"decision":"fail"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(fifo)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("%s is now %v, want the named pipe it was", fifo, fi.Mode())
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"decision":"fail"}` {
		t.Errorf("the pipe's reader got %q", got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(fifo), ".*tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}
