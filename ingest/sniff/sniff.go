// Package sniff looks at a report's bytes once, cheaply, so that every
// ingester can decide from content alone whether the report is its format:
// the top-level keys of a JSON object (with small values kept), the keys of
// the first elements of a JSON array or stream, or the root element of an
// XML document. It never recurses, so deeply nested input cannot exhaust
// the stack, and it never expands XML entities.
package sniff

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/secgate/secgate/internal/jsonscan"
)

// Shape is the outer form of a report.
type Shape int

// The shapes a report can have.
const (
	Unknown    Shape = iota
	JSONObject       // one JSON object
	JSONArray        // one JSON array
	JSONStream       // several JSON values one after another (govulncheck -json)
	XML              // an XML document
	Text             // anything else: tag-value formats and the like
)

// maxKeptValue is the largest top-level value whose raw bytes are kept for
// detection; larger values are only known to be present.
const maxKeptValue = 64 << 10

// maxSampled is how many elements of an array or stream are sampled.
const maxSampled = 8

// File is a report with what sniffing learnt about it.
type File struct {
	Path string
	Data []byte
	// Format is the format the user forced with FORMAT:PATH, or "".
	Forced string
	Shape  Shape
	// Keys holds the top-level keys of a JSON object. A value is kept raw
	// when it is at most maxKeptValue bytes long, else it is nil.
	Keys map[string]json.RawMessage
	// ElemKeys holds the union of the keys of the first objects of a JSON
	// array or stream, with values kept as in Keys.
	ElemKeys map[string]json.RawMessage
	// Values counts the top-level JSON values (more than one: a stream).
	Values int
	// Root is the root element of an XML document.
	Root xml.Name
}

// SyntaxError is malformed input, with the line and column where it was
// found.
type SyntaxError = jsonscan.SyntaxError

// ErrEmpty is returned for a file with nothing but white space in it.
var ErrEmpty = errors.New("empty file")

// New sniffs data. It fails only on input that is no report at all: empty,
// or JSON that is truncated or broken at the top level.
func New(path string, data []byte) (*File, error) {
	f := &File{Path: path, Data: data}
	i := jsonscan.SkipSpace(data, skipBOM(data))
	if i == len(data) {
		return nil, ErrEmpty
	}
	switch data[i] {
	case '<':
		f.Shape = XML
		root, err := xmlRoot(data[i:])
		if err != nil {
			return nil, err
		}
		f.Root = root
		return f, nil
	case '{', '[':
		return f, f.sniffJSON(i)
	}
	if isText(data[i:]) {
		f.Shape = Text
		return f, nil
	}
	return nil, fmt.Errorf("not JSON, XML or text (starts with byte 0x%02x)", data[i])
}

// Has reports whether the top-level object has key.
func (f *File) Has(key string) bool {
	_, ok := f.Keys[key]
	return ok
}

// HasAll reports whether the top-level object has every one of keys.
func (f *File) HasAll(keys ...string) bool {
	for _, k := range keys {
		if !f.Has(k) {
			return false
		}
	}
	return true
}

// String returns the top-level key's value when it is a JSON string.
func (f *File) String(key string) string {
	return rawString(f.Keys[key])
}

// Number returns the top-level key's value as text when it is a JSON number
// or string ("2", "2.1.0").
func (f *File) Number(key string) string {
	raw := bytes.TrimSpace(f.Keys[key])
	if len(raw) > 0 && raw[0] != '"' && raw[0] != '{' && raw[0] != '[' {
		return string(raw)
	}
	return rawString(raw)
}

// ElemHas reports whether a sampled array or stream element has key.
func (f *File) ElemHas(key string) bool {
	_, ok := f.ElemKeys[key]
	return ok
}

func rawString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

