package limitread

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// endless is an unbounded stream of 'x' that counts the bytes read from it.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.read += int64(len(p))
	return len(p), nil
}

// TestReadReadsNoMoreThanLimitPlusOne: Read takes at most
// limit+1 bytes from its reader, whatever the reader holds, and returns a
// stream within the limit whole.
func TestReadReadsNoMoreThanLimitPlusOne(t *testing.T) {
	for _, limit := range []int64{1, 1000, firstChunk, firstChunk + 1, 3*maxChunk + 7} {
		src := &endless{}
		data, err := Read(src, limit, 0)
		if !errors.Is(err, ErrTooLarge) || data != nil {
			t.Errorf("limit %d: got %d bytes, err %v; want ErrTooLarge", limit, len(data), err)
		}
		if src.read != limit+1 {
			t.Errorf("limit %d: read %d bytes, want limit+1", limit, src.read)
		}
	}
}

func TestReadWithinLimit(t *testing.T) {
	const limit = 3*maxChunk + 7
	for _, tc := range []struct {
		name       string
		size, hint int64
	}{
		{"empty", 0, 0},
		{"one byte", 1, 0},
		{"one chunk", firstChunk, 0},
		{"chunk and a byte", firstChunk + 1, 0},
		{"many chunks", 2*maxChunk + 3, 0},
		{"at the limit", limit, 0},
		{"size known", 5000, 5000},
		{"file grew", 9000, 5000},
		{"file shrank", 100, 5000},
		{"file grew past the limit", limit + 1, 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := make([]byte, tc.size)
			for i := range want {
				want[i] = byte(i * 7)
			}
			data, err := Read(bytes.NewReader(want), limit, tc.hint)
			if tc.size > limit {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("err = %v, want ErrTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if data == nil || !bytes.Equal(data, want) {
				t.Errorf("got %d bytes, want the %d given", len(data), len(want))
			}
		})
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		1: "1", 1000: "1000", 1 << 10: "1KiB", 1536: "1536", 256 << 20: "256MiB", 2 << 30: "2GiB", 3<<20 + 1<<10: "3073KiB",
	} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestFileOfUnknownSizeStopsAtLimit: a device or FIFO says size 0; File
// reads it only up to the limit.
func TestFileOfUnknownSizeStopsAtLimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := File("/dev/zero", 1<<20)
	var se *SizeError
	if !errors.As(err, &se) || se.Limit != 1<<20 || se.Size != 0 || err.Error() != "larger than 1MiB" {
		t.Fatalf("err = %v, want larger than 1MiB", err)
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := File(path, 5); err != nil || string(data) != "hello" {
		t.Errorf("File at the limit = %q, %v", data, err)
	}
	_, err := File(path, 4)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "larger than 4 (5 bytes)" {
		t.Errorf("File over the limit: err = %v", err)
	}
	if _, err := File(dir, 4); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("File of a folder: err = %v, want EISDIR", err)
	}
	var pe *os.PathError
	if _, err := File(filepath.Join(dir, "missing"), 4); !errors.As(err, &pe) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("File of a missing file: err = %v", err)
	}
}
