// Package limitread reads files and streams whole, up to a size limit, in
// memory bounded by the limit: a stream of unknown size (standard input, a
// pipe, a FIFO, a device such as /dev/zero) is refused on the byte after
// the limit, never read to its end.
package limitread

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
)

// ErrTooLarge is what a *SizeError is, for errors.Is.
var ErrTooLarge = errors.New("larger than the limit")

// SizeError says an input is over its limit.
type SizeError struct {
	Limit int64
	// Size is the input's size when it was known before reading (a
	// regular file's), 0 for a stream cut at the limit.
	Size int64
}

func (e *SizeError) Error() string {
	if e.Size > 0 {
		return fmt.Sprintf("larger than %s (%d bytes)", FormatSize(e.Limit), e.Size)
	}
	return "larger than " + FormatSize(e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) hold.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// Chunk sizes a stream of unknown size is read in.
const (
	firstChunk = 64 << 10
	maxChunk   = 8 << 20
)

// File reads the file at path whole, refusing one over limit bytes: a
// regular file from its size before any read, anything else (a FIFO,
// /dev/stdin, a device) as Read does. Errors from the file system are
// *os.PathError as os.ReadFile's; a folder is one wrapping syscall.EISDIR.
func File(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, &os.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	}
	if st.Mode().IsRegular() && st.Size() > limit {
		return nil, &SizeError{Limit: limit, Size: st.Size()}
	}
	hint := int64(0)
	if st.Mode().IsRegular() {
		hint = st.Size()
	}
	return Read(f, limit, hint)
}

// Read reads r to its end, failing with a *SizeError as soon as it has
// seen limit+1 bytes: it reads no further, and holds at most limit+1
// bytes meanwhile. sizeHint is the expected size (a regular file's), 0 if
// unknown. A stream of unknown size is read in chunks, never copied into
// a larger buffer as it grows (bytes.Buffer and io.ReadAll hold up to 4
// times the limit that way), and joined once at the end if it fits.
func Read(r io.Reader, limit, sizeHint int64) ([]byte, error) {
	lr := io.LimitReader(r, limit+1)
	var chunks [][]byte
	total := int64(0)
	next := int64(firstChunk)
	if sizeHint > 0 {
		// One read into a buffer of the file's size, and one byte more to
		// see the end (or that the file grew).
		next = sizeHint + 1
	}
	for {
		chunk := make([]byte, min(next, limit+1-total))
		got, err := io.ReadFull(lr, chunk)
		if got > 0 {
			chunks = append(chunks, chunk[:got])
			total += int64(got)
		}
		if total > limit {
			return nil, &SizeError{Limit: limit}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		next = min(max(next, firstChunk)*2, maxChunk)
	}
	switch len(chunks) {
	case 0:
		return []byte{}, nil
	case 1:
		return chunks[0], nil
	}
	data := make([]byte, 0, total)
	for i, c := range chunks {
		data = append(data, c...)
		chunks[i] = nil
	}
	return data, nil
}

// FormatSize writes a byte count as the size flags take it: 64MiB,
// 512KiB, or a number of bytes.
func FormatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
