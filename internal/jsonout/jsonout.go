// Package jsonout writes large structs as indented JSON without holding
// their whole text in memory.
package jsonout

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/secgate/secgate/internal/textsafe"
)

// Write writes the struct v points to exactly as json.Encoder with
// SetIndent("", "  ") and no HTML escaping would, but one field at a
// time, and each element of a list field on its own: a document of
// 100,000 findings, or a decision with 14,000 tickets, never exists as
// one buffer of text, nor is encoded and then indented a second time.
// The struct's fields are written in order under their json names; tag
// options are not supported at this level, but for omitempty on a
// pointer: a nil one is left out. A field tagged
// `jsonout:"fields"` holding a struct, or a pointer to one, is written
// the same way, field by field (a decision's inventory). A list field
// tagged `jsonout:"lines"` has each element on a line of its own,
// compact, as json.Marshal writes it: a list of 100,000 records read by
// programs costs a third less to write, and half the bytes, that way.
func Write(w io.Writer, v any) error {
	s := reflect.ValueOf(v)
	if s.Kind() != reflect.Pointer || s.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("jsonout: want a pointer to a struct, got %T", v)
	}
	wr := &writer{bw: bufio.NewWriterSize(w, 64<<10)}
	if err := wr.object(s.Elem(), ""); err != nil {
		return err
	}
	wr.bw.WriteString("\n")
	return wr.bw.Flush()
}

type writer struct {
	bw  *bufio.Writer
	buf bytes.Buffer
	// compact encodes an element of a "lines" list into buf.
	compact *json.Encoder
}

// put writes v as the encoder would at the indentation prefix.
func (wr *writer) put(v any, prefix string) error {
	wr.buf.Reset()
	enc := json.NewEncoder(&wr.buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	// C1 and bidi controls as \u escapes: printed, the JSON acts on
	// no terminal.
	_, err := wr.bw.Write(textsafe.EscapeJSON(bytes.TrimSuffix(wr.buf.Bytes(), []byte("\n"))))
	return err
}

// line writes v compact, as json.Marshal would (HTML unescaped).
func (wr *writer) line(v any) error {
	wr.buf.Reset()
	if wr.compact == nil {
		wr.compact = json.NewEncoder(&wr.buf)
		wr.compact.SetEscapeHTML(false)
	}
	if err := wr.compact.Encode(v); err != nil {
		return err
	}
	_, err := wr.bw.Write(textsafe.EscapeJSON(bytes.TrimSuffix(wr.buf.Bytes(), []byte("\n"))))
	return err
}

// object writes the struct s, whose opening brace is at indentation
// prefix, one field at a time.
func (wr *writer) object(s reflect.Value, prefix string) error {
	bw := wr.bw
	inner := prefix + "  "
	bw.WriteString("{")
	first := true
	for i := 0; i < s.NumField(); i++ {
		sf := s.Type().Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if f := s.Field(i); f.Kind() == reflect.Pointer && f.IsNil() && slices.Contains(strings.Split(opts, ","), "omitempty") {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if !first {
			bw.WriteString(",")
		}
		first = false
		key, _ := json.Marshal(name)
		bw.WriteString("\n" + inner)
		bw.Write(key)
		bw.WriteString(": ")
		f := s.Field(i)
		if sf.Tag.Get("jsonout") == "fields" {
			if f.Kind() == reflect.Pointer && !f.IsNil() {
				f = f.Elem()
			}
			if f.Kind() == reflect.Struct {
				if err := wr.object(f, inner); err != nil {
					return err
				}
				continue
			}
		}
		if f.Kind() != reflect.Slice || f.Len() == 0 {
			if err := wr.put(f.Interface(), inner); err != nil {
				return err
			}
			continue
		}
		lines := sf.Tag.Get("jsonout") == "lines"
		bw.WriteString("[")
		for j := 0; j < f.Len(); j++ {
			if j > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n" + inner + "  ")
			var err error
			if lines {
				err = wr.line(f.Index(j).Addr().Interface())
			} else {
				err = wr.put(f.Index(j).Addr().Interface(), inner+"  ")
			}
			if err != nil {
				return err
			}
		}
		bw.WriteString("\n" + inner + "]")
	}
	if first {
		bw.WriteString("}")
		return nil
	}
	bw.WriteString("\n" + prefix + "}")
	return nil
}
