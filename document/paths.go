package document

import "strings"

// relativize makes the paths of one run name files alike whichever report
// of it they come from: a tool's JSON report writes absolute paths
// (/home/ci/proj/main.go, gosec) or ./-relative ones (./app.py) where its
// SARIF log writes paths relative to the scanned root (main.go). A source's
// absolute paths lose the root that the other sources' relative paths
// reveal (the prefix most of its paths have before a path some other
// finding names), and "./" goes. A finding whose id changes with its path
// merges with the finding already under the new id. Without absolute or
// ./ paths, nothing is done.
func (d *Document) relativize() {
	if !d.hasPathToRewrite() {
		return
	}
	rel := map[string]bool{}
	for i := range d.Findings {
		if l := d.Findings[i].Location; l != nil && !isAbsPath(l.Path) {
			rel[strings.TrimPrefix(l.Path, "./")] = true
		}
	}
	// Each source's root: the prefix most of its absolute paths have
	// before a relative path known elsewhere (the longest such path).
	votes := map[int]map[string]int{}
	for i := range d.Findings {
		f := &d.Findings[i]
		if f.Location == nil || !isAbsPath(f.Location.Path) || len(f.Origins) == 0 {
			continue
		}
		p := f.Location.Path
		for j := 0; j < len(p); j++ {
			if p[j] == '/' && rel[p[j+1:]] {
				src := f.Origins[0].Source
				if votes[src] == nil {
					votes[src] = map[string]int{}
				}
				votes[src][p[:j+1]]++
				break
			}
		}
	}
	roots := make(map[int]string, len(votes))
	for src, vs := range votes {
		best, n := "", 0
		for root, v := range vs {
			if v > n || v == n && root < best {
				best, n = root, v
			}
		}
		roots[src] = best
	}

	removed := false
	for i := range d.Findings {
		f := &d.Findings[i]
		if f.Location == nil || f.Status == "" || len(f.Origins) == 0 {
			continue
		}
		p := f.Location.Path
		if strings.HasPrefix(p, "./") {
			p = strings.TrimLeft(p[2:], "/")
		} else if root := roots[f.Origins[0].Source]; isAbsPath(p) && root != "" && strings.HasPrefix(p, root) {
			p = p[len(root):]
		}
		if p == f.Location.Path || p == "" {
			continue
		}
		old := Fingerprint(f)
		d.movePaths(f, f.Location.Path, p)
		id := Fingerprint(f)
		if f.ID != old && f.ToolFingerprint != "" {
			id = hashParts([]string{id, f.ToolFingerprint}) // told apart by its fingerprint
		}
		if id == f.ID {
			continue
		}
		if at, ok := d.findingIndex[id]; ok && at != i {
			d.mergeFinding(&d.Findings[at], f)
			delete(d.findingIndex, f.ID)
			f.Status = "" // marks it merged
			removed = true
			continue
		}
		delete(d.findingIndex, f.ID)
		f.ID = id
		d.findingIndex[id] = i
	}
	if !removed {
		return
	}
	kept := d.Findings[:0]
	for i := range d.Findings {
		if d.Findings[i].Status != "" {
			kept = append(kept, d.Findings[i])
		}
	}
	clear(d.Findings[len(kept):])
	d.Findings = kept
	clear(d.findingIndex)
	for i := range d.Findings {
		d.findingIndex[d.Findings[i].ID] = i
	}
}

func (d *Document) hasPathToRewrite() bool {
	for i := range d.Findings {
		if l := d.Findings[i].Location; l != nil && (isAbsPath(l.Path) || strings.HasPrefix(l.Path, "./")) {
			return true
		}
	}
	return false
}

// movePaths renames from to to in a finding's locations; the locations
// are copied first, as an ingester may share them.
func (d *Document) movePaths(f *Finding, from, to string) {
	l := *f.Location
	l.Path = to
	f.Location = &l
	if len(f.Locations) > 0 {
		locs := make([]Location, len(f.Locations))
		copy(locs, f.Locations)
		for i := range locs {
			if locs[i].Path == from {
				locs[i].Path = to
			}
		}
		f.Locations = locs
	}
}

// isAbsPath reports whether p is an absolute path: /x, C:/x.
func isAbsPath(p string) bool {
	return strings.HasPrefix(p, "/") || len(p) >= 3 && p[1] == ':' && (p[2] == '/' || p[2] == '\\')
}
