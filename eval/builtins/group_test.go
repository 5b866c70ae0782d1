package builtins

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestGroupBy(t *testing.T) {
	cases := []struct {
		items any
		path  any
		want  string
	}{
		{fromJSONs(`[{"s": "high", "i": 1}, {"s": "low", "i": 2}, {"s": "high", "i": 3}]`), "s",
			`{"high": [{"i": 1, "s": "high"}, {"i": 3, "s": "high"}], "low": [{"i": 2, "s": "low"}]}`},
		{fromJSONs(`[{"p": {"n": "a"}}, {"p": {"n": "b"}}, {"q": 1}, 7]`), "p.n",
			`{"a": [{"p": {"n": "a"}}], "b": [{"p": {"n": "b"}}]}`},
		{fromJSONs(`[{"p": {"n": "a"}}]`), []any{"p", "n"}, `{"a": [{"p": {"n": "a"}}]}`},
		{fromJSONs(`[{"n": 1}, {"n": 1}, {"n": true}]`), "n", `{"1": [{"n": 1}, {"n": 1}], "true": [{"n": true}]}`},
		{fromJSONs(`[{"s": "a", "i": 1}, {"x": 1}, {"s": "b"}, 5, {"s": "a", "i": 2}]`), "s",
			`{"a": [{"i": 1, "s": "a"}, {"i": 2, "s": "a"}], "b": [{"s": "b"}]}`},
		{[]any{}, "x", `{}`},
	}
	for _, c := range cases {
		got := mustCall(t, "secgate.group_by", c.items, c.path)
		if want := fromJSON(t, c.want); !reflect.DeepEqual(got, want) {
			t.Errorf("group_by(%v, %v) = %v, want %v", c.items, c.path, got, want)
		}
	}
	for _, path := range []any{"", []any{1}, 3} {
		if _, err := call(t, "secgate.group_by", []any{map[string]any{"a": 1}}, path); err == nil {
			t.Errorf("path %v: want an error", path)
		}
	}
}

func fromJSONs(s string) any { return mustJSON(s) }

func mustJSON(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return v
}

func TestPluck(t *testing.T) {
	cases := []struct {
		items any
		path  any
		want  string
	}{
		{fromJSONs(`[{"id": "b"}, {"id": "a"}, {"id": "b"}]`), "id", `["b", "a", "b"]`},
		{fromJSONs(`[{"p": {"n": "a"}}, {"p": {}}, {"q": 1}, 7, {"p": {"n": null}}]`), "p.n", `["a", null]`},
		{fromJSONs(`[{"p": {"n": {"x": 1}}}]`), []any{"p", "n"}, `[{"x": 1}]`},
		{[]any{}, "x", `[]`},
	}
	for _, c := range cases {
		got := mustCall(t, "secgate.pluck", c.items, c.path)
		if want := fromJSON(t, c.want); !reflect.DeepEqual(got, want) {
			t.Errorf("pluck(%v, %v) = %v, want %v", c.items, c.path, got, want)
		}
	}
	for _, path := range []any{"", []any{1}, 3} {
		if _, err := call(t, "secgate.pluck", []any{map[string]any{"a": 1}}, path); err == nil {
			t.Errorf("path %v: want an error", path)
		}
	}
	if _, err := call(t, "secgate.pluck", "not an array", "x"); err == nil {
		t.Error("a string for items: want an error")
	}
}

func TestUnique(t *testing.T) {
	for in, want := range map[string]string{
		`["b", "a", "b", "c", "a"]`:  `["b", "a", "c"]`,
		`[]`:                         `[]`,
		`[{"x": 1}, {"x": 1}, 2, 2]`: `[{"x": 1}, 2]`,
	} {
		got := mustCall(t, "secgate.unique", fromJSON(t, in))
		if w := fromJSON(t, want); !reflect.DeepEqual(got, w) {
			t.Errorf("unique(%s) = %v, want %v", in, got, w)
		}
	}
	if _, err := call(t, "secgate.unique", "not an array"); err == nil {
		t.Error("a string: want an error")
	}
}
