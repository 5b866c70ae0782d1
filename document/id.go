package document

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/internal/ecosystem"
)

// idLen is the number of hex digits kept of a fingerprint: 80 bits.
const idLen = 20

// PrimaryVulnID picks the identifier under which a vulnerability is known
// across tools: the lowest CVE id among the rule id and aliases, else the
// lowest GHSA id, else the rule id. Two tools naming the same problem by
// different ids (GHSA and CVE) thus agree.
func PrimaryVulnID(ruleID string, aliases []string) string {
	ids := append([]string{ruleID}, aliases...)
	for _, prefix := range []string{"CVE-", "GHSA-"} {
		best := ""
		for _, id := range ids {
			u := strings.ToUpper(strings.TrimSpace(id))
			if strings.HasPrefix(u, prefix) && (best == "" || u < best) {
				best = u
			}
		}
		if best != "" {
			return best
		}
	}
	return ruleID
}

// Fingerprint computes a finding's stable ID from what identifies the
// problem, never from the report that said it: for a vulnerability the
// primary id and the package (ecosystem, name, version); for code, secrets
// and misconfigurations the rule, the file and the Occurrence, never the
// line, so that a finding that moved keeps its id;
// for a licence the licence and the package.
func Fingerprint(f *Finding) string {
	parts := []string{string(f.Kind)}
	switch f.Kind {
	case KindVulnerability:
		parts = append(parts, PrimaryVulnID(f.RuleID, f.Aliases))
		parts = append(parts, packageKey(f.Package)...)
		if f.Package == nil && f.Location != nil {
			parts = append(parts, f.Location.Path)
		}
	case KindLicense:
		parts = append(parts, f.RuleID)
		parts = append(parts, packageKey(f.Package)...)
		if f.Location != nil {
			parts = append(parts, f.Location.Path)
		}
	default:
		parts = append(parts, f.RuleID)
		switch {
		case f.Location != nil && !hasRule(f):
			// Without a rule, nothing but its place tells one result
			// from another.
			parts = append(parts, f.Location.Path,
				strconv.Itoa(f.Location.StartLine), strconv.Itoa(f.Location.StartColumn))
		case f.Location != nil:
			parts = append(parts, f.Location.Path)
			if f.Occurrence > 0 {
				parts = append(parts, strconv.Itoa(f.Occurrence))
			}
		default:
			parts = append(parts, f.Title)
		}
	}
	return hashParts(parts)
}

// UnknownRule is the rule id of a result whose report names no rule.
const UnknownRule = "unknown"

// hasRule reports whether a report named the rule of f.
func hasRule(f *Finding) bool {
	r := strings.TrimSpace(f.RuleID)
	return r != "" && r != UnknownRule
}

// located are the findings whose id is their rule at a place in a file:
// code, secrets and misconfigurations with a rule and a location.
func located(f *Finding) bool {
	switch f.Kind {
	case KindVulnerability, KindLicense:
		return false
	}
	return f.Location != nil && hasRule(f)
}

// number sets the Occurrence of the findings of one report that share
// rule and file but not their place: the first place (by line,
// then column) is 0, the next 1, and so on, so that each keeps an id of
// its own, and the same ids when the file's lines move. Results at one
// place share their number, and their id, as they did by line.
func number(findings []Finding) {
	type place struct{ line, col int }
	byPlace := func(a, b place) int {
		return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.col, b.col))
	}
	groups := map[string][]place{}
	keys := make([]string, len(findings))
	for i := range findings {
		f := &findings[i]
		if !located(f) {
			continue
		}
		f.Occurrence = 0
		keys[i] = string(f.Kind) + "\x00" + f.RuleID + "\x00" + f.Location.Path
		groups[keys[i]] = append(groups[keys[i]], place{f.Location.StartLine, f.Location.StartColumn})
	}
	for k, ps := range groups {
		if len(ps) < 2 {
			delete(groups, k)
			continue
		}
		slices.SortFunc(ps, byPlace)
		groups[k] = slices.Compact(ps)
	}
	for i := range findings {
		f := &findings[i]
		if ps, ok := groups[keys[i]]; ok {
			f.Occurrence, _ = slices.BinarySearchFunc(ps, place{f.Location.StartLine, f.Location.StartColumn}, byPlace)
		}
	}
}

