// Package config reads secgate.yaml: the configuration of the built-in
// policies (one section each) and of the gate itself. Its JSON Schema,
// schema.json, is the one description of the file: every section and key,
// its default, the values it takes. A file is checked against it as it is
// read, so unknown keys, values of the wrong type or outside their set and
// malformed dates are errors with the line they are on, and a typo never
// silently turns a policy off. A section or key left empty (null) keeps
// its default, for the same reason. Exceptions and approvals are held to
// their contract: the keys they may have, the keys they must have.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/secgate/secgate/internal/limitread"
)

// DefaultFile is read when present and no --config is given.
const DefaultFile = "secgate.yaml"

// Bounds on the files this package reads whole. A file over its bound is
// refused, and one that is no regular file (a FIFO, /dev/zero, a symlink
// to either) is read only up to it.
const (
	// MaxFileSize bounds secgate.yaml: hundreds of times a large one.
	MaxFileSize int64 = 16 << 20
	// MaxDataFileSize bounds a policy data file (-d), as a policy bundle
	// and the data in it are bounded.
	MaxDataFileSize int64 = 64 << 20
)

// Config is a loaded secgate.yaml.
type Config struct {
	// Path is the file read, or "" for the defaults alone.
	Path string `yaml:"-"`
	// SHA256 is the hex digest of the file's bytes, "" for the defaults
	// alone: what a signed decision record names the configuration by.
	SHA256 string `yaml:"-"`
	// Sections are the policies' data: the defaults with the file's values
	// laid over them. Policies see it as data.secgate.config. Every
	// top-level key of the schema but the gate keys below is a section.
	Sections map[string]any `yaml:"-"`

	// The gate keys: top-level keys that configure secgate, not a policy,
	// each read into the field its tag names.

	// Policies are policy sources named in the file.
	Policies []string `yaml:"policies"`
	// VerificationKey is the public key bundles must be signed with.
	VerificationKey string `yaml:"verification_key"`
	// SeveritySource orders the sources whose rating wins over the highest
	// stated severity: score sources (nvd, ghsa, redhat …) or "tool".
	SeveritySource []string `yaml:"severity_source"`
	// History is where check records its runs, when no flag or
	// environment says.
	History string `yaml:"history"`
	// Retention says how long the history keeps what; empty: the defaults.
	Retention Retention `yaml:"retention"`
}

// Retention is how long the history keeps each kind of record: a number
// of days, weeks or hours (90d, 12w, 36h) or "forever"; "" is the
// default.
type Retention struct {
	Reports   string `yaml:"reports"`
	Decisions string `yaml:"decisions"`
	SBOMs     string `yaml:"sboms"`
}

// Ratchet says whether thresholds.ratchet is on: the gate then counts
// the baseline's findings for the thresholds policy to hold the current
// counts to.
func (c *Config) Ratchet() bool {
	sec, _ := c.Sections["thresholds"].(map[string]any)
	on, _ := sec["ratchet"].(bool)
	return on
}

// Defaults returns the configuration with no file.
func Defaults() (*Config, error) {
	d, err := sectionDefaults()
	if err != nil {
		return nil, err
	}
	c := &Config{Sections: d}
	c.retentionDefaults()
	return c, nil
}

// retentionDefaults fills the retention keys left empty with the
// schema's defaults.
func (c *Config) retentionDefaults() {
	k, _ := Section("retention")
	for _, key := range k.Keys {
		v, _ := key.Default.(string)
		field := map[string]*string{"reports": &c.Retention.Reports, "decisions": &c.Retention.Decisions, "sboms": &c.Retention.SBOMs}[key.Name]
		if field != nil && *field == "" {
			*field = v
		}
	}
}

// Load reads path. A missing file is an error; use Find for the optional
// default file.
func Load(path string) (*Config, error) {
	data, err := limitread.File(path, MaxFileSize)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.Path = path
	sum := sha256.Sum256(data)
	c.SHA256 = hex.EncodeToString(sum[:])
	return c, nil
}

// Find loads ./secgate.yaml when it exists, else the defaults.
func Find() (*Config, error) {
	if _, err := os.Stat(DefaultFile); err == nil {
		return Load(DefaultFile)
	}
	return Defaults()
}

// Parse reads a secgate.yaml document.
func Parse(data []byte) (*Config, error) {
	c, err := Defaults()
	if err != nil {
		return nil, err
	}
	var file yaml.Node
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("malformed YAML: %w", err)
	}
	if len(file.Content) == 0 {
		return c, nil // an empty file: defaults
	}
	doc := file.Content[0]
	if doc.Tag == "!!null" {
		return c, nil // a document with nothing in it (---, ~): defaults
	}
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want a mapping of sections (thresholds, licenses, …)", doc.Line)
	}
	schema, err := root()
	if err != nil {
		return nil, err
	}
	d := &document{schema: schema, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	inst, err := d.read(doc, nil)
	if err != nil {
		return nil, err
	}
	if err := d.check(inst); err != nil {
		return nil, err
	}
	if err := doc.Decode(c); err != nil {
		return nil, fmt.Errorf("line %d: %w", doc.Line, err)
	}
	c.retentionDefaults()
	for name, v := range inst.(map[string]any) {
		if !gateKeys()[name] {
			// A section left empty (every key commented out) keeps its
			// defaults; so does a key left empty inside one.
			c.Sections[name] = overlay(c.Sections[name], v, schema.Properties.get(name))
		}
	}
	return c, nil
}

// overlay lays a user value over its default: null keeps the default, a
// mapping of named keys is laid over key by key, anything else (a list, a
// free-form mapping such as licenses.aliases) replaces it.
func overlay(dflt, user any, s *node) any {
	if user == nil {
		return dflt
	}
	dm, ok1 := dflt.(map[string]any)
	um, ok2 := user.(map[string]any)
	if !ok1 || !ok2 || s == nil || !s.object() {
		return user
	}
	out := make(map[string]any, len(dm))
	for k, v := range dm {
		out[k] = v
	}
	for k, v := range um {
		out[k] = overlay(dm[k], v, s.Properties.get(k))
	}
	return out
}

// Data is the policies' view of the configuration: {"secgate": {"config": sections}}.
func (c *Config) Data() map[string]any {
	return map[string]any{"secgate": map[string]any{"config": c.Sections}}
}

// normalize turns YAML's decoded values into JSON's: timestamps become
// dates, integer maps keys strings.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			x[k] = normalize(vv)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, vv := range x {
			m[fmt.Sprint(k)] = normalize(vv)
		}
		return m
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339)
	}
	return v
}

// ReadDataFile reads a policy data file (-d) of at most MaxDataFileSize
// bytes. Its errors are those of limitread.File.
func ReadDataFile(path string) ([]byte, error) {
	return limitread.File(path, MaxDataFileSize)
}

// DecodeData reads a JSON or YAML object (a -d data file) into the values
// JSON would give: YAML timestamps become dates.
func DecodeData(raw []byte) (map[string]any, error) {
	var v map[string]any
	if err := yaml.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errors.New("not an object")
	}
	return normalize(v).(map[string]any), nil
}
