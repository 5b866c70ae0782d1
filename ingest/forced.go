package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/jsonscan"
)

// ErrNotForcedFormat marks a report forced (FORMAT:PATH) to a format whose
// shape it does not have.
var ErrNotForcedFormat = errors.New("not the forced format")

// ShapeError is a report that does not have the shape of the format
// forced on it. Read anyway, it would give an empty report, and so a
// pass: decoders match JSON keys without regard to case and ignore the
// keys they do not know.
type ShapeError struct {
	// Format is the forced format.
	Format string
	// Want says what that format must show.
	Want string
	// Found says what the report is.
	Found string
	// Is names the format the report was detected as, if any.
	Is string
}

func (e *ShapeError) Error() string {
	s := fmt.Sprintf("forced format %s: no %s report shape (want %s; found %s)", e.Format, e.Format, e.Want, e.Found)
	if e.Is != "" {
		s += "; it reads as a " + e.Is + " report"
	}
	return s
}

func (e *ShapeError) Unwrap() error { return ErrNotForcedFormat }

// forcedShape is the least a report must show to be read as a format the
// user forced: the format's defining keys, looser than its Detect (which
// must tell formats apart, and so may want more), never nothing.
type forcedShape struct {
	want string
	fits func(f *sniff.File) bool
}

// forcedShapes holds a shape for every format. Keys are matched exactly,
// as the tools write them.
var forcedShapes = map[string]forcedShape{
	"empty": {"an empty JSON array, []", emptyArray},
	"sarif": {`a JSON object with key "runs"`, func(f *sniff.File) bool {
		return objectHasAny(f, "runs")
	}},
	"cyclonedx": {`a JSON object with key "bomFormat", or an XML document with root <bom>`, func(f *sniff.File) bool {
		return objectHasAny(f, "bomFormat") || f.Shape == sniff.XML && f.Root.Local == "bom"
	}},
	"spdx": {`a JSON object with key "spdxVersion" or "SPDXID", or tag-value text with SPDXVersion:`, func(f *sniff.File) bool {
		return objectHasAny(f, "spdxVersion", "SPDXID") || f.Shape == sniff.Text && bytes.Contains(f.Data, []byte("SPDXVersion:"))
	}},
	"trivy": {`a JSON object with key "Results", "ArtifactName", "SchemaVersion" or "ClusterName", or an array of objects with key "Target"`, func(f *sniff.File) bool {
		return objectHasAny(f, "Results", "ArtifactName", "SchemaVersion", "ClusterName") || arrayOf(f, "Target")
	}},
	"grype": {`a JSON object with key "matches"`, func(f *sniff.File) bool {
		return objectHasAny(f, "matches")
	}},
	"npm-audit": {`a JSON object with key "auditReportVersion" or "advisories"`, func(f *sniff.File) bool {
		return objectHasAny(f, "auditReportVersion", "advisories")
	}},
	"openvex": {`a JSON object with key "statements"`, func(f *sniff.File) bool {
		return objectHasAny(f, "statements")
	}},
	"osv-scanner": {`a JSON object with key "results", a list of objects with key "source" or "packages"`, func(f *sniff.File) bool {
		return resultsOf(f, "results", "source", "packages")
	}},
	"govulncheck": {`a stream of JSON objects with key "config", "osv" or "finding", or a JSON object with key "Vulns"`, func(f *sniff.File) bool {
		switch f.Shape {
		case sniff.JSONStream:
			return hasAny(f.ElemKeys, "config", "osv", "finding")
		case sniff.JSONObject:
			return hasAny(f.Keys, "config", "osv", "finding", "Vulns")
		}
		return false
	}},
	"pip-audit": {`a JSON object with key "dependencies", or an array of objects with key "vulns" or "skip_reason"`, func(f *sniff.File) bool {
		return objectHasAny(f, "dependencies") || arrayOf(f, "vulns", "skip_reason")
	}},
	"safety": {`a JSON object with key "report_meta" or "scan_results", or an array of arrays (Safety 1.x)`, func(f *sniff.File) bool {
		return objectHasAny(f, "report_meta", "scan_results") || arrayOfArrays(f) || emptyArray(f)
	}},
	"snyk": {`a JSON object (or array of objects) with key "vulnerabilities" and "ok", "packageManager" or "projectName"`, func(f *sniff.File) bool {
		snyk := func(keys map[string]json.RawMessage) bool {
			return hasAny(keys, "vulnerabilities", "infrastructureAsCodeIssues") && hasAny(keys, "ok", "packageManager", "projectName")
		}
		switch f.Shape {
		case sniff.JSONObject:
			return snyk(f.Keys) || hasAny(f.Keys, "error") && hasAny(f.Keys, "ok")
		case sniff.JSONArray:
			return snyk(f.ElemKeys) || emptyArray(f)
		}
		return false
	}},
	"retirejs": {`a JSON object with key "data" and "version", or an array of objects with key "file" and "results"`, func(f *sniff.File) bool {
		return f.Shape == sniff.JSONObject && f.HasAll("data", "version") ||
			arrayOf(f, "file") && f.ElemHas("results")
	}},
	"semgrep": {`a JSON object with key "results", a list of objects with key "check_id"`, func(f *sniff.File) bool {
		return resultsOf(f, "results", "check_id")
	}},
	"bandit": {`a JSON object with key "results", a list of objects with key "test_id"`, func(f *sniff.File) bool {
		return resultsOf(f, "results", "test_id", "issue_severity")
	}},
	"gosec": {`a JSON object with key "Issues"`, func(f *sniff.File) bool {
		return objectHasAny(f, "Issues")
	}},
	"eslint": {`an array of objects with key "filePath"`, func(f *sniff.File) bool {
		return arrayOf(f, "filePath")
	}},
	"gitleaks": {`an array of objects with key "RuleID" (or "rule", Gitleaks 7)`, func(f *sniff.File) bool {
		return arrayOf(f, "RuleID", "rule")
	}},
}

