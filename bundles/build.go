package bundles

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/eval/builtins"
	"github.com/secgate/secgate/internal/limitread"
)

// BuildOptions configure Build.
type BuildOptions struct {
	// Revision is written to the manifest.
	Revision string
	// Roots are the manifest roots (paths under data, "a/b"). When nil,
	// the folder's own .manifest roots are kept if it has them, else the
	// roots are the bundle's package paths and top-level data keys, so
	// that bundles built separately compose.
	Roots []string
	// SigningKey is a PEM private key; nil builds an unsigned bundle.
	SigningKey []byte
	// SigningAlg is one of Algorithms; "" picks the key's default (ES256
	// for P-256, ES384, ES512, RS256 for RSA).
	SigningAlg string
	// KeyID is written to the signature (the JWT "kid"); "" for none.
	KeyID string
	// ClaimsFile is a JSON file of extra claims for the signature (OPA's
	// --claims-file), e.g. a "scope".
	ClaimsFile string
	// RegoV0 reads the folder's Rego as Rego v0 (written before Rego v1)
	// and says so in the manifest (rego_version 0), so that OPA and
	// secgate read the bundle as v0 without being told.
	RegoV0 bool
	// Entrypoint adds the decision entry point (eval.DecisionModule) as
	// /secgate/decision/decision.rego, with the root secgate/decision, so
	// that an OPA server running the bundle (secgate opa run) answers
	// check --opa-url.
	Entrypoint bool
}

// buildFilter keeps what belongs in a bundle: Rego (tests too, so that
// secgate test can run them), data files and the manifest; hidden folders
// (.git), testdata and an old .signatures.json stay out.
func buildFilter(abspath string, info fs.FileInfo, depth int) bool {
	name := info.Name()
	if info.IsDir() {
		// The filter sees the root as "." (depth 1, not 0, in OPA's FS walk).
		return abspath != "." && (strings.HasPrefix(name, ".") || name == "testdata")
	}
	switch {
	case name == ".signatures.json":
		return true
	case strings.HasSuffix(name, ".rego"), name == ".manifest":
		return false
	case name == "data.json", name == "data.yaml", name == "data.yml":
		return false
	}
	return true
}

// capabilities are OPA's with secgate's builtins, so that policies using
// them compile into a bundle.
func capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = append(caps.Builtins, builtins.Decls()...)
	return caps
}

