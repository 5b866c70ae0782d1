package ecosystem

import (
	"fmt"
	"strings"
)

// Alpine's apk orders versions of the form
//
//	digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r number}
//
// Written here rather than taken from github.com/knqyf263/go-apk-version,
// which follows apk-tools before 2.12 and so puts 1.0_rc1 after 1.0 (a
// leading-zero quirk); secgate needs current apk's answer, 1.0_rc1 < 1.0,
// or a pre-release would look newer than the release that fixes it.

// apkKind is the kind of one component. The order matters: when two
// versions agree up to where one has a component the other lacks (or has
// another kind), the one whose next component has the greater kind is the
// older, except that a pre-release suffix is always older.
type apkKind int

const (
	apkInitialDigit apkKind = iota
	apkDigit
	apkLetter
	apkSuffix
	apkSuffixNumber
	apkCommitHash
	apkRevision
	apkEnd
)

// apkSuffixRank orders the suffixes: the pre-release ones rank below
// apkNoSuffix, the post-release ones above.
var apkSuffixRank = map[string]int{
	"alpha": 0, "beta": 1, "pre": 2, "rc": 3,
	"cvs": 5, "svn": 6, "git": 7, "hg": 8, "p": 9,
}

const apkNoSuffix = 4

type apkPart struct {
	kind apkKind
	text string // the digits, letter, suffix word or hash
}

// apkVersion is a parsed apk version: its parts, ending with apkEnd.
type apkVersion []apkPart

func parseAPK(v string) (apkVersion, error) {
	i := 0
	digits := func() string {
		j := i
		for j < len(v) && v[j] >= '0' && v[j] <= '9' {
			j++
		}
		s := v[i:j]
		i = j
		return s
	}
	first := digits()
	if first == "" {
		return nil, fmt.Errorf("must start with a digit")
	}
	parts := apkVersion{{apkInitialDigit, first}}
	prev := apkInitialDigit
	for i < len(v) {
		start := i
		var p apkPart
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z':
			if prev > apkDigit {
				return nil, apkSyntaxErr(v, start)
			}
			p = apkPart{apkLetter, v[i : i+1]}
			i++
		case c == '.' || c >= '0' && c <= '9':
			if c == '.' {
				if prev > apkDigit {
					return nil, apkSyntaxErr(v, start)
				}
				i++
			}
			switch prev {
			case apkInitialDigit, apkDigit:
				p.kind = apkDigit
			case apkSuffix:
				p.kind = apkSuffixNumber
			default:
				return nil, apkSyntaxErr(v, start)
			}
			if p.text = digits(); p.text == "" {
				return nil, apkSyntaxErr(v, start)
			}
		case c == '_':
			if prev > apkSuffixNumber {
				return nil, apkSyntaxErr(v, start)
			}
			i++
			j := i
			for j < len(v) && v[j] >= 'a' && v[j] <= 'z' {
				j++
			}
			word := v[i:j]
			if _, ok := apkSuffixRank[word]; !ok {
				return nil, fmt.Errorf("unknown suffix %q (want alpha, beta, pre, rc, cvs, svn, git, hg or p)", "_"+word)
			}
			p = apkPart{apkSuffix, word}
			i = j
		case c == '~':
			if prev >= apkCommitHash {
				return nil, apkSyntaxErr(v, start)
			}
			i++
			j := i
			for j < len(v) && isHexDigit(v[j]) {
				j++
			}
			if j == i {
				return nil, apkSyntaxErr(v, start)
			}
			p = apkPart{apkCommitHash, v[i:j]}
			i = j
		case c == '-':
			if prev >= apkRevision || !strings.HasPrefix(v[i:], "-r") {
				return nil, apkSyntaxErr(v, start)
			}
			i += 2
			if p = (apkPart{apkRevision, digits()}); p.text == "" {
				return nil, apkSyntaxErr(v, start)
			}
		default:
			return nil, apkSyntaxErr(v, start)
		}
		parts = append(parts, p)
		prev = p.kind
	}
	return append(parts, apkPart{kind: apkEnd}), nil
}

func apkSyntaxErr(v string, at int) error {
	return fmt.Errorf("unexpected %q at offset %d (want digit{.digit}…{letter}{_suffix{N}}…{~hash}{-rN})", v[at:at+1], at)
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func compareAPK(a, b apkVersion) int {
	// Both end with apkEnd, so the loop stops before running off either.
	k := 0
	for ; a[k].kind == b[k].kind && a[k].kind != apkEnd; k++ {
		if c := compareAPKPart(a[k], b[k]); c != 0 {
			return c
		}
	}
	pa, pb := a[k], b[k]
	switch {
	case pa.kind == pb.kind:
		return 0
	case pa.kind == apkSuffix && apkSuffixRank[pa.text] < apkNoSuffix:
		return -1
	case pb.kind == apkSuffix && apkSuffixRank[pb.text] < apkNoSuffix:
		return 1
	case pa.kind > pb.kind:
		return -1
	}
	return 1
}

func compareAPKPart(a, b apkPart) int {
	switch a.kind {
	case apkDigit:
		// A component after a dot with a leading zero compares as a
		// string, as in Gentoo: 1.01 < 1.1, 1.001 < 1.01.
		if a.text[0] == '0' || b.text[0] == '0' {
			return strings.Compare(a.text, b.text)
		}
		return compareDigits(a.text, b.text)
	case apkInitialDigit, apkSuffixNumber, apkRevision:
		return compareDigits(a.text, b.text)
	case apkSuffix:
		return sign(apkSuffixRank[a.text] - apkSuffixRank[b.text])
	}
	// Letters and commit hashes compare as strings.
	return strings.Compare(a.text, b.text)
}

// compareDigits compares two decimal numbers of any length.
func compareDigits(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	return strings.Compare(a, b)
}
