// Package sarif ingests SARIF 2.1.0 logs, whatever tool wrote them
// (CodeQL, Semgrep, Snyk Code, Trivy, Grype, osv-scanner, govulncheck,
// Gitleaks, KICS, …), with any number of runs per log.
//
// Every result becomes one finding. Its rule is found by index (ruleIndex
// or rule.index; -1 means none) or by id, in the driver or in the tool
// extension rule.toolComponent names. Its severity is the rule's or
// result's security-severity (a CVSS-like score, or a word), else a
// "severity" property, else its level (result, then the rule's default
// configuration), else its best CVSS score, else SARIF's default level,
// warning. Its kind comes from the tool and the rule (see classify). CWE
// ids come from tags ("CWE-79", CodeQL's "external/cwe/cwe-079"), "cwe"
// properties, relationships to a CWE taxonomy and links to MITRE's CWE
// pages. Suppressed results are accepted; results a baseline says are
// absent are fixed.
//
// A log also says how far its scan went (see coverage): runs null or
// empty, a run whose results are absent or null, that says
// executionSuccessful false or reports an error-level execution or
// configuration notification is an incomplete scan;
// error and warning notifications are scan errors, not findings. A run
// with no results that says it failed is refused (sniff.ErrFailedScan).
//
// The log is decoded with go-sarif's types, wrapped where go-sarif cannot
// represent real logs (see decode.go). Rules are worked out once per rule,
// so that reading a log costs about as much as decoding its JSON.
package sarif

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"
	"github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/norm"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads SARIF logs.
type Ingester struct{}

// New returns the SARIF ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "sarif" }

// supportedVersions are the SARIF versions read: 2.1.0, and the release
// candidate go-sarif also knows, which has the same shape.
var supportedVersions = []string{string(gosarif.Version210), string(gosarif.Version210RTM5)}

// Detect implements ingest.Ingester. It claims a JSON object with a "runs"
// array and either a "$schema" naming SARIF or a "version" that looks like
// a SARIF version (1.0.0, 2.0.0, 2.1.0). Only version 2.1.0 is read: other
// versions are claimed and refused.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	if f.Shape != sniff.JSONObject || !f.Has("runs") {
		return false, nil
	}
	if raw := bytes.TrimSpace(f.Keys["runs"]); len(raw) > 0 && raw[0] != '[' && string(raw) != "null" {
		return false, nil
	}
	schema := f.String("$schema")
	sarifSchema := containsFold(schema, "sarif")
	if !f.Has("version") {
		switch {
		case !sarifSchema:
			return false, nil
		case strings.Contains(schema, "2.1.0"):
			return true, nil
		}
		return true, fmt.Errorf("%w SARIF log without a version (want 2.1.0)", sniff.ErrUnsupported)
	}
	v := f.Number("version")
	if !sarifSchema && !looksLikeVersion(v) {
		return false, nil
	}
	if slices.Contains(supportedVersions, v) {
		return true, nil
	}
	return true, fmt.Errorf("%w SARIF version %q (want 2.1.0)", sniff.ErrUnsupported, v)
}

