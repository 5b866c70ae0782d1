package trivy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
)

// streamFast converts the report with the fast path (walk); on any
// failure it converts it again with encoding/json's streaming decoder,
// whose verdict and errors (with their line and column) are the ones
// reported. goccy/go-json is lenient about syntax, so the fast path only
// sees what encoding/json's validator accepts (sniff.File.ValidJSON;
// fastjson's validator lets control characters through in strings that
// also hold an escape). A file under sniff.LargeJSON goes to
// encoding/json straight away: goccy compiles its decoders on first use
// and the arena takes a megabyte, more than a small file costs to decode.
func (c *converter) streamFast(f *sniff.File, data []byte, rep *document.Report) error {
	start := len(c.findings)
	created, version := rep.Created, rep.Tool.Version
	if len(data) >= sniff.LargeJSON && f.ValidJSON() && c.tryStream(data, rep) == nil {
		return nil
	}
	c.findings = c.findings[:start]
	rep.Created, rep.Tool.Version = created, version
	return c.stream(json.NewDecoder(bytes.NewReader(data)), data, rep)
}

// tryStream converts a report already known to be valid JSON with the
// fast path.
func (c *converter) tryStream(data []byte, rep *document.Report) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("fast decoder: %v", r)
		}
	}()
	// encoding/json replaces invalid UTF-8 in strings; goccy keeps it.
	if !utf8.Valid(data) {
		return errors.New("invalid UTF-8: left to encoding/json")
	}
	return c.walk(data, rep)
}

// stream converts a SchemaVersion 2 report or a legacy array of results
// while decoding it: each vulnerability is decoded into one reused struct
// and converted before the next is read, so the decoded form of a large
// report never exists whole.
func (c *converter) stream(dec *json.Decoder, data []byte, rep *document.Report) error {
	s := &streamer{dec: dec, data: data}
	var err error
	if first := firstByte(data); first == '[' {
		err = s.array("(top level)", func() error { return c.streamResult(s) })
	} else {
		err = s.object("(top level)", func(key string) error {
			switch key {
			case "CreatedAt":
				return s.value(key, &rep.Created)
			case "Trivy":
				var t *tool
				if err := s.value(key, &t); err != nil || t == nil {
					return err
				}
				rep.Tool.Version = t.Version
				return nil
			case "Results":
				return s.array(key, func() error { return c.streamResult(s) })
			}
			return s.skip()
		})
	}
	return err
}

// streamResult converts one result. Its small lists (misconfigurations,
// secrets, licences) are decoded whole and converted when the result
// ends; its vulnerabilities are converted one by one.
func (c *converter) streamResult(s *streamer) error {
	var r result
	start := len(c.findings)
	err := s.object("Results[]", func(key string) error {
		switch key {
		case "Target":
			return s.value(key, &r.Target)
		case "Class":
			return s.value(key, &r.Class)
		case "Type":
			return s.value(key, &r.Type)
		case "Misconfigurations":
			return s.value(key, &r.Misconfigurations)
		case "Secrets":
			return s.value(key, &r.Secrets)
		case "Licenses":
			return s.value(key, &r.Licenses)
		case "Vulnerabilities":
			i := 0
			return s.array(key, func() error {
				s.vuln.reset()
				if err := s.value(key, &s.vuln); err != nil {
					return err
				}
				i++
				return c.vulnerability(&s.vuln, r.Target, i-1, start)
			})
		}
		return s.skip()
	})
	if err != nil {
		return err
	}
	return c.finishResult(start, &r, nil)
}

// streamer walks a JSON document with a json.Decoder, reporting errors
// with the line and column of the input.
type streamer struct {
	dec  *json.Decoder
	data []byte
	vuln vulnerability
}

// object reads an object (or null), calling fn for each key; fn must
// consume the key's value.
func (s *streamer) object(what string, fn func(key string) error) error {
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

// array reads an array (or null), calling fn for each element; fn must
// consume the element.
func (s *streamer) array(what string, fn func() error) error {
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
func (s *streamer) open(what string, delim json.Delim, want string) (ok bool, err error) {
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
	line, col := sniff.Position(s.data, at)
	return false, &sniff.SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf("%s: got %s, want %s", what, describe(tok), want)}
}

// value decodes the next value into v.
func (s *streamer) value(what string, v any) error {
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

// skip consumes the next value.
func (s *streamer) skip() error {
	var v skipped
	return s.fail(s.dec.Decode(&v))
}

// offset is where the next value starts in the input.
func (s *streamer) offset() int {
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

func (s *streamer) fail(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return sniff.DecodeError(s.data, err)
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

func firstByte(data []byte) byte {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	return data[0]
}
