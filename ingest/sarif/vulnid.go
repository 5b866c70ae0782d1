package sarif

import "strings"

// vulnIDPrefix returns the vulnerability identifier that s starts with —
// CVE-2021-44228, GHSA-jfh8-c2jp-5v3q, GO-2022-0969, PYSEC-2021-19,
// RUSTSEC-2021-0001, OSV-2020-111, GSD-2021-1000, SNYK-JS-LODASH-567746 — or
// "" when it starts with none. The identifier must end s or be followed by
// a character that cannot continue it, so Grype's rule ids
// ("CVE-2008-0732-geronimo-jms_1.1_spec": one rule per CVE and package)
// yield their CVE. Case is kept as written.
func vulnIDPrefix(s string) string {
	n := len(s)
	if n < 6 {
		return ""
	}
	switch c := s[0] | 0x20; c {
	case 'c': // CVE-YYYY-NNNN+
		if hasPrefixFold(s, "CVE-") {
			return yearSeq(s, 4, 4)
		}
	case 'g':
		switch {
		case hasPrefixFold(s, "GHSA-"):
			return ghsa(s)
		case hasPrefixFold(s, "GO-"):
			return yearSeq(s, 3, 4)
		case hasPrefixFold(s, "GSD-"):
			return yearSeq(s, 4, 1)
		}
	case 'p':
		if hasPrefixFold(s, "PYSEC-") {
			return yearSeq(s, 6, 1)
		}
	case 'r':
		if hasPrefixFold(s, "RUSTSEC-") {
			return yearSeq(s, 8, 4)
		}
	case 'o':
		if hasPrefixFold(s, "OSV-") {
			return yearSeq(s, 4, 1)
		}
	case 's':
		if hasPrefixFold(s, "SNYK-") {
			return snyk(s)
		}
	}
	return ""
}

// isVulnID reports whether s is exactly one vulnerability identifier.
func isVulnID(s string) bool {
	return s != "" && vulnIDPrefix(s) == s
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// yearSeq reads "YYYY-N…" at s[i:] (a four-digit year, a dash, at least
// minSeq digits) and returns s up to its end, or "".
func yearSeq(s string, i, minSeq int) string {
	if len(s) < i+5 || !digits(s[i:i+4]) || s[i+4] != '-' {
		return ""
	}
	j := i + 5
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j-(i+5) < minSeq || (j < len(s) && isIDChar(s[j])) {
		return ""
	}
	return s[:j]
}

// ghsa reads GHSA-xxxx-xxxx-xxxx.
func ghsa(s string) string {
	const n = len("GHSA-xxxx-xxxx-xxxx")
	if len(s) < n {
		return ""
	}
	for g := 0; g < 3; g++ {
		at := 5 + g*5
		for _, c := range []byte(s[at : at+4]) {
			if !isAlnum(c) {
				return ""
			}
		}
		if g < 2 && s[at+4] != '-' {
			return ""
		}
	}
	if len(s) > n && isIDChar(s[n]) {
		return ""
	}
	return s[:n]
}

// snyk reads SNYK-<SEGMENTS>-<number>: upper-case segments, a numeric last.
func snyk(s string) string {
	end := len(s)
	for i := 5; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || isDigit(c) || c == '-' || c == '_' || c == '.') {
			end = i
			break
		}
	}
	id := strings.TrimRight(s[:end], "-_.")
	last := id[strings.LastIndexByte(id, '-')+1:]
	if len(id) <= 5 || !digits(last) || strings.Count(id, "-") < 2 {
		return ""
	}
	return id
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isIDChar reports whether c could continue an identifier's last part;
// a dash may start a suffix (Grype's "-package").
func isIDChar(c byte) bool { return isAlnum(c) || c == '_' }

// vulnIDsIn appends to dst every upper-case vulnerability identifier that
// appears as a word in text ("… is vulnerable to 'CVE-2023-39137' (also known as
// 'GHSA-r285-q736-9v95')").
func vulnIDsIn(dst []string, text string) []string {
	for i := 0; i < len(text); i++ {
		// Identifiers in prose are upper case; a lower-case one is part of
		// a link ("https://avd.aquasec.com/nvd/cve-2019-1549").
		c := text[i]
		if c != 'C' && c != 'G' && c != 'P' && c != 'R' && c != 'O' && c != 'S' {
			continue
		}
		if i > 0 && (isAlnum(text[i-1]) || strings.IndexByte("-_/.", text[i-1]) >= 0) {
			continue
		}
		if id := vulnIDPrefix(text[i:]); id != "" {
			dst = append(dst, id)
			i += len(id) - 1
		}
	}
	return dst
}
