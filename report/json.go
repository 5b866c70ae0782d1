package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"

	"github.com/secgate/secgate/gate"
)

// JSON writes the decision of SPEC §5.
type JSON struct{}

// Name implements Format.
func (JSON) Name() string { return "json" }

// Write implements Format. The output is what json.Encoder with a two-space
// indent writes, but each field and each element of a list is encoded on
// its own: a decision on 100,000 findings (14,000 tickets, 50 MB) is never
// held in memory twice, encoded and then indented.
func (JSON) Write(w io.Writer, r *gate.Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := writeIndented(bw, reflect.ValueOf(*r.Decision)); err != nil {
		return err
	}
	return bw.Flush()
}

// writeIndented writes a struct's exported fields as an indented JSON
// object, in their order, under their json names, streaming slices.
func writeIndented(w *bufio.Writer, v reflect.Value) error {
	enc := newElemEncoder()
	t := v.Type()
	w.WriteString("{")
	first := true
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if !first {
			w.WriteString(",")
		}
		first = false
		key, _ := json.Marshal(name)
		w.WriteString("\n  ")
		w.Write(key)
		w.WriteString(": ")
		f := v.Field(i)
		if f.Kind() == reflect.Slice && f.Len() > 0 {
			w.WriteString("[")
			for j := 0; j < f.Len(); j++ {
				if j > 0 {
					w.WriteString(",")
				}
				w.WriteString("\n    ")
				if err := enc.write(w, f.Index(j).Interface(), "    "); err != nil {
					return err
				}
			}
			w.WriteString("\n  ]")
			continue
		}
		if err := enc.write(w, f.Interface(), "  "); err != nil {
			return err
		}
	}
	w.WriteString("\n}\n")
	return nil
}

// elemEncoder encodes one value at a time as json.Encoder would inside an
// indented document: HTML left unescaped, nested lines prefixed.
type elemEncoder struct {
	buf bytes.Buffer
}

func newElemEncoder() *elemEncoder { return &elemEncoder{} }

func (e *elemEncoder) write(w *bufio.Writer, v any, prefix string) error {
	e.buf.Reset()
	enc := json.NewEncoder(&e.buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
	return err
}
