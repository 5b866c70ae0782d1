package jsonout_test

import (
	"bytes"
	"encoding/json"
	"reflect"
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
	// Left out when nil, as json.Encoder does.
	Omitted *inner `json:"omitted,omitempty"`
	Kept    *inner `json:"kept,omitempty"`
}

// TestWriteIsEncoderOutput: byte for byte json.Encoder's indented output,
// with HTML left unescaped, for lists full, empty and nil.
func TestWriteIsEncoderOutput(t *testing.T) {
	v := &outer{Name: "<a & b>", Items: []inner{{"x", []int{1, 2}}, {"y", nil}}, Empty: []string{},
		Any: []any{map[string]any{"k": "<v>"}, 3}, Plain: 7, Hidden: "h", hidden: 1,
		Nested:  nested{Items: []inner{{"n", []int{3}}}, Tags: []string{}, N: 2},
		Pointed: &nested{Tags: []string{"<t>"}}, Kept: &inner{A: "k", B: []int{}}}
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

type withLines struct {
	Name  string  `json:"name"`
	Items []inner `json:"items" jsonout:"lines"`
	None  []inner `json:"none" jsonout:"lines"`
}

// TestLines: a "lines" list has each element compact on its own line,
// HTML unescaped, and the whole means what json.Encoder's output does.
func TestLines(t *testing.T) {
	v := &withLines{Name: "n", Items: []inner{{"<x>", []int{1, 2}}, {"y", nil}}, None: []inner{}}
	var b bytes.Buffer
	if err := jsonout.Write(&b, v); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"name\": \"n\",\n  \"items\": [\n    {\"a\":\"<x>\",\"b\":[1,2]},\n    {\"a\":\"y\",\"b\":null}\n  ],\n  \"none\": []\n}\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	var got, enc any
	raw, _ := json.Marshal(v)
	if json.Unmarshal(b.Bytes(), &got) != nil || json.Unmarshal(raw, &enc) != nil || !reflect.DeepEqual(got, enc) {
		t.Errorf("not the same JSON value:\n%s\n%s", b.String(), raw)
	}
}