// looksLikeVersion reports whether v has the shape of a SARIF version:
// 1.x.y or 2.x.y, with an optional pre-release suffix.
func looksLikeVersion(v string) bool {
	core, _, _ := strings.Cut(v, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 || (parts[0] != "1" && parts[0] != "2") {
		return false
	}
	return digits(parts[1]) && digits(parts[2])
}

// Ingest implements ingest.Ingester.
func (in *Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	if f.Shape != sniff.JSONObject || !f.Has("runs") {
		return nil, errors.New(`not a SARIF log: want a JSON object with "runs"`)
	}
	if _, err := in.Detect(f); err != nil {
		return nil, err
	}
	data := bytes.TrimPrefix(f.Data, []byte("\xef\xbb\xbf"))
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil {
		return nil, sniff.DecodeError(data, err)
	}
	return build(&log)
}

// build turns a decoded log into a report.
func build(log *sarifLog) (*document.Report, error) {
	n := 0
	for i := range log.Runs {
		n += len(log.Runs[i].Results)
	}
	b := newBuilder(n)
	rep := &document.Report{}
	var names []string
	for i := range log.Runs {
		r := &log.Runs[i]
		name, version := "", ""
		if d := r.Tool.Driver; d != nil {
			name = strings.TrimSpace(d.Name)
			version = deref(d.Version)
			if version == "" {
				version = deref(d.SemanticVersion)
			}
		}
		if err := failedScan(r, name); err != nil {
			return nil, err
		}
		if i == 0 {
			rep.Tool.Version = version
		}
		if name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
		if rep.Created == "" {
			rep.Created = created(r)
		}
		rr := newRunRules(r)
		b.roots = newRoots(r)
		for _, res := range r.Results {
			if res != nil {
				b.result(rr, name, res)
			}
		}
	}
	rep.Tool.Name = strings.Join(names, ", ")
	rep.Findings = b.findings
	rep.Errors, rep.Incomplete = coverage(log)
	return rep, nil
}

// coverage reads what a log says of its scan: the scan errors its runs'
// notifications report, and why the scan did not complete, if it did not.
// A scan did not complete when runs is null; when a run's results are
// absent or null (SARIF 2.1.0 §3.14.23: not computed; [] is a scan that
// found nothing); when runs is empty (no tool ran); when an invocation
// says executionSuccessful false; when an execution or configuration
// notification is of level error. Execution notifications of
// level error and warning, and configuration notifications of level
// error, are scan errors.
func coverage(log *sarifLog) ([]document.ScanError, string) {
	if log.Runs == nil {
		return nil, "runs is null: the tool produced no run"
	}
	if len(log.Runs) == 0 {
		// Valid SARIF, but no tool ran: nothing says anything was scanned.
		return nil, "runs is empty: the log holds no tool run"
	}
	var errs []document.ScanError
	var reasons []string
	for i := range log.Runs {
		r := &log.Runs[i]
		name := "the tool"
		if d := r.Tool.Driver; d != nil && strings.TrimSpace(d.Name) != "" {
			name = strings.TrimSpace(d.Name)
		}
		run := fmt.Sprintf("run %d (%s)", i+1, name)
		if r.Results == nil {
			reasons = append(reasons, run+": results is absent or null: results were not computed")
		}
		failed, errorMsg, configMsg := false, "", ""
		for _, inv := range r.Invocations {
			if inv.ExecutionSuccessful != nil && !*inv.ExecutionSuccessful {
				failed = true
			}
			for _, n := range inv.ToolExecutionNotifications {
				lv := notificationLevel(n)
				if lv != "error" && lv != "warning" {
					continue
				}
				errs = append(errs, notificationError(lv, n))
				if lv == "error" && errorMsg == "" {
					errorMsg = messageText(&n.Message)
				}
			}
			for _, n := range inv.ToolConfigurationNotifications {
				if notificationLevel(n) == "error" {
					errs = append(errs, notificationError("error", n))
					if configMsg == "" {
						configMsg = messageText(&n.Message)
					}
				}
			}
		}
		switch {
		case failed && errorMsg == "" && configMsg != "":
			reasons = append(reasons, run+" did not run successfully: "+firstLine(configMsg))
		case failed && errorMsg != "":
			reasons = append(reasons, run+" did not run successfully: "+firstLine(errorMsg))
		case failed:
			reasons = append(reasons, run+" did not run successfully (executionSuccessful false)")
		case errorMsg != "":
			reasons = append(reasons, run+" reported an error: "+firstLine(errorMsg))
		case configMsg != "":
			// A configuration error (a rule that could not run) leaves
			// part of the scan undone.
			reasons = append(reasons, run+" reported a configuration error: "+firstLine(configMsg))
		}
	}
	return errs, strings.Join(reasons, "; ")
}

// notificationLevel is a notification's level; SARIF's default is warning.
func notificationLevel(n notification) string {
	if n.Level == nil {
		return "warning"
	}
	return *n.Level
}

// notificationError is the scan error a notification reports.
func notificationError(level string, n notification) document.ScanError {
	path, line, typ := "", 0, ""
	for i := range n.Locations {
		if pl := n.Locations[i].PhysicalLocation; pl != nil && pl.ArtifactLocation != nil && deref(pl.ArtifactLocation.URI) != "" {
			path = cleanURI(deref(pl.ArtifactLocation.URI))
			if pl.Region != nil {
				line = nonNegative(pl.Region.StartLine)
			}
			break
		}
	}
	if n.Descriptor != nil {
		typ = deref(n.Descriptor.ID)
	}
	return document.NewScanError(level, messageText(&n.Message), path, line, typ)
}

// failedScan refuses a run that reports no results and says its tool did
// not run to the end: an empty result list from it proves nothing. A run
// with results keeps them (SpotBugs says "unsuccessful" whenever it finds
// bugs).
func failedScan(r *run, tool string) error {
	if len(r.Results) > 0 {
		return nil
	}
	for _, inv := range r.Invocations {
		if inv.ExecutionSuccessful == nil || *inv.ExecutionSuccessful {
			continue
		}
		if tool == "" {
			tool = "the tool"
		}
		msg := ""
		for _, n := range slices.Concat(inv.ToolExecutionNotifications, inv.ToolConfigurationNotifications) {
			if t := messageText(&n.Message); t != "" && (msg == "" || notificationLevel(n) == "error") {
				msg = t
				if notificationLevel(n) == "error" {
					break
				}
			}
		}
		if msg != "" {
			return fmt.Errorf("%w: %s did not run successfully: %s", sniff.ErrFailedScan, tool, firstLine(msg))
		}
		return fmt.Errorf("%w: %s did not run successfully", sniff.ErrFailedScan, tool)
	}
	return nil
}

// created is when a run ended (or started), as its invocation says.
func created(r *run) string {
	for _, inv := range r.Invocations {
		if inv.EndTimeUTC != "" {
			return inv.EndTimeUTC
		}
		if inv.StartTimeUTC != "" {
			return inv.StartTimeUTC
		}
	}
	return ""
}

// builder makes findings.
type builder struct {
	findings []document.Finding
	scratch  []string
	roots    *roots // the run's
}

func newBuilder(n int) *builder {
	return &builder{findings: make([]document.Finding, 0, n)}
}

// strings returns a new list of a with c appended: each finding's lists
// are its own.
func (b *builder) strings(a, c []string) []string {
	if len(a)+len(c) == 0 {
		return nil
	}
	return slices.Concat(a, c)
}

// result adds the finding one result makes, if it makes one.
func (b *builder) result(rr *runRules, tool string, r *result) {
	if k := deref(r.Kind); k == "pass" || k == "notApplicable" {
		return // a check that held is no finding
	}
	id := strings.TrimSpace(deref(r.RuleID))
	if id == "" && r.Rule != nil {
		id = strings.TrimSpace(deref(r.Rule.ID))
	}
	msg := messageText(&r.Message)
	ri := rr.resolve(r, id)
	if ri == nil && id == "" && r.RuleIndex == nil && r.Rule == nil {
		ri = rr.byMessageText(msg)
	}
	if id == "" && ri != nil {
		id = ri.id
	}
	if id == "" {
		id = document.UnknownRule
	}
	if ri == nil {
		ri = rr.unlisted(id)
	}
	props := r.Properties

	b.findings = append(b.findings, document.Finding{})
	f := &b.findings[len(b.findings)-1]
	f.Kind = ri.kind
	f.RuleID = id
	f.Title = ri.title
	f.Description = ri.description
	if f.Kind != document.KindSecret {
		// A secret scanner's message may quote the secret.
		if f.Title == "" {
			f.Title = shorten(firstLine(msg))
		}
		if f.Description == "" && msg != f.Title {
			f.Description = msg
		}
	}
	if f.Title == "" {
		f.Title = id
	}
	f.Confidence = norm.FirstNonEmpty(rawValue(props["confidence"]), rawValue(props["issue_confidence"]), ri.confidence)
	f.BaselineState = deref(r.BaselineState)

	// Lists: the rule's, plus what the result adds.
	extra := b.scratch[:0]
	extra = appendStrings(extra, props["tags"])
	f.Tags = b.strings(ri.tags, extra)
	extra = extra[:0]
	if len(props) > 0 || len(r.Taxa) > 0 {
		for _, t := range f.Tags[len(ri.tags):] {
			extra = appendCWE(extra, t)
		}
		extra = appendCWEValue(extra, props["cwe"])
		for i := range r.Taxa {
			extra, _ = rr.appendTaxon(extra, nil, &r.Taxa[i])
		}
	}
	f.CWE = b.strings(ri.cwe, extra)

	if f.Kind == document.KindVulnerability {
		b.vulnerability(f, ri, r, msg)
	} else {
		f.References = b.strings(ri.references, nil)
		f.Location = b.resultLocation(r, f.Kind != document.KindSecret)
		f.ToolFingerprint = toolFingerprint(r)
	}
	b.scratch = extra[:0]

	sevRaw, sev := severity(ri, r, f.Scores)
	f.Severity = sev
	if len(f.Scores) > 0 {
		f.CVSS = document.BestCVSS(f.Scores, "nvd")
	}
	b.status(f, r)
	f.Origins = []document.Origin{{Tool: tool, RuleID: id, Severity: sevRaw}}
}

// vulnerability fills what a vulnerability result says of the
// vulnerability and its package.
func (b *builder) vulnerability(f *document.Finding, ri *ruleInfo, r *result, msg string) {
	props := r.Properties
	if ri.vulnID != "" {
		f.RuleID = ri.vulnID
	} else if v := vulnIDPrefix(f.RuleID); v != "" {
		f.RuleID = v
	}
	extra := vulnIDsIn(b.scratch[:0], msg)
	extra = appendStrings(extra, props["aliases"])
	for _, t := range f.Tags[len(ri.tags):] {
		if isVulnID(t) {
			extra = append(extra, t)
		}
	}
	// Keep only the ids the rule does not already give.
	extra = slices.DeleteFunc(extra, func(id string) bool {
		return id == f.RuleID || slices.Contains(ri.aliases, id)
	})
	f.Aliases = b.strings(ri.aliases, extra)
	f.References = b.strings(ri.references, nil)
	b.scratch = extra[:0]

	f.Scores = appendScores(slices.Clone(ri.scores), props)

	facts := parsePkgFacts(msg)
	if !facts.ok() {
		facts = ri.pkg
	}
	purl := norm.FirstNonEmpty(rawValue(props["purl"]), rawValue(props["packageUrl"]), rawValue(props["package_url"]))
	if purl != "" && facts.name == "" {
		if u, err := packageurl.FromString(purl); err == nil {
			facts.name, facts.version = u.Name, u.Version
			if u.Namespace != "" {
				facts.name = u.Namespace + "/" + u.Name
			}
		}
	}
	loc := b.resultLocation(r, true)
	if !facts.ok() {
		f.Location = loc
		return
	}
	path := ""
	if loc != nil {
		path = loc.Path
	}
	f.Package = newPackage(facts, purl, path)
	if facts.fixed != "" {
		f.FixedVersions = document.SplitList(facts.fixed)
	}
}

// resultLocation is where a result is: its first location that names a
// file, else its analysis target. A secret's snippet is never copied.
func (b *builder) resultLocation(r *result, snippet bool) *document.Location {
	for i := range r.Locations {
		pl := r.Locations[i].PhysicalLocation
		if pl == nil || pl.ArtifactLocation == nil || deref(pl.ArtifactLocation.URI) == "" {
			continue
		}
		l := &document.Location{}
		l.Path = b.roots.path(pl.ArtifactLocation)
		if rg := pl.Region; rg != nil {
			l.StartLine = nonNegative(rg.StartLine)
			l.EndLine = nonNegative(rg.EndLine)
			l.StartColumn = nonNegative(rg.StartColumn)
			l.EndColumn = nonNegative(rg.EndColumn)
			if snippet && rg.Snippet != nil {
				l.Snippet = deref(rg.Snippet.Text)
			}
		}
		return l
	}
	if t := r.AnalysisTarget; t != nil && deref(t.URI) != "" {
		l := &document.Location{}
		l.Path = b.roots.path(t)
		return l
	}
	return nil
}

// severity is a result's severity and the raw value it comes from: the
// first of security-severity (result, rule), a severity property
// ("severity", ShiftLeft's "issue_severity", dependency-check's
// "cvssv3_baseSeverity" and "cvssv2_severity"), a severity word among the
// rule's tags, level (result, rule default) that is a known word or score;
// else the best CVSS score; else
// SARIF's default level, warning (none for a result whose kind is not
// "fail").
func severity(ri *ruleInfo, r *result, scores []document.CVSS) (string, document.Severity) {
	props := r.Properties
	for _, raw := range [...]string{
		rawValue(props["security-severity"]), ri.secSev,
		rawValue(props["severity"]), rawValue(props["issue_severity"]), ri.sevProp,
		rawValue(props["cvssv3_baseSeverity"]), rawValue(props["cvssv2_severity"]),
		ri.tagSev, deref(r.Level), ri.level,
	} {
		if raw == "" {
			continue
		}
		if s, ok := document.ParseSeverity(raw); ok && s != document.SeverityUnknown {
			return raw, s
		}
	}
	if best := document.BestCVSS(scores, "nvd"); best != nil {
		return fmt.Sprint(best.Score), document.SeverityFromScore(best.Score)
	}
	if k := deref(r.Kind); k != "" && k != "fail" {
		return "none", document.SeverityInfo
	}
	return "warning", document.SeverityMedium
}

// status marks a suppressed result accepted (a suppression whose status is
// absent or "accepted"; "underReview" and "rejected" leave it open), and a
// result the baseline says is absent fixed.
func (b *builder) status(f *document.Finding, r *result) {
	if f.BaselineState == "absent" {
		f.Status = document.StatusFixed
		f.StatusReason = &document.StatusNote{By: "report", Statement: "SARIF baselineState absent: not found in this run"}
		return
	}
	for i := range r.Suppressions {
		s := &r.Suppressions[i]
		if st := deref(s.Status); st != "" && st != "accepted" {
			continue
		}
		f.Status = document.StatusAccepted
		f.StatusReason = &document.StatusNote{
			By:            "sarif-suppression",
			Justification: deref(s.Justification),
			Statement:     s.Kind,
		}
		return
	}
}

// messageText is a message's text, else its Markdown.
func messageText(m *gosarif.Message) string {
	if t := strings.TrimSpace(deref(m.Text)); t != "" {
		return t
	}
	return strings.TrimSpace(deref(m.Markdown))
}

// cleanURI turns an artifact URI into a path: without "file://", with
// percent-escapes decoded and backslashes (Windows tools) made slashes.
// roots.path resolves it against its uriBaseId.
func cleanURI(u string) string {
	if hasPrefixFold(u, "file://") {
		u = u[len("file://"):]
		// file:///C:/x and file:////x
		if len(u) >= 3 && u[0] == '/' && u[2] == ':' && isAlnum(u[1]) {
			u = u[1:]
		}
		for strings.HasPrefix(u, "//") {
			u = u[1:]
		}
	}
	if strings.IndexByte(u, '%') >= 0 {
		u = unescape(u)
	}
	return strings.ReplaceAll(u, `\`, "/")
}

// unescape decodes %XX escapes, leaving malformed ones as written.
func unescape(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			sb.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

func isHex(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }

func unhex(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

func nonNegative(p *int) int {
	if p == nil || *p < 0 {
		return 0
	}
	return *p
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// maxTitle is the length past which a title made from a message is cut.
const maxTitle = 120

// shorten cuts s at a word boundary before maxTitle bytes, marking the cut.
func shorten(s string) string {
	if len(s) <= maxTitle {
		return s
	}
	cut := strings.LastIndexByte(s[:maxTitle], ' ')
	if cut < maxTitle/2 {
		cut = maxTitle
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:-") + "…"
}
