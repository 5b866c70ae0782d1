package gate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secgate/secgate/bundles"
	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/policies"
)

// Builtin names the embedded policies among policy sources.
const Builtin = "builtin"

// Policy says which policies decide and what they see under data.
type Policy struct {
	// Sources are folders, .rego files, bundle archives, go-getter
	// addresses or Builtin; none means the built-in policies.
	Sources []string
	// Config is secgate.yaml, seen by the policies as
	// data.secgate.config; nil means its defaults (config.Defaults).
	Config *config.Config
	// DataFiles are JSON or YAML objects laid over the configuration
	// under data, in order.
	DataFiles []string
	// Namespaces restricts evaluation to these packages; empty: all.
	Namespaces []string
	// Capabilities replaces the restricted default capabilities.
	Capabilities *ast.Capabilities
	// Timeout bounds one evaluation; 0 means eval.DefaultTimeout.
	Timeout time.Duration
	// Fetch configures how remote sources are fetched and cached.
	Fetch bundles.FetchOptions
	// Verify, when set, holds the key every bundle must be signed with.
	Verify *bundles.VerifyOptions
	// Log receives the policies' print() output and the explanation
	// Explain asks for (eval.Options.Log); nil discards them.
	Log io.Writer
	// Explain is eval.Options.Explain: full, fails, notes, or "" for none.
	Explain string
	// RegoV0 reads the Rego files of folders and files as Rego v0, for
	// policies written before Rego v1 (eval.Filter.RegoV0).
	RegoV0 bool
}

// config is p.Config, or the defaults.
func (p Policy) config() (*config.Config, error) {
	if p.Config != nil {
		return p.Config, nil
	}
	return config.Defaults()
}

// ConfigName names the configuration in errors: its file, or
// "configuration" for the defaults.
func ConfigName(c *config.Config) string {
	if c == nil || c.Path == "" {
		return "configuration"
	}
	return c.Path
}

// LoadPolicies fetches the policy sources (local paths pass through,
// go-getter addresses go through the cache) and loads them, verifying
// bundles when p.Verify is set; none means the built-ins. It returns
// where each module came from.
func LoadPolicies(ctx context.Context, p Policy, filter eval.Filter) (*eval.Policies, []bundles.Source, error) {
	sources := p.Sources
	if len(sources) == 0 {
		sources = []string{Builtin}
	}
	fetched := make([]*bundles.Fetched, 0, len(sources))
	for _, s := range sources {
		if s == Builtin {
			fetched = append(fetched, bundles.Embedded(Builtin, policies.FS))
			continue
		}
		f, err := bundles.Fetch(ctx, s, p.Fetch)
		if err != nil {
			return nil, nil, err
		}
		fetched = append(fetched, f)
	}
	filter.RegoV0 = filter.RegoV0 || p.RegoV0
	pols, origins, err := bundles.LoadPolicies(fetched, bundles.LoadOptions{Filter: filter, Verify: p.Verify, MaxSize: p.Fetch.MaxSize})
	if err != nil {
		return nil, nil, err
	}
	// The built-ins read the document by the names they spell out; any
	// other policy may read it any way, and gets every field.
	pols.NamedFieldsOnly = !slices.ContainsFunc(sources, func(s string) bool { return s != Builtin })
	// Their tests compile them with every check; a check need not repeat it.
	pols.Checked = pols.NamedFieldsOnly
	return pols, origins, nil
}

// PolicyData is what the policies see under data: the configuration, then
// each data file laid over it (eval.MergeOver).
func PolicyData(p Policy) (map[string]any, error) {
	cfg, err := p.config()
	if err != nil {
		return nil, err
	}
	data := cfg.Data()
	for _, path := range p.DataFiles {
		raw, err := config.ReadDataFile(path)
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if err != nil {
			return nil, fmt.Errorf("data %s: %w", path, err)
		}
		v, err := config.DecodeData(raw)
		if err != nil {
			return nil, fmt.Errorf("data %s: want a JSON or YAML object: %w", path, err)
		}
		// data.secgate is the built-ins' configuration, checked key by
		// key when read from secgate.yaml; laid over unchecked, a null or
		// a misspelt word there would switch a policy off.
		if _, ok := v["secgate"]; ok {
			return nil, fmt.Errorf("data %s: the key \"secgate\" is reserved for the built-in policies' configuration: set it in secgate.yaml (-c), where it is checked", path)
		}
		eval.MergeOver(data, v)
	}
	return data, nil
}

// NewEngine loads, compiles and prepares the policies.
func NewEngine(ctx context.Context, p Policy) (*eval.Engine, error) {
	pols, _, err := LoadPolicies(ctx, p, eval.Filter{})
	if err != nil {
		return nil, err
	}
	data, err := PolicyData(p)
	if err != nil {
		return nil, err
	}
	if err := withExceptions(pols, data); err != nil {
		return nil, err
	}
	pols.Unread = unread(data)
	var values []string
	if ratchetOn(p.Config) {
		// The current counts, read in the evaluation that decides.
		values = []string{RatchetCounts}
	}
	return eval.New(ctx, eval.Options{
		Policies:     pols,
		Data:         data,
		Namespaces:   p.Namespaces,
		Capabilities: p.Capabilities,
		Timeout:      p.Timeout,
		Log:          p.Log,
		Explain:      p.Explain,
		Values:       values,
	})
}

// unread are the fields of findings the built-in policies name but do
// not read under data's configuration: a finding's origins (each tool
// that reported it) only when thresholds.by_tool names a tool or
// coverage.required a report (a finding shows which report scanned for
// its kind). Building them for 100,000 findings would cost a third more
// memory and time.
func unread(data map[string]any) []string {
	if byTool, _ := dataAt(data, "secgate", "config", "thresholds", "by_tool").(map[string]any); len(byTool) > 0 {
		return nil
	}
	if required, _ := dataAt(data, "secgate", "config", "coverage", "required").(map[string]any); len(required) > 0 {
		return nil
	}
	return []string{"origins"}
}

// withExceptions adds the built-in exceptions policy, and the library it
// reads, when the configuration holds exceptions and no policy source
// brought that package: waivers from secgate.yaml apply whatever policies
// run, a team's own alone included, and their warnings (expired, unused)
// come with them.
func withExceptions(pols *eval.Policies, data map[string]any) error {
	waivers, _ := dataAt(data, "secgate", "config", "exceptions").([]any)
	if len(waivers) == 0 {
		return nil
	}
	have := map[string]bool{}
	for _, m := range pols.Modules {
		have[strings.TrimPrefix(m.Package.Path.String(), "data.")] = true
	}
	if have[eval.ExceptionsPackage] {
		return nil
	}
	builtin, err := eval.LoadFS(Builtin, policies.FS, eval.Filter{})
	if err != nil {
		return err
	}
	for name, m := range builtin.Modules {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if pkg != eval.ExceptionsPackage && (pkg != policies.LibPackage || have[policies.LibPackage]) {
			continue
		}
		if _, dup := pols.Modules[name]; dup {
			return fmt.Errorf("policy file %s is loaded twice (the built-in exceptions policy needs it)", name)
		}
		pols.Modules[name] = m
	}
	pols.Origins = append(pols.Origins, Builtin)
	return nil
}

// dataAt is the value at path in nested maps, or nil.
func dataAt(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
