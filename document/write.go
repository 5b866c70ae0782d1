package document

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// WriteJSON writes the document as indented JSON, exactly as
// json.Encoder with SetIndent("", "  ") and no HTML escaping would, but
// one finding and one component at a time: a 100,000-finding document
// never exists as one buffer of text.
func (d *Document) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	put := func(key string, v any, last bool) error {
		raw, err := marshalIndent(v, "  ")
		if err != nil {
			return err
		}
		bw.WriteString("  \"" + key + "\": ")
		bw.Write(raw)
		if !last {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		return nil
	}
	list := func(key string, n int, item func(int) any) error {
		if n == 0 {
			bw.WriteString("  \"" + key + "\": [],\n")
			return nil
		}
		bw.WriteString("  \"" + key + "\": [\n")
		for i := 0; i < n; i++ {
			raw, err := marshalIndent(item(i), "    ")
			if err != nil {
				return err
			}
			bw.WriteString("    ")
			bw.Write(raw)
			if i < n-1 {
				bw.WriteByte(',')
			}
			bw.WriteByte('\n')
		}
		bw.WriteString("  ],\n")
		return nil
	}
	bw.WriteString("{\n")
	if err := put("schema_version", d.SchemaVersion, false); err != nil {
		return err
	}
	if err := list("sources", len(d.Sources), func(i int) any { return &d.Sources[i] }); err != nil {
		return err
	}
	if err := list("findings", len(d.Findings), func(i int) any { return &d.Findings[i] }); err != nil {
		return err
	}
	if err := list("components", len(d.Components), func(i int) any { return &d.Components[i] }); err != nil {
		return err
	}
	if err := put("summary", d.Summary, false); err != nil {
		return err
	}
	if err := put("context", d.Context, true); err != nil {
		return err
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// marshalIndent is json.MarshalIndent without HTML escaping.
func marshalIndent(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
