package gate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/gate"
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
	_, err = gate.PolicyData(gate.Policy{Config: cfg, DataFiles: []string{path}})
	if want := "data " + path + ": larger than 64MiB (67108865 bytes)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
