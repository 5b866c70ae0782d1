package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// NotReportExtensions are the file name extensions a report never has:
// documentation, tables, pages, images, configuration, signatures and
// checksums. A folder's files with one of them are skipped and listed; a
// file named on the command line is read whatever its name.
var NotReportExtensions = []string{
	".md", ".markdown", ".rst", ".adoc", ".txt", ".tsv", ".csv",
	".html", ".htm", ".css", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico",
	".yaml", ".yml", ".toml", ".ini",
	".sig", ".asc", ".pem", ".sha256", ".sha512",
}

// NotReportNames are the file names, whatever their case, a report never
// has: a folder's files so named are skipped and listed too. Version
// control keeps .gitkeep in folders of reports; desktops add the others.
var NotReportNames = []string{
	"README", "LICENSE", "LICENCE", "NOTICE", "COPYING", "CHANGELOG", "AUTHORS", "CODEOWNERS",
	".gitkeep", ".keep", ".gitignore", ".gitattributes", ".DS_Store", "Thumbs.db", "desktop.ini",
}

// Skipped is a file found in a folder and not read, with why.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func (s Skipped) String() string { return s.Path + " (" + s.Reason + ")" }

// Expansion is what a list of report arguments names.
type Expansion struct {
	// Reports are the arguments, each folder replaced by its reports.
	Reports []string
	// Skipped are the folders' files not read for their name.
	Skipped []Skipped
}

// ErrBadExclude is an --exclude pattern that is no glob.
var ErrBadExclude = errors.New("bad --exclude pattern")

// Expand replaces each folder among args by the reports in it, walked
// recursively in name order:
//   - symbolic links to files and to folders are followed; a folder
//     reached twice (a link loop) is walked once;
//   - dot-files and dot-folders count, but .git is not walked;
//   - files with an extension of NotReportExtensions or a name of
//     NotReportNames are skipped and listed in Skipped;
//   - paths matching an exclude glob are left out: the glob is matched
//     against the path relative to the folder argument, with / between
//     names; `*` and `?` stay within a name, `**` spans any number of
//     folders, and a glob without / matches a file or folder name at any
//     depth (`*.sig`, `drafts`, `old/**`, `**/tmp-*.json`);
//   - anything else that is no regular file (a broken link, a socket) is
//     an error, and so is a folder that holds no report.
//
// FORMAT:PATH arguments, "-" and paths that are no folder pass unchanged.
func Expand(args, exclude []string) (Expansion, error) {
	for _, g := range exclude {
		if err := checkGlob(g); err != nil {
			return Expansion{}, err
		}
	}
	var out Expansion
	stdin := false
	for _, arg := range args {
		forced, p := SplitArg(arg)
		if p == "-" {
			// Standard input reads once; a second - would read nothing.
			if stdin {
				return Expansion{}, errors.New("-: standard input is named twice; it can be read only once")
			}
			stdin = true
		}
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() || forced != "" || p == "-" {
			out.Reports = append(out.Reports, arg) // reading reports a missing file
			continue
		}
		w := walker{root: p, exclude: exclude}
		if err := w.walk(p, "", st); err != nil {
			return Expansion{}, err
		}
		if len(w.reports) == 0 {
			if len(w.skipped) > 0 {
				var names []string
				for _, s := range w.skipped[:min(3, len(w.skipped))] {
					names = append(names, s.Path)
				}
				if len(w.skipped) > 3 {
					names = append(names, "…")
				}
				return Expansion{}, fmt.Errorf("%s: the folder holds no reports, only files skipped by their name: %s", p, strings.Join(names, ", "))
			}
			return Expansion{}, fmt.Errorf("%s: the folder holds no reports", p)
		}
		out.Reports = append(out.Reports, w.reports...)
		out.Skipped = append(out.Skipped, w.skipped...)
	}
	return out, nil
}

type walker struct {
	root    string
	exclude []string
	seen    []os.FileInfo // folders walked, to walk each once
	reports []string
	skipped []Skipped
}

// walk adds the reports under dir, whose path relative to the root is rel.
func (w *walker) walk(dir, rel string, st os.FileInfo) error {
	for _, s := range w.seen {
		if os.SameFile(s, st) {
			return nil
		}
	}
	w.seen = append(w.seen, st)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, unwrapPathError(err))
	}
	// ReadDir sorts by name.
	for _, e := range entries {
		name := e.Name()
		p, r := filepath.Join(dir, name), path.Join(rel, name)
		if name == ".git" || excluded(w.exclude, r) {
			continue
		}
		st, err := os.Stat(p) // follows links
		if why := notReport(name); why != "" && (err != nil || !st.IsDir()) {
			// Only files: a folder named docs.md or v1.yaml is walked.
			w.skipped = append(w.skipped, Skipped{Path: p, Reason: why})
			continue
		}
		switch {
		case err != nil && e.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s: broken symbolic link: %w", p, unwrapPathError(err))
		case err != nil:
			return fmt.Errorf("%s: %w", p, unwrapPathError(err))
		case st.IsDir():
			if err := w.walk(p, r, st); err != nil {
				return err
			}
		case !st.Mode().IsRegular():
			return fmt.Errorf("%s: not a regular file, not a report", p)
		default:
			w.reports = append(w.reports, p)
		}
	}
	return nil
}

// notReport says why a file so named is no report, or "" when it may be.
func notReport(name string) string {
	for _, n := range NotReportNames {
		if strings.EqualFold(n, name) {
			return "not a report by its name"
		}
	}
	if slices.Contains(NotReportExtensions, strings.ToLower(filepath.Ext(name))) {
		return "not a report by its extension"
	}
	return ""
}

// excluded reports whether the relative path rel matches a glob.
func excluded(globs []string, rel string) bool {
	for _, g := range globs {
		g = path.Clean(strings.Trim(filepath.ToSlash(g), "/"))
		if !strings.Contains(g, "/") {
			if ok, _ := path.Match(g, path.Base(rel)); ok {
				return true
			}
			continue
		}
		if matchGlob(strings.Split(g, "/"), strings.Split(rel, "/")) {
			return true
		}
	}
	return false
}

// matchGlob matches path names against glob names, where "**" matches
// any number of names.
func matchGlob(glob, names []string) bool {
	for len(glob) > 0 {
		if glob[0] == "**" {
			for i := 0; i <= len(names); i++ {
				if matchGlob(glob[1:], names[i:]) {
					return true
				}
			}
			return false
		}
		if len(names) == 0 {
			return false
		}
		if ok, _ := path.Match(glob[0], names[0]); !ok {
			return false
		}
		glob, names = glob[1:], names[1:]
	}
	return len(names) == 0
}

func checkGlob(g string) error {
	if strings.TrimSpace(g) == "" {
		return fmt.Errorf("%w: empty", ErrBadExclude)
	}
	for _, part := range strings.Split(filepath.ToSlash(g), "/") {
		if _, err := path.Match(part, ""); err != nil {
			return fmt.Errorf("%w %q: %v", ErrBadExclude, g, err)
		}
	}
	return nil
}
