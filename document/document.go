// Package document defines the unified document: the one JSON shape that
// every ingested report becomes and that every policy sees as `input`.
//
// The JSON form of these types is the contract with policy authors. Field
// names are snake_case and stable; slices are never null; a change of shape
// changes SchemaVersion and schema.json.
package document

// SchemaVersion is the version of the unified document's shape. It changes
// whenever a field is added (minor) or changed or removed (major).
const SchemaVersion = "1.3.0"

// Document is the unified document.
type Document struct {
	SchemaVersion string      `json:"schema_version"`
	Sources       []Source    `json:"sources"`
	Findings      []Finding   `json:"findings"`
	Components    []Component `json:"components"`
	Summary       Summary     `json:"summary"`
	Context       Context     `json:"context"`
	// VEX lists every VEX statement read, with the findings it decided
	// and, when it was not applied, why.
	VEX []VEXStatement `json:"vex"`
	// Removed are the baseline's components this document no longer has
	// (Change removed), when a baseline was given. Policies judging what
	// ships read Components; these are for those judging the change.
	Removed []Component `json:"removed_components"`
	// Baseline is what policies are told of the baseline beyond the
	// marks on findings and components: present only when a baseline
	// was given and thresholds.ratchet asked for its counts.
	Baseline *Baseline `json:"baseline,omitempty"`

	findingIndex   map[string]int
	componentIndex map[string]int
	statements     []Statement
	// serials maps a CycloneDX BOM's serial number to its source, for
	// BOM-Links.
	serials map[string]int
	// ownPackages are the packages merging made, which no ingester shares.
	ownPackages map[*Package]bool
}

// Baseline is what the document says of its baseline's findings.
type Baseline struct {
	// RatchetCounts are the baseline's open findings that the
	// thresholds policy's ratchet counts, by the severity each counts
	// at (every severity present): the policy's ratchet_counts evaluated
	// on the baseline's findings, with the exceptions in force applied,
	// so that both sides are counted alike.
	RatchetCounts map[string]int `json:"ratchet_counts"`
}

// Source is one input file.
type Source struct {
	Path    string `json:"path"`
	Format  string `json:"format"`
	Tool    Tool   `json:"tool"`
	Created string `json:"created,omitempty"`
	SHA256  string `json:"sha256"`

	// Complete is false when the report says its scan did not run to the
	// end (a SARIF run without results, a tool that says it failed, a
	// govulncheck stream cut short): what it does not list was not
	// necessarily looked at. IncompleteReason says why, in one line.
	// Document.Add sets both from the report.
	Complete         bool   `json:"complete"`
	IncompleteReason string `json:"incomplete_reason,omitempty"`
	// Errors are the scan errors the report lists: files the tool could
	// not parse, rules that failed or timed out. They are no findings.
	Errors []ScanError `json:"errors"`
	// Subject is what was scanned or described, when the report says:
	// the SBOM's own component, the scanned image, directory or module.
	Subject *Subject `json:"subject,omitempty"`
}

// Subject names what a report is about, as a purl or a name. A VEX
// statement about a product applies to the findings of the sources whose
// subject that product is.
type Subject struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Purl    string `json:"purl,omitempty"`
}

// ScanError is one problem a tool met while scanning, as its report says:
// what it did not scan, not what it found.
type ScanError struct {
	// Level is ScanErrorLevelError or ScanErrorLevelWarning.
	Level string `json:"level"`
	// Message is the tool's message, its first line, shortened.
	Message string `json:"message"`
	// Path and Line say where, when the tool says.
	Path string `json:"path,omitempty"`
	Line int    `json:"line,omitempty"`
	// Type is the tool's own class of the error, as written ("Syntax
	// error", "Timeout", a SARIF notification's descriptor id).
	Type string `json:"type,omitempty"`
}

// The levels of a scan error.
const (
	ScanErrorLevelError   = "error"
	ScanErrorLevelWarning = "warning"
)

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Kind is the class of a finding.
type Kind string

// The kinds of finding.
const (
	KindVulnerability    Kind = "vulnerability"
	KindCode             Kind = "code"
	KindSecret           Kind = "secret"
	KindMisconfiguration Kind = "misconfiguration"
	KindLicense          Kind = "license"
)

// Kinds lists every Kind in a stable order.
var Kinds = []Kind{KindVulnerability, KindCode, KindSecret, KindMisconfiguration, KindLicense}

// Status says whether a finding still counts.
type Status string

// The statuses of a finding. Only StatusOpen counts against a gate.
const (
	StatusOpen        Status = "open"
	StatusNotAffected Status = "not_affected"
	StatusFixed       Status = "fixed"
	StatusAccepted    Status = "accepted"
)

// Statuses lists every Status in a stable order.
var Statuses = []Status{StatusOpen, StatusNotAffected, StatusFixed, StatusAccepted}

