//go:build unix

package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/secgate/secgate/internal/limitread"
)

// TestConfigFromFIFOStopsAtLimit: a secgate.yaml that is a FIFO (or a
// symlink to /dev/zero, which the repository under test can plant) has no
// size to check; it is read only up to MaxFileSize, then refused. It was
// read to its end: forever, for /dev/zero.
func TestConfigFromFIFOStopsAtLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), DefaultFile)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		// Blank YAML, one byte over the limit; the writer stops at a
		// broken pipe once the reader has had enough.
		block := bytes.Repeat([]byte("\n"), 1<<20)
		for left := MaxFileSize + 1; left > 0; {
			n := min(left, int64(len(block)))
			if _, err := w.Write(block[:n]); err != nil {
				return
			}
			left -= n
		}
	}()
	_, err := Load(path)
	<-done
	if !errors.Is(err, limitread.ErrTooLarge) {
		t.Fatalf("err = %v, want too large", err)
	}
	if want := path + ": larger than 16MiB"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}
