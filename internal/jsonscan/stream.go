package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Stream walks a JSON document with encoding/json's streaming decoder, one
// value at a time, so that a large report's decoded form never exists
// whole. Its errors carry the line and column of the input, and say which
// key held a value of the wrong type.
type Stream struct {
	dec  *json.Decoder
	data []byte
}

// NewStream returns a Stream over data.
func NewStream(data []byte) *Stream {
	return &Stream{dec: json.NewDecoder(bytes.NewReader(data)), data: data}
}

// Object reads an object (or null), calling fn for each key; fn must
// consume the key's value (Value, Skip, Object or Array). what names the
// value in errors.
func (s *Stream) Object(what string, fn func(key string) error) error {
	ok, err := s.open(what, '{', "an object")
	if !ok || err != nil {
		return err
	}
	for s.dec.More() {
		tok, err := s.dec.Token()
		if err != nil {
			return s.fail(err)
		}
		key, _ := tok.(string)
		if err := fn(key); err != nil {
			return err
		}
	}
	_, err = s.dec.Token() // '}'
	return s.fail(err)
}

// Array reads an array (or null), calling fn for each element; fn must
// consume the element.
func (s *Stream) Array(what string, fn func() error) error {
	ok, err := s.open(what, '[', "an array")
	if !ok || err != nil {
		return err
	}
	for s.dec.More() {
		if err := fn(); err != nil {
			return err
		}
	}
	_, err = s.dec.Token() // ']'
	return s.fail(err)
}

// open reads the delimiter that opens a value; ok is false for null.
func (s *Stream) open(what string, delim json.Delim, want string) (ok bool, err error) {
	at := s.offset()
	tok, err := s.dec.Token()
	if err != nil {
		return false, s.fail(err)
	}
	switch tok {
	case delim:
		return true, nil
	case nil:
		return false, nil
	}
	line, col := Position(s.data, at)
	return false, &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf("%s: got %s, want %s", what, describe(tok), want)}
}

// Value decodes the next value into v.
func (s *Stream) Value(what string, v any) error {
	at := s.offset()
	err := s.dec.Decode(v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// A type error's offset counts from the value decoded.
		te.Offset += int64(at)
		if te.Field == "" {
			te.Field = what
		} else {
			te.Field = what + "." + te.Field
		}
	}
	return s.fail(err)
}

// Skip consumes the next value.
func (s *Stream) Skip() error {
	var v skipped
	return s.fail(s.dec.Decode(&v))
}

// offset is where the next value starts in the input.
func (s *Stream) offset() int {
	i := int(s.dec.InputOffset())
	for i < len(s.data) {
		switch s.data[i] {
		case ' ', '\t', '\n', '\r', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}

func (s *Stream) fail(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return DecodeError(s.data, err)
}

// skipped is any JSON value, thrown away.
type skipped struct{}

// UnmarshalJSON implements json.Unmarshaler.
func (*skipped) UnmarshalJSON([]byte) error { return nil }

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "a value"
}
