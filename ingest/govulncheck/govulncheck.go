// Package govulncheck ingests govulncheck's JSON output: the stream of
// messages of govulncheck -json (protocol v1: config, progress, SBOM, osv
// and finding objects one after another, no enclosing array) and the
// single object {Vulns, Calls, Imports, Requires, Modules} of the releases
// before 1.0.
//
// Each OSV entry found in each module version becomes one finding.
// govulncheck says how close the code comes to the vulnerability: a
// vulnerable function is called (a trace with a function), its package is
// only imported, or its module only required. That is the finding's
// Confidence and one of the tags "called", "imported" or "required". The
// severity is what the OSV entry says (a severity word, else its CVSS
// vectors scored), usually nothing: a vulnerability whose symbol is called
// is then at least high, as no score says otherwise; an imported or
// required one stays unknown, and policies decide what it is worth.
//
// A stream that holds OSV entries but no finding, with nothing after the
// last entry, is an incomplete scan: govulncheck writes every entry of the
// modules it scans first, then (1.1.1 and later) the progress message
// "Checking the code against the vulnerabilities...", then its findings;
// a stream cut after the entries never reached the check. Releases before
// 1.1.1 write no such message, so their clean scans are indistinguishable
// from cut ones and count as incomplete too.
package govulncheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/osv"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads govulncheck reports.
type Ingester struct{}

// New returns the govulncheck ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "govulncheck" }

// supportedProtocol is the major version of the -json protocol read.
const supportedProtocol = "v1"

// The levels at which govulncheck finds a vulnerability, from the closest.
const (
	levelCalled   = "called"
	levelImported = "imported"
	levelRequired = "required"
)

var bom = []byte("\xef\xbb\xbf")

// Detect implements ingest.Ingester. It claims a stream (or a lone
// object) of govulncheck messages: a config naming govulncheck or a
// protocol version (refusing protocols other than v1), or osv and
// finding messages; and the pre-1.0 object with Vulns and the call,
// import or module graphs.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	switch f.Shape {
	case sniff.JSONStream:
		return detectStream(f.ElemKeys)
	case sniff.JSONObject:
		if f.Has("Vulns") && (f.Has("Calls") || f.Has("Imports") || f.Has("Requires") || f.Has("Modules")) {
			return true, nil
		}
		if len(f.Keys) == 1 && f.Has("config") {
			return detectStream(f.Keys)
		}
	}
	return false, nil
}

func detectStream(keys map[string]json.RawMessage) (bool, error) {
	raw, ok := keys["config"]
	if !ok {
		_, osvMsg := keys["osv"]
		_, finding := keys["finding"]
		return osvMsg && finding, nil
	}
	var c config
	if raw == nil || json.Unmarshal(raw, &c) != nil {
		return false, nil
	}
	if c.ProtocolVersion == "" && c.ScannerName != "govulncheck" {
		return false, nil
	}
	if major, _, _ := strings.Cut(c.ProtocolVersion, "."); major != supportedProtocol {
		return true, fmt.Errorf("%w govulncheck protocol_version %q (want %s.x)", sniff.ErrUnsupported, c.ProtocolVersion, supportedProtocol)
	}
	return true, nil
}

// config is the first message of a stream.
type config struct {
	ProtocolVersion string `json:"protocol_version"`
	ScannerName     string `json:"scanner_name"`
	ScannerVersion  string `json:"scanner_version"`
	ScanLevel       string `json:"scan_level"`
	ScanMode        string `json:"scan_mode"`
}

// message is one message of the stream; one of its fields is set.
type message struct {
	Config   *config         `json:"config"`
	Progress json.RawMessage `json:"progress"`
	SBOM     *sbom           `json:"SBOM"`
	OSV      *osv.Entry      `json:"osv"`
	Finding  *finding        `json:"finding"`
}

// sbom lists the scanned code's modules, the main module first
// (govulncheck v1.1 and later).
type sbom struct {
	Modules []struct {
		Path    string `json:"path"`
		Version string `json:"version"`
	} `json:"modules"`
}

type finding struct {
	OSV          string  `json:"osv"`
	FixedVersion string  `json:"fixed_version"`
	Trace        []frame `json:"trace"`
}

type frame struct {
	Module   string    `json:"module"`
	Version  string    `json:"version"`
	Package  string    `json:"package"`
	Function string    `json:"function"`
	Receiver string    `json:"receiver"`
	Position *position `json:"position"`
}

