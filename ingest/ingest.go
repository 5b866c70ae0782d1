// Package ingest turns scanner reports and SBOMs into the unified
// document. Each format is one subpackage implementing Ingester; All lists
// them in the order detection tries them. Formats are detected from
// content, never from file names.
package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/bandit"
	"github.com/secgate/secgate/ingest/cyclonedx"
	"github.com/secgate/secgate/ingest/eslint"
	"github.com/secgate/secgate/ingest/gitleaks"
	"github.com/secgate/secgate/ingest/gosec"
	"github.com/secgate/secgate/ingest/govulncheck"
	"github.com/secgate/secgate/ingest/grype"
	"github.com/secgate/secgate/ingest/npmaudit"
	"github.com/secgate/secgate/ingest/openvex"
	"github.com/secgate/secgate/ingest/osvscanner"
	"github.com/secgate/secgate/ingest/pipaudit"
	"github.com/secgate/secgate/ingest/retirejs"
	"github.com/secgate/secgate/ingest/safety"
	"github.com/secgate/secgate/ingest/sarif"
	"github.com/secgate/secgate/ingest/semgrep"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/ingest/snyk"
	"github.com/secgate/secgate/ingest/spdx"
	"github.com/secgate/secgate/ingest/trivy"
	"github.com/secgate/secgate/internal/limitread"
)

// DefaultMaxFileSize bounds the size of one report; --max-file-size raises it.
const DefaultMaxFileSize int64 = 256 << 20

// Ingester reads one report format.
type Ingester interface {
	// Format is the format's name, as in sources[].format and FORMAT:PATH.
	Format() string
	// Detect says whether f is this format. (true, nil): it is; (false,
	// nil): it is not; (true, err): it is, in a version or variant that
	// cannot be read (err wraps ErrUnsupported), or a failed scan.
	Detect(f *sniff.File) (bool, error)
	// Ingest reads f into findings and components.
	Ingest(f *sniff.File) (*document.Report, error)
}

// All returns every ingester in detection order: the most specific
// signatures first.
func All() []Ingester {
	return []Ingester{
		sarif.New(),
		cyclonedx.New(),
		spdx.New(),
		trivy.New(),
		grype.New(),
		npmaudit.New(),
		openvex.New(),
		osvscanner.New(),
		govulncheck.New(),
		pipaudit.New(),
		safety.New(),
		snyk.New(),
		retirejs.New(),
		semgrep.New(),
		bandit.New(),
		gosec.New(),
		eslint.New(),
		gitleaks.New(),
		emptyIngester{},
	}
}

// Formats lists the names of all formats.
func Formats() []string {
	var names []string
	for _, in := range All() {
		names = append(names, in.Format())
	}
	return names
}

// Errors callers can test with errors.Is.
var (
	ErrUnknownFormat = errors.New("unknown report format")
	ErrTooLarge      = errors.New("larger than --max-file-size")
	// ErrDecision is a secgate decision (`secgate check -o json`) given
	// where a report was expected: it lists what a check found, and is
	// read as a baseline only (gate.LoadSide), never as findings.
	ErrDecision = errors.New("a secgate decision (secgate check -o json), not a report: give it to check as --baseline")
)

// ErrEmptyStdin is the error of "-" when nothing was written to
// standard input: a pipeline whose scanner wrote nothing has no report,
// and a gate never passes on none.
var ErrEmptyStdin = errors.New("standard input is empty: nothing was piped in for -")

// Error is a failure to read one report.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Options bound and steer ingestion.
type Options struct {
	// MaxFileSize is the largest report read, in bytes; 0 means DefaultMaxFileSize.
	MaxFileSize int64
	// Exclude holds globs of paths left out of folder arguments (see Expand).
	Exclude []string
}

// SplitArg splits a report argument into a forced format and a path:
// "trivy:scan.json" forces trivy; a prefix that is no format name is part
// of the path.
func SplitArg(arg string) (format, path string) {
	if i := strings.IndexByte(arg, ':'); i > 0 {
		prefix := arg[:i]
		for _, name := range Formats() {
			if prefix == name {
				return prefix, arg[i+1:]
			}
		}
	}
	return "", arg
}

// Load reads every report argument (PATH or FORMAT:PATH) into one document.
// The first unreadable report stops it.
func Load(args []string, opts Options) (*document.Document, error) {
	doc := document.New()
	for _, arg := range args {
		src, rep, err := File(arg, opts)
		if err != nil {
			return nil, err
		}
		doc.Add(src, rep)
	}
	doc.Finish()
	return doc, nil
}