// packageKey identifies a package across tools: its name (the last part
// of it: "jackson-databind" whether a tool says
// "com.fasterxml.jackson.core:jackson-databind" or a purl names the
// group as its namespace; "libssl1.1" with or without the purl's
// "alpine/") and its version (without a leading "v"). The ecosystem is
// left out on purpose: tools disagree on it (apk, alpine, or none at all
// in SARIF), and one vulnerability id in two ecosystems' packages of the
// same name and version does not happen.
func packageKey(p *Package) []string {
	if p == nil {
		return []string{"", ""}
	}
	// The name every tool states comes first; a purl fills what is missing.
	name, version := p.Name, p.Version
	if (name == "" || version == "") && p.Purl != "" {
		if u, err := packageurl.FromString(p.Purl); err == nil {
			if name == "" {
				name = u.Name
			}
			if version == "" {
				version = u.Version
			}
		}
	}
	if i := strings.LastIndexAny(name, "/:"); i >= 0 && i < len(name)-1 {
		name = name[i+1:]
	}
	if len(version) > 1 && version[0] == 'v' && version[1] >= '0' && version[1] <= '9' {
		version = version[1:]
	}
	return []string{strings.ToLower(name), version}
}

func hashParts(parts []string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:idLen]
}

// locationQualifiers are purl qualifiers that say where a package came
// from or how it was found, not which package it is: two tools describing
// the same package differ in them. Others (maven classifier and type,
// julia uuid, deb and rpm arch) tell packages apart and are kept.
var locationQualifiers = map[string]bool{
	"distro": true, "repository_url": true, "download_url": true, "vcs_url": true,
	"checksum": true, "checksums": true, "file_name": true, "package-id": true, "upstream": true,
}

// ComponentKey is what makes two components the same: the purl without
// subpath and without qualifiers that only say where it came from, else
// ecosystem, group, name and version.
func ComponentKey(c *Component) string {
	if c.Purl != "" {
		if u, err := packageurl.FromString(c.Purl); err == nil {
			kept := u.Qualifiers[:0:0]
			for _, q := range u.Qualifiers {
				if !locationQualifiers[q.Key] {
					kept = append(kept, q)
				}
			}
			u.Qualifiers = kept
			u.Subpath = ""
			return u.ToString()
		}
		return c.Purl
	}
	return strings.Join([]string{c.Ecosystem, c.Group, c.Name, c.Version}, "\x00")
}

// Ecosystem returns the package ecosystem a purl names (its type: npm,
// pypi, maven, golang, deb …), or "" when purl is empty or malformed.
func Ecosystem(purl string) string {
	// The type is the purl's first segment; reading it needs no full parse.
	rest, ok := strings.CutPrefix(purl, "pkg:")
	if !ok {
		return ""
	}
	rest = strings.TrimLeft(rest, "/")
	typ, _, ok := strings.Cut(rest, "/")
	if !ok || typ == "" {
		return ""
	}
	for _, c := range typ {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-') {
			return ""
		}
	}
	return strings.ToLower(typ)
}

