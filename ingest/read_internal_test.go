package ingest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// TestStdinPastMaxFileSizeStopsAtLimit: a report piped on standard input
// past --max-file-size fails with one line, having allocated about the
// limit, not the 4 times it took when the buffer doubled as it grew.
func TestStdinPastMaxFileSizeStopsAtLimit(t *testing.T) {
	const limit = 8 << 20
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin := os.Stdin
	os.Stdin = pr
	t.Cleanup(func() { os.Stdin = stdin })
	written := make(chan int64, 1)
	go func() {
		// Writes until the reading end is closed: the stream never ends.
		block := bytes.Repeat([]byte("x"), 64<<10)
		var n int64
		for {
			m, err := pw.Write(block)
			n += int64(m)
			if err != nil {
				pw.Close()
				written <- n
				return
			}
		}
	}()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	data, err := readBounded("-", limit)
	runtime.ReadMemStats(&after)
	pr.Close()
	n := <-written

	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if data != nil {
		t.Errorf("got %d bytes of data with the error", len(data))
	}
	if got, want := err.Error(), "larger than --max-file-size 8MiB"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit+limit/4 {
		t.Errorf("allocated %d bytes reading past a limit of %d, want about the limit", alloc, limit)
	}
	// What the pipe holds unread is at most its buffer (1 MiB at most on
	// Linux); the rest was never written, let alone read.
	if n > limit+2<<20 {
		t.Errorf("%d bytes went into the pipe for a limit of %d", n, limit)
	}
}

// TestReadAtMostReadsNoMoreThanLimitPlusOne: readAtMost takes at most
// limit+1 bytes from its reader, whatever the reader holds, and returns a
// stream within the limit whole.
func TestReadAtMostReadsNoMoreThanLimitPlusOne(t *testing.T) {
	for _, limit := range []int64{1, 1000, firstChunk, firstChunk + 1, 3*maxChunk + 7} {
		src := &endless{}
		data, err := readAtMost(src, limit, 0)
		if !errors.Is(err, ErrTooLarge) || data != nil {
			t.Errorf("limit %d: got %d bytes, err %v; want ErrTooLarge", limit, len(data), err)
		}
		if src.read != limit+1 {
			t.Errorf("limit %d: read %d bytes, want limit+1", limit, src.read)
		}
	}
}

func TestReadAtMostWithinLimit(t *testing.T) {
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
			data, err := readAtMost(bytes.NewReader(want), limit, tc.hint)
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

// TestFilePastMaxFileSizeOneLine: a regular file over the limit is refused
// from its size, before any read, in one line naming the file.
func TestFilePastMaxFileSizeOneLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, bytes.Repeat([]byte(" "), 3<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := File(path, Options{MaxFileSize: 2 << 10})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	want := path + ": larger than --max-file-size 2KiB (3072 bytes)"
	if got := err.Error(); got != want || strings.Contains(got, "\n") {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		1: "1", 1000: "1000", 1 << 10: "1KiB", 1536: "1536", 256 << 20: "256MiB", 2 << 30: "2GiB", 3<<20 + 1<<10: "3073KiB",
	} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
