// Package ingesttest holds the plumbing the ingesters' tests share: reading
// the corpus under testdata/corpus, running a report through sniff,
// detection and ingestion into a finished, validated document, checking
// which corpus files an ingester claims, and the body of FuzzIngest.
//
// It is an ordinary package (not a _test file) so that the test files of
// every ingester can import it; it imports no ingester, so it cannot form
// an import cycle with package ingest.
package ingesttest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
)

// CorpusDir is the corpus folder as seen from an ingester's package
// directory (ingest/<format>), where its tests run.
const CorpusDir = "../../testdata/corpus"

// Path is the file name a Harness sniffs and adds reports under.
const Path = "x.json"

// ErrNotDetected is Ingest's error for data the ingester does not claim.
var ErrNotDetected = errors.New("not detected")

// Ingester is what these helpers need of an ingester: the methods of
// ingest.Ingester, restated here because package ingest imports every
// ingester.
type Ingester interface {
	Format() string
	Detect(f *sniff.File) (bool, error)
	Ingest(f *sniff.File) (*document.Report, error)
}

// Corpus returns the file name in the corpus folder dir, failing the test
// if it cannot be read.
func Corpus(tb testing.TB, dir, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(CorpusDir, dir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// Ingest sniffs data as a file at path, has in detect it and ingests it,
// as ingest.Bytes does. Unless forced (as FORMAT:PATH forces a format),
// data that in does not claim is ErrNotDetected; a Detect error is
// returned either way.
func Ingest(in Ingester, path string, data []byte, forced bool) (*document.Report, error) {
	f, err := sniff.New(path, data)
	if err != nil {
		return nil, err
	}
	ok, err := in.Detect(f)
	if err != nil {
		return nil, err
	}
	if !ok && !forced {
		return nil, ErrNotDetected
	}
	return in.Ingest(f)
}

// Finish adds rep to a new document as the report of a file at path in
// in's format, finishes the document and fails the test unless it is
// valid. Add takes the report's findings over: see Snapshot.
func Finish(tb testing.TB, in Ingester, path string, rep *document.Report) *document.Document {
	tb.Helper()
	doc := document.New()
	// Add takes the findings' array over; the tests read rep after.
	taken := *rep
	taken.Findings = slices.Clone(rep.Findings)
	doc.Add(document.Source{Path: path, Format: in.Format(), SHA256: strings.Repeat("0", 64)}, &taken)
	doc.Finish()
	if err := doc.Validate(); err != nil {
		tb.Fatalf("Validate: %v", err)
	}
	return doc
}

// Snapshot returns a copy of rep with findings of its own, so that what
// the ingester wrote can still be checked after Finish: adding a report
// to a document fills in its findings' origins, status and severity.
func Snapshot(rep *document.Report) *document.Report {
	raw := *rep
	raw.Findings = slices.Clone(rep.Findings)
	return &raw
}

// Harness ingests one format's reports for its tests: as a file named
// Path, into a finished, valid document (see Ingest and Finish).
type Harness struct {
	// In is the ingester under test.
	In Ingester
	// Dir is its corpus folder, for File and Corpus.
	Dir string
	// Raw makes Bytes, Forced and File return a Snapshot of the report
	// taken before it joined the document, not the report Finish left.
	Raw bool
}

// Bytes ingests data and joins the report to a finished, valid document.
func (h Harness) Bytes(tb testing.TB, data []byte) (*document.Report, *document.Document, error) {
	tb.Helper()
	return h.Run(tb, data, false)
}

// Forced is Bytes for a format the user forced: the report is ingested
// whatever Detect answers, unless Detect fails.
func (h Harness) Forced(tb testing.TB, data []byte) (*document.Report, *document.Document, error) {
	tb.Helper()
	return h.Run(tb, data, true)
}

// Run is Forced if forced, else Bytes.
func (h Harness) Run(tb testing.TB, data []byte, forced bool) (*document.Report, *document.Document, error) {
	tb.Helper()
	rep, err := Ingest(h.In, Path, data, forced)
	if err != nil {
		return nil, nil, err
	}
	out := rep
	if h.Raw {
		out = Snapshot(rep)
	}
	return out, Finish(tb, h.In, Path, rep), nil
}

// Must ingests data as a file named Path that h.In must claim, failing
// the test on any error.
func (h Harness) Must(tb testing.TB, data []byte) *document.Report {
	tb.Helper()
	rep, err := Ingest(h.In, Path, data, false)
	if err != nil {
		tb.Fatalf("ingest: %v", err)
	}
	return rep
}

// Finish joins rep to a finished, valid document as the report of a file
// named Path (see the function Finish).
func (h Harness) Finish(tb testing.TB, rep *document.Report) *document.Document {
	tb.Helper()
	return Finish(tb, h.In, Path, rep)
}

// Corpus returns the file name of the corpus folder h.Dir.
func (h Harness) Corpus(tb testing.TB, name string) []byte {
	tb.Helper()
	return Corpus(tb, h.Dir, name)
}

// File is Bytes on the file name of the corpus folder h.Dir, failing the
// test on any error.
func (h Harness) File(tb testing.TB, name string) (*document.Report, *document.Document) {
	tb.Helper()
	rep, doc, err := h.Bytes(tb, h.Corpus(tb, name))
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return rep, doc
}

// Claims says which corpus files an ingester claims; see AssertClaims.
type Claims struct {
	// Folders are the corpus folders whose files it claims.
	Folders []string
	// Except names files in those folders that it does not claim.
	Except []string
	// Errors names the files (in any folder) for which Detect returns an
	// error; for every other file it must return none.
	Errors []string
	// Skip leaves out the files whose path it accepts.
	Skip func(path string) bool
}

// AssertClaimsOnly checks that in claims the files of the corpus folders
// named and no other corpus file, without a Detect error.
func AssertClaimsOnly(t *testing.T, in Ingester, folders ...string) {
	t.Helper()
	AssertClaims(t, in, Claims{Folders: folders})
}

// AssertClaims runs in's Detect on every file of every corpus folder
// that sniffs, and checks that it claims exactly the files c describes.
func AssertClaims(t *testing.T, in Ingester, c Claims) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(CorpusDir, "*", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v", err)
	}
	for _, path := range files {
		if c.Skip != nil && c.Skip(path) {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := sniff.New(path, data)
		if err != nil {
			continue
		}
		ok, err := in.Detect(f)
		base := filepath.Base(path)
		mine := slices.Contains(c.Folders, filepath.Base(filepath.Dir(path))) && !slices.Contains(c.Except, base)
		if ok != mine || (err != nil) != slices.Contains(c.Errors, base) {
			t.Errorf("%s: Detect = %v, %v; want %v", path, ok, err, mine)
		}
	}
}

// CorpusFiles returns the contents of every file in the corpus folders
// dirs, failing the test if one cannot be read.
func CorpusFiles(tb testing.TB, dirs ...string) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(CorpusDir, dir, "*"))
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, data)
		}
	}
	return out
}

