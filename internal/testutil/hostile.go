package testutil

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/secgate/secgate/internal/textsafe"
)

// ControlAt is the byte offset of the first control character of out
// (other than a line break; a tab too unless human), or -1. With human,
// bidi controls and invisible format characters count (textsafe.Unsafe);
// text that is not UTF-8 is at 0.
func ControlAt(out string, human bool) int {
	if !utf8.ValidString(out) {
		return 0
	}
	for i, r := range out {
		if (r < 0x20 && r != '\n' && (human || r != '\t')) || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (human && textsafe.Unsafe(r)) {
			return i
		}
	}
	return -1
}

// mention is GitHub's: @name at the start or after a character that is
// not part of a word, a path or an address.
var mention = regexp.MustCompile("(^|[^A-Za-z0-9_./`-])@[A-Za-z0-9]")

// MarkdownInjection parses just enough of one line of Markdown to say what
// structure it has outside code spans and backslash escapes: a '[', ']' or
// '<' (a link, an image, HTML) or an @mention. It returns what it found,
// or "". Callers first remove the structure they wrote themselves.
func MarkdownInjection(line string) string {
	plain := OutsideCode(line)
	if i := strings.IndexAny(plain, "[]<"); i >= 0 {
		return "unescaped " + plain[i:i+1]
	}
	if mention.MatchString(plain) {
		return "a mention"
	}
	return ""
}

// OutsideCode is a line of Markdown without its code spans (CommonMark's
// rules, for one line); an escaped character is kept as text, blanked
// where it would be structure ('[', ']', '<').
func OutsideCode(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == '\\' && i+1 < len(line):
			if e := line[i+1]; strings.IndexByte("[]<", e) >= 0 {
				b.WriteByte(' ')
			} else {
				b.WriteByte(e)
			}
			i += 2
		case c == '`':
			n := 0
			for i+n < len(line) && line[i+n] == '`' {
				n++
			}
			if end := closing(line[i+n:], n); end >= 0 {
				i += n + end + n
				continue
			}
			b.WriteString(line[i : i+n])
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// closing is where a run of exactly n backquotes starts in s, or -1.
func closing(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		m := 0
		for i+m < len(s) && s[i+m] == '`' {
			m++
		}
		if m == n {
			return i
		}
		i += m
	}
	return -1
}
