package gate

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/jsonscan"
)

// LoadSide reads one side of a comparison, a baseline or a version
// `secgate diff` compares: report files and folders as Load reads them,
// or one decision JSON (`secgate check -o json`), whose inventory and
// sources become the document it was made on (ReadDecision). A decision
// is the side's only input: given with reports, it is an error, as the
// reports would either repeat it or change what it says it was made on.
// LoadSide adds no exploit data and applies no configuration: only what
// makes findings and components the same across versions matters here.
func LoadSide(paths []string, opts ingest.Options) (*document.Document, []ingest.Skipped, error) {
	found, err := ingest.Expand(paths, opts.Exclude)
	if err != nil {
		return nil, nil, err
	}
	switch len(found.Reports) {
	case 0:
		return nil, nil, fmt.Errorf("%s: no reports found", strings.Join(paths, ", "))
	case 1:
		doc, err := loadOne(found.Reports[0], opts)
		if err != nil {
			return nil, nil, err
		}
		return doc, found.Skipped, nil
	}
	doc, err := ingest.Load(found.Reports, opts)
	var ie *ingest.Error
	if errors.Is(err, ingest.ErrDecision) && errors.As(err, &ie) {
		return nil, nil, fmt.Errorf("%s: a secgate decision must be given alone, not with other reports (%d inputs given)", ie.Path, len(found.Reports))
	}
	if err != nil {
		return nil, nil, err
	}
	return doc, found.Skipped, nil
}

// loadOne reads a side of one file: a report, or a decision.
func loadOne(arg string, opts ingest.Options) (*document.Document, error) {
	forced, path := ingest.SplitArg(arg)
	data, err := ingest.Read(path, opts)
	if err != nil {
		return nil, &ingest.Error{Path: path, Err: err}
	}
	src, rep, err := ingest.Bytes(path, forced, data)
	if errors.Is(err, ingest.ErrDecision) {
		doc, err := ReadDecision(data)
		if err != nil {
			return nil, &ingest.Error{Path: path, Err: fmt.Errorf("secgate decision: %w", err)}
		}
		return doc, nil
	}
	if err != nil {
		return nil, &ingest.Error{Path: path, Err: err}
	}
	doc := document.New()
	doc.Add(src, rep)
	doc.Finish()
	return doc, nil
}

// Errors of ReadDecision that callers can test with errors.Is.
var (
	// ErrNoInventory: the decision lists no inventory (secgate wrote
	// none before InventoryVersion 1).
	ErrNoInventory = errors.New("no inventory: written by an older secgate; run secgate check -o json on the reports again")
	// ErrInventoryVersion: the inventory is of a version this secgate
	// does not read.
	ErrInventoryVersion = errors.New("inventory version unknown to this secgate")
)

// decisionFile is what ReadDecision reads of a decision.
type decisionFile struct {
	Decision  string            `json:"decision"`
	Sources   []document.Source `json:"sources"`
	Inventory *Inventory        `json:"inventory"`
}

// ReadDecision rebuilds, from a decision's JSON (`secgate check -o
// json`), the document it was made on, as far as its inventory and
// sources tell: findings with their ids, statuses and what identifies
// them across versions, and components. It fails on a decision without
// inventory, of another InventoryVersion, or malformed; the document it
// returns passes document.Validate. Its errors are one line.
func ReadDecision(data []byte) (*document.Document, error) {
	sizes, err := inventoryVersion(data)
	if err != nil {
		return nil, err
	}
	// Decoded into lists of the right size from the start: grown one
	// element at a time, 100,000 findings would be copied 17 times.
	d := decisionFile{Inventory: &Inventory{
		Findings:   make([]InventoryFinding, 0, sizes.findings),
		Components: make([]InventoryComponent, 0, sizes.components),
	}}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, jsonscan.DecodeError(data, err)
	}
	switch d.Decision {
	case Pass, Warn, Fail:
	default:
		return nil, fmt.Errorf("decision %q: want pass, warn or fail", d.Decision)
	}
	inv := d.Inventory
	if inv == nil || d.Sources == nil || !sizes.lists {
		return nil, errors.New("sources, inventory findings and components must be lists")
	}
	doc := document.New()
	doc.Sources = d.Sources
	doc.Findings = make([]document.Finding, len(inv.Findings))
	for i := range inv.Findings {
		if err := rebuildFinding(&doc.Findings[i], &inv.Findings[i], d.Sources); err != nil {
			return nil, fmt.Errorf("inventory finding %d: %w", i, err)
		}
	}
	doc.Components = make([]document.Component, len(inv.Components))
	for i := range inv.Components {
		r := &inv.Components[i]
		doc.Components[i] = document.Component{
			Type: r.Type, Name: r.Name, Group: r.Group, Version: r.Version, Purl: r.Purl,
			Ecosystem: r.Ecosystem, Licenses: list(r.Licenses), LicenseExpression: r.LicenseExpression,
			Direct: r.Direct, Scope: r.Scope, DependsOn: []string{}, Sources: r.Sources,
		}
	}
	doc.Summary = document.Summarize(doc)
	if err := doc.Validate(); err != nil {
		// Validate names findings by id, as the decision wrote it.
		return nil, fmt.Errorf("inventory: %s", strings.ReplaceAll(firstProblem(err).Error(), "\n", `\n`))
	}
	return doc, nil
}