func (f *File) sniffJSON(i int) error {
	data := f.Data
	for {
		var keys map[string]json.RawMessage
		end, ok := 0, false
		if f.Values == 0 && data[i] == '{' {
			// One pass over a well-formed object finds its keys and its
			// end. A malformed one keeps the keys read before the fault
			// and is scanned again for the error.
			keys, end, ok = objectKeysEnd(data, i)
		}
		if !ok {
			var err error
			if end, err = jsonscan.SkipValue(data, i); err != nil {
				return err
			}
		}
		f.Values++
		switch {
		case f.Values == 1 && data[i] == '{':
			f.Shape = JSONObject
			f.Keys = keys
		case f.Values == 1 && data[i] == '[':
			f.Shape = JSONArray
			f.ElemKeys = map[string]json.RawMessage{}
			f.sampleArray(data[i:end])
		case f.Values > 1:
			f.Shape = JSONStream
			if f.ElemKeys == nil {
				f.ElemKeys = map[string]json.RawMessage{}
				for k, v := range f.Keys {
					f.ElemKeys[k] = v
				}
			}
			if f.Values <= maxSampled && data[i] == '{' {
				for k, v := range objectKeys(data[i:end]) {
					f.ElemKeys[k] = v
				}
			}
		}
		i = jsonscan.SkipSpace(data, end)
		if i == len(data) {
			return nil
		}
		if data[i] != '{' && data[i] != '[' {
			return jsonscan.NewSyntaxError(data, i, "unexpected data after the top-level value")
		}
	}
}

// sampleArray records the keys of the array's first objects.
func (f *File) sampleArray(arr []byte) {
	i := jsonscan.SkipSpace(arr, 1)
	for n := 0; n < maxSampled && i < len(arr) && arr[i] != ']'; n++ {
		end, err := jsonscan.SkipValue(arr, i)
		if err != nil {
			return
		}
		if arr[i] == '{' {
			for k, v := range objectKeys(arr[i:end]) {
				f.ElemKeys[k] = v
			}
		}
		i = jsonscan.SkipSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = jsonscan.SkipSpace(arr, i+1)
		}
	}
}

// objectKeys returns the keys of a JSON object already known to be
// balanced, with small values kept raw; it reads past a missing comma and
// stops at anything else out of place.
func objectKeys(obj []byte) map[string]json.RawMessage {
	keys, _, _ := objectKeysEnd(obj, 0)
	return keys
}

// objectKeysEnd reads the object at i as objectKeys does and returns its
// end too; ok is false unless the object is well formed.
func objectKeysEnd(data []byte, i int) (keys map[string]json.RawMessage, end int, ok bool) {
	keys = map[string]json.RawMessage{}
	end, ok, _ = jsonscan.WalkObject(data, i, func(key string, start, end int) error {
		if end-start <= maxKeptValue {
			keys[key] = json.RawMessage(data[start:end])
		} else {
			keys[key] = nil
		}
		return nil
	})
	return keys, end, ok
}

func skipBOM(data []byte) int {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return 3
	}
	return 0
}

// isText reports whether b looks like UTF-8 text without control bytes.
func isText(b []byte) bool {
	if len(b) > 4096 {
		b = b[:4096]
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	// The cut may split the last rune.
	for n := 0; n < utf8.UTFMax && len(b) > 0 && !utf8.Valid(b); n++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// xmlRoot returns the name of the document element. Entities are not
// expanded: a DOCTYPE is read as one token and skipped.
func xmlRoot(data []byte) (xml.Name, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for n := 0; n < 1000; n++ {
		tok, err := d.RawToken()
		if err == io.EOF {
			return xml.Name{}, errors.New("XML document without a root element")
		}
		if err != nil {
			return xml.Name{}, fmt.Errorf("malformed XML: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			name := se.Name
			// RawToken leaves the prefix in Space; resolve the default namespace.
			for _, a := range se.Attr {
				if a.Name.Space == "" && a.Name.Local == "xmlns" && name.Space == "" {
					name.Space = a.Value
				}
			}
			return name, nil
		}
	}
	return xml.Name{}, errors.New("malformed XML: no root element in the first 1000 tokens")
}

// Position turns a byte offset into a 1-based line and column.
func Position(data []byte, off int) (line, col int) { return jsonscan.Position(data, off) }

// DecodeError rewrites an encoding/json error with the line and column of
// its offset, and the JSON path of a type mismatch.
func DecodeError(data []byte, err error) error { return jsonscan.DecodeError(data, err) }
