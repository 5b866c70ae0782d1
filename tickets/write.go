package tickets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/secgate/secgate/internal/limitread"
	"github.com/secgate/secgate/internal/safefile"
	"github.com/secgate/secgate/internal/textsafe"
)

// JSONFile is the name of the tickets file WriteDir writes.
const JSONFile = "tickets.json"

// MaxFileSize bounds the tickets file Load reads.
const MaxFileSize = 64 << 20

// maxSlug bounds the title part of a ticket's file name.
const maxSlug = 60

// ticketFileRE matches the Markdown files WriteDir writes.
var ticketFileRE = regexp.MustCompile(`^[0-9a-f]{12}-[a-z0-9-]*\.md$`)

// WriteDir writes the tickets to dir (created if needed): tickets.json, a
// JSON array of the tickets, and one Markdown file per ticket named
// <fingerprint[:12]>-<slug of the title>.md. Ticket files of an earlier run
// that are no longer produced are removed, so the folder always holds the
// current tickets and nothing else of secgate's.
func WriteDir(dir string, ts []Ticket) error {
	if ts == nil {
		ts = []Ticket{}
	}
	// The folder and each file must be themselves, not symlinks: files are
	// written beside their destination and renamed into place.
	if err := safefile.Dir(dir); err != nil {
		return fmt.Errorf("tickets: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ts); err != nil {
		return fmt.Errorf("tickets: %w", err)
	}
	if err := safefile.Write(filepath.Join(dir, JSONFile), textsafe.EscapeJSON(buf.Bytes()), 0o644); err != nil {
		return fmt.Errorf("tickets: %w", err)
	}
	keep := map[string]bool{}
	for _, t := range ts {
		name := FileName(t)
		keep[name] = true
		if err := safefile.Write(filepath.Join(dir, name), []byte(t.Body), 0o644); err != nil {
			return fmt.Errorf("tickets: %w", err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("tickets: %w", err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() && ticketFileRE.MatchString(e.Name()) && !keep[e.Name()] {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("tickets: %w", err)
			}
		}
	}
	return nil
}

// FileName is the name of a ticket's Markdown file:
// <fingerprint[:12]>-<slug of the title>.md.
func FileName(t Ticket) string {
	fp := strings.ToLower(t.Fingerprint)
	if len(fp) > 12 {
		fp = fp[:12]
	}
	for len(fp) < 12 {
		fp += "0"
	}
	return fp + "-" + slug(t.Title) + ".md"
}

// slug is the lower-case letters and digits of s, runs of anything else
// folded to one dash, cut at a word boundary to at most maxSlug bytes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	out := b.String()
	if len(out) > maxSlug {
		cut := out[:maxSlug]
		if out[maxSlug] != '-' {
			if i := strings.LastIndexByte(cut, '-'); i > 0 {
				cut = cut[:i]
			}
		}
		out = strings.TrimSuffix(cut, "-")
	}
	if out == "" {
		return "ticket"
	}
	return out
}

// Errors Load returns, for errors.Is.
var (
	ErrNoTickets = errors.New("not a tickets file: want a JSON array of tickets, or an object with a tickets array")
)

// Load reads the tickets WriteDir wrote (tickets.json), or the tickets of
// a decision that `secgate check -o json` printed (an object with a tickets
// array). Every ticket needs a fingerprint and a title, and no two share a
// fingerprint. Errors name the file.
func Load(path string) ([]Ticket, error) {
	data, err := limitread.File(path, MaxFileSize)
	if errors.Is(err, limitread.ErrTooLarge) {
		return nil, fmt.Errorf("tickets %s: larger than %d MiB", path, MaxFileSize>>20)
	}
	if err != nil {
		return nil, fmt.Errorf("tickets %s: %w", path, unwrapPath(err))
	}
	ts, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("tickets %s: %w", path, err)
	}
	return ts, nil
}

// Parse reads tickets from JSON, as Load does.
func Parse(data []byte) ([]Ticket, error) {
	data = bytes.TrimSpace(data)
	var ts []Ticket
	switch {
	case len(data) > 0 && data[0] == '[':
		if err := json.Unmarshal(data, &ts); err != nil {
			return nil, jsonError(data, err)
		}
	case len(data) > 0 && data[0] == '{':
		var obj struct {
			Tickets *[]Ticket `json:"tickets"`
		}
		if err := json.Unmarshal(data, &obj); err != nil {
			return nil, jsonError(data, err)
		}
		if obj.Tickets == nil {
			return nil, ErrNoTickets
		}
		ts = *obj.Tickets
	default:
		return nil, ErrNoTickets
	}
	seen := map[string]int{}
	for i := range ts {
		t := &ts[i]
		if strings.TrimSpace(t.Fingerprint) == "" {
			return nil, fmt.Errorf("ticket %d: no fingerprint", i)
		}
		if strings.TrimSpace(t.Title) == "" {
			return nil, fmt.Errorf("ticket %d (%s): no title", i, t.Fingerprint)
		}
		if j, dup := seen[t.Fingerprint]; dup {
			return nil, fmt.Errorf("tickets %d and %d have the same fingerprint %s", j, i, t.Fingerprint)
		}
		seen[t.Fingerprint] = i
		if t.Labels == nil {
			t.Labels = []string{}
		}
		if t.FindingIDs == nil {
			t.FindingIDs = []string{}
		}
		if t.Components == nil {
			t.Components = []string{}
		}
		if t.Policies == nil {
			t.Policies = []string{}
		}
	}
	if ts == nil {
		ts = []Ticket{}
	}
	return ts, nil
}

// jsonError says where malformed JSON is wrong: line and column.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

// unwrapPath drops the *PathError wrapper whose path the caller names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
