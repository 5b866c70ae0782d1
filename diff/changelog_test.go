package diff

import (
	"bytes"
	"strings"
	"testing"
)

func sectionOf(version, body string) []byte {
	return []byte(beginMarker(version) + "\n## " + version + "\n\n" + body + "\n" + endMarker(version) + "\n")
}

func TestInsertSection(t *testing.T) {
	const intro = "# Security changelog\n\nWhat changed, release by release.\n\n"
	const hand = "## 0.9.0 (written by hand)\n\n- fixed CVE-2020-1 by hand\n"
	v1 := string(sectionOf("v1.0.0", "one"))
	for _, tc := range []struct {
		name, file, version, body, want string
	}{
		{"a new file", "", "v1.0.0", "one", "# Security changelog\n\n" + v1},
		{"on top, under the title and introduction", intro + hand, "v1.0.0", "one", intro + v1 + "\n" + hand},
		{"on top of the sections secgate wrote", intro + v1, "v1.1.0", "two", intro + string(sectionOf("v1.1.0", "two")) + "\n" + v1},
		{"in place of the same version's", intro + string(sectionOf("v1.1.0", "old")) + "\n" + v1, "v1.1.0", "new", intro + string(sectionOf("v1.1.0", "new")) + "\n" + v1},
		{"in place, when it is not on top", intro + string(sectionOf("v1.1.0", "two")) + "\n" + v1 + "\n" + hand, "v1.0.0", "one again",
			intro + string(sectionOf("v1.1.0", "two")) + "\n" + string(sectionOf("v1.0.0", "one again")) + "\n" + hand},
		{"after a title alone, without a final line break", "# Changes", "v1.0.0", "one", "# Changes\n\n" + v1},
		{"after a title alone", "# Changes\n", "v1.0.0", "one", "# Changes\n\n" + v1},
		// A marker inside a line is no marker.
		{"a marker quoted in text", intro + "see `" + beginMarker("v1.0.0") + "`\n" + hand, "v1.0.0", "one",
			intro + "see `" + beginMarker("v1.0.0") + "`\n" + v1 + "\n" + hand},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := InsertSection([]byte(tc.file), tc.version, sectionOf(tc.version, tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			again, err := InsertSection(got, tc.version, sectionOf(tc.version, tc.body))
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("a second insert changed the file (%v):\n%s", err, again)
			}
		})
	}
}

func TestInsertSectionRefuses(t *testing.T) {
	broken := sectionOf("v1", "x")
	broken = broken[:bytes.Index(broken, []byte(markerEnd))]
	twice := append(append(sectionOf("v1", "a"), '\n'), sectionOf("v1", "b")...)
	for _, tc := range []struct {
		name, file, version, want string
	}{
		{"no end marker", string(broken), "v1", "has no end marker"},
		{"twice", string(twice), "v1", "is there twice"},
		{"an empty version", "", "", "empty"},
		{"a version that ends its marker", "", "v1 -->", "holds \"--\""},
		{"a version with a line break", "", "v1\n## v0", "holds a space"},
		{"a version with HTML", "", "<img>", "holds a space, a control character, < or >"},
		{"a version too long", "", strings.Repeat("1", 101), "at most 100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := InsertSection([]byte(tc.file), tc.version, []byte("x"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// FuzzInsertSection: whatever the changelog holds, an insert either
// refuses or keeps every byte outside the section, holds the section
// once, and a second insert changes nothing.
func FuzzInsertSection(f *testing.F) {
	f.Add([]byte("# Security changelog\n\n## 1.0\n- x\n"), "v2")
	f.Add(sectionOf("v2", "old"), "v2")
	f.Add([]byte("intro\n"+beginMarker("v2")+"\n"), "v2")
	f.Fuzz(func(t *testing.T, file []byte, version string) {
		section := sectionOf(version, "the section")
		got, err := InsertSection(file, version, section)
		if err != nil {
			return
		}
		body := bytes.TrimRight(section, "\n")
		at := bytes.Index(got, body)
		if at < 0 {
			t.Fatalf("the section is missing:\n%q", got)
		}
		// A marker is one only at the start of a line; quoted inside a
		// line it is text.
		if bytes.Count(append([]byte("\n"), got...), []byte("\n"+beginMarker(version)+"\n")) != 1 {
			t.Fatalf("the section's marker does not start a line exactly once:\n%q", got)
		}
		if !bytes.Contains(file, []byte(beginMarker(version))) {
			// Inserted: the file is what was there, with the section
			// (and the blank lines around it) added.
			rest := append(append([]byte{}, got[:at]...), got[at+len(body):]...)
			if len(bytes.TrimSpace(file)) > 0 && !bytes.Equal(bytes.ReplaceAll(rest, []byte("\n"), nil), bytes.ReplaceAll(file, []byte("\n"), nil)) {
				t.Fatalf("bytes outside the section changed:\nfile %q\ngot  %q", file, got)
			}
		}
		again, err := InsertSection(got, version, section)
		if err != nil || !bytes.Equal(again, got) {
			t.Fatalf("not idempotent (%v):\n%q\n%q", err, got, again)
		}
	})
}