// Build compiles the policy folder dir into an OPA bundle (.tar.gz) with
// OPA's compile package, as `opa build -b dir` does: the modules (Rego v1,
// formatted), the data files merged into data.json, and a .manifest with
// the revision and roots. With a signing key the bundle carries a
// .signatures.json that `opa run --verification-key` accepts too.
func Build(ctx context.Context, dir string, opts BuildOptions) ([]byte, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("bundle build %s: %w", dir, unwrapPath(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("bundle build %s: not a folder", dir)
	}
	if err := checkLocalTree(dir); err != nil {
		return nil, fmt.Errorf("bundle build %s: %w", dir, err)
	}
	caps := capabilities()
	version := ast.RegoV1
	if opts.RegoV0 {
		version = ast.RegoV0
	}
	// Paths relative to dir, so that entries read "/main/deny.rego".
	c := compile.New().
		WithFS(os.DirFS(dir)).
		WithPaths(".").
		WithAsBundle(true).
		WithRegoVersion(version).
		WithCapabilities(caps).
		WithFilter(buildFilter)
	if err := c.Build(ctx); err != nil {
		return nil, fmt.Errorf("bundle build %s: %w", dir, err)
	}
	b := c.Bundle()
	if len(b.Modules) == 0 && len(b.Data) == 0 {
		return nil, fmt.Errorf("bundle build %s: no .rego or data files", dir)
	}
	if opts.Entrypoint {
		if err := addEntrypoint(b); err != nil {
			return nil, fmt.Errorf("bundle build %s: %w", dir, err)
		}
	}
	roots := opts.Roots
	if roots == nil {
		if roots, err = manifestRoots(dir); err != nil {
			return nil, fmt.Errorf("bundle build %s: %w", dir, err)
		}
	}
	if roots == nil {
		roots = deriveRoots(b)
	}
	for i := range roots {
		roots[i] = strings.Trim(roots[i], "/")
	}
	if opts.Entrypoint && !slices.ContainsFunc(roots, func(r string) bool { return r == "" || strings.HasPrefix(entrypointRoot+"/", r+"/") }) {
		roots = append(roots, entrypointRoot)
	}
	b.Manifest.Roots = &roots
	b.Manifest.Revision = opts.Revision
	b.Manifest.SetRegoVersion(version)

	var buf bytes.Buffer
	c2 := compile.New().
		WithBundle(b).
		WithRegoVersion(version).
		WithCapabilities(caps).
		WithRevision(opts.Revision).
		WithOutput(&buf)
	if opts.SigningKey != nil {
		sc, err := signingConfig(opts.SigningKey, opts.SigningAlg, opts.ClaimsFile)
		if err != nil {
			return nil, fmt.Errorf("bundle build %s: %w", dir, err)
		}
		c2 = c2.WithBundleSigningConfig(sc).WithBundleVerificationKeyID(opts.KeyID)
	}
	if err := c2.Build(ctx); err != nil {
		return nil, fmt.Errorf("bundle build %s: %w", dir, err)
	}
	// Read it back as OPA would: the roots must permit every package.
	if _, err := readArchive(buf.Bytes(), "bundle", 0); err != nil {
		return nil, fmt.Errorf("bundle build %s: %w", dir, err)
	}
	return buf.Bytes(), nil
}

// entrypointRoot is the manifest root of the decision entry point.
const entrypointRoot = "secgate/decision"

// addEntrypoint adds the decision entry point of b's modules to b: of
// those a check loads, tests (*_test.rego) left out.
func addEntrypoint(b *bundle.Bundle) error {
	modules := make(map[string]*ast.Module, len(b.Modules))
	for _, mf := range b.Modules {
		if !strings.HasSuffix(mf.Path, "_test.rego") {
			modules[mf.Path] = mf.Parsed
		}
	}
	m, err := eval.DecisionModule(modules)
	if err != nil {
		return err
	}
	if m == nil {
		return errors.New("--opa-entrypoint: no package defines deny, violation or warn rules")
	}
	raw, err := format.AstWithOpts(m, format.Opts{RegoVersion: ast.RegoV1})
	if err != nil {
		return fmt.Errorf("decision entry point: %w", err)
	}
	path := "/" + entrypointRoot + "/decision.rego"
	b.Modules = append(b.Modules, bundle.ModuleFile{URL: path, Path: path, Raw: raw, Parsed: m})
	return nil
}

// Sign re-signs an existing bundle archive with a PEM private key: the
// bundle is read with OPA's bundle reader (an old signature is not checked
// and is replaced), signed, and written again with OPA's writer.
func Sign(bundleBytes, key []byte, alg, keyID string) ([]byte, error) {
	sc, err := signingConfig(key, alg, "")
	if err != nil {
		return nil, err
	}
	if err := checkTar(gunzip(bundleBytes), limits{maxFiles: DefaultMaxFiles, maxSize: DefaultMaxSize}, true); err != nil {
		return nil, err
	}
	b, err := bundle.NewReader(bytes.NewReader(bundleBytes)).
		WithSkipBundleVerification(true).
		WithRegoVersion(ast.RegoV1).
		WithCapabilities(capabilities()).
		Read()
	if err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	if err := b.GenerateSignature(sc, keyID, false); err != nil {
		return nil, fmt.Errorf("sign bundle: %w", err)
	}
	var buf bytes.Buffer
	if err := bundle.NewWriter(&buf).Write(b); err != nil {
		return nil, fmt.Errorf("write bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// maxClaimsFile bounds --claims-file: a JSON object of a few claims.
const maxClaimsFile = 1 << 20

// signingConfig checks a PEM private key and its algorithm.
func signingConfig(key []byte, alg, claimsFile string) (*bundle.SigningConfig, error) {
	k, err := parsePrivateKey(key)
	if err != nil {
		return nil, err
	}
	alg, err = chooseAlgorithm(k.Public(), alg)
	if err != nil {
		return nil, err
	}
	if claimsFile != "" {
		raw, err := limitread.File(claimsFile, maxClaimsFile)
		if errors.Is(err, limitread.ErrTooLarge) {
			return nil, fmt.Errorf("claims file %s: %w", claimsFile, err)
		}
		if err != nil {
			return nil, fmt.Errorf("claims file: %w", err)
		}
		var claims map[string]any
		if err := json.Unmarshal(raw, &claims); err != nil {
			return nil, fmt.Errorf("claims file %s: want a JSON object: %w", claimsFile, err)
		}
	}
	// OPA reads a key that does not start with -----BEGIN as a file name.
	pemText := strings.TrimSpace(string(key))
	return bundle.NewSigningConfig(pemText, alg, claimsFile), nil
}

// manifestRoots returns the roots of dir/.manifest, or nil when it has
// none.
func manifestRoots(dir string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ".manifest"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m struct {
		Roots *[]string `json:"roots"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf(".manifest: %w", err)
	}
	if m.Roots == nil {
		return nil, nil
	}
	return *m.Roots, nil
}

// deriveRoots returns the package paths of the modules and the paths of
// the data outside them, without roots that another contains.
func deriveRoots(b *bundle.Bundle) []string {
	var roots []string
	for _, m := range b.Modules {
		roots = append(roots, packageRoot(m.Parsed))
	}
	roots = minimalRoots(roots)
	return minimalRoots(append(roots, dataRoots(b.Data, "", roots)...))
}

// dataRoots returns the shallowest paths of data that the package roots
// do not cover: a key that leads to a package root is descended into, so
// that data.json beside a policy adds no wider root than its package.
func dataRoots(data map[string]any, prefix string, pkgRoots []string) []string {
	var out []string
	for k, v := range data {
		p := k
		if prefix != "" {
			p = prefix + "/" + k
		}
		if bundle.RootPathsContain(pkgRoots, p) {
			continue
		}
		obj, isObj := v.(map[string]any)
		leads := false
		for _, r := range pkgRoots {
			if strings.HasPrefix(r, p+"/") {
				leads = true
				break
			}
		}
		if isObj && leads {
			out = append(out, dataRoots(obj, p, pkgRoots)...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// packageRoot is a module's package path as a bundle root ("a/b").
func packageRoot(m *ast.Module) string {
	p, err := storage.NewPathForRef(m.Package.Path)
	if err != nil {
		return strings.TrimPrefix(m.Package.Path.String(), "data.")
	}
	return strings.Join(p, "/")
}

// minimalRoots sorts roots and drops duplicates and roots inside others.
func minimalRoots(roots []string) []string {
	sort.Strings(roots)
	var out []string
	for _, r := range roots {
		covered := false
		for _, o := range out {
			if bundle.RootPathsContain([]string{o}, r) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, r)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
