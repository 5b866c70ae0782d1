package sniff

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/secgate/secgate/internal/jsonscan"
)

func TestShapes(t *testing.T) {
	cases := []struct {
		name, in string
		shape    Shape
		check    func(t *testing.T, f *File)
	}{
		{"object", `{"runs": [], "version": "2.1.0", "big": {"a": [1, {"b": "]}"}]}}`, JSONObject, func(t *testing.T, f *File) {
			if f.String("version") != "2.1.0" || !f.HasAll("runs", "big") || f.Has("a") {
				t.Errorf("keys = %v", f.Keys)
			}
		}},
		{"bom and spaces", "\xef\xbb\xbf \n {\"SchemaVersion\": 2}", JSONObject, func(t *testing.T, f *File) {
			if f.Number("SchemaVersion") != "2" {
				t.Errorf("SchemaVersion = %q", f.Number("SchemaVersion"))
			}
		}},
		{"array", `[{"Target": "x", "Vulnerabilities": []}, {"Type": "npm"}]`, JSONArray, func(t *testing.T, f *File) {
			if !f.ElemHas("Target") || !f.ElemHas("Type") {
				t.Errorf("elem keys = %v", f.ElemKeys)
			}
		}},
		{"stream", "{\"config\": {}}\n{\"progress\": {}}\n{\"osv\": {}}\n", JSONStream, func(t *testing.T, f *File) {
			if f.Values != 3 || !f.ElemHas("config") || !f.ElemHas("osv") {
				t.Errorf("values %d, elem keys %v", f.Values, f.ElemKeys)
			}
		}},
		{"xml", `<?xml version="1.0"?><!-- c --><bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components/></bom>`, XML, func(t *testing.T, f *File) {
			if f.Root.Local != "bom" || f.Root.Space != "http://cyclonedx.org/schema/bom/1.4" {
				t.Errorf("root = %v", f.Root)
			}
		}},
		{"text", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", Text, nil},
		{"escaped quotes", `{"a": "x\"}", "b": 1}`, JSONObject, func(t *testing.T, f *File) {
			if f.String("a") != `x"}` || f.Number("b") != "1" {
				t.Errorf("keys = %v", f.Keys)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := New("x", []byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if f.Shape != c.shape {
				t.Fatalf("shape = %v, want %v", f.Shape, c.shape)
			}
			if c.check != nil {
				c.check(t, f)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", "empty file"},
		{"blank", " \n\t ", "empty file"},
		{"truncated", "{\n\"a\": [1, 2", "line 2, column 11: unexpected end of JSON input (truncated?)"},
		{"truncated string", `{"a": "abc`, "unexpected end of JSON input in a string"},
		{"mismatched", `{"a": [1}`, `line 1, column 9: unexpected '}'`},
		{"trailing garbage", `{"a": 1} x`, "unexpected data after the top-level value"},
		{"binary", "\x00\x01\x02", "not JSON, XML or text"},
		{"deep unclosed", strings.Repeat("[", 300000), "unexpected end of JSON input"},
		{"bad xml", "<a attr=", "malformed XML"},
		{"xml without root", "<?xml version=\"1.0\"?>", "without a root element"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New("x", []byte(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	if _, err := New("x", nil); !errors.Is(err, ErrEmpty) {
		t.Fatalf("err = %v, want ErrEmpty", err)
	}
}

func TestDeepNestingIsLinear(t *testing.T) {
	deep := strings.Repeat("[", 200000) + strings.Repeat("]", 200000)
	f, err := New("x", []byte(deep))
	if err != nil {
		t.Fatal(err)
	}
	if f.Shape != JSONArray {
		t.Fatalf("shape %v", f.Shape)
	}
}

func FuzzSniff(f *testing.F) {
	for _, s := range []string{`{"a": 1}`, `[{"b": [1, 2]}]`, "{}\n{}", "<bom/>", "text", `{"a": "\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := New("x", data)
		if err != nil {
			return
		}
		if file.Shape == Unknown {
			t.Fatalf("no error and no shape for %q", data)
		}
	})
}

// FuzzObjectKeysEnd: the one-pass reading of a well-formed object agrees
// with the two passes it replaces (SkipValue, then objectKeys).
func FuzzObjectKeysEnd(f *testing.F) {
	for _, s := range []string{`{"a": 1}`, `{}`, `{"a": "x\\\"y", "b": [1, {"c": "]}"}], "d": {}}`, `{"a": 1,}`, `{"a" 1}`, `{"a": "\\\\"}`, `{"a": "\\\\\"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '{' {
			return
		}
		keys, end, ok := objectKeysEnd(data, 0)
		if !ok {
			return
		}
		want, err := jsonscan.SkipValue(data, 0)
		if err != nil || want != end {
			t.Fatalf("%q: end %d, skipValue %d (%v)", data, end, want, err)
		}
		if old := objectKeys(data[:end]); !reflect.DeepEqual(old, keys) {
			t.Fatalf("%q: keys %v, objectKeys %v", data, keys, old)
		}
	})
}
