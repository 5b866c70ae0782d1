package jsonout_test

import (
	"bytes"
	"testing"

	"github.com/secgate/secgate/internal/jsonout"
	"github.com/secgate/secgate/internal/testutil"
)

type inner struct {
	A string `json:"a"`
	B []int  `json:"b"`
}

type nested struct {
	Items []inner  `json:"items"`
	Tags  []string `json:"tags"`
	N     int      `json:"n"`
}

type outer struct {
	Name   string   `json:"name"`
	Items  []inner  `json:"items"`
	Empty  []string `json:"empty"`
	Nil    []string `json:"nil"`
	Any    []any    `json:"any"`
	Plain  int
	Hidden string `json:"-"`
	hidden int
	// Written field by field.
	Nested  nested   `json:"nested" jsonout:"fields"`
	Pointed *nested  `json:"pointed" jsonout:"fields"`
	Absent  *nested  `json:"absent" jsonout:"fields"`
	Bare    struct{} `json:"bare" jsonout:"fields"`
}

// TestWriteIsEncoderOutput: byte for byte json.Encoder's indented output,
// with HTML left unescaped, for lists full, empty and nil.
func TestWriteIsEncoderOutput(t *testing.T) {
	v := &outer{Name: "<a & b>", Items: []inner{{"x", []int{1, 2}}, {"y", nil}}, Empty: []string{},
		Any: []any{map[string]any{"k": "<v>"}, 3}, Plain: 7, Hidden: "h", hidden: 1,
		Nested:  nested{Items: []inner{{"n", []int{3}}}, Tags: []string{}, N: 2},
		Pointed: &nested{Tags: []string{"<t>"}}}
	want := testutil.JSON(t, v)
	var got bytes.Buffer
	if err := jsonout.Write(&got, v); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("got\n%s\nwant\n%s", got.String(), want)
	}
	if err := jsonout.Write(&got, *v); err == nil {
		t.Error("a struct, not a pointer: want an error")
	}
}
