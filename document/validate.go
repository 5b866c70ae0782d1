package document

import (
	"errors"
	"fmt"
)

// Validate checks the invariants policies rely on: known enumerations,
// non-nil slices, unique finding ids, origins that point at a source, and
// scores in range. It returns every problem found, joined.
func (d *Document) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if d.SchemaVersion != SchemaVersion {
		bad("schema_version %q, want %q", d.SchemaVersion, SchemaVersion)
	}
	if d.Sources == nil || d.Findings == nil || d.Components == nil {
		bad("sources, findings and components must not be null")
	}
	for i, s := range d.Sources {
		if s.Format == "" {
			bad("sources[%d]: empty format", i)
		}
		if len(s.SHA256) != 64 {
			bad("sources[%d]: sha256 %q is not 64 hex digits", i, s.SHA256)
		}
		if s.Complete == (s.IncompleteReason != "") {
			bad("sources[%d]: complete %v with incomplete_reason %q", i, s.Complete, s.IncompleteReason)
		}
		if s.Errors == nil {
			bad("sources[%d]: null errors", i)
		}
		for j, e := range s.Errors {
			if e.Level != ScanErrorLevelError && e.Level != ScanErrorLevelWarning {
				bad("sources[%d].errors[%d]: level %q", i, j, e.Level)
			}
		}
	}
	if d.VEX == nil {
		bad("vex must not be null")
	}
	for i, v := range d.VEX {
		if v.Source < 0 || v.Source >= len(d.Sources) {
			bad("vex[%d]: source %d out of range", i, v.Source)
		}
		if v.Aliases == nil || v.Products == nil || v.Findings == nil {
			bad("vex[%d]: null slice", i)
		}
	}
	if b := d.Baseline; b != nil {
		for _, sev := range Severities {
			if n, ok := b.RatchetCounts[string(sev)]; !ok || n < 0 {
				bad("baseline.ratchet_counts: %s missing or negative", sev)
			}
		}
		if len(b.RatchetCounts) != len(Severities) {
			bad("baseline.ratchet_counts: %d keys, want the %d severities", len(b.RatchetCounts), len(Severities))
		}
	}
	ids := make(map[string]bool, len(d.Findings))
	for i := range d.Findings {
		f := &d.Findings[i]
		at := func(format string, args ...any) { bad("findings[%d] (%s): %s", i, f.ID, fmt.Sprintf(format, args...)) }
		if f.ID == "" {
			at("empty id")
		} else if ids[f.ID] {
			at("duplicate id")
		}
		ids[f.ID] = true
		if !validKind(f.Kind) {
			at("kind %q", f.Kind)
		}
		if !f.Severity.Valid() {
			at("severity %q", f.Severity)
		}
		if !validStatus(f.Status) {
			at("status %q", f.Status)
		}
		if f.RuleID == "" {
			at("empty rule_id")
		}
		if f.Aliases == nil || f.CWE == nil || f.References == nil || f.Tags == nil ||
			f.FixedVersions == nil || f.Scores == nil || f.Origins == nil || f.Locations == nil ||
			f.Package != nil && f.Package.Paths == nil {
			at("null slice")
		}
		if f.Location != nil && (len(f.Locations) == 0 || f.Locations[0] != *f.Location) {
			at("location is not the first of locations")
		}
		if p := f.Package; p != nil && len(p.Paths) > 0 && p.Paths[0] != p.Path {
			at("package path is not the first of its paths")
		}
		if len(f.Origins) == 0 {
			at("no origins")
		}
		for _, o := range f.Origins {
			if o.Source < 0 || o.Source >= len(d.Sources) {
				at("origin source %d out of range", o.Source)
			}
		}
		if f.CVSS != nil && (f.CVSS.Score < 0 || f.CVSS.Score > 10) {
			at("cvss score %v out of range", f.CVSS.Score)
		}
		for _, c := range f.Scores {
			if c.Score < 0 || c.Score > 10 {
				at("score %v out of range", c.Score)
			}
		}
		if f.Status != StatusOpen && f.StatusReason == nil {
			at("status %s without status_reason", f.Status)
		}
	}
	for i := range d.Components {
		c := &d.Components[i]
		if c.Name == "" {
			bad("components[%d]: empty name", i)
		}
		if c.Licenses == nil || c.DependsOn == nil || c.Sources == nil {
			bad("components[%d] (%s): null slice", i, c.Name)
		}
		for _, s := range c.Sources {
			if s < 0 || s >= len(d.Sources) {
				bad("components[%d] (%s): source %d out of range", i, c.Name, s)
			}
		}
	}
	if d.Summary.BySeverity == nil || d.Summary.ByKind == nil || d.Summary.ByStatus == nil {
		bad("summary not counted")
	}
	return errors.Join(errs...)
}

func validKind(k Kind) bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

func validStatus(s Status) bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}