// Seed adds every file of the corpus folders dirs to f's seed corpus, cut
// to its first max bytes when max > 0, and the first half of what it
// added.
func Seed(f *testing.F, max int, dirs ...string) {
	f.Helper()
	for _, data := range CorpusFiles(f, dirs...) {
		if max > 0 && len(data) > max {
			data = data[:max]
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
}

// FuzzOptions vary Fuzz.
type FuzzOptions struct {
	// Path is the name the input is sniffed under; "x" when empty.
	Path string
	// Forced ingests input whatever Detect answers, as FORMAT:PATH does;
	// only a Detect error leaves it out.
	Forced bool
	// Check, if set, checks each report before it joins the document.
	Check func(t *testing.T, rep *document.Report)
}

// Fuzz runs f over inputs that in claims: ingesting one must return a
// report or an error, never both, and a report must make a valid
// document.
func Fuzz(f *testing.F, in Ingester, o FuzzOptions) {
	path := o.Path
	if path == "" {
		path = "x"
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := sniff.New(path, data)
		if err != nil {
			return
		}
		if ok, err := in.Detect(sf); err != nil || (!ok && !o.Forced) {
			return
		}
		rep, err := in.Ingest(sf)
		if err != nil {
			if rep != nil {
				t.Fatal("a report with an error")
			}
			return
		}
		if o.Check != nil {
			o.Check(t, rep)
		}
		Finish(t, in, "x", rep)
	})
}
