// Package attest makes and checks secgate's signed decision record: an
// in-toto Statement (v1) whose subjects are the reports a check judged and
// whose predicate (PredicateType) says what was decided on them and by
// what (policy sources, configuration, exceptions, approvals, time),
// signed as a DSSE envelope with the keys policy bundles take.
//
// The Statement is byte-identical for identical inputs and time: it is
// written with encoding/json from fixed structs whose lists keep the
// decision's deterministic order (map keys are sorted by encoding/json).
// The envelope around it is byte-identical only with a deterministic
// signature (RSA PKCS#1 v1.5, RS256 …); ECDSA and PSS signatures are
// randomised, so their envelopes differ from one signing to the next
// while the payload does not.
package attest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
)

// The types a record is made of.
const (
	// StatementType is the in-toto Statement's _type.
	StatementType = "https://in-toto.io/Statement/v1"
	// PredicateType names the predicate: a secgate decision, version 1.
	// A field every record carries, or a change of meaning, makes a new
	// version; a verifier refuses a version it does not know. An optional
	// field, omitted when empty, may join a version: the records without
	// it keep their bytes, and a verifier that does not know it refuses a
	// record that carries it as having an unknown field.
	PredicateType = "https://secgate.dev/attestation/decision/v1"
	// PayloadType is the DSSE payload type of an in-toto Statement.
	PayloadType = "application/vnd.in-toto+json"
)

// Statement is an in-toto Statement v1 about the reports a check judged.
// Its fields mirror the in-toto attestation library's Statement, whose
// protojson form is not stable from one run to the next; this one is
// written with encoding/json.
type Statement struct {
	Type          string    `json:"_type"`
	Subject       []Subject `json:"subject"`
	PredicateType string    `json:"predicateType"`
	Predicate     Predicate `json:"predicate"`
}

// Subject is one report judged: its path as given and its digest.
type Subject struct {
	Name   string `json:"name"`
	Digest Digest `json:"digest"`
}

// Digest is a subject's digest set; secgate records SHA-256.
type Digest struct {
	SHA256 string `json:"sha256"`
}

// Predicate is what was decided, on what, by what.
type Predicate struct {
	// Decision is the verdict: pass, warn or fail.
	Decision string `json:"decision"`
	// FailOn is the verdict from which the check exited 1: fail, or warn
	// (--fail-on warn).
	FailOn string `json:"fail_on"`
	// Summary are the document's counts.
	Summary Summary `json:"summary"`
	// Reports are the reports read, in the order of the subjects.
	Reports []Report `json:"reports"`
	// Policies are the Rego packages evaluated, sorted.
	Policies []string `json:"policies"`
	// PolicySources are where the policies came from, each with its
	// revision or digest, as the decision lists them.
	PolicySources []string `json:"policy_sources"`
	// Config is the configuration file.
	Config Config `json:"config"`
	// Exceptions are the findings an exception accepted, each with the
	// exception as written: its owner, ticket and justification when it
	// gives them.
	Exceptions []eval.Waiver `json:"exceptions"`
	// Approvals are the dependency approvals applied.
	Approvals []Approval `json:"approvals"`
	// Violations and Warnings are the policies' messages.
	Violations []Message `json:"violations"`
	Warnings   []Message `json:"warnings"`
	// Context is the run: its time, stage and CI facts.
	Context Context `json:"context"`
	// Secgate is the program that decided.
	Secgate Secgate `json:"secgate"`
}

// Summary are the counts of the document the decision was made on.
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

// Report is a report read: its path as given, format, digest and tool,
// and whether its scan completed.
type Report struct {
	Path        string `json:"path"`
	Format      string `json:"format"`
	SHA256      string `json:"sha256"`
	Tool        string `json:"tool"`
	ToolVersion string `json:"tool_version"`
	Complete    bool   `json:"complete"`
}

// Config names the configuration file by path and digest; both are ""
// when the check ran on the defaults alone.
type Config struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Approval is a dependency approval that applied, as written, with the
// components it approved.
type Approval struct {
	Match      string `json:"match"`
	ApprovedBy string `json:"approved_by"`
	Expires    string `json:"expires"`
	Reason     string `json:"reason"`
	// Owner and Ticket are the approval's owner and ticket, omitted when
	// it names none: the record of an approval without them is the same,
	// byte for byte, as before they could be given.
	Owner      string   `json:"owner,omitempty"`
	Ticket     string   `json:"ticket,omitempty"`
	Components []string `json:"components"`
}

// Message is a violation or a warning: who said it, about which findings.
type Message struct {
	Policy     string   `json:"policy"`
	Rule       string   `json:"rule"`
	Severity   string   `json:"severity"`
	Msg        string   `json:"msg"`
	FindingIDs []string `json:"finding_ids"`
}

// Context is the run's time and where it ran.
type Context struct {
	Now        string `json:"now"`
	NowSource  string `json:"now_source"`
	Stage      string `json:"stage"`
	Baseline   bool   `json:"baseline"`
	Repository string `json:"repository"`
	Commit     string `json:"commit"`
	Branch     string `json:"branch"`
	CI         string `json:"ci"`
}

// Secgate is the program that decided and the version of the document
// its policies read.
type Secgate struct {
	Version       string `json:"version"`
	SchemaVersion string `json:"schema_version"`
}

