// Package textsafe makes text taken from reports and policies safe to show
// to a person: in a terminal, in a CI log, or in Markdown that GitHub
// renders. Every human output of secgate passes each field through it.
//
// Clean shows control characters as visible escapes, so no report can move
// the cursor, clear a screen, ring a bell, overwrite a line, start a line
// of its own (a GitHub Actions "::command::") or reorder what is shown with
// Unicode bidi controls. Markdown and Code further make sure the text
// cannot create Markdown structure: links, images, HTML, headings,
// emphasis, table cells or @-mentions.
package textsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Field lengths, in characters of the input: longer text is cut and ends
// with "…". The full text stays in -o json and -o sarif.
const (
	// MaxField bounds ids, names, versions, paths and URIs.
	MaxField = 256
	// MaxMessage bounds policy messages, remediations and titles.
	MaxMessage = 2000
)

// Clean returns s on one line with every character that a terminal or a
// log reader acts upon replaced by a visible escape: C0 controls and DEL
// (`\n`, `\r`, `\t`, `\x1b` …), C1 controls (`\u009b` …), Unicode bidi
// controls and other invisible format characters (`\u202e`, `\u2066`,
// `\u200b` …), line and paragraph separators, and bytes that are not UTF-8
// (`\xff`). A backslash already in s is kept as it is. With limit > 0, text
// longer than limit characters is cut to limit-1 of them followed by "…".
func Clean(s string, limit int) string {
	if limit > 0 && utf8.RuneCountInString(s) > limit {
		s = cut(s, limit-1) + "…"
	}
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case Unsafe(r):
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-min(len(h), 4)))
			b.WriteString(h)
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// Unsafe reports whether r is a character Clean escapes other than an
// ASCII control: a C1 control, a bidi control, an invisible format
// character, a line or paragraph separator.
func Unsafe(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls, CSI (U+009B) among them
		return true
	case r == 0x061c: // Arabic letter mark
		return true
	case r >= 0x200b && r <= 0x200f: // zero width space … right-to-left mark
		return true
	case r >= 0x2028 && r <= 0x202e: // line and paragraph separators, bidi embeddings and overrides
		return true
	case r >= 0x2060 && r <= 0x206f: // word joiner, bidi isolates, deprecated format characters
		return true
	case r == 0xfeff: // zero width no-break space
		return true
	}
	return false
}

// isPlain reports whether s has nothing Clean would change.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
			if c < utf8.RuneSelf {
				return false
			}
			for _, r := range s[i:] {
				if r < 0x20 || r == 0x7f || r == utf8.RuneError || Unsafe(r) {
					return false
				}
			}
			return true
		}
	}
	return true
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// cut returns the first n characters of s.
func cut(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// Markdown returns s cleaned (see Clean) and escaped so that CommonMark
// and GitHub render it as the same plain text: every character that could
// start a link, an image, HTML, an entity, a heading, emphasis, a code span
// or a table cell (\ ` * _ [ ] ( ) ! # < > | & ~) is backslash-escaped, and
// an @ that GitHub would read as a mention (@name at the start or after a
// character that is not part of a word, a path or an address) is followed
// by a zero-width space, written `&#8203;`: GitHub makes a mention of @name
// even when the @ is escaped. The reader sees "@name", nobody is notified. Since Clean
// leaves no line break, the text cannot start a block (a heading, a list,
// a quote) either.
func Markdown(s string, limit int) string {
	s = Clean(s, limit)
	if !strings.ContainsAny(s, markdownSpecial+"@") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '@' && mentions(s, i):
			b.WriteString("@&#8203;")
		case strings.IndexByte(markdownSpecial, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

const markdownSpecial = "\\`*_[]()!#<>|&~"

// mentions reports whether the @ at s[i] starts a GitHub mention.
func mentions(s string, i int) bool {
	if i+1 >= len(s) || !isAlnum(s[i+1]) {
		return false
	}
	if i == 0 {
		return true
	}
	p := s[i-1]
	return !isAlnum(p) && strings.IndexByte("_./`-", p) < 0
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Code returns s cleaned (see Clean) as a Markdown code span, where
// nothing is rendered: no link, no HTML, no mention. The span is delimited
// by more backquotes than any run in s. In a table cell, a | must still be
// escaped as \| (GitHub splits cells before it reads code spans): pass
// inTable. An empty s is the empty string.
func Code(s string, limit int, inTable bool) string {
	s = Clean(s, limit)
	if s == "" {
		return ""
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ') {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// URL is u as a Markdown link destination of plain ASCII: every byte but
// letters, digits and -._~:/?#&=+%,; is percent-encoded, so a report's
// address cannot end the link, open another, mention anyone or carry a
// control character (Clean's escapes are encoded too).
func URL(u string) string {
	u = Clean(u, MaxMessage)
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~:/?#&=+%,;", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		const digits = "0123456789ABCDEF"
		b.Write([]byte{'%', digits[c>>4], digits[c&0xf]})
	}
	return b.String()
}

// EscapeJSON returns JSON text b with the characters Clean escapes that
// JSON encoders leave as they are (C1 controls, bidi controls, invisible
// format characters) written as \u escapes: the same data, and nothing a
// terminal acts upon when the JSON is printed. JSON structure is ASCII, so
// every such character is inside a string, where \u is valid.
func EscapeJSON(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	if i == len(b) {
		return b
	}
	var out []byte
	last := 0
	for i < len(b) {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, w := utf8.DecodeRune(b[i:])
		if Unsafe(r) {
			if out == nil {
				out = make([]byte, 0, len(b)+16)
			}
			out = append(out, b[last:i]...)
			out = append(out, `\u`...)
			h := strconv.FormatInt(int64(r), 16)
			out = append(out, strings.Repeat("0", 4-len(h))...)
			out = append(out, h...)
			last = i + w
		}
		i += w
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// Quote quotes s for an error message (Go syntax, so every control
// character is escaped), cut to its first 120 bytes followed by "…" so a
// huge input does not flood a report.
func Quote(s string) string {
	const limit = 120
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "…"
	}
	return strconv.Quote(s)
}
