package sarif

import (
	"fmt"
	"slices"
	"strings"
)

// commitKeys are partial fingerprints that say which commit a secret was
// found in (Gitleaks), not which problem it is: the same secret at the
// same place in several commits stays one finding.
var commitKeys = map[string]bool{
	"commitsha": true, "commit": true, "author": true, "email": true, "date": true, "commitmessage": true,
}

// toolFingerprint is what tells a result apart from others of its rule at
// its place: its fingerprints, else its partial fingerprints, as sorted
// key=value pairs; "" when it has none.
func toolFingerprint(r *result) string {
	m := r.Fingerprints
	if len(m) == 0 {
		m = r.PartialFingerprints
	}
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if !commitKeys[strings.ToLower(k)] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s=%v\x00", k, m[k])
	}
	return sb.String()
}

// maxBaseDepth bounds a chain of uriBaseIds, which a log could make circular.
const maxBaseDepth = 8

// roots resolve a run's artifact URIs to paths relative to the scanned
// root: a relative URI is prefixed with what its uriBaseId adds below the
// root (SRCROOT "src/" under PROJECTROOT), and an absolute one under an
// absolute base or the working directory loses that prefix, so that the
// same tool's JSON report and SARIF log of one run name files alike.
type roots struct {
	bases map[string]*artifactLocation
	// abs are the absolute roots, longest first, each ending in "/".
	abs []string
}

func newRoots(r *run) *roots {
	rt := &roots{bases: r.OriginalURIBaseIDs}
	add := func(u string) {
		u = strings.TrimSpace(cleanURI(u))
		if isAbsPath(u) {
			rt.abs = append(rt.abs, strings.TrimRight(u, "/")+"/")
		}
	}
	for _, b := range r.OriginalURIBaseIDs {
		if b != nil && deref(b.URIBaseId) == "" {
			add(deref(b.URI))
		}
	}
	for _, inv := range r.Invocations {
		if inv.WorkingDirectory != nil {
			add(deref(inv.WorkingDirectory.URI))
		}
	}
	slices.SortFunc(rt.abs, func(a, b string) int { return len(b) - len(a) })
	return rt
}

// path is an artifact location's path relative to the scanned root, or
// as written when no root applies.
func (rt *roots) path(al *artifactLocation) string {
	p := cleanURI(deref(al.URI))
	if !isAbsPath(p) {
		if base := deref(al.URIBaseId); base != "" {
			p = rt.prefix(base, 0) + p
		}
		return strings.TrimPrefix(p, "./")
	}
	for _, root := range rt.abs {
		if rel, ok := strings.CutPrefix(p, root); ok && rel != "" {
			return rel
		}
	}
	return p
}

// prefix is what uriBaseId id adds below the root: "" for a base that is
// absolute or unknown (the root itself), else its relative URI after its
// own base's prefix.
func (rt *roots) prefix(id string, depth int) string {
	b := rt.bases[id]
	if b == nil || depth > maxBaseDepth {
		return ""
	}
	u := strings.TrimSpace(cleanURI(deref(b.URI)))
	if u == "" || isAbsPath(u) || deref(b.URIBaseId) == "" {
		return ""
	}
	return rt.prefix(deref(b.URIBaseId), depth+1) + strings.TrimRight(u, "/") + "/"
}

// isAbsPath reports whether a cleaned URI is an absolute path: /x, C:/x.
func isAbsPath(p string) bool {
	return strings.HasPrefix(p, "/") || len(p) >= 3 && p[1] == ':' && p[2] == '/' && isAlnum(p[0])
}