// Options are what a record holds besides the decision.
type Options struct {
	// FailOn is the check's --fail-on: gate.Fail or gate.Warn.
	FailOn string
	// Config is the configuration the check read; nil: the defaults.
	Config *config.Config
	// Version is secgate's version.
	Version string
}

// New makes the statement of a check's result.
func New(res *gate.Result, opts Options) (*Statement, error) {
	d := res.Decision
	if len(d.Sources) == 0 {
		return nil, errors.New("the decision read no report: nothing to attest")
	}
	p := Predicate{
		Decision:      d.Decision,
		FailOn:        opts.FailOn,
		Summary:       Summary(d.Summary),
		Reports:       []Report{},
		Policies:      nonNil(d.Policies),
		PolicySources: nonNil(d.PolicySources),
		Exceptions:    nonNil(d.Exceptions),
		Approvals:     []Approval{},
		Violations:    messages(d.Violations),
		Warnings:      messages(d.Warnings),
		Context: Context{
			Now: d.Context.Now, NowSource: d.Context.NowSource, Stage: d.Context.Stage, Baseline: d.Context.Baseline,
			Repository: d.Context.Repository, Commit: d.Context.Commit, Branch: d.Context.Branch, CI: d.Context.CI,
		},
		Secgate: Secgate{Version: opts.Version, SchemaVersion: res.Document.SchemaVersion},
	}
	if p.FailOn == "" {
		p.FailOn = gate.Fail
	}
	for _, m := range []*map[string]int{&p.Summary.BySeverity, &p.Summary.OpenBySeverity, &p.Summary.ByKind, &p.Summary.ByStatus} {
		if *m == nil {
			*m = map[string]int{}
		}
	}
	if c := opts.Config; c != nil {
		p.Config = Config{Path: c.Path, SHA256: c.SHA256}
	}
	for _, a := range d.Approvals {
		p.Approvals = append(p.Approvals, Approval{
			Match: a.Match, ApprovedBy: a.ApprovedBy, Expires: a.Expires, Reason: a.Reason,
			Owner: a.Owner, Ticket: a.Ticket, Components: nonNil(a.Components),
		})
	}
	s := &Statement{Type: StatementType, Subject: []Subject{}, PredicateType: PredicateType, Predicate: p}
	for _, src := range d.Sources {
		s.Subject = append(s.Subject, Subject{Name: src.Path, Digest: Digest{SHA256: src.SHA256}})
		s.Predicate.Reports = append(s.Predicate.Reports, Report{
			Path: src.Path, Format: src.Format, SHA256: src.SHA256,
			Tool: src.Tool.Name, ToolVersion: src.Tool.Version, Complete: src.Complete,
		})
	}
	return s, s.check()
}

func messages(ms []eval.Message) []Message {
	out := make([]Message, 0, len(ms))
	for _, m := range ms {
		out = append(out, Message{Policy: m.Policy, Rule: m.Rule, Severity: m.Severity, Msg: m.Msg, FindingIDs: nonNil(m.FindingIDs)})
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Marshal is the statement's JSON: compact, HTML characters unescaped,
// without a final newline; the same statement gives the same bytes.
func (s *Statement) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// ParseStatement reads a statement secgate wrote: an in-toto Statement v1
// of PredicateType, with no field this version does not know, valid by
// the in-toto attestation library, whose subjects are the predicate's
// reports.
func ParseStatement(data []byte) (*Statement, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Statement
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("the statement is not a secgate decision record: %w", err)
	}
	if dec.More() {
		return nil, errors.New("the statement is not a secgate decision record: data after the JSON object")
	}
	if s.Type != StatementType {
		return nil, fmt.Errorf("the statement's _type is %q, want %q", s.Type, StatementType)
	}
	if s.PredicateType != PredicateType {
		return nil, fmt.Errorf("unknown predicate type %q (this secgate reads %s)", s.PredicateType, PredicateType)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// check holds a statement to what secgate writes: valid as an in-toto
// Statement, each subject a report of the predicate with a SHA-256 digest.
func (s *Statement) check() error {
	if len(s.Subject) == 0 {
		return errors.New("the statement has no subject")
	}
	if len(s.Subject) != len(s.Predicate.Reports) {
		return fmt.Errorf("the statement has %d subjects and %d reports", len(s.Subject), len(s.Predicate.Reports))
	}
	for i, sub := range s.Subject {
		r := s.Predicate.Reports[i]
		if !isSHA256(sub.Digest.SHA256) {
			return fmt.Errorf("subject %q: digest %q is not a SHA-256 in lowercase hex", sub.Name, sub.Digest.SHA256)
		}
		if sub.Name != r.Path || sub.Digest.SHA256 != r.SHA256 {
			return fmt.Errorf("subject %q is not report %q of the predicate", sub.Name, r.Path)
		}
	}
	data, err := s.Marshal()
	if err != nil {
		return err
	}
	var st intoto.Statement
	if err := protojson.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("not an in-toto statement: %w", err)
	}
	if err := st.Validate(); err != nil {
		return fmt.Errorf("not a valid in-toto statement: %w", err)
	}
	return nil
}

func isSHA256(s string) bool {
	_, err := hex.DecodeString(s)
	return len(s) == 64 && err == nil && s == strings.ToLower(s)
}
