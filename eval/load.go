package eval

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"

	"github.com/secgate/secgate/internal/limitread"
)

// Policies is a set of parsed Rego modules and the data files that came
// with them.
type Policies struct {
	// Modules maps a module's file name to it.
	Modules map[string]*ast.Module
	// Data is the merged content of data.json/data.yaml files found beside
	// the modules, at the paths of their folders.
	Data map[string]any
	// Origins says where the modules came from, in load order: each
	// source's address and, where known, its revision or digest
	// ("org.tar.gz sha256:…", "builtin").
	Origins []string
	// NamedFieldsOnly asks for the input projection: findings and
	// components keep only the keys the modules spell out as strings (and
	// those secgate's builtins read, builtins.FindingFields), which makes
	// building the input for 100,000 findings cost a fraction. New grants
	// it only when the compiled modules read findings and components by
	// literal keys alone: a module that walks them, lists their keys,
	// serialises or compares them whole, collects them in a set or reads
	// them by a computed key gets the whole input (see projectionSafe).
	NamedFieldsOnly bool
	// Unread are fields the modules name but, under the data they are
	// evaluated with, never read: the projection leaves them out too.
	Unread []string
	// Checked says the modules are the built-in policies alone, which
	// their tests compile with every check of OPA's compiler. New then
	// skips the stages that only check the modules (types, recursion,
	// rule conflicts; checkOnlyStages) unless Options.Capabilities
	// replaces the defaults they were checked with: each check pays for
	// compiling the built-ins. It is not assumed of any other policy.
	Checked bool
}

// Filter decides which files of a policy tree are read, and how.
type Filter struct {
	// Tests includes *_test.rego files (for secgate test).
	Tests bool
	// RegoV0 parses the Rego files of folders and files as Rego v0
	// (conftest's --rego-version v0: `deny[msg] { … }`); the default is
	// Rego v1. Bundle archives name their version in their manifest
	// (v1 when they do not), and the embedded built-ins are v1.
	RegoV0 bool
}

// regoVersion is the version f parses folders and files with.
func (f Filter) regoVersion() ast.RegoVersion {
	if f.RegoV0 {
		return ast.RegoV0
	}
	return ast.RegoV1
}

func (f Filter) loaderFilter() loader.Filter {
	return func(abspath string, info fs.FileInfo, depth int) bool {
		if info.IsDir() {
			// Hidden folders (.git) and testdata hold no policies.
			return depth > 0 && (strings.HasPrefix(info.Name(), ".") || info.Name() == "testdata")
		}
		name := info.Name()
		if strings.HasSuffix(name, "_test.rego") {
			return !f.Tests
		}
		switch {
		case strings.HasSuffix(name, ".rego"), strings.HasSuffix(name, ".tar.gz"):
			return false
		case name == "data.json", name == "data.yaml", name == "data.yml":
			return false
		}
		return true
	}
}

// LoadFS reads the policies of an fs.FS (the embedded built-ins). Its
// Rego files are parsed at the same time, one goroutine each: every check
// pays for parsing the built-ins, and OPA's loader parses one file after
// another. The loader still reads the data files.
func LoadFS(origin string, fsys fs.FS, filter Filter) (*Policies, error) {
	skip := filter.loaderFilter()
	var names []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		// The loader's depth: 0 for the root, 1 for what is in it.
		if name != "." && skip(name, info, strings.Count(name, "/")+1) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(name, ".rego") {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", origin, err)
	}
	modules, err := parseAll(fsys, names)
	if err != nil {
		return nil, err
	}
	res, err := loader.NewFileLoader().
		WithFS(fsys).
		Filtered([]string{"."}, func(abspath string, info fs.FileInfo, depth int) bool {
			return (!info.IsDir() && strings.HasSuffix(info.Name(), ".rego")) || skip(abspath, info, depth)
		})
	if err != nil {
		return nil, policyLoadError(err)
	}
	p := fromResult(origin, res)
	// The loader's own modules are those of bundle archives in the tree.
	for name, m := range p.Modules {
		modules[name] = m
	}
	p.Modules = modules
	return p, nil
}

// parseAll parses the named Rego files of fsys, each on its own
// goroutine, and keys the modules by name as OPA's loader does.
func parseAll(fsys fs.FS, names []string) (map[string]*ast.Module, error) {
	modules := make([]*ast.Module, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				errs[i] = err
				return
			}
			modules[i], errs[i] = ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{
				RegoVersion:       ast.RegoV1,
				ProcessAnnotation: true,
			})
		})
	}
	wg.Wait()
	byName := make(map[string]*ast.Module, len(names))
	var failed []error
	for i, name := range names {
		// Each parse error on its own, as the loader lists them.
		if ae, ok := errs[i].(ast.Errors); ok {
			for _, e := range ae {
				failed = append(failed, e)
			}
			continue
		}
		if errs[i] != nil {
			failed = append(failed, errs[i])
			continue
		}
		byName[name] = modules[i]
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("policy: %s", compactErrors(failed))
	}
	return byName, nil
}

// LoadPaths reads policy files, folders and bundle archives from disk.
func LoadPaths(paths []string, filter Filter) (*Policies, error) {
	res, err := loader.NewFileLoader().
		WithRegoVersion(filter.regoVersion()).
		WithProcessAnnotation(true).
		Filtered(paths, filter.loaderFilter())
	if err != nil {
		return nil, versionHint(policyLoadError(err), err, filter.regoVersion())
	}
	p := fromResult(strings.Join(paths, ", "), res)
	if len(p.Modules) == 0 {
		return nil, fmt.Errorf("policy %s: no .rego files found", strings.Join(paths, ", "))
	}
	return p, nil
}

