// Package jsonscan is the JSON scanning the ingesters share: finding where
// values end in a report's bytes without decoding them (SkipValue,
// WalkObject), walking a large report with encoding/json's
// streaming decoder one value at a time (Stream), and turning decoding
// errors into a line and column (DecodeError). Scanning never recurses,
// so deeply nested input cannot exhaust the stack.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SyntaxError is malformed input, with the line and column where it was
// found.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// NewSyntaxError is a *SyntaxError of msg at the byte offset off of data.
func NewSyntaxError(data []byte, off int, msg string) error {
	line, col := Position(data, off)
	return &SyntaxError{Line: line, Column: col, Msg: msg}
}

// Position turns a byte offset into a 1-based line and column.
func Position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	col = off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// DecodeError rewrites an encoding/json error with the line and column of
// its offset, and the JSON path of a type mismatch.
func DecodeError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return NewSyntaxError(data, int(se.Offset), strings.TrimPrefix(se.Error(), "json: "))
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line, col := Position(data, int(te.Offset))
		field := te.Field
		if field == "" {
			field = "(top level)"
		}
		return &SyntaxError{Line: line, Column: col,
			Msg: fmt.Sprintf("%s: got JSON %s, want %s", field, te.Value, te.Type.String())}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return NewSyntaxError(data, len(data), "unexpected end of JSON input (truncated?)")
	}
	return err
}

// WalkObject calls fn with each key of the JSON object at i (data[i] is
// '{') and the range of its value, and returns the object's end. When a
// key, colon, value or separator is not where JSON puts it, wellFormed is
// false and end 0; the walk reads past a missing comma (so that sniffing
// still lists the keys after it) and stops at anything else. An error
// from fn stops the walk and is returned.
func WalkObject(data []byte, i int, fn func(key string, start, end int) error) (end int, wellFormed bool, err error) {
	wellFormed = true
	i = SkipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, true, nil
	}
	for i < len(data) && data[i] == '"' {
		kend, err := skipString(data, i)
		if err != nil {
			return 0, false, nil
		}
		var key string
		if json.Unmarshal(data[i:kend], &key) != nil {
			return 0, false, nil
		}
		i = SkipSpace(data, kend)
		if i >= len(data) || data[i] != ':' {
			return 0, false, nil
		}
		i = SkipSpace(data, i+1)
		vend, err := SkipValue(data, i)
		if err != nil {
			return 0, false, nil
		}
		if err := fn(key, i, vend); err != nil {
			return 0, false, err
		}
		i = SkipSpace(data, vend)
		switch {
		case i < len(data) && data[i] == '}':
			if !wellFormed {
				return 0, false, nil
			}
			return i + 1, true, nil
		case i < len(data) && data[i] == ',':
			i = SkipSpace(data, i+1)
		default:
			wellFormed = false
		}
	}
	return 0, false, nil
}

// SkipValue returns the offset just past the JSON value starting at i:
// brackets balanced and strings ended, not the full grammar. It keeps a
// counter instead of recursing.
func SkipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, NewSyntaxError(data, i, "unexpected end of JSON input (truncated?)")
	}
	switch c := data[i]; {
	case c == '"':
		return skipString(data, i)
	case c == '{' || c == '[':
		var stack []byte // expected closers, as bytes: depth is only memory
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, err := skipString(data, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{':
				stack = append(stack, '}')
			case '[':
				stack = append(stack, ']')
			case '}', ']':
				if len(stack) == 0 || stack[len(stack)-1] != data[j] {
					return 0, NewSyntaxError(data, j, fmt.Sprintf("unexpected %q", data[j]))
				}
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, NewSyntaxError(data, len(data), "unexpected end of JSON input (truncated?)")
	default:
		j := i
		for j < len(data) && !isDelim(data[j]) {
			j++
		}
		if j == i {
			return 0, NewSyntaxError(data, i, fmt.Sprintf("unexpected %q", data[i]))
		}
		return j, nil
	}
}

func skipString(data []byte, i int) (int, error) {
	// Jump from quote to quote (IndexByte is vectorised); a quote ends
	// the string unless an odd number of backslashes precede it.
	for j := i + 1; j < len(data); j++ {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			break
		}
		j += k
		slashes := 0
		for b := j - 1; b > i && data[b] == '\\'; b-- {
			slashes++
		}
		if slashes%2 == 0 {
			return j + 1, nil
		}
	}
	return 0, NewSyntaxError(data, len(data), "unexpected end of JSON input in a string (truncated?)")
}

func isDelim(c byte) bool {
	switch c {
	case ',', ':', '}', ']', ' ', '\t', '\n', '\r', '"', '{', '[':
		return true
	}
	return false
}

// SkipSpace returns the offset of the first byte at or after i that is
// not JSON white space.
func SkipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
