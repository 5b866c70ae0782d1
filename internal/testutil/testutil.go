// Package testutil holds helpers shared by secgate's tests: golden files
// and validation against the published document schema.
package testutil

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/secgate/secgate/document"
)

// Update rewrites golden files instead of comparing with them: go test -update.
var Update = flag.Bool("update", false, "rewrite golden files")

// Golden compares got with the file at path, or writes it under -update.
func Golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// JSON marshals v indented, with a final newline, as the CLI prints it.
func JSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// ValidateSchema checks a document's JSON against document/schema.json and
// runs its Validate.
func ValidateSchema(t *testing.T, doc *document.Document) {
	t.Helper()
	if err := doc.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	ValidateSchemaJSON(t, JSON(t, doc))
}

// ValidateSchemaJSON checks raw JSON against document/schema.json.
func ValidateSchemaJSON(t *testing.T, raw []byte) {
	t.Helper()
	schemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(document.Schema))
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("document.json", doc); err != nil {
			schemaErr = err
			return
		}
		schema, schemaErr = c.Compile("document.json")
	})
	if schemaErr != nil {
		t.Fatalf("compile schema: %v", schemaErr)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("schema: %v", err)
	}
}