// versionHint replaces a load error by a *VersionError when every file it
// names fails to parse as the version it was read as and parses as the
// other, which --rego-version reads: a policy written for conftest
// before Rego v1 (`deny[msg] { … }`) then says how to run it.
func versionHint(err, loadErr error, version ast.RegoVersion) error {
	var le loader.Errors
	if !errors.As(loadErr, &le) {
		return err
	}
	files := map[string]bool{}
	var first *ast.Error
	for _, e := range le {
		var ae ast.Errors
		var one *ast.Error
		switch {
		case errors.As(e, &ae):
		case errors.As(e, &one):
			ae = ast.Errors{one}
		default:
			return err
		}
		for _, a := range ae {
			if a.Code != ast.ParseErr || a.Location == nil || a.Location.File == "" {
				return err
			}
			files[a.Location.File] = true
			if first == nil || a.Location.File < first.Location.File ||
				(a.Location.File == first.Location.File && a.Location.Row < first.Location.Row) {
				first = a
			}
		}
	}
	if len(files) == 0 {
		return err
	}
	ve := &VersionError{Version: ast.RegoV0, Flag: "pass --rego-version v0", First: astErrors(ast.Errors{first})}
	if version == ast.RegoV0 {
		ve.Version, ve.Flag = ast.RegoV1, "drop --rego-version v0"
	}
	for f := range files {
		src, rerr := limitread.File(f, maxPolicyFile)
		if rerr != nil {
			return err
		}
		if _, perr := ast.ParseModuleWithOpts(f, string(src), ast.ParserOptions{RegoVersion: ve.Version}); perr != nil {
			return err
		}
		ve.Files = append(ve.Files, cleanFile(f))
	}
	sort.Strings(ve.Files)
	return ve
}

// maxPolicyFile bounds a policy file read again to see which Rego version
// it is written in.
const maxPolicyFile = 16 << 20

// VersionError says that policy files do not parse as the Rego version
// they were read as, and parse as Version: Flag says how to read them so.
type VersionError struct {
	Files   []string
	Version ast.RegoVersion
	// First is the first parse error, "file:line: message".
	First string
	Flag  string
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("policy %s: written in Rego %s (%s): %s", strings.Join(e.Files, ", "), e.Version, e.First, e.Flag)
}

// fromResult keeps the loader's module names: they are the file names
// compiler errors and coverage reports use.
func fromResult(origin string, res *loader.Result) *Policies {
	p := &Policies{Modules: res.ParsedModules(), Data: res.Documents, Origins: []string{origin}}
	if p.Data == nil {
		p.Data = map[string]any{}
	}
	return p
}

// Merge adds q's modules and data to p. Two modules of the same file name,
// or data files that set the same key differently, are an error naming both.
func (p *Policies) Merge(q *Policies) error {
	for name, m := range q.Modules {
		if _, dup := p.Modules[name]; dup {
			return fmt.Errorf("policy file %s is loaded twice", name)
		}
		p.Modules[name] = m
	}
	if err := mergeData(p.Data, q.Data, "", mustAgree); err != nil {
		return err
	}
	p.Origins = append(p.Origins, q.Origins...)
	return nil
}

// MergeOver lays src over dst, the data a policy reads: objects merge key
// by key, and any other value of src replaces dst's.
func MergeOver(dst, src map[string]any) {
	_ = mergeData(dst, src, "", nil)
}

// mergeData lays src over dst: objects merge key by key. Where both hold
// a value and they are not both objects, src's value wins, unless
// conflict is set: then its error stops the merge, and nil says the two
// agree (dst's is kept). at is the path of dst under data.
func mergeData(dst, src map[string]any, at string, conflict func(at string, old, new any) error) error {
	for k, v := range src {
		old, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		om, ok1 := old.(map[string]any)
		nm, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			if err := mergeData(om, nm, at+"."+k, conflict); err != nil {
				return err
			}
			continue
		}
		if conflict == nil {
			dst[k] = v
		} else if err := conflict(at+"."+k, old, v); err != nil {
			return err
		}
	}
	return nil
}

// mustAgree is the conflict of data files: the same key set twice must
// hold the same value.
func mustAgree(at string, old, new any) error {
	if fmt.Sprint(old) != fmt.Sprint(new) {
		return fmt.Errorf("data%s is set twice with different values", at)
	}
	return nil
}

// policyLoadError turns the loader's errors into one line with file:line.
func policyLoadError(err error) error {
	var le loader.Errors
	if errors.As(err, &le) && len(le) > 0 {
		return fmt.Errorf("policy: %s", compactErrors(le))
	}
	var ae ast.Errors
	if errors.As(err, &ae) && len(ae) > 0 {
		return fmt.Errorf("policy: %s", astErrors(ae))
	}
	return fmt.Errorf("policy: %w", err)
}

func compactErrors(errs []error) string {
	var parts []string
	for _, e := range errs {
		var ae ast.Errors
		if errors.As(e, &ae) {
			parts = append(parts, astErrors(ae))
			continue
		}
		parts = append(parts, e.Error())
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// astErrors renders compiler errors as "file:line: message".
func astErrors(errs ast.Errors) string {
	var parts []string
	for _, e := range errs {
		loc := ""
		if e.Location != nil {
			loc = fmt.Sprintf("%s:%d: ", cleanFile(e.Location.File), e.Location.Row)
		}
		parts = append(parts, loc+e.Message)
	}
	return strings.Join(parts, "; ")
}

// cleanFile shortens the path OPA reports for an embedded file.
func cleanFile(f string) string {
	if strings.HasPrefix(f, "/") {
		return f
	}
	return path.Clean(f)
}
