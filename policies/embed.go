// Package policies holds secgate's built-in Rego policies, one domain per
// folder, each beside its tests, and the defaults of their configuration.
package policies

import (
	"embed"
	"fmt"

	"gopkg.in/yaml.v3"
)

// FS holds the built-in policies (with their tests) and defaults.yaml.
//
//go:embed defaults.yaml lib thresholds licenses dependencies secrets exceptions coverage vex
var FS embed.FS

// DefaultsYAML is the defaults of the built-in policies' configuration, as
// written (with comments).
//
//go:embed defaults.yaml
var DefaultsYAML []byte

// Defaults returns the configuration defaults as data, one key per section.
func Defaults() (map[string]any, error) {
	var m map[string]any
	if err := yaml.Unmarshal(DefaultsYAML, &m); err != nil {
		return nil, fmt.Errorf("built-in defaults.yaml: %w", err)
	}
	return m, nil
}

// DefaultsNode returns defaults.yaml as a YAML node tree, comments kept.
func DefaultsNode() (*yaml.Node, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(DefaultsYAML, &n); err != nil {
		return nil, fmt.Errorf("built-in defaults.yaml: %w", err)
	}
	return &n, nil
}
