package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/secgate/secgate/internal/limitread"
)

// TestConfigOverMaxFileSizeRefused: a secgate.yaml over MaxFileSize is
// refused from its size, unread, in one line naming it.
func TestConfigOverMaxFileSizeRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), DefaultFile)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk taken.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(path)
	if !errors.Is(err, limitread.ErrTooLarge) {
		t.Fatalf("err = %v, want too large", err)
	}
	if want := path + ": larger than 16MiB (16777217 bytes)"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestReadDataFileOverMaxDataFileSizeRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.json")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, MaxDataFileSize+1); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDataFile(path); !errors.Is(err, limitread.ErrTooLarge) || err.Error() != "larger than 64MiB (67108865 bytes)" {
		t.Errorf("err = %v, want larger than 64MiB", err)
	}
}