// sortedUnique sorts s and removes duplicates and empty strings in place.
func sortedUnique(s []string) []string {
	if len(s) == 0 {
		return []string{}
	}
	sort.Strings(s)
	out := s[:0]
	for _, v := range s {
		if v == "" || (len(out) > 0 && v == out[len(out)-1]) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// distinguish gives the findings of one report that share an id (one
// rule at one place) but carry different tool fingerprints an id of
// their own: the base id and the fingerprint. A finding without a
// fingerprint keeps the base id, and so does every finding whose id no
// other finding of the report shares with another fingerprint, so that
// the same tool's JSON and SARIF still meet. ids[i] is findings[i]'s id.
func distinguish(findings []Finding, ids []string) {
	var first map[string]string // base id -> the first fingerprint seen
	var split map[string]bool   // base ids with two fingerprints or more
	for i := range findings {
		fp := findings[i].ToolFingerprint
		if fp == "" {
			continue
		}
		if first == nil {
			first = map[string]string{}
		}
		if seen, ok := first[ids[i]]; !ok {
			first[ids[i]] = fp
		} else if seen != fp {
			if split == nil {
				split = map[string]bool{}
			}
			split[ids[i]] = true
		}
	}
	if len(split) == 0 {
		return
	}
	for i := range findings {
		if fp := findings[i].ToolFingerprint; fp != "" && split[ids[i]] {
			ids[i] = hashParts([]string{ids[i], fp})
		}
	}
}

// Known indexes the findings of a baseline by what makes a finding the
// same problem in another version of what was scanned (Has says which).
// It is not safe for concurrent use.
type Known struct {
	keys map[string]bool
	ids  Identities
}

// Identities caches PackageIdentity: the findings of a report share few
// packages, and reading a purl is most of what identity costs. The zero
// value is not ready: make one with make(Identities).
type Identities map[identityKey]string

type identityKey struct{ purl, ecosystem, name string }

// Of is PackageIdentity(p).
func (m Identities) Of(p *Package) string {
	if p == nil {
		return ""
	}
	k := identityKey{p.Purl, p.Ecosystem, p.Name}
	id, ok := m[k]
	if !ok {
		id = PackageIdentity(p)
		m[k] = id
	}
	return id
}

// NewKnown indexes the findings of a baseline.
func NewKnown(base []Finding) Known {
	k := Known{keys: make(map[string]bool, len(base)), ids: Identities{}}
	for i := range base {
		k.Add(&base[i])
	}
	return k
}

// Add indexes one more finding of the baseline.
func (k Known) Add(f *Finding) {
	for _, key := range k.ids.sameKeys(f, true) {
		k.keys[key] = true
	}
}

// Has reports whether the baseline had f, moved or carried over:
//
//   - A vulnerability: a finding of any of its ids (rule id and aliases)
//     in its package, by ecosystem and normalised name, whatever the
//     version; without a package, one with its ID.
//   - Code, secrets and misconfigurations: one with the tool's own
//     fingerprint of f, same rule and file, when both reports give
//     fingerprints; else one with its ID (rule, file, place among the
//     rule's findings in the file; never the line). The fingerprint wins
//     when both have one, as a result added above another of its rule in
//     its file shifts the places of those below. Without a rule (none, or
//     UnknownRule), never.
//   - A licence: one with its ID.
func (k Known) Has(f *Finding) bool {
	for _, key := range k.ids.sameKeys(f, false) {
		if k.keys[key] {
			return true
		}
	}
	return false
}

// sameKeys are the keys of f in a baseline's index (base), or those to
// look up in one. A result with the tool's fingerprint is indexed by it
// and by an id only results without a fingerprint look up, and the other
// way round: two fingerprinted results meet by their fingerprints alone.
func (ids Identities) sameKeys(f *Finding, base bool) []string {
	switch f.Kind {
	case KindVulnerability:
		pkg := ids.Of(f.Package)
		if pkg == "" {
			return []string{"id\x00" + f.ID}
		}
		keys := make([]string, 0, 1+len(f.Aliases))
		for _, id := range append([]string{f.RuleID}, f.Aliases...) {
			if id = strings.ToUpper(strings.TrimSpace(id)); id != "" {
				keys = append(keys, "vuln\x00"+pkg+"\x00"+id)
			}
		}
		if len(keys) == 0 {
			return []string{"id\x00" + f.ID}
		}
		return keys
	case KindLicense:
		return []string{"id\x00" + f.ID}
	}
	if !hasRule(f) {
		return nil
	}
	if f.ToolFingerprint == "" || f.Location == nil {
		if base {
			return []string{"id\x00" + f.ID}
		}
		return []string{"id\x00" + f.ID, "fp-id\x00" + f.ID}
	}
	tool := strings.Join([]string{"tool", string(f.Kind), f.RuleID, f.Location.Path, f.ToolFingerprint}, "\x00")
	if base {
		return []string{tool, "fp-id\x00" + f.ID}
	}
	return []string{tool, "id\x00" + f.ID}
}

// PackageIdentity is a package without its version: ecosystem, namespace
// and name as its purl says (else as the tool names it, split and
// normalised as the ecosystem's purls are), or "" when it has no name.
func PackageIdentity(p *Package) string {
	if p == nil {
		return ""
	}
	if p.Purl != "" {
		if u, err := packageurl.FromString(p.Purl); err == nil && u.Name != "" {
			ns, name := u.Namespace, u.Name
			if u.Type == "pypi" {
				name = ecosystem.NormalizePyPI(name)
			}
			return strings.ToLower(u.Type) + "\x00" + ns + "\x00" + name
		}
	}
	eco := strings.ToLower(p.Ecosystem)
	ns, name := ecosystem.SplitName(eco, strings.TrimSpace(p.Name))
	if name == "" {
		return ""
	}
	return eco + "\x00" + ns + "\x00" + name
}
