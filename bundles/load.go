package bundles

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/secgate/secgate/eval"
)

// LoadOptions configure LoadPolicies.
type LoadOptions struct {
	// Filter chooses the files of folders (and keeps or drops the
	// *_test.rego modules of bundles).
	Filter eval.Filter
	// Verify, when set, requires every bundle to be signed with its key,
	// and refuses folders and files fetched from remote addresses (they
	// carry no signature). Local folders and files are the user's own and
	// are not verified.
	Verify *VerifyOptions
	// MaxSize bounds a bundle archive; 0 means DefaultMaxSize.
	MaxSize int64
}

// Source says where a set of modules came from.
type Source struct {
	// Address is the source as given, redacted.
	Address string `json:"address"`
	// Revision is the git commit or "sha256:…" of the archive ("" for
	// local folders and files).
	Revision string `json:"revision,omitempty"`
	// Path is where the source is on disk.
	Path string `json:"path"`
	// Kind says whether it is a folder, a file, a bundle or embedded.
	Kind Kind `json:"kind"`
	// BundleRevision is the revision the bundle's manifest declares.
	BundleRevision string `json:"bundle_revision,omitempty"`
	// Roots are the paths under data the source owns: a bundle's manifest
	// roots, or a folder's package paths.
	Roots []string `json:"roots"`
	// Verified says the bundle's signature was checked.
	Verified bool `json:"verified"`
	// Packages are the Rego packages the source defines, sorted.
	Packages []string `json:"packages"`
	// Modules are the module names (as in eval.Policies.Modules), sorted.
	Modules []string `json:"modules"`
}

// RootConflictError says two sources claim overlapping parts of data.
type RootConflictError struct {
	A, B         string // the sources' addresses
	RootA, RootB string
}

func (e *RootConflictError) Error() string {
	show := func(r string) string {
		if r == "" {
			return `"" (all of data: the bundle declares no roots)`
		}
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("policy sources %s and %s overlap: root %s of the first and %s of the second (a bundle owns its roots; give each source a distinct package path)",
		e.A, e.B, show(e.RootA), show(e.RootB))
}

// LoadPolicies reads fetched sources into one set of policies, in order:
// folders and files with eval's loader, bundle archives with OPA's bundle
// reader (verified when opts.Verify is set), embedded file systems with
// eval.LoadFS. Two sources of which at least one is a bundle must not
// declare overlapping roots (a bundle's manifest roots; a folder's package
// paths): that is a *RootConflictError naming both. Each module's origin is
// returned as a Source, in the order given.
func LoadPolicies(fetched []*Fetched, opts LoadOptions) (*eval.Policies, []Source, error) {
	if len(fetched) == 0 {
		return nil, nil, errors.New("policy: no sources")
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	var all *eval.Policies
	sources := make([]Source, 0, len(fetched))
	for _, f := range fetched {
		p, src, err := loadOne(f, opts)
		if err != nil {
			return nil, nil, err
		}
		for _, prev := range sources {
			if err := checkRoots(prev, src); err != nil {
				return nil, nil, err
			}
		}
		sources = append(sources, src)
		if all == nil {
			all = p
		} else if err := all.Merge(p); err != nil {
			return nil, nil, fmt.Errorf("policy %s: %w", f.Address, err)
		}
	}
	return all, sources, nil
}

// loadOne reads one source.
func loadOne(f *Fetched, opts LoadOptions) (*eval.Policies, Source, error) {
	src := Source{Address: f.Address, Revision: f.Revision, Path: f.Path, Kind: f.Kind}
	var p *eval.Policies
	var err error
	switch f.Kind {
	case KindEmbedded:
		p, err = eval.LoadFS(f.Address, f.FS, opts.Filter)
	case KindBundle:
		p, err = loadBundle(f, opts, &src)
	case KindFolder, KindFile:
		if opts.Verify != nil {
			if err := checkUnsignable(f); err != nil {
				return nil, src, err
			}
		}
		p, err = eval.LoadPaths([]string{f.Path}, opts.Filter)
	default:
		err = fmt.Errorf("policy %s: unknown kind %q", f.Address, f.Kind)
	}
	if err != nil {
		return nil, src, err
	}
	p.Origins = []string{origin(f.Address, src.Revision, p)}
	if f.Kind != KindBundle {
		for _, m := range p.Modules {
			src.Roots = append(src.Roots, packageRoot(m))
		}
		src.Roots = minimalRoots(src.Roots)
	}
	for name, m := range p.Modules {
		src.Modules = append(src.Modules, name)
		src.Packages = append(src.Packages, strings.TrimPrefix(m.Package.Path.String(), "data."))
	}
	sort.Strings(src.Modules)
	src.Packages = dedupSorted(src.Packages)
	return p, src, nil
}

// origin names a source with its revision: a git commit or an archive's
// digest, else (a local folder or file, the embedded policies) the digest
// of its modules as OPA formats them, so that a record of a decision says
// which policies made it.
func origin(address, revision string, p *eval.Policies) string {
	if revision == "" {
		names := make([]string, 0, len(p.Modules))
		for name := range p.Modules {
			names = append(names, name)
		}
		sort.Strings(names)
		var b strings.Builder
		for _, name := range names {
			fmt.Fprintf(&b, "%s\x00%s\x00", name, p.Modules[name].String())
		}
		revision = sha256Hex([]byte(b.String()))
	}
	return address + " " + revision
}

// loadBundle reads a bundle archive, verified when asked to, into policies.
func loadBundle(f *Fetched, opts LoadOptions, src *Source) (*eval.Policies, error) {
	raw, err := readBounded(f.Path, opts.MaxSize)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", f.Address, err)
	}
	if src.Revision == "" {
		src.Revision = sha256Hex(raw)
	}
	var b *bundle.Bundle
	if opts.Verify != nil {
		v, err := verifyArchive(raw, f.Path, *opts.Verify, opts.MaxSize)
		if err != nil {
			return nil, fmt.Errorf("policy %s: bundle refused: %w", f.Address, err)
		}
		b, src.Verified = v.Bundle, true
	} else if b, err = readArchive(raw, f.Path, opts.MaxSize); err != nil {
		return nil, fmt.Errorf("policy %s: %w", f.Address, err)
	}
	src.BundleRevision = b.Manifest.Revision
	src.Roots = []string{""}
	if b.Manifest.Roots != nil {
		src.Roots = append([]string(nil), *b.Manifest.Roots...)
	}
	label := moduleLabel(f)
	p := &eval.Policies{Modules: map[string]*ast.Module{}, Data: b.Data}
	if p.Data == nil {
		p.Data = map[string]any{}
	}
	for _, mf := range b.Modules {
		if !opts.Filter.Tests && strings.HasSuffix(mf.Path, "_test.rego") {
			continue
		}
		// Parsed again under a name that says which source it is from, so
		// that compiler errors and test locations name it.
		name := label + "/" + strings.TrimPrefix(mf.Path, "/")
		version, err := b.RegoVersionForFile(mf.RelativePath, ast.RegoV1)
		if err != nil || version == ast.RegoUndefined {
			version = ast.RegoV1
		}
		m, err := ast.ParseModuleWithOpts(name, string(mf.Raw), ast.ParserOptions{RegoVersion: version, ProcessAnnotation: true})
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", f.Address, err)
		}
		p.Modules[name] = m
	}
	return p, nil
}