type position struct {
	Filename string `json:"filename"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

// Ingest implements ingest.Ingester.
func (*Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	if f.Shape == sniff.JSONObject && f.Has("Vulns") {
		return ingestLegacy(f.Data)
	}
	if f.Shape != sniff.JSONStream && f.Shape != sniff.JSONObject {
		return nil, errors.New("not govulncheck JSON: want a stream of JSON objects")
	}
	keys := f.ElemKeys
	if keys == nil {
		keys = f.Keys
	}
	if _, err := detectStream(keys); errors.Is(err, sniff.ErrUnsupported) {
		return nil, err
	}
	return ingestStream(bytes.TrimPrefix(f.Data, bom))
}

// hit is one OSV entry found in one module version: the findings of all
// levels about it join.
type hit struct {
	id, module, version string
	level               string
	fixed               []string
	location            *document.Location
	symbols             []string
}

// hits collects hits in the order first found.
type hits struct {
	order []*hit
	byKey map[string]*hit
}

func (h *hits) add(id, module, version string) *hit {
	key := id + "\x00" + module + "\x00" + version
	if x, ok := h.byKey[key]; ok {
		return x
	}
	if h.byKey == nil {
		h.byKey = map[string]*hit{}
	}
	x := &hit{id: id, module: module, version: version}
	h.byKey[key] = x
	h.order = append(h.order, x)
	return x
}

// raise keeps the closest level found.
func (x *hit) raise(level string) {
	if rank(level) > rank(x.level) {
		x.level = level
	}
}

func rank(level string) int {
	switch level {
	case levelCalled:
		return 3
	case levelImported:
		return 2
	case levelRequired:
		return 1
	}
	return 0
}

func ingestStream(data []byte) (*document.Report, error) {
	rep := &document.Report{Tool: document.Tool{Name: "govulncheck"}}
	entries := map[string]*osv.Entry{}
	var found hits
	// checked is whether anything followed the last OSV entry: govulncheck
	// writes every entry of the modules it scans, then (1.1.1 and later)
	// a progress message, then the findings.
	checked := true
	// entry is the scanned module as a call trace's entry point names
	// it, for streams without an SBOM message.
	var entry frame
	d := json.NewDecoder(bytes.NewReader(data))
	for n := 0; d.More(); n++ {
		var m message
		start := d.InputOffset()
		if err := d.Decode(&m); err != nil {
			// A type error's offset counts from the message's start, a
			// syntax error's from the stream's.
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				for start < int64(len(data)) && strings.IndexByte(" \t\r\n", data[start]) >= 0 {
					start++
				}
				te.Offset += start
			}
			return nil, fmt.Errorf("message %d: %w", n+1, sniff.DecodeError(data, err))
		}
		switch {
		case m.Config != nil:
			if m.Config.ScannerName != "" {
				rep.Tool.Name = m.Config.ScannerName
			}
			rep.Tool.Version = m.Config.ScannerVersion
		case m.SBOM != nil:
			if len(m.SBOM.Modules) > 0 && rep.Subject == nil {
				rep.Subject = moduleSubject(m.SBOM.Modules[0].Path, m.SBOM.Modules[0].Version)
			}
		case m.OSV != nil:
			if m.OSV.ID == "" {
				return nil, fmt.Errorf("message %d: osv entry without an id", n+1)
			}
			entries[m.OSV.ID] = m.OSV
			checked = false
		case m.Progress != nil:
			checked = true
		case m.Finding != nil:
			checked = true
			fd := m.Finding
			if fd.OSV == "" {
				return nil, fmt.Errorf("message %d: finding without an osv id", n+1)
			}
			var top frame
			if len(fd.Trace) > 0 {
				top = fd.Trace[0]
			}
			x := found.add(fd.OSV, top.Module, top.Version)
			level := levelRequired
			switch {
			case top.Function != "":
				level = levelCalled
				if x.location == nil {
					x.location = callSite(fd.Trace)
				}
				x.symbols = appendNew(x.symbols, symbol(top))
				if last := fd.Trace[len(fd.Trace)-1]; len(fd.Trace) > 1 && entry.Module == "" {
					entry = last
				}
			case top.Package != "":
				level = levelImported
			}
			x.raise(level)
			if v := strings.TrimSpace(fd.FixedVersion); v != "" {
				x.fixed = appendNew(x.fixed, v)
			}
		}
	}
	if rep.Subject == nil {
		rep.Subject = moduleSubject(entry.Module, entry.Version)
	}
	rep.Findings = make([]document.Finding, 0, len(found.order))
	for _, x := range found.order {
		rep.Findings = append(rep.Findings, build(x, entries[x.id]))
	}
	if !checked && len(found.order) == 0 {
		rep.Incomplete = fmt.Sprintf("the stream holds %d OSV entr%s but no finding, and ends before govulncheck says it checked the code against them", len(entries), plural(len(entries)))
	}
	return rep, nil
}

func plural(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}

// moduleSubject is the scanned Go module as a subject, or nil.
func moduleSubject(path, version string) *document.Subject {
	path, version = strings.TrimSpace(path), strings.TrimSpace(version)
	if path == "" || path == "stdlib" {
		return nil
	}
	s := &document.Subject{Name: path, Version: version, Purl: "pkg:golang/" + path}
	if version != "" {
		s.Purl += "@" + version
	}
	return s
}

// callSite is where the scanned code reaches the vulnerability: the
// position of the trace's last frame, the entry point in the scanned
// module; the vulnerable symbol's own position (the first frame) is in
// the dependency, a path no reviewer of the scanned code can open. nil
// when the trace has no positions (binary mode).
func callSite(trace []frame) *document.Location {
	for i := len(trace) - 1; i >= 0; i-- {
		if p := trace[i].Position; p != nil && p.Filename != "" {
			return &document.Location{Path: p.Filename, StartLine: p.Line, StartColumn: p.Column}
		}
	}
	return nil
}

// symbol names a frame's function as govulncheck prints it:
// package.Receiver.Function.
func symbol(f frame) string {
	name := f.Function
	if r := strings.TrimPrefix(f.Receiver, "*"); r != "" {
		name = r + "." + name
	}
	if f.Package != "" {
		pkg := f.Package
		if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
			pkg = pkg[i+1:]
		}
		name = pkg + "." + name
	}
	return name
}

// build makes the finding of one hit, with what its OSV entry says.
func build(x *hit, e *osv.Entry) document.Finding {
	module := x.module
	if module == "" {
		module = "unknown module"
	}
	f := document.Finding{
		Kind:          document.KindVulnerability,
		RuleID:        x.id,
		FixedVersions: slices.Clone(x.fixed),
		FixState:      "not-fixed",
		Confidence:    x.level,
		Tags:          []string{x.level},
		Location:      x.location,
		Severity:      document.SeverityUnknown,
		Package: &document.Package{
			Name:      module,
			Version:   x.version,
			Purl:      osv.Purl("Go", x.module, x.version),
			Ecosystem: "golang",
		},
	}
	if len(f.FixedVersions) > 0 {
		f.FixState = "fixed"
	}
	raw := ""
	if e != nil {
		f.Aliases = slices.Clone(e.Aliases)
		f.Title, f.Description = e.Text()
		f.References = e.URLs()
		f.CWE = e.CWEs()
		f.Scores = e.Scores()
		f.CVSS = document.BestCVSS(f.Scores)
		if w := e.SeverityWord(); w != "" {
			if s, ok := document.ParseSeverity(w); ok && s != document.SeverityUnknown {
				f.Severity, raw = s, w
			}
		}
		if f.Severity == document.SeverityUnknown && f.CVSS != nil {
			f.Severity = document.SeverityFromScore(f.CVSS.Score)
			raw = strconv.FormatFloat(f.CVSS.Score, 'f', -1, 64)
		}
		if len(f.FixedVersions) == 0 {
			// Pre-1.0 reports state no fixed version: the entry's ranges
			// do, in OSV's semver ("1.19.4"); write them as Go does.
			f.FixedVersions = e.Fixed("Go", x.module)
			for i, v := range f.FixedVersions {
				if !strings.HasPrefix(v, "v") {
					f.FixedVersions[i] = "v" + v
				}
			}
			if len(f.FixedVersions) > 0 {
				f.FixState = "fixed"
			}
		}
	}
	if x.level == levelCalled && f.CVSS == nil {
		// The scanned code calls the vulnerable symbol and no score rates
		// the vulnerability lower: fail closed.
		f.Severity = document.MaxSeverity(f.Severity, document.SeverityHigh)
	}
	if len(x.symbols) > 0 {
		called := "Vulnerable symbols called: " + strings.Join(x.symbols, ", ") + "."
		f.Description = strings.TrimSpace(f.Description + "\n\n" + called)
	}
	f.Origins = []document.Origin{{RuleID: x.id, Severity: raw}}
	return f
}

// legacy is the single object govulncheck wrote before 1.0.
type legacy struct {
	Vulns []*struct {
		OSV         *osv.Entry `json:"OSV"`
		Symbol      string     `json:"Symbol"`
		PkgPath     string     `json:"PkgPath"`
		ModPath     string     `json:"ModPath"`
		CallSink    int        `json:"CallSink"`
		ImportSink  int        `json:"ImportSink"`
		RequireSink int        `json:"RequireSink"`
	} `json:"Vulns"`
	Calls struct {
		Functions map[string]*legacyFunc `json:"Functions"`
		Entries   []int                  `json:"Entries"`
	} `json:"Calls"`
	Requires struct {
		Modules map[string]*struct {
			Path    string `json:"Path"`
			Version string `json:"Version"`
		} `json:"Modules"`
	} `json:"Requires"`
	Modules []*struct {
		Path    string `json:"Path"`
		Version string `json:"Version"`
	} `json:"Modules"`
}

type legacyFunc struct {
	ID        int    `json:"ID"`
	PkgPath   string `json:"PkgPath"`
	CallSites []*struct {
		Parent int        `json:"Parent"`
		Pos    *legacyPos `json:"Pos"`
	} `json:"CallSites"`
}

type legacyPos struct {
	Filename string `json:"Filename"`
	Line     int    `json:"Line"`
	Column   int    `json:"Column"`
}

// ingestLegacy reads the pre-1.0 object: one entry of Vulns per
// vulnerable symbol, with the ids of the call, import and require graph
// nodes that reach it (0: none).
func ingestLegacy(data []byte) (*document.Report, error) {
	var r legacy
	data = bytes.TrimPrefix(data, bom)
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, sniff.DecodeError(data, err)
	}
	versions := map[string]string{}
	for _, m := range r.Modules {
		if m != nil {
			versions[m.Path] = m.Version
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Requires.Modules)) {
		if m := r.Requires.Modules[k]; m != nil && versions[m.Path] == "" {
			versions[m.Path] = m.Version
		}
	}
	entries := map[string]*osv.Entry{}
	var found hits
	for i, v := range r.Vulns {
		if v == nil {
			continue
		}
		if v.OSV == nil || v.OSV.ID == "" {
			return nil, fmt.Errorf("entry %d of Vulns: no OSV entry id", i)
		}
		entries[v.OSV.ID] = v.OSV
		x := found.add(v.OSV.ID, v.ModPath, versions[v.ModPath])
		switch {
		case v.CallSink != 0:
			x.raise(levelCalled)
			if x.location == nil {
				x.location = r.callSite(v.CallSink)
			}
			sym := v.Symbol
			if pkg := v.PkgPath; pkg != "" {
				sym = pkg[strings.LastIndexByte(pkg, '/')+1:] + "." + sym
			}
			x.symbols = appendNew(x.symbols, sym)
		case v.ImportSink != 0:
			x.raise(levelImported)
		default:
			x.raise(levelRequired)
		}
	}
	rep := &document.Report{Tool: document.Tool{Name: "govulncheck"}, Findings: make([]document.Finding, 0, len(found.order))}
	for _, x := range found.order {
		rep.Findings = append(rep.Findings, build(x, entries[x.id]))
	}
	return rep, nil
}

// callSite walks the call graph up from the vulnerable function to the
// closest call made by an entry function (the scanned code) and returns
// where that call is. It returns nil when the graph says nothing.
func (r *legacy) callSite(sink int) *document.Location {
	entry := map[int]bool{}
	for _, id := range r.Calls.Entries {
		entry[id] = true
	}
	fn := func(id int) *legacyFunc { return r.Calls.Functions[strconv.Itoa(id)] }
	seen := map[int]bool{sink: true}
	queue := []int{sink}
	for len(queue) > 0 {
		f := fn(queue[0])
		queue = queue[1:]
		if f == nil {
			continue
		}
		for _, cs := range f.CallSites {
			if cs == nil || seen[cs.Parent] {
				continue
			}
			seen[cs.Parent] = true
			if entry[cs.Parent] && cs.Pos != nil && cs.Pos.Filename != "" {
				return &document.Location{Path: cs.Pos.Filename, StartLine: cs.Pos.Line, StartColumn: cs.Pos.Column}
			}
			queue = append(queue, cs.Parent)
		}
	}
	return nil
}

func appendNew(s []string, v string) []string {
	if v == "" || slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
