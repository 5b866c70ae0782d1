package config

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// A loaded file carries the digest of its bytes; the defaults carry none.
func TestLoadRecordsDigest(t *testing.T) {
	path := filepath.Join("..", "examples", "secgate.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if want := hex.EncodeToString(sum[:]); c.SHA256 != want {
		t.Errorf("SHA256 = %q, want %q", c.SHA256, want)
	}
	d, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	if d.SHA256 != "" || d.Path != "" {
		t.Errorf("defaults: Path %q SHA256 %q, want none", d.Path, d.SHA256)
	}
}