// The fewest bytes a finding or a component of an inventory takes, with
// what it cannot go without (a finding's id, kind, rule_id, severity,
// status and sources; a component's name and sources), written
// compactly. A list of more, smaller elements in as many bytes (a
// megabyte of {}) would take far more memory decoded than as text: it
// is refused before.
const (
	minFindingBytes   = 64
	minComponentBytes = 24
)

// inventorySizes are the lengths of an inventory's lists, and whether
// both are lists.
type inventorySizes struct {
	findings, components int
	lists                bool
}

// inventoryVersion checks, before the inventory is decoded, that the
// decision has one, of InventoryVersion: another version may have
// another shape, which would fail to decode with a less helpful error.
// It counts the inventory's findings and components on the way.
func inventoryVersion(data []byte) (inventorySizes, error) {
	var sizes inventorySizes
	i := jsonscan.SkipSpace(data, 0)
	if i == len(data) || data[i] != '{' {
		return sizes, errors.New("not a JSON object")
	}
	var inv []byte
	_, ok, err := jsonscan.WalkObject(data, i, func(key string, start, end int) error {
		if key == "inventory" {
			inv = data[start:end]
		}
		return nil
	})
	if err != nil || !ok {
		var v struct{}
		if err := json.Unmarshal(data, &v); err != nil {
			return sizes, jsonscan.DecodeError(data, err)
		}
		return sizes, errors.New("malformed JSON object")
	}
	if inv == nil || string(inv) == "null" {
		return sizes, ErrNoInventory
	}
	if inv[0] != '{' {
		return sizes, errors.New("inventory: not a JSON object")
	}
	var version []byte
	nf, nc := -1, -1
	_, ok, err = jsonscan.WalkObject(inv, 0, func(key string, start, end int) error {
		switch key {
		case "version":
			version = inv[start:end]
		case "findings":
			nf = elements(inv[start:end])
			if nf > (end-start)/minFindingBytes {
				return fmt.Errorf("inventory: %d findings in %d bytes: no records secgate writes", nf, end-start)
			}
		case "components":
			nc = elements(inv[start:end])
			if nc > (end-start)/minComponentBytes {
				return fmt.Errorf("inventory: %d components in %d bytes: no records secgate writes", nc, end-start)
			}
		}
		return nil
	})
	if err != nil {
		return sizes, err
	}
	if !ok {
		return sizes, errors.New("inventory: malformed JSON object")
	}
	if n, err := strconv.Atoi(string(version)); err != nil || n != InventoryVersion {
		v := string(version)
		if len(v) > 20 {
			v = v[:20] + "…"
		}
		if v == "" {
			v = "missing"
		}
		return sizes, fmt.Errorf("%w: %s (it reads version %d; run secgate check -o json on the reports again)",
			ErrInventoryVersion, v, InventoryVersion)
	}
	sizes.lists = nf >= 0 && nc >= 0
	sizes.findings, sizes.components = max(nf, 0), max(nc, 0)
	return sizes, nil
}

// elements counts the elements of the JSON array arr, or returns -1
// when arr is no array (decoding it then says what is wrong).
func elements(arr []byte) int {
	if len(arr) == 0 || arr[0] != '[' {
		return -1
	}
	n := 0
	for i := jsonscan.SkipSpace(arr, 1); i < len(arr) && arr[i] != ']'; n++ {
		end, err := jsonscan.SkipValue(arr, i)
		if err != nil {
			return -1
		}
		i = jsonscan.SkipSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = jsonscan.SkipSpace(arr, i+1)
		}
	}
	return n
}

// rebuildFinding makes f of the inventory's record r.
func rebuildFinding(f *document.Finding, r *InventoryFinding, sources []document.Source) error {
	if len(r.Sources) == 0 {
		return fmt.Errorf("%q: no sources", r.ID)
	}
	origins := make([]document.Origin, len(r.Sources))
	for j, s := range r.Sources {
		if s < 0 || s >= len(sources) {
			return fmt.Errorf("%q: source %d out of range (%d sources)", r.ID, s, len(sources))
		}
		origins[j] = document.Origin{Source: s, Tool: sources[s].Tool.Name, RuleID: r.RuleID, Severity: string(r.Severity)}
	}
	*f = document.Finding{
		ID: r.ID, Kind: r.Kind, RuleID: r.RuleID, Aliases: list(r.Aliases), Title: r.Title,
		CWE: []string{}, References: list(r.References), Tags: []string{}, Severity: r.Severity,
		Scores: []document.CVSS{}, FixedVersions: list(r.FixedVersions), FixState: r.FixState, Locations: []document.Location{},
		Origins: origins, Status: r.Status, StatusReason: r.StatusReason,
		ToolFingerprint: r.ToolFingerprint, Occurrence: r.Occurrence,
	}
	if p := r.Package; p != nil {
		f.Package = &document.Package{Name: p.Name, Version: p.Version, Purl: p.Purl, Ecosystem: p.Ecosystem, Paths: []string{}}
	}
	if l := r.Location; l != nil {
		f.Locations = []document.Location{{Path: l.Path, StartLine: l.StartLine}}
		f.Location = &f.Locations[0]
	}
	return nil
}

// list is l, or an empty list for a missing one.
func list(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// firstProblem is the first of the problems Validate joined, and how
// many more there were: the error stays one line.
func firstProblem(err error) error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok || len(j.Unwrap()) < 2 {
		return err
	}
	errs := j.Unwrap()
	return fmt.Errorf("%w (and %d more problems)", errs[0], len(errs)-1)
}