// checkUnsignable refuses, under verification, what cannot carry a
// signature: folders and files fetched from remote addresses, and local
// folders holding bundle archives (eval's loader would read those
// unverified).
func checkUnsignable(f *Fetched) error {
	if f.Remote {
		return fmt.Errorf("policy %s: %w: a %s fetched from a remote address carries no signature; publish a signed bundle (secgate bundle build --signing-key), point the address at one, or pass --insecure-skip-verify",
			f.Address, ErrUnsigned, f.Kind)
	}
	if f.Kind == KindFolder {
		if inner := findArchive(f.Path); inner != "" {
			return fmt.Errorf("policy %s: holds the bundle %s, which would be read unverified; give it as a source of its own", f.Address, inner)
		}
	}
	return nil
}

// VerifyFetched checks a fetched source under verification without loading
// it (what `secgate pull --verification-key` does): a bundle's signature
// must verify; a folder or file fetched from a remote address is refused,
// having none; local folders and files pass.
func VerifyFetched(f *Fetched, opts VerifyOptions) error {
	switch f.Kind {
	case KindBundle:
		raw, err := readBounded(f.Path, DefaultMaxSize)
		if err != nil {
			return fmt.Errorf("policy %s: %w", f.Address, err)
		}
		if _, err := verifyArchive(raw, f.Path, opts, DefaultMaxSize); err != nil {
			return fmt.Errorf("policy %s: bundle refused: %w", f.Address, err)
		}
		return nil
	case KindFolder, KindFile:
		return checkUnsignable(f)
	}
	return nil
}

// moduleLabel names a bundle's modules: the local path, or the address
// without its query string.
func moduleLabel(f *Fetched) string {
	if !f.Remote {
		return filepath.ToSlash(f.Path)
	}
	a := f.Address
	if m := forcedRE.FindStringSubmatch(a); m != nil {
		a = m[2]
	}
	if u, err := url.Parse(a); err == nil && u.Scheme != "" {
		u.RawQuery, u.User = "", nil
		return u.String()
	}
	base, _, _ := strings.Cut(a, "?")
	return base
}

// checkRoots refuses overlapping roots when either source is a bundle.
func checkRoots(a, b Source) error {
	if a.Kind != KindBundle && b.Kind != KindBundle {
		return nil // folders merge conftest-style; eval reports real clashes
	}
	for _, ra := range a.Roots {
		for _, rb := range b.Roots {
			if bundle.RootPathsOverlap(ra, rb) {
				return &RootConflictError{A: a.Address, B: b.Address, RootA: ra, RootB: rb}
			}
		}
	}
	return nil
}

// findArchive returns a bundle archive inside a folder the loader would
// read, or "".
func findArchive(dir string) string {
	var found string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return filepath.SkipDir
		}
		if d.IsDir() && p != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".tar.gz") {
			found = p
		}
		return nil
	})
	return found
}

func dedupSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}
