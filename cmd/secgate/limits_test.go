package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/secgate/secgate/config"
)

// TestDataFileOverLimitRefused: a policy data file (-d) over
// config.MaxDataFileSize is refused in one line, unread; it was read
// whole, whatever its size (a symlink to /dev/zero never ended).
func TestDataFileOverLimitRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.json")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, config.MaxDataFileSize+1); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	_, err = policyData(policyOptions{Config: cfg, DataFiles: []string{path}})
	if want := "data " + path + ": larger than 64MiB (67108865 bytes)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

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
