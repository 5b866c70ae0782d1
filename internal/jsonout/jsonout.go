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
	"strings"

	"github.com/secgate/secgate/internal/textsafe"
)

// Write writes the struct v points to exactly as json.Encoder with
// SetIndent("", "  ") and no HTML escaping would, but one field at a
// time, and each element of a list field on its own: a document of
// 100,000 findings, or a decision with 14,000 tickets, never exists as
// one buffer of text, nor is encoded and then indented a second time.
// The struct's fields are written in order under their json names; tag
// options (omitempty) are not supported at this level.
func Write(w io.Writer, v any) error {
	s := reflect.ValueOf(v)
	if s.Kind() != reflect.Pointer || s.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("jsonout: want a pointer to a struct, got %T", v)
	}
	s = s.Elem()
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	put := func(v any, prefix string) error {
		buf.Reset()
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		// C1 and bidi controls as \u escapes: printed, the JSON acts on
		// no terminal.
		_, err := bw.Write(textsafe.EscapeJSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))))
		return err
	}
	bw.WriteString("{")
	first := true
	for i := 0; i < s.NumField(); i++ {
		sf := s.Type().Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
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
		bw.WriteString("\n  ")
		bw.Write(key)
		bw.WriteString(": ")
		f := s.Field(i)
		if f.Kind() != reflect.Slice || f.Len() == 0 {
			if err := put(f.Interface(), "  "); err != nil {
				return err
			}
			continue
		}
		bw.WriteString("[")
		for j := 0; j < f.Len(); j++ {
			if j > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n    ")
			if err := put(f.Index(j).Addr().Interface(), "    "); err != nil {
				return err
			}
		}
		bw.WriteString("\n  ]")
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}
