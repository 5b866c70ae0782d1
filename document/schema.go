package document

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of the unified document, as
// `secgate schema` prints it.
//
//go:embed schema.json
var Schema []byte