// File reads and ingests one report argument.
func File(arg string, opts Options) (document.Source, *document.Report, error) {
	forced, path := SplitArg(arg)
	data, err := Read(path, opts)
	if err != nil {
		return document.Source{}, nil, &Error{Path: path, Err: err}
	}
	src, rep, err := Bytes(path, forced, data)
	if path == "-" && errors.Is(err, sniff.ErrEmpty) {
		err = ErrEmptyStdin
	}
	if err != nil {
		return document.Source{}, nil, &Error{Path: path, Err: err}
	}
	return src, rep, nil
}

// Bytes ingests a report already in memory; forced names its format or is "".
func Bytes(path, forced string, data []byte) (document.Source, *document.Report, error) {
	// The file's hash is taken on another CPU while it is decoded.
	sumc := make(chan [sha256.Size]byte, 1)
	go func() { sumc <- sha256.Sum256(data) }()
	f, err := sniff.New(path, data)
	if err != nil {
		return document.Source{}, nil, err
	}
	f.Forced = forced
	in, err := detect(f)
	if err != nil {
		return document.Source{}, nil, err
	}
	rep, err := in.Ingest(f)
	if err != nil {
		return document.Source{}, nil, fmt.Errorf("%s: %w", in.Format(), err)
	}
	sum := <-sumc
	src := document.Source{
		Path:    path,
		Format:  in.Format(),
		Tool:    rep.Tool,
		Created: rep.Created,
		SHA256:  hex.EncodeToString(sum[:]),
	}
	return src, rep, nil
}

func detect(f *sniff.File) (Ingester, error) {
	if f.Forced != "" {
		for _, in := range All() {
			if in.Format() == f.Forced {
				if err := checkForced(in, f); err != nil {
					return nil, err
				}
				return in, nil
			}
		}
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownFormat, f.Forced, strings.Join(Formats(), ", "))
	}
	if IsDecision(f) {
		return nil, ErrDecision
	}
	for _, in := range All() {
		ok, err := in.Detect(f)
		if err != nil {
			return nil, err
		}
		if ok {
			return in, nil
		}
	}
	return nil, fmt.Errorf("%w: %s (known: %s; force one with FORMAT:PATH)", ErrUnknownFormat, describe(f), strings.Join(Formats(), ", "))
}

// describe says what an unrecognised report looks like, for the error.
func describe(f *sniff.File) string {
	switch f.Shape {
	case sniff.JSONObject:
		// Sorted before cut, so the same file always gives the same message.
		keys := slices.Sorted(maps.Keys(f.Keys))
		if len(keys) > 5 {
			keys = keys[:5]
		}
		return fmt.Sprintf("a JSON object with keys %s", strings.Join(keys, ", "))
	case sniff.JSONArray:
		return "a JSON array of no known shape"
	case sniff.JSONStream:
		return "a stream of JSON values of no known shape"
	case sniff.XML:
		return fmt.Sprintf("an XML document with root <%s> in namespace %q", f.Root.Local, f.Root.Space)
	}
	return "text of no known shape"
}

// IsDecision reports whether f is a secgate decision, as `secgate check
// -o json` writes it: a JSON object with the keys every decision has.
func IsDecision(f *sniff.File) bool {
	return f.Shape == sniff.JSONObject && f.HasAll("decision", "violations", "policies", "summary")
}

// Read returns the bytes of the report at path ("-" for standard
// input), bounded by opts.MaxFileSize, for a caller that looks at them
// before it ingests them (Bytes).
func Read(path string, opts Options) ([]byte, error) {
	return readBounded(path, opts.MaxFileSize)
}

func readBounded(path string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxFileSize
	}
	var data []byte
	var err error
	if path == "-" {
		data, err = limitread.Read(os.Stdin, max, 0)
	} else {
		// A regular file is refused from its size; a pipe, a FIFO,
		// /dev/stdin or a device as it is read, on the byte after the limit.
		data, err = limitread.File(path, max)
	}
	var se *limitread.SizeError
	switch {
	case errors.As(err, &se) && se.Size > 0:
		return nil, fmt.Errorf("%w %s (%d bytes)", ErrTooLarge, limitread.FormatSize(se.Limit), se.Size)
	case errors.As(err, &se):
		return nil, fmt.Errorf("%w %s", ErrTooLarge, limitread.FormatSize(se.Limit))
	case errors.Is(err, syscall.EISDIR):
		return nil, errors.New("is a directory, not a report")
	case err != nil:
		return nil, unwrapPathError(err)
	}
	return data, nil
}

// unwrapPathError drops the path an *os.PathError repeats: Error adds it.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