// Finding is one distinct problem, however many tools reported it.
type Finding struct {
	// ID is a stable fingerprint: the same problem has the same ID across
	// runs, tools, report paths and input order.
	ID          string   `json:"id"`
	Kind        Kind     `json:"kind"`
	RuleID      string   `json:"rule_id"`
	Aliases     []string `json:"aliases"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	CWE         []string `json:"cwe"`
	References  []string `json:"references"`
	Tags        []string `json:"tags"`
	Severity    Severity `json:"severity"`
	// CVSS is the preferred score; Scores keeps every score that was stated.
	CVSS          *CVSS     `json:"cvss,omitempty"`
	Scores        []CVSS    `json:"scores"`
	Package       *Package  `json:"package,omitempty"`
	FixedVersions []string  `json:"fixed_versions"`
	FixState      string    `json:"fix_state,omitempty"`
	Location      *Location `json:"location,omitempty"`
	// Locations are every place the finding was reported at, sorted;
	// the first is Location. A merged finding keeps them all.
	Locations     []Location  `json:"locations"`
	Confidence    string      `json:"confidence,omitempty"`
	EPSS          *EPSS       `json:"epss,omitempty"`
	KEV           *KEV        `json:"kev,omitempty"`
	BaselineState string      `json:"baseline_state,omitempty"`
	Origins       []Origin    `json:"origins"`
	Status        Status      `json:"status"`
	StatusReason  *StatusNote `json:"status_reason,omitempty"`
	// New is set only when a baseline was given.
	New *bool `json:"new,omitempty"`

	// ToolFingerprint is what the reporting tool says tells this result
	// apart from others of the same rule at the same place (SARIF
	// fingerprints and partialFingerprints). It is not part of the
	// document: it goes into the ID when one report holds several results
	// of one rule at one place that it tells apart (two taint flows from
	// one source line to two sinks are two problems).
	ToolFingerprint string `json:"-"`
	// Occurrence tells apart the findings of one report with the same
	// rule and file at different places: 0 for the first place
	// in the file, 1 for the next. It goes into the ID instead of the
	// line, which moves when code above it changes. Document.Add sets it.
	Occurrence int `json:"-"`
}

// CVSS is one score with its vector.
type CVSS struct {
	Version string  `json:"version"`
	Score   float64 `json:"score"`
	Vector  string  `json:"vector,omitempty"`
	Source  string  `json:"source,omitempty"`
}

// Package identifies the software a vulnerability is in.
type Package struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Purl      string `json:"purl,omitempty"`
	Ecosystem string `json:"ecosystem,omitempty"`
	// Path is where the package was found (a lock file, a jar, a layer path).
	Path string `json:"path,omitempty"`
	// Paths are every place the package was found, sorted; the first is
	// Path. A library vendored at two paths has both.
	Paths []string `json:"paths"`
}

// Location is a place in a file.
type Location struct {
	Path        string `json:"path"`
	StartLine   int    `json:"start_line,omitempty"`
	EndLine     int    `json:"end_line,omitempty"`
	StartColumn int    `json:"start_column,omitempty"`
	EndColumn   int    `json:"end_column,omitempty"`
	// Snippet is the source text where the report gives it; never a secret.
	Snippet string `json:"snippet,omitempty"`
}

// EPSS is the FIRST Exploit Prediction Scoring System score of a CVE.
type EPSS struct {
	Score      float64 `json:"score"`
	Percentile float64 `json:"percentile"`
	Date       string  `json:"date,omitempty"`
}

// KEV records that a CVE is in CISA's Known Exploited Vulnerabilities catalogue.
type KEV struct {
	Listed         bool   `json:"listed"`
	DateAdded      string `json:"date_added,omitempty"`
	RequiredAction string `json:"required_action,omitempty"`
	DueDate        string `json:"due_date,omitempty"`
}

// Origin is one report of a finding by one tool in one source.
type Origin struct {
	// Source indexes Document.Sources.
	Source int    `json:"source"`
	Tool   string `json:"tool"`
	// RuleID and Severity are the tool's own words.
	RuleID   string `json:"rule_id"`
	Severity string `json:"severity"`
}

// StatusNote says who set a status other than open, and why.
type StatusNote struct {
	// By is what set the status: "sarif-suppression", "vex", "exception", "report".
	By            string `json:"by"`
	Justification string `json:"justification,omitempty"`
	Statement     string `json:"statement,omitempty"`
	Source        string `json:"source,omitempty"`
}

// Component is one piece of software listed by an SBOM.
type Component struct {
	BOMRef            string   `json:"bom_ref"`
	Type              string   `json:"type"`
	Name              string   `json:"name"`
	Group             string   `json:"group,omitempty"`
	Version           string   `json:"version"`
	Purl              string   `json:"purl,omitempty"`
	Ecosystem         string   `json:"ecosystem,omitempty"`
	Licenses          []string `json:"licenses"`
	LicenseExpression string   `json:"license_expression,omitempty"`
	Direct            bool     `json:"direct"`
	Scope             string   `json:"scope,omitempty"`
	DependsOn         []string `json:"depends_on"`
	Sources           []int    `json:"sources"`
	// New is set only when a baseline was given: true when the
	// component was added (Change).
	New *bool `json:"new,omitempty"`
	// Change says, when a baseline was given, how the component changed
	// since: one of Changes (removed only in Document.Removed).
	// PreviousVersion and PreviousLicenses are the baseline's version
	// and licences of the package (unless added), and LicenseChanged says
	// whether its licences or licence expression differ from those.
	Change           string   `json:"change,omitempty"`
	PreviousVersion  string   `json:"previous_version,omitempty"`
	PreviousLicenses []string `json:"previous_licenses,omitempty"`
	LicenseChanged   bool     `json:"license_changed,omitempty"`
}

// Summary counts what the document holds.
type Summary struct {
	Findings       int            `json:"findings"`
	OpenFindings   int            `json:"open_findings"`
	BySeverity     map[string]int `json:"by_severity"`
	OpenBySeverity map[string]int `json:"open_by_severity"`
	ByKind         map[string]int `json:"by_kind"`
	ByStatus       map[string]int `json:"by_status"`
	Components     int            `json:"components"`
	NewFindings    int            `json:"new_findings"`
	NewComponents  int            `json:"new_components"`
}

// Where the run's time came from (Context.NowSource).
const (
	NowFlag  = "flag"  // --now
	NowClock = "clock" // the system clock
)

// Context is what the run knows about where it runs.
type Context struct {
	Stage string `json:"stage"`
	Now   string `json:"now"`
	// NowSource says where Now came from: NowFlag or NowClock.
	NowSource  string `json:"now_source,omitempty"`
	Repository string `json:"repository,omitempty"`
	Commit     string `json:"commit,omitempty"`
	Branch     string `json:"branch,omitempty"`
	CI         string `json:"ci,omitempty"`
	Baseline   bool   `json:"baseline"`
}

// Report is what one ingester makes of one file, before it joins a Document.
type Report struct {
	Tool       Tool
	Created    string
	Findings   []Finding
	Components []Component
	// Statements are VEX statements; they set the status of matching
	// findings of every report when the document is finished.
	Statements []Statement
	// Errors are the scan errors the report lists (Source.Errors).
	Errors []ScanError
	// Incomplete, when not empty, says in one line why the scan did not
	// complete (Source.IncompleteReason).
	Incomplete string
	// Subject is what the report is about, when it says; it becomes its
	// source's subject.
	Subject *Subject
	// Serial is a CycloneDX BOM's serialNumber (urn:uuid:…), which
	// BOM-Links in VEX statements name.
	Serial string
}

// VisitStrings calls visit with a pointer to every string the finding
// holds, in its own fields and in the values it points to, so that a
// caller can replace each (with a copy that does not keep a decoder's
// buffer alive, or with a shared copy of a repeated value). The fields
// of one place come first, then the package, then lists and optional
// values: a reader comparing a finding's strings with the previous
// finding's by position (the Trivy reader) finds those aligned.
func (f *Finding) VisitStrings(visit func(*string)) {
	visit(&f.ID)
	visit((*string)(&f.Kind))
	visit(&f.RuleID)
	visit(&f.Title)
	visit(&f.Description)
	visit((*string)(&f.Severity))
	visit(&f.FixState)
	visit(&f.Confidence)
	visit(&f.BaselineState)
	visit((*string)(&f.Status))
	visit(&f.ToolFingerprint)
	if p := f.Package; p != nil {
		visit(&p.Name)
		visit(&p.Version)
		visit(&p.Purl)
		visit(&p.Ecosystem)
		visit(&p.Path)
	}
	for i := range f.Origins {
		visit(&f.Origins[i].Tool)
		visit(&f.Origins[i].RuleID)
		visit(&f.Origins[i].Severity)
	}
	if f.CVSS != nil {
		f.CVSS.visitStrings(visit)
	}
	for i := range f.Scores {
		f.Scores[i].visitStrings(visit)
	}
	visitAll(f.FixedVersions, visit)
	visitAll(f.Aliases, visit)
	visitAll(f.CWE, visit)
	visitAll(f.References, visit)
	visitAll(f.Tags, visit)
	if l := f.Location; l != nil {
		visit(&l.Path)
		visit(&l.Snippet)
	}
	for i := range f.Locations {
		visit(&f.Locations[i].Path)
		visit(&f.Locations[i].Snippet)
	}
	if p := f.Package; p != nil {
		visitAll(p.Paths, visit)
	}
	if e := f.EPSS; e != nil {
		visit(&e.Date)
	}
	if k := f.KEV; k != nil {
		visit(&k.DateAdded)
		visit(&k.RequiredAction)
		visit(&k.DueDate)
	}
	if r := f.StatusReason; r != nil {
		visit(&r.By)
		visit(&r.Justification)
		visit(&r.Statement)
		visit(&r.Source)
	}
}

func (c *CVSS) visitStrings(visit func(*string)) {
	visit(&c.Version)
	visit(&c.Vector)
	visit(&c.Source)
}

func visitAll(list []string, visit func(*string)) {
	for i := range list {
		visit(&list[i])
	}
}
