// Package norm holds the small normalisations several ingesters share:
// CWE ids, first lines and joined texts, JSON values written as a string
// or a number, or as one string or a list of them, severity words that
// fall back to a CVSS score.
//
// Each function does exactly what the ingesters' own copies did; where
// they differed, the variants are separate functions (CWE, CWENonZero)
// or the ingester keeps its own.
package norm

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/secgate/secgate/document"
)

// CWE normalises a CWE id to "CWE-79": s is trimmed, a leading "CWE-" in
// any case dropped, and what is left must be digits alone; anything else
// ("", "CWE-", "79a", "CWE-79: XSS") is "".
func CWE(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && strings.EqualFold(s[:4], "CWE-") {
		s = s[4:]
	}
	if s == "" {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return ""
		}
	}
	return "CWE-" + s
}

// CWENonZero is CWE, except that an id of zeros alone ("0", "CWE-000"),
// which names no weakness, is "".
func CWENonZero(s string) string {
	c := CWE(s)
	if c != "" && strings.Trim(c[len("CWE-"):], "0") == "" {
		return ""
	}
	return c
}

// CWEExceptZero is CWE, except that the id "0" alone, which Bandit and
// gosec write for none, is "".
func CWEExceptZero(s string) string {
	if c := CWE(s); c != "CWE-0" {
		return c
	}
	return ""
}

// CWEs normalises each id with CWE, dropping those that are none; nil
// when none is left.
func CWEs(in []string) []string {
	var out []string
	for _, s := range in {
		out = AppendNonEmpty(out, CWE(s))
	}
	return out
}

// AppendNonEmpty appends v to s unless v is "".
func AppendNonEmpty(s []string, v string) []string {
	if v == "" {
		return s
	}
	return append(s, v)
}

// NonBlank returns, in a new slice, the strings of s trimmed, leaving out
// those that are then empty; nil when none is left.
func NonBlank(s []string) []string {
	var out []string
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// FirstNonEmpty returns the first of s that is not "", or "".
func FirstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// FirstLine returns the first line of s once leading white space is
// trimmed, itself trimmed.
func FirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// JoinText joins the non-empty parts, each trimmed, with blank lines.
func JoinText(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(p)
	}
	return b.String()
}

// Prefixed returns prefix+s, or "" when s is blank.
func Prefixed(prefix, s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return prefix + s
}

// NonNegative returns n, or 0 when n is negative.
func NonNegative(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

// Text reads a JSON string, or a number as its text; anything else is "".
func Text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// TrimmedText is Text, trimmed.
func TrimmedText(raw json.RawMessage) string {
	return strings.TrimSpace(Text(raw))
}

// Strings reads a JSON value that is one string (or number) or a list of
// them: the values trimmed, leaving out empty ones and any that are
// neither; nil when none is left.
func Strings(raw json.RawMessage) []string {
	if s := TrimmedText(raw); s != "" {
		return []string{s}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, v := range list {
		if s := TrimmedText(v); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ID is an identifier a report writes as a JSON string or a number; null
// leaves it unchanged.
type ID string

// UnmarshalJSON implements json.Unmarshaler.
func (i *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*i = ID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*i = ID(n.String())
	return nil
}

// Severity maps a scanner's severity word with document.ParseSeverity
// (Grype's Negligible is info, npm's moderate is medium); none, an
// unknown word or "unknown" falls back to the score of best, the
// preferred CVSS, if there is one.
func Severity(word string, best *document.CVSS) document.Severity {
	if s, ok := document.ParseSeverity(word); ok && s != document.SeverityUnknown {
		return s
	}
	if best != nil {
		return document.SeverityFromScore(best.Score)
	}
	return document.SeverityUnknown
}
