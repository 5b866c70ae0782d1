package enrich

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestEPSSGzipBombAllocatesAboutTheLimit: a small .gz that unpacks past
// MaxSize is refused having held about MaxSize, not the 2 to 4 times
// io.ReadAll's growing buffer took.
func TestEPSSGzipBombAllocatesAboutTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("unpacks 256 MiB")
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 1<<20)
	for range MaxSize>>20 + 1 {
		zw.Write(block)
	}
	zw.Close()
	path := filepath.Join(t.TempDir(), "epss.csv.gz")
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	gz = bytes.Buffer{}

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = LoadEPSS(context.Background(), path, Options{})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.HasSuffix(err.Error(), "more than 268435456 bytes uncompressed") {
		t.Fatalf("err = %v, want more than MaxSize uncompressed", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > MaxSize+MaxSize/4 {
		t.Errorf("allocated %d MiB unpacking past a limit of %d MiB", alloc>>20, MaxSize>>20)
	}
}
