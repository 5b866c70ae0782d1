package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestKeyFileOverLimitRefused: a verification key (a path in secgate.yaml
// can name it) over maxKeyFile is refused in one line, unread.
func TestKeyFileOverLimitRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, maxKeyFile+1); err != nil {
		t.Fatal(err)
	}
	_, err := readVerifyOptions(path, "", "--verification-key")
	if want := "--verification-key " + path + ": larger than 1MiB (1048577 bytes)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	missing := filepath.Join(t.TempDir(), "none.pem")
	_, err = readVerifyOptions(missing, "", "--verification-key")
	if want := "--verification-key " + missing + ": no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
