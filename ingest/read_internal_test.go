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
