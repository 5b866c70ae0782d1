package diff

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// The markers around a release's section of a security changelog. They
// are HTML comments, which Markdown does not show, and say which version
// the section is of, so that writing the section again replaces it.
const (
	markerBegin = "<!-- secgate:changelog begin "
	markerEnd   = "<!-- secgate:changelog end "
	markerClose = " -->"
)

func beginMarker(version string) string { return markerBegin + version + markerClose }
func endMarker(version string) string   { return markerEnd + version + markerClose }

// ChangelogTitle starts a security changelog secgate creates.
const ChangelogTitle = "# Security changelog\n"

// CheckVersion refuses a version that cannot name a changelog section:
// empty, longer than 100 bytes, or holding a space, a control character
// or "--" (which would end its marker).
func CheckVersion(v string) error {
	switch {
	case v == "":
		return errors.New("the version is empty")
	case len(v) > 100:
		return fmt.Errorf("the version is %d bytes long (at most 100)", len(v))
	case strings.Contains(v, "--"):
		return fmt.Errorf("the version %q holds \"--\"", v)
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '<' || r == '>' }):
		return fmt.Errorf("the version %q holds a space, a control character, < or >", v)
	}
	return nil
}

// InsertSection returns changelog with section, the Markdown of version
// (Diff.Markdown with that version, markers included), in it: in place of
// the section of that version if there is one, else at the top, after
// what comes before the first section (the title and any introduction).
// Every other byte of changelog is kept as it was. An empty changelog
// gets ChangelogTitle first. Inserting the same section twice gives the
// same file.
func InsertSection(changelog []byte, version string, section []byte) ([]byte, error) {
	if err := CheckVersion(version); err != nil {
		return nil, err
	}
	section = bytes.TrimRight(section, "\n")
	begin, end := []byte(beginMarker(version)), []byte(endMarker(version))
	if i := lineIndex(changelog, begin); i >= 0 {
		j := lineIndex(changelog[i:], end)
		if j < 0 {
			return nil, fmt.Errorf("the section of %s has no end marker (%s): fix the file by hand", version, end)
		}
		j += i + len(end)
		if lineIndex(changelog[j:], begin) >= 0 {
			return nil, fmt.Errorf("the section of %s is there twice: fix the file by hand", version)
		}
		return concat(changelog[:i], section, changelog[j:]), nil
	}
	if len(bytes.TrimSpace(changelog)) == 0 {
		return concat([]byte(ChangelogTitle+"\n"), section, []byte("\n")), nil
	}
	// The top: before the first section secgate wrote, else before the
	// first second-level heading, else at the end.
	at := lineIndex(changelog, []byte(markerBegin))
	if h := lineIndex(changelog, []byte("## ")); at < 0 || h >= 0 && h < at {
		at = h
	}
	if at < 0 {
		sep := "\n\n"
		if bytes.HasSuffix(changelog, []byte("\n")) {
			sep = "\n"
		}
		return concat(changelog, []byte(sep), section, []byte("\n")), nil
	}
	return concat(changelog[:at], section, []byte("\n\n"), changelog[at:]), nil
}

// lineIndex is the index of the first line of b that starts with prefix,
// or -1.
func lineIndex(b, prefix []byte) int {
	for i := 0; i <= len(b); {
		if bytes.HasPrefix(b[i:], prefix) {
			return i
		}
		nl := bytes.IndexByte(b[i:], '\n')
		if nl < 0 {
			return -1
		}
		i += nl + 1
	}
	return -1
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