// checkForced decides whether f may be read as in, the format the user
// forced: in's own detection says so, or f has in's shape and no other
// format's detection claims it. An empty JSON array fits every format that
// may write one: it holds nothing to miss.
func checkForced(in Ingester, f *sniff.File) error {
	ok, err := in.Detect(f)
	if err != nil || ok {
		return err
	}
	shape, known := forcedShapes[in.Format()]
	fits := known && (shape.fits(f) || emptyArray(f) && arrayFormats[in.Format()])
	is := ""
	for _, other := range All() {
		if other.Format() == in.Format() || other.Format() == (emptyIngester{}).Format() {
			continue
		}
		if ok, err := other.Detect(f); ok || err != nil {
			is = other.Format()
			break
		}
	}
	if fits && is == "" {
		return nil
	}
	want := shape.want
	if !known {
		want = "what its detection looks for"
	}
	return &ShapeError{Format: in.Format(), Want: want, Found: describe(f), Is: is}
}

// arrayFormats are the formats whose tools write a JSON array, and so
// `[]` when they find nothing.
var arrayFormats = map[string]bool{
	"trivy": true, "pip-audit": true, "safety": true, "snyk": true,
	"retirejs": true, "eslint": true, "gitleaks": true,
}

func hasAny(keys map[string]json.RawMessage, names ...string) bool {
	for _, k := range names {
		if _, ok := keys[k]; ok {
			return true
		}
	}
	return false
}

// objectHasAny reports whether f is a JSON object with one of keys.
func objectHasAny(f *sniff.File, keys ...string) bool {
	return f.Shape == sniff.JSONObject && hasAny(f.Keys, keys...)
}

// arrayOf reports whether f is a JSON array whose sampled objects have
// one of keys.
func arrayOf(f *sniff.File, keys ...string) bool {
	return f.Shape == sniff.JSONArray && hasAny(f.ElemKeys, keys...)
}

// resultsOf reports whether f is a JSON object whose key holds an array
// that is empty or whose sampled objects have one of keys. A value too
// large to have been kept is looked for in the whole file.
func resultsOf(f *sniff.File, key string, keys ...string) bool {
	raw, ok := f.Keys[key]
	if f.Shape != sniff.JSONObject || !ok {
		return false
	}
	if raw == nil {
		for _, k := range keys {
			if bytes.Contains(f.Data, []byte(`"`+k+`"`)) {
				return true
			}
		}
		return false
	}
	list, err := sniff.New("", raw)
	if err != nil || list.Shape != sniff.JSONArray {
		return false
	}
	return isEmptyArray(raw) || hasAny(list.ElemKeys, keys...)
}

// emptyArray reports whether f is `[]`.
func emptyArray(f *sniff.File) bool {
	return f.Shape == sniff.JSONArray && len(f.ElemKeys) == 0 && isEmptyArray(f.Data)
}

// arrayOfArrays reports whether f is a JSON array whose first element is
// an array (Safety 1.x writes one array per vulnerability).
func arrayOfArrays(f *sniff.File) bool {
	if f.Shape != sniff.JSONArray {
		return false
	}
	data := bytes.TrimPrefix(f.Data, []byte("\xef\xbb\xbf"))
	i := jsonscan.SkipSpace(data, 0)
	if i == len(data) || data[i] != '[' {
		return false
	}
	i = jsonscan.SkipSpace(data, i+1)
	return i < len(data) && data[i] == '['
}
