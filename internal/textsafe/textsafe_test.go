package textsafe

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanEscapesControls(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"CVE-2024-1", "CVE-2024-1"},
		{"x\n::add-mask::y", `x\n::add-mask::y`},
		{"\x1b[2J", `\x1b[2J`},
		{"\x1b]8;;https://evil\x07click\x1b]8;;\x07", `\x1b]8;;https://evil\x07click\x1b]8;;\x07`},
		{"FAIL\r✓ PASS", `FAIL\r✓ PASS`},
		{"a\tb\x7f", `a\tb\x7f`},
		{"\u009b2J", `\u009b2J`},
		{"abc\u202edcba\u2066\u200f", `abc\u202edcba\u2066\u200f`},
		{"bad \xff byte", `bad \xff byte`},
		{"ünïcödé → ok", "ünïcödé → ok"},
		{`C:\path`, `C:\path`},
	} {
		if got := Clean(tc.in, 0); got != tc.want {
			t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleanCutsLongFields(t *testing.T) {
	if got := Clean("abcdef", 4); got != "abc…" {
		t.Errorf("Clean cut = %q", got)
	}
	if got := Clean("ééé", 3); got != "ééé" {
		t.Errorf("Clean kept = %q", got)
	}
	if got := Clean(strings.Repeat("é", 10), 5); got != "éééé…" {
		t.Errorf("Clean cut runes = %q", got)
	}
}

func TestMarkdownEscapesStructure(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"[click](https://evil)", `\[click\]\(https://evil\)`},
		{"![x](y)", `\!\[x\]\(y\)`},
		{"<img src=x>", `\<img src=x\>`},
		{"# heading", `\# heading`},
		{"@octocat", "@&#8203;octocat"},
		{"a|b", `a\|b`},
		{"&#64;x", `\&\#64;x`},
		{"line\n# h", `line\\n\# h`},
	} {
		if got := Markdown(tc.in, 0); got != tc.want {
			t.Errorf("Markdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCodeFencesLongerThanContent(t *testing.T) {
	for _, tc := range []struct {
		in      string
		inTable bool
		want    string
	}{
		{"a.go", false, "`a.go`"},
		{"a`b", false, "``a`b``"},
		{"`x``", false, "``` `x`` ```"},
		{"a|b", true, "`a\\|b`"},
		{"a\nb", false, "`a\\nb`"},
		{"", false, ""},
	} {
		if got := Code(tc.in, 0, tc.inTable); got != tc.want {
			t.Errorf("Code(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEscapeJSONKeepsTheData(t *testing.T) {
	in := []byte("{\"a\": \"x\u009b2J \u202e é ✓\"}")
	got := EscapeJSON(in)
	if want := `{"a": "x\u009b2J \u202e é ✓"}`; string(got) != want {
		t.Errorf("EscapeJSON = %s, want %s", got, want)
	}
	var a, b map[string]string
	if err := json.Unmarshal(in, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &b); err != nil || a["a"] != b["a"] {
		t.Errorf("the data changed: %q vs %q (%v)", a["a"], b["a"], err)
	}
	plain := []byte(`{"a": "é"}`)
	if got := EscapeJSON(plain); &got[0] != &plain[0] {
		t.Error("text without anything to escape must be returned as it is")
	}
}

func TestMarkdownMentionsOnlyWhereGitHubMakesThem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"@octocat", "@&#8203;octocat"},
		{"cc @octocat.", "cc @&#8203;octocat."},
		{"(@octocat)", `\(@&#8203;octocat\)`},
		{"pkg:npm/gpl-thing@1.0.0", "pkg:npm/gpl-thing@1.0.0"},
		{"a@example.com", "a@example.com"},
		{"@ alone", "@ alone"},
	} {
		if got := Markdown(tc.in, 0); got != tc.want {
			t.Errorf("Markdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzClean: whatever the text, Clean leaves no control character, bidi
// control or invalid UTF-8, keeps to its length, and Markdown leaves no
// unescaped bracket, '<' or line break.
func FuzzClean(f *testing.F) {
	f.Add("x\n::add-mask::y\x1b[2J\a\r✓ PASS\u202e[a](b) <img> @octocat \xff", 10)
	f.Add("``a`|", 0)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit %= 1000
		c := Clean(s, limit)
		if !utf8.ValidString(c) {
			t.Fatalf("Clean(%q) is not UTF-8: %q", s, c)
		}
		for _, r := range c {
			if r < 0x20 || r == 0x7f || Unsafe(r) {
				t.Fatalf("Clean(%q) = %q keeps %U", s, c, r)
			}
		}
		if limit > 0 && utf8.RuneCountInString(s) > limit && !strings.HasSuffix(c, "…") {
			t.Fatalf("Clean(%q, %d) = %q is not cut", s, limit, c)
		}
		m := Markdown(s, limit)
		for i := 0; i < len(m); i++ {
			switch m[i] {
			case '\\':
				i++ // the escaped character
			case '[', ']', '<', '>', '(', ')', '`', '|', '\n':
				t.Fatalf("Markdown(%q) = %q: unescaped %q", s, m, m[i])
			}
		}
	})
}

func TestQuote(t *testing.T) {
	long := strings.Repeat("a", 200)
	for in, want := range map[string]string{
		"1.0":       `"1.0"`,
		"a\x1b[2Jb": `"a\x1b[2Jb"`,
		long:        `"` + long[:120] + `"…`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestURL: a report's address cannot end a link, open another, mention
// anyone or carry a control character.
func TestURL(t *testing.T) {
	got := URL("https://x.example/a) [b](https://evil.example) <@team>\x1b[31m\n")
	want := "https://x.example/a%29%20%5Bb%5D%28https://evil.example%29%20%3C%40team%3E%5Cx1b%5B31m%5Cn"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
