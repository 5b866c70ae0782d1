package bundles

import (
	"crypto/elliptic"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/secgate/secgate/internal/limitread"
)

// TestClaimsFileOverLimitRefused: --claims-file over maxClaimsFile is
// refused, unread; it was read whole, whatever its size.
func TestClaimsFileOverLimitRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "claims.json")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, maxClaimsFile+1); err != nil {
		t.Fatal(err)
	}
	_, err := signingConfig(ecKey(t, elliptic.P256()).private, "", path)
	if !errors.Is(err, limitread.ErrTooLarge) || err.Error() != "claims file "+path+": larger than 1MiB (1048577 bytes)" {
		t.Errorf("err = %v, want claims file: larger than 1MiB", err)
	}
}
