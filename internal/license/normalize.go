package license

import (
	"slices"
	"strings"
)

// Normalize rewrites expr in current SPDX ids, after normalising
// its white space. The whole expression, or a part of it (the words
// between two operators), that aliases names as written becomes the
// alias's value; each deprecated id becomes its replacement ("GPL-2.0"
// becomes "GPL-2.0-only", "GPL-2.0+" and "GFDL-1.3+" "-or-later"). Other
// parts, exceptions, operators and parentheses stay as written, so an
// expression that is not SPDX stays what it was.
func Normalize(expr string, aliases map[string]string) string {
	expr = NormalizeSpace(expr)
	if to, ok := aliases[expr]; ok {
		return Normalize(to, nil)
	}
	out := terms(expr)
	exception := false // the part being read follows WITH
	for i, t := range out {
		switch t {
		case "AND", "OR", "(", ")":
			exception = false
		case "WITH":
			exception = true
		default:
			switch to, ok := aliases[t]; {
			case exception:
				exception = false
			case ok:
				t = Normalize(to, nil)
				if strings.Contains(t, " ") {
					t = "(" + t + ")"
				}
			default:
				t = replaceDeprecated(t)
			}
			out[i] = t
		}
	}
	out = dropSingleParens(out)
	s := strings.Join(out, " ")
	s = strings.ReplaceAll(s, "( ", "(")
	return strings.ReplaceAll(s, " )", ")")
}

// dropSingleParens drops the parentheses around one licence of one word
// ("(GPL v3)" whose alias is GPL-3.0-only reads "GPL-3.0-only").
func dropSingleParens(tokens []string) []string {
	out := tokens[:0:0]
	for i := 0; i < len(tokens); i++ {
		if tokens[i] == "(" && i+2 < len(tokens) && tokens[i+2] == ")" && !strings.Contains(tokens[i+1], " ") && !slices.Contains([]string{"(", ")", "AND", "OR", "WITH"}, tokens[i+1]) {
			out = append(out, tokens[i+1])
			i += 2
			continue
		}
		out = append(out, tokens[i])
	}
	return out
}

// replaceDeprecated returns the replacement of a deprecated licence id
// (with or without "+"), or part unchanged.
func replaceDeprecated(part string) string {
	deprecated := tables().deprecated
	lower := strings.ToLower(part)
	if to, ok := deprecated[lower]; ok {
		return to
	}
	if base, ok := strings.CutSuffix(lower, "+"); ok {
		if to, ok := deprecated[base]; ok {
			return orLater(to)
		}
	}
	return part
}

// orLater returns the "or any later version" form of a replacement:
// "GPL-2.0-only WITH X" becomes "GPL-2.0-or-later WITH X"; a licence
// without an "-or-later" id keeps SPDX's "+".
func orLater(repl string) string {
	licence, exception, with := strings.Cut(repl, " WITH ")
	base, only := strings.CutSuffix(licence, "-only")
	switch {
	case only && tables().licenses[strings.ToLower(base+"-or-later")] != "":
		licence = base + "-or-later"
	case !strings.HasSuffix(licence, "-or-later"):
		licence += "+"
	}
	if with {
		return licence + " WITH " + exception
	}
	return licence
}
